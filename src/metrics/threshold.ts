/**
 * Decisions at a threshold: predict *bad* (reject) when score ≥ threshold. Confusion counts,
 * the mean misclassification cost under a cost matrix, the cost-optimal empirical threshold
 * and the Bayes-optimal threshold for calibrated probabilities.
 */
import { groupByScore, minCostCut, type ScoreGroups } from './grouped.js';
import { checkCosts, checkScoresAndLabels, type Costs, type Labels, type Scores } from './validate.js';

/**
 * The cost matrix of the Statlog German Credit data set (UCI, Hofmann 1994): approving a bad
 * applicant costs 5, rejecting a good one costs 1.
 */
export const GERMAN_COSTS: Costs = Object.freeze({ badAsGood: 5, goodAsBad: 1 });

/** Confusion counts and derived rates at one threshold (positive class = bad). */
export interface Confusion {
  /** Bad examples predicted bad. */
  readonly tp: number;
  /** Good examples predicted bad. */
  readonly fp: number;
  /** Good examples predicted good. */
  readonly tn: number;
  /** Bad examples predicted good. */
  readonly fn: number;
  readonly accuracy: number;
  /** tp / (tp + fp); 0 when nothing is predicted bad (scikit-learn's zero_division=0). */
  readonly precision: number;
  /** tp / (tp + fn); 0 when there are no bad examples. */
  readonly recall: number;
  /** Harmonic mean of precision and recall; 0 when both are 0. */
  readonly f1: number;
}

/** A threshold with its mean cost per applicant. */
export interface CostOptimum {
  /** Predict bad when score ≥ threshold; `Infinity` means approve everyone. */
  readonly threshold: number;
  /** Mean cost per applicant at that threshold. */
  readonly cost: number;
}

function checkThreshold(threshold: number): void {
  if (typeof threshold !== 'number') throw new TypeError(`threshold: expected a number, got ${typeof threshold}`);
  if (Number.isNaN(threshold)) throw new RangeError('threshold: expected a number, got NaN');
}

function countAt(scores: Scores, labels: Labels, threshold: number) {
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (let i = 0; i < scores.length; i++) {
    const predictedBad = scores[i] >= threshold;
    if (labels[i] === 1) {
      if (predictedBad) tp++;
      else fn++;
    } else if (predictedBad) fp++;
    else tn++;
  }
  return { tp, fp, tn, fn };
}

/**
 * Confusion counts and accuracy, precision, recall and F1 when examples with
 * score ≥ `threshold` are predicted bad. Zero denominators give 0 (documented per field).
 *
 * @example
 * confusionAt(Float64Array.of(0.1, 0.4, 0.35, 0.8), Uint8Array.of(0, 0, 1, 1), 0.4);
 * // { tp: 1, fp: 1, tn: 1, fn: 1, accuracy: 0.5, precision: 0.5, recall: 0.5, f1: 0.5 }
 */
export function confusionAt(scores: Scores, labels: Labels, threshold: number): Confusion {
  checkScoresAndLabels(scores, labels);
  checkThreshold(threshold);
  const { tp, fp, tn, fn } = countAt(scores, labels, threshold);
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { tp, fp, tn, fn, accuracy: (tp + tn) / scores.length, precision, recall, f1 };
}

/**
 * Mean misclassification cost per applicant at `threshold`:
 * (badAsGood · fn + goodAsBad · fp) / n.
 */
export function expectedCost(scores: Scores, labels: Labels, threshold: number, costs: Costs = GERMAN_COSTS): number {
  checkScoresAndLabels(scores, labels);
  checkThreshold(threshold);
  checkCosts(costs);
  const { fp, fn } = countAt(scores, labels, threshold);
  return (costs.badAsGood * fn + costs.goodAsBad * fp) / scores.length;
}

/**
 * The empirical cost-minimising threshold: tries every distinct score as a threshold, plus
 * `Infinity` (approve everyone), and returns the cheapest. Ties go to the higher threshold
 * (fewer rejections). Fitting the threshold on the data it is scored on is optimistic; pick it
 * on validation data.
 */
export function optimalThreshold(scores: Scores, labels: Labels, costs: Costs = GERMAN_COSTS): CostOptimum {
  checkScoresAndLabels(scores, labels);
  checkCosts(costs);
  return optimumOfGroups(groupByScore(scores, labels), costs);
}

/**
 * {@link optimalThreshold} on scores already grouped by {@link groupByScore}, for callers that
 * compute several metrics from one sort. Arguments are trusted (internal to src/metrics).
 */
export function optimumOfGroups(groups: ScoreGroups, costs: Costs): CostOptimum {
  const best = minCostCut(groups.bad, groups.good, costs);
  let numExamples = 0;
  for (let k = 0; k < groups.values.length; k++) numExamples += groups.bad[k] + groups.good[k];
  const threshold = best.cut === groups.values.length ? Infinity : groups.values[best.cut];
  return { threshold, cost: best.totalCost / numExamples };
}

/**
 * Bayes-optimal threshold for calibrated probabilities: reject when
 * p · badAsGood ≥ (1 − p) · goodAsBad, i.e. p ≥ goodAsBad / (goodAsBad + badAsGood)
 * (Elkan 2001, "The foundations of cost-sensitive learning"). 1/6 for {@link GERMAN_COSTS}.
 */
export function bayesThreshold(costs: Costs = GERMAN_COSTS): number {
  checkCosts(costs);
  return costs.goodAsBad / (costs.goodAsBad + costs.badAsGood);
}
