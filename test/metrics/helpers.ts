/**
 * Test helpers for the metrics suite: brute-force reference implementations (quadratic, written
 * straight from the definitions so they share no code with src/metrics) and a seeded generator
 * of realistic credit scores.
 */
import { deriveRandom } from '../../src/math/random.js';
import { sigmoid } from '../../src/math/linalg.js';

/** AUC by counting every bad–good pair: win 1, tie 1/2. */
export function bruteAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < scores.length; i++) {
    if (labels[i] !== 1) continue;
    for (let j = 0; j < scores.length; j++) {
      if (labels[j] !== 0) continue;
      pairs++;
      if (scores[i] > scores[j]) wins += 1;
      else if (scores[i] === scores[j]) wins += 0.5;
    }
  }
  return wins / pairs;
}

/** KS by evaluating |F_bad(t) − F_good(t)| at every observed score t (F counts scores ≤ t). */
export function bruteKs(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  let numBad = 0;
  for (let i = 0; i < labels.length; i++) numBad += labels[i];
  const numGood = labels.length - numBad;
  let best = 0;
  for (let t = 0; t < scores.length; t++) {
    let bad = 0;
    let good = 0;
    for (let i = 0; i < scores.length; i++) {
      if (scores[i] <= scores[t]) {
        if (labels[i] === 1) bad++;
        else good++;
      }
    }
    best = Math.max(best, Math.abs(bad / numBad - good / numGood));
  }
  return best;
}

/** Mean cost when predicting bad for score ≥ threshold, straight from the definition. */
export function bruteCost(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  threshold: number,
  costs: { badAsGood: number; goodAsBad: number },
): number {
  let total = 0;
  for (let i = 0; i < scores.length; i++) {
    const predictedBad = scores[i] >= threshold;
    if (labels[i] === 1 && !predictedBad) total += costs.badAsGood;
    if (labels[i] === 0 && predictedBad) total += costs.goodAsBad;
  }
  return total / scores.length;
}

/**
 * Scores of a slightly mis-specified logistic model: the truth is p = σ(−1 + 1.5x) with
 * x ~ N(0, 1); the model sees σ(−0.9 + 1.4x + 0.3·noise). About 30 % bad, like German credit.
 */
export function logisticScores(seed: number, numExamples: number): { scores: Float64Array; labels: Uint8Array } {
  const rng = deriveRandom(seed, 'metrics-test', 'logistic-scores');
  const scores = new Float64Array(numExamples);
  const labels = new Uint8Array(numExamples);
  for (let i = 0; i < numExamples; i++) {
    const x = rng.normal();
    labels[i] = rng.next() < sigmoid(-1 + 1.5 * x) ? 1 : 0;
    scores[i] = sigmoid(-0.9 + 1.4 * x + 0.3 * rng.normal());
  }
  return { scores, labels };
}
