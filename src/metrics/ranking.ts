/**
 * Ranking metrics of a credit score: how well it orders bad applicants above good ones,
 * independent of any threshold or calibration. Scores are probabilities of bad (label 1), but
 * any finite real score works since only the order matters.
 *
 * All three throw a `RangeError` when the labels hold only one class: the metrics are
 * undefined there, and a NaN would slip silently into reports and model selection.
 */
import { aucFromCounts, groupByScore, ksFromCounts } from './grouped.js';
import { checkScoresAndLabels, requireBothClasses, type Labels, type Scores } from './validate.js';

/**
 * Exact area under the ROC curve, with ties counted 1/2: the Mann–Whitney U statistic divided
 * by numBad · numGood (Hanley & McNeil 1982). O(n log n).
 *
 * @example
 * auc(Float64Array.of(0.1, 0.4, 0.35, 0.8), Uint8Array.of(0, 0, 1, 1)); // 0.75
 */
export function auc(scores: Scores, labels: Labels): number {
  requireBothClasses(checkScoresAndLabels(scores, labels), 'AUC');
  const groups = groupByScore(scores, labels);
  return aucFromCounts(groups.bad, groups.good);
}

/**
 * Kolmogorov–Smirnov statistic: the largest gap |F_bad(t) − F_good(t)| between the empirical
 * score distributions of bad and good examples, over all thresholds t (equal scores are never
 * split). In [0, 1]; the customary separation measure in credit scoring.
 *
 * @example
 * ks(Float64Array.of(0.1, 0.4, 0.35, 0.8), Uint8Array.of(0, 0, 1, 1)); // 0.5
 */
export function ks(scores: Scores, labels: Labels): number {
  requireBothClasses(checkScoresAndLabels(scores, labels), 'KS');
  const groups = groupByScore(scores, labels);
  return ksFromCounts(groups.bad, groups.good);
}

/**
 * Gini coefficient (accuracy ratio) = 2·AUC − 1, the form credit risk teams usually quote.
 * 0 for a random score, 1 for a perfect one, negative when the score is inverted.
 */
export function gini(scores: Scores, labels: Labels): number {
  return 2 * auc(scores, labels) - 1;
}
