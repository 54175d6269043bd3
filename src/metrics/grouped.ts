/**
 * Kernels on *grouped counts*: examples grouped by score in ascending order, with the number of
 * bad and good examples per group. Exact metrics group by distinct score value; federated
 * metrics group by histogram bin. Both feed the same kernels, so the only difference between
 * an exact and a federated AUC is how coarse the groups are, never the arithmetic.
 *
 * Counts are numbers, not integers, so that securely aggregated (fixed-point decoded) sums can
 * be passed straight in.
 */
import type { Costs, Labels, Scores } from './validate.js';

/** Examples grouped by distinct score, ascending. `bad[k]`/`good[k]` count group `k`. */
export interface ScoreGroups {
  /** Distinct score values, strictly ascending. */
  readonly values: Float64Array;
  readonly bad: Float64Array;
  readonly good: Float64Array;
}

/**
 * Group already-validated scores by distinct value (ascending) and count bad/good per group.
 * Each class is sorted with the native numeric sort (no comparator callback, about 10× faster
 * than sorting an index array) and the two sorted runs are merged. −0 and +0 fall in one group.
 */
export function groupByScore(scores: Scores, labels: Labels): ScoreGroups {
  let numBad = 0;
  for (let i = 0; i < labels.length; i++) numBad += labels[i];
  const badScores = new Float64Array(numBad);
  const goodScores = new Float64Array(scores.length - numBad);
  for (let i = 0, b = 0, g = 0; i < scores.length; i++) {
    if (labels[i] === 1) badScores[b++] = scores[i];
    else goodScores[g++] = scores[i];
  }
  badScores.sort();
  goodScores.sort();
  const values = new Float64Array(scores.length);
  const bad = new Float64Array(scores.length);
  const good = new Float64Array(scores.length);
  let numGroups = 0;
  let b = 0;
  let g = 0;
  while (b < badScores.length || g < goodScores.length) {
    const value =
      g >= goodScores.length || (b < badScores.length && badScores[b] < goodScores[g]) ? badScores[b] : goodScores[g];
    let countBad = 0;
    let countGood = 0;
    while (b < badScores.length && badScores[b] === value) {
      b++;
      countBad++;
    }
    while (g < goodScores.length && goodScores[g] === value) {
      g++;
      countGood++;
    }
    values[numGroups] = value;
    bad[numGroups] = countBad;
    good[numGroups] = countGood;
    numGroups++;
  }
  return {
    values: values.slice(0, numGroups),
    bad: bad.slice(0, numGroups),
    good: good.slice(0, numGroups),
  };
}

function total(counts: ArrayLike<number>): number {
  let sum = 0;
  for (let k = 0; k < counts.length; k++) sum += counts[k];
  return sum;
}

/**
 * AUC from ascending grouped counts: the Mann–Whitney probability that a random bad example
 * scores above a random good one, with pairs in the same group counted 1/2 (midrank
 * convention; Hanley & McNeil 1982, Radiology 143:29). Returns NaN if a class is empty; public
 * callers check that first.
 */
export function aucFromCounts(bad: ArrayLike<number>, good: ArrayLike<number>): number {
  let goodBelow = 0;
  let wins = 0;
  for (let k = 0; k < bad.length; k++) {
    wins += bad[k] * (goodBelow + 0.5 * good[k]);
    goodBelow += good[k];
  }
  return wins / (total(bad) * goodBelow);
}

/**
 * Kolmogorov–Smirnov statistic from ascending grouped counts: max over cut points between
 * groups of |F_bad − F_good|, where F is the fraction of a class at or below the cut. Ties sit
 * in one group, so a threshold never splits equal scores.
 */
export function ksFromCounts(bad: ArrayLike<number>, good: ArrayLike<number>): number {
  const numBad = total(bad);
  const numGood = total(good);
  let cumBad = 0;
  let cumGood = 0;
  let best = 0;
  for (let k = 0; k < bad.length; k++) {
    cumBad += bad[k];
    cumGood += good[k];
    const gap = Math.abs(cumBad / numBad - cumGood / numGood);
    if (gap > best) best = gap;
  }
  return best;
}

/** The cost-minimising cut of {@link minCostCut}. */
export interface CostCut {
  /** Groups with index ≥ `cut` are predicted bad; `cut = numGroups` predicts nobody bad. */
  readonly cut: number;
  /** Total (not mean) cost: badAsGood · false negatives + goodAsBad · false positives. */
  readonly totalCost: number;
}

/**
 * Scan every cut between ascending groups (predict bad for groups at or above the cut) and
 * return the one with the lowest total cost. Among equal costs the highest cut wins, i.e. the
 * policy that rejects fewest applicants.
 */
export function minCostCut(bad: ArrayLike<number>, good: ArrayLike<number>, costs: Costs): CostCut {
  const numGroups = bad.length;
  let falseNeg = total(bad);
  let falsePos = 0;
  let best: CostCut = { cut: numGroups, totalCost: costs.badAsGood * falseNeg };
  for (let c = numGroups - 1; c >= 0; c--) {
    falseNeg -= bad[c];
    falsePos += good[c];
    const totalCost = costs.badAsGood * falseNeg + costs.goodAsBad * falsePos;
    if (totalCost < best.totalCost) best = { cut: c, totalCost };
  }
  return best;
}
