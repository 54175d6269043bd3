/**
 * How well a membership-inference attack separates members (rows a model was trained on) from
 * non-members: its AUC and its membership advantage TPR − FPR (Yeom, Giacomelli, Fredrikson &
 * Jha, "Privacy Risk in Machine Learning: Analyzing the Connection to Overfitting", CSF 2018,
 * Definition 4). An attack score is any real number; higher means "more likely a member", and
 * the attack says "member" when the score is ≥ its threshold.
 *
 * The advantage depends on the threshold, and choosing it matters:
 * - {@link bestAdvantage} takes the best threshold *on the evaluation rows themselves*. That is
 *   optimistic: on finite samples it is positive even when scores carry no membership signal
 *   (it is the one-sided Kolmogorov–Smirnov statistic, whose mean under no signal is about
 *   √(π/8)/√(nm/(n+m)) (Smirnov 1939): 0.056 for n = m = 250). {@link nullBestAdvantage}
 *   measures that noise floor by permutation.
 * - {@link calibratedAdvantage} picks the threshold on one half and measures it on the other
 *   (two-fold, both ways): an honest estimate whose mean is 0 when there is no signal.
 */
import type { Random } from '../../math/random.js';
import { stratifiedKFold } from '../../data/split.js';
import { auc } from '../../metrics/ranking.js';

/** The best threshold on the evaluation rows and the advantage it reaches. */
export interface BestAdvantage {
  /** max over thresholds t of TPR(t) − FPR(t), ≥ 0 (t = +∞ gives 0). */
  readonly advantage: number;
  /** The score at which the best advantage is first reached scanning from high to low; +∞ when none beats 0. */
  readonly threshold: number;
}

/** Check an attack's scores and membership labels; returns the number of members and non-members. */
export function checkAttackInput(scores: unknown, isMember: unknown): { numMembers: number; numNonMembers: number } {
  if (!(scores instanceof Float64Array)) throw new TypeError('scores: expected a Float64Array');
  if (!(isMember instanceof Uint8Array)) throw new TypeError('isMember: expected a Uint8Array of 0/1');
  if (isMember.length !== scores.length) throw new RangeError(`isMember: expected length ${scores.length}, got ${isMember.length}`);
  let numMembers = 0;
  for (let i = 0; i < scores.length; i++) {
    if (Number.isNaN(scores[i])) throw new RangeError(`scores: entry ${i} is NaN`);
    if (isMember[i] > 1) throw new RangeError(`isMember: entry ${i} is ${isMember[i]}, expected 0 or 1`);
    numMembers += isMember[i];
  }
  const numNonMembers = scores.length - numMembers;
  if (numMembers === 0 || numNonMembers === 0) throw new RangeError('isMember: expected at least one member and one non-member');
  return { numMembers, numNonMembers };
}

/**
 * Attack AUC: probability that a random member scores above a random non-member (ties ½).
 * 0.5 is chance.
 *
 * @example membershipAuc(Float64Array.of(0.9, 0.8, 0.7, 0.6, 0.5, 0.4), Uint8Array.of(1, 1, 0, 1, 0, 0)) // 8/9
 */
export function membershipAuc(scores: Float64Array, isMember: Uint8Array): number {
  checkAttackInput(scores, isMember);
  return auc(scores, isMember);
}

/**
 * The best advantage over all thresholds, found in one pass over the scores sorted from high to
 * low; equal scores are never split (a threshold cannot separate them).
 *
 * @example bestAdvantage(Float64Array.of(0.9, 0.8, 0.7, 0.6, 0.5, 0.4), Uint8Array.of(1, 1, 0, 1, 0, 0)) // { advantage: 2/3, threshold: 0.8 }
 */
export function bestAdvantage(scores: Float64Array, isMember: Uint8Array): BestAdvantage {
  const { numMembers, numNonMembers } = checkAttackInput(scores, isMember);
  const order = Array.from(scores.keys()).sort((a, b) => scores[b] - scores[a]);
  // Compared as integers tp·N − fp·P, so two thresholds with the same advantage tie exactly
  // (2/3 − 0 and 1 − 1/3 differ in the last bit as doubles).
  let bestScaled = 0;
  let threshold = Infinity;
  let truePositives = 0;
  let falsePositives = 0;
  for (let k = 0; k < order.length; ) {
    const t = scores[order[k]];
    for (; k < order.length && scores[order[k]] === t; k++) {
      if (isMember[order[k]] === 1) truePositives++;
      else falsePositives++;
    }
    const scaled = truePositives * numNonMembers - falsePositives * numMembers;
    if (scaled > bestScaled) {
      bestScaled = scaled;
      threshold = t;
    }
  }
  return { advantage: bestScaled / (numMembers * numNonMembers), threshold };
}

/** TPR − FPR of the rule "member iff score ≥ threshold"; in [−1, 1]. */
export function advantageAt(scores: Float64Array, isMember: Uint8Array, threshold: number): number {
  const { numMembers, numNonMembers } = checkAttackInput(scores, isMember);
  if (typeof threshold !== 'number' || Number.isNaN(threshold)) throw new TypeError('threshold: expected a number');
  let truePositives = 0;
  let falsePositives = 0;
  for (let i = 0; i < scores.length; i++) {
    if (scores[i] < threshold) continue;
    if (isMember[i] === 1) truePositives++;
    else falsePositives++;
  }
  return truePositives / numMembers - falsePositives / numNonMembers;
}

function subset(scores: Float64Array, isMember: Uint8Array, rows: ArrayLike<number>): [Float64Array, Uint8Array] {
  return [Float64Array.from(rows, (i) => scores[i]), Uint8Array.from(rows, (i) => isMember[i])];
}

/**
 * Honest advantage: split members and non-members in two halves at random (stratified), choose
 * the best threshold on one half, measure TPR − FPR on the other, and average both directions.
 * The threshold never sees the rows it is measured on, so with no signal the mean is 0 (it can
 * be negative). It is placed midway between the best score and the next lower score of the
 * calibration half, the usual max-margin choice, rather than on a calibration row itself.
 * Needs at least two members and two non-members.
 */
export function calibratedAdvantage(scores: Float64Array, isMember: Uint8Array, rng: Random): number {
  const { numMembers, numNonMembers } = checkAttackInput(scores, isMember);
  if (numMembers < 2 || numNonMembers < 2) throw new RangeError('isMember: calibration needs at least two members and two non-members');
  const folds = stratifiedKFold(isMember, 2, rng);
  let sum = 0;
  for (const { train, test } of folds) {
    const [trainScores, trainMembers] = subset(scores, isMember, train);
    const { threshold } = bestAdvantage(trainScores, trainMembers);
    let below = -Infinity;
    for (const v of trainScores) if (v < threshold && v > below) below = v;
    const midway = threshold === Infinity || below === -Infinity ? threshold : threshold / 2 + below / 2;
    sum += advantageAt(...subset(scores, isMember, test), midway);
  }
  return sum / folds.length;
}

/**
 * The noise floor of {@link bestAdvantage}: its mean over `numPermutations` random relabellings
 * of the same rows (same numbers of members and non-members), i.e. what the optimistic estimate
 * reports for scores that carry no membership signal at this sample size.
 */
export function nullBestAdvantage(scores: Float64Array, isMember: Uint8Array, rng: Random, numPermutations = 200): number {
  checkAttackInput(scores, isMember);
  if (!Number.isInteger(numPermutations) || numPermutations < 1) throw new RangeError(`numPermutations: expected an integer ≥ 1, got ${numPermutations}`);
  const labels = Uint8Array.from(isMember);
  let sum = 0;
  for (let k = 0; k < numPermutations; k++) {
    rng.shuffle(labels);
    sum += bestAdvantage(scores, labels).advantage;
  }
  return sum / numPermutations;
}
