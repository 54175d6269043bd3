/**
 * Federated evaluation. No node reveals a score or a label: each sends one `EvaluationSums`
 * vector of bin counts and loss sums, the coordinator adds the vectors element-wise (the only
 * operation, so secure aggregation can protect it later), and {@link metricsFromSums} turns
 * the total into AUC, KS, Gini, Brier, log loss and the cost-optimal threshold.
 *
 * Layout of an `EvaluationSums` vector for B bins (length 2B + 3), bins uniform on [0, 1] with
 * bin k = [k/B, (k+1)/B) and a score of exactly 1 in bin B − 1:
 *
 *   [0, B)     number of bad examples per bin
 *   [B, 2B)    number of good examples per bin
 *   2B         numExamples
 *   2B + 1     Σ (p − y)²                      (Brier terms, each in [0, 1])
 *   2B + 2     Σ −[y ln p + (1 − y) ln(1 − p)] (log-loss terms, each in [0, ≈34.54])
 *
 * Accuracy of the ranking metrics (B = 1000 unless chosen otherwise): bins are ordered like
 * scores, so a bad–good pair in different bins is ranked exactly; a pair sharing a bin counts
 * 1/2 where the exact AUC counts 0, 1/2 or 1. Hence
 *   |AUC_hist − AUC_exact| ≤ (fraction of bad–good pairs sharing a bin) / 2,
 * a bound computable from the histogram itself (`aucMaxError`). KS is evaluated only at bin
 * edges, which are real thresholds, so KS_hist ≤ KS_exact ≤ KS_hist + max_k max(bad_k/numBad,
 * good_k/numGood) (`ksMaxError`).
 */
import { aucFromCounts, ksFromCounts, minCostCut } from './grouped.js';
import { brierTerm, logLossTerm, MAX_LOG_LOSS_TERM } from './probabilistic.js';
import { GERMAN_COSTS } from './threshold.js';
import {
  checkCosts,
  checkNumBins,
  checkScoresAndLabels,
  requireBothClasses,
  type Costs,
  type Labels,
  type Scores,
} from './validate.js';

/** Default resolution of federated score histograms. */
export const DEFAULT_NUM_BINS = 1000;

/** Offsets of the parts of an `EvaluationSums` vector for `numBins` bins (see the module doc). */
export interface EvaluationSumsLayout {
  readonly badOffset: number;
  readonly goodOffset: number;
  readonly numExamplesIndex: number;
  readonly brierIndex: number;
  readonly logLossIndex: number;
  readonly length: number;
}

/** The layout of an `EvaluationSums` vector: bad bins, good bins, n, Σ Brier, Σ log loss. */
export function evaluationSumsLayout(numBins = DEFAULT_NUM_BINS): EvaluationSumsLayout {
  checkNumBins(numBins);
  const twoB = 2 * numBins;
  return {
    badOffset: 0,
    goodOffset: numBins,
    numExamplesIndex: twoB,
    brierIndex: twoB + 1,
    logLossIndex: twoB + 2,
    length: twoB + 3,
  };
}

/**
 * The most one example can add to each element of an `EvaluationSums` vector (1 for counts and
 * n, 1 for Brier, −ln 1e-15 for log loss): the clipping bounds a fixed-point encoding at the
 * aggregation seam needs, multiplied by a node's example count.
 */
export function evaluationSumsMaxPerExample(numBins = DEFAULT_NUM_BINS): Float64Array {
  const layout = evaluationSumsLayout(numBins);
  const max = new Float64Array(layout.length).fill(1);
  max[layout.logLossIndex] = MAX_LOG_LOSS_TERM;
  return max;
}

/**
 * The histogram bin of a probability p in [0, 1]: the largest k < B with k/B ≤ p, so p = 1
 * falls in the last bin. Edges are compared as the doubles k/B, the same values
 * {@link metricsFromSums} reports as thresholds, so "bin ≥ k" and "p ≥ k/B" always agree.
 */
export function scoreBin(probability: number, numBins: number): number {
  let k = Math.min(numBins - 1, Math.floor(probability * numBins));
  // floor(p·B) can miss by one next to an edge (0.29 · 100 = 28.999999999999996).
  if (k < numBins - 1 && (k + 1) / numBins <= probability) k++;
  else if (k > 0 && k / numBins > probability) k--;
  return k;
}

/**
 * Histogram of a node's scores by class: a `Float64Array` of length 2·numBins holding the bad
 * counts per bin, then the good counts per bin. Scores must be probabilities in [0, 1].
 */
export function scoreHistogram(scores: Scores, labels: Labels, numBins = DEFAULT_NUM_BINS): Float64Array {
  checkScoresAndLabels(scores, labels, true);
  checkNumBins(numBins);
  const histogram = new Float64Array(2 * numBins);
  for (let i = 0; i < scores.length; i++) {
    const offset = labels[i] === 1 ? 0 : numBins;
    histogram[offset + scoreBin(scores[i], numBins)]++;
  }
  return histogram;
}

/**
 * What a node sends for federated evaluation: its score histogram followed by
 * [numExamples, Σ Brier terms, Σ log-loss terms] (layout in the module doc).
 */
export function localEvaluationSums(
  scores: Scores,
  labels: Labels,
  numBins = DEFAULT_NUM_BINS,
): Float64Array {
  const histogram = scoreHistogram(scores, labels, numBins);
  const layout = evaluationSumsLayout(numBins);
  const sums = new Float64Array(layout.length);
  sums.set(histogram, 0);
  let brierSum = 0;
  let logLossSum = 0;
  for (let i = 0; i < scores.length; i++) {
    brierSum += brierTerm(scores[i], labels[i]);
    logLossSum += logLossTerm(scores[i], labels[i]);
  }
  sums[layout.numExamplesIndex] = scores.length;
  sums[layout.brierIndex] = brierSum;
  sums[layout.logLossIndex] = logLossSum;
  return sums;
}

/**
 * Element-wise sum of several nodes' `EvaluationSums` vectors: exactly what a plain (non-secure)
 * coordinator does. All parts must have the same length.
 */
export function addEvaluationSums(parts: readonly Float64Array[]): Float64Array {
  if (!Array.isArray(parts) || parts.length === 0) throw new RangeError('parts: expected at least one sums vector');
  const length = parts[0].length;
  const total = new Float64Array(length);
  parts.forEach((part, j) => {
    if (!(part instanceof Float64Array)) throw new TypeError(`parts[${j}]: expected a Float64Array`);
    if (part.length !== length) throw new RangeError(`parts[${j}]: length ${part.length}, expected ${length}`);
    for (let i = 0; i < length; i++) total[i] += part[i];
  });
  return total;
}

/** Metrics recovered from aggregated `EvaluationSums`. */
export interface FederatedMetrics {
  readonly numExamples: number;
  readonly numBad: number;
  /** AUC with same-bin bad–good pairs counted 1/2. */
  readonly auc: number;
  /** Upper bound on |auc − exact AUC|: half the fraction of bad–good pairs sharing a bin. */
  readonly aucMaxError: number;
  /** KS at bin edges (never above the exact KS). */
  readonly ks: number;
  /** Upper bound on exact KS − ks. */
  readonly ksMaxError: number;
  readonly gini: number;
  readonly brier: number;
  readonly logLoss: number;
  /** Cost-minimising bin edge k/numBins (predict bad when score ≥ it); `Infinity` = approve all. */
  readonly optimalThreshold: number;
  /** Mean cost per applicant at `optimalThreshold`. */
  readonly expectedCost: number;
}

function checkSums(sums: Float64Array, numBins: number): EvaluationSumsLayout {
  if (!(sums instanceof Float64Array)) throw new TypeError('sums: expected a Float64Array');
  const layout = evaluationSumsLayout(numBins);
  if (sums.length !== layout.length) {
    throw new RangeError(`sums: length ${sums.length}, expected 2·numBins + 3 = ${layout.length}`);
  }
  for (let i = 0; i < sums.length; i++) {
    if (!Number.isFinite(sums[i])) throw new RangeError(`sums[${i}]: expected a finite number, got ${sums[i]}`);
    // Noised (DP) histograms must be post-processed (e.g. clamped at 0) before they get here.
    if (sums[i] < 0) throw new RangeError(`sums[${i}]: expected a non-negative count or sum, got ${sums[i]}`);
  }
  return layout;
}

/**
 * Turn aggregated `EvaluationSums` (see the module doc for the layout and the error bounds)
 * into federated metrics. Throws a `RangeError` if the vector is malformed, its bin counts
 * disagree with its example count, or it holds only one class.
 *
 * @example
 * const total = addEvaluationSums(nodes.map((n) => localEvaluationSums(n.scores, n.labels)));
 * metricsFromSums(total).auc;
 */
export function metricsFromSums(
  sums: Float64Array,
  numBins = DEFAULT_NUM_BINS,
  options: { readonly costs?: Costs } = {},
): FederatedMetrics {
  const layout = checkSums(sums, numBins);
  const costs = options.costs ?? GERMAN_COSTS;
  checkCosts(costs, 'options.costs');
  const bad = sums.subarray(layout.badOffset, layout.badOffset + numBins);
  const good = sums.subarray(layout.goodOffset, layout.goodOffset + numBins);
  let numBad = 0;
  let numGood = 0;
  let sameBinPairs = 0;
  let largestBinShare = 0;
  for (let k = 0; k < numBins; k++) {
    numBad += bad[k];
    numGood += good[k];
    sameBinPairs += bad[k] * good[k];
  }
  const numExamples = sums[layout.numExamplesIndex];
  // Tolerance admits fixed-point decoding error from secure aggregation, not a layout mix-up.
  if (Math.abs(numBad + numGood - numExamples) > 1e-6 * Math.max(1, numExamples)) {
    throw new RangeError(`sums: bin counts add up to ${numBad + numGood} but numExamples is ${numExamples}`);
  }
  requireBothClasses({ numBad, numGood }, 'federated AUC/KS', 'sums');
  for (let k = 0; k < numBins; k++) {
    largestBinShare = Math.max(largestBinShare, bad[k] / numBad, good[k] / numGood);
  }
  const auc = aucFromCounts(bad, good);
  const best = minCostCut(bad, good, costs);
  return {
    numExamples,
    numBad,
    auc,
    aucMaxError: sameBinPairs / (numBad * numGood) / 2,
    ks: ksFromCounts(bad, good),
    ksMaxError: largestBinShare,
    gini: 2 * auc - 1,
    brier: sums[layout.brierIndex] / numExamples,
    logLoss: sums[layout.logLossIndex] / numExamples,
    optimalThreshold: best.cut === numBins ? Infinity : best.cut / numBins,
    expectedCost: best.totalCost / numExamples,
  };
}
