/**
 * Boundary checks shared by every metric: scores and labels arrive from models, CSV files and
 * other nodes, so each public metric validates them here and throws a `TypeError` or
 * `RangeError` that names the parameter, instead of returning a silently wrong number.
 */

/** Model scores: one probability of *bad* (label 1) per example. */
export type Scores = Float64Array;

/** Outcomes: 1 = bad (default), 0 = good. `Uint8Array` from tables, `Float64Array` from batches. */
export type Labels = Uint8Array | Float64Array;

/** Misclassification costs per applicant, in any common unit (e.g. the German credit cost matrix). */
export interface Costs {
  /** Cost of approving an applicant who turns out bad (false negative). */
  readonly badAsGood: number;
  /** Cost of rejecting an applicant who would have been good (false positive). */
  readonly goodAsBad: number;
}

/** Class counts of a validated label array. */
export interface ClassCounts {
  readonly numExamples: number;
  readonly numBad: number;
  readonly numGood: number;
}

/**
 * Check that `scores` and `labels` are typed arrays of the same non-zero length, that every
 * score is finite (and inside [0, 1] when `probabilities` is set) and that every label is 0 or
 * 1. Returns the class counts so callers need not count again.
 */
export function checkScoresAndLabels(scores: Scores, labels: Labels, probabilities = false): ClassCounts {
  if (!(scores instanceof Float64Array)) throw new TypeError('scores: expected a Float64Array');
  if (!(labels instanceof Uint8Array || labels instanceof Float64Array)) {
    throw new TypeError('labels: expected a Uint8Array or Float64Array of 0/1');
  }
  if (scores.length === 0) throw new RangeError('scores: expected at least one example, got an empty array');
  if (labels.length !== scores.length) {
    throw new RangeError(`labels: length ${labels.length} does not match scores length ${scores.length}`);
  }
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i];
    if (!Number.isFinite(s)) throw new RangeError(`scores[${i}]: expected a finite number, got ${s}`);
    if (probabilities && (s < 0 || s > 1)) {
      throw new RangeError(`scores[${i}]: expected a probability in [0, 1], got ${s}`);
    }
  }
  let numBad = 0;
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (y !== 0 && y !== 1) throw new RangeError(`labels[${i}]: expected 0 (good) or 1 (bad), got ${y}`);
    numBad += y;
  }
  return { numExamples: scores.length, numBad, numGood: scores.length - numBad };
}

/**
 * Ranking metrics compare bad against good examples, so they are undefined with only one class.
 * We throw rather than return NaN: a NaN AUC travels silently into reports and model selection.
 */
export function requireBothClasses(
  counts: { numBad: number; numGood: number },
  metric: string,
  name = 'labels',
): void {
  if (!(counts.numBad > 0) || !(counts.numGood > 0)) {
    throw new RangeError(
      `${name}: ${metric} needs at least one bad (1) and one good (0) example, ` +
        `got ${counts.numBad} bad and ${counts.numGood} good`,
    );
  }
}

/** Check a cost matrix: both costs finite and ≥ 0, and not both zero. */
export function checkCosts(costs: Costs, name = 'costs'): void {
  if (typeof costs !== 'object' || costs === null) throw new TypeError(`${name}: expected { badAsGood, goodAsBad }`);
  for (const key of ['badAsGood', 'goodAsBad'] as const) {
    const v = costs[key];
    if (typeof v !== 'number') throw new TypeError(`${name}.${key}: expected a number, got ${typeof v}`);
    if (!Number.isFinite(v) || v < 0) throw new RangeError(`${name}.${key}: expected a finite cost ≥ 0, got ${v}`);
  }
  if (costs.badAsGood + costs.goodAsBad === 0) throw new RangeError(`${name}: both costs are zero`);
}

/** Check a bin count: an integer in [1, 1e7] (the upper bound keeps histograms allocatable). */
export function checkNumBins(numBins: number, name = 'numBins'): void {
  if (typeof numBins !== 'number') throw new TypeError(`${name}: expected a number, got ${typeof numBins}`);
  if (!Number.isInteger(numBins) || numBins < 1 || numBins > 1e7) {
    throw new RangeError(`${name}: expected an integer in [1, 10000000], got ${numBins}`);
  }
}
