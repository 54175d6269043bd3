/**
 * One call that computes every metric of a scored data set, for CLI tables, benchmark output
 * and the dashboard: ranking (AUC, KS, Gini), probabilistic (Brier, log loss), decisions at a
 * threshold, costs, and calibration.
 */
import { calibrationErrorOfTable, calibrationTable, type BinStrategy, type CalibrationRow } from './calibration.js';
import { aucFromCounts, groupByScore, ksFromCounts } from './grouped.js';
import { brier, logLoss } from './probabilistic.js';
import {
  bayesThreshold,
  confusionAt,
  expectedCost,
  GERMAN_COSTS,
  optimumOfGroups,
  type Confusion,
  type CostOptimum,
} from './threshold.js';
import {
  checkCosts,
  checkNumBins,
  checkScoresAndLabels,
  requireBothClasses,
  type Costs,
  type Labels,
  type Scores,
} from './validate.js';

/** Options of {@link evaluateScores}. */
export interface EvaluateOptions {
  /** Decision threshold for the confusion counts and `expectedCost`; default 0.5. */
  readonly threshold?: number;
  /** Cost matrix; default {@link GERMAN_COSTS}. */
  readonly costs?: Costs;
  /** Bins of the calibration table; default 10. */
  readonly calibrationBins?: number;
  /** Binning of the calibration table; default `uniform`. */
  readonly calibrationStrategy?: BinStrategy;
}

/** Everything {@link evaluateScores} measures. */
export interface EvaluationReport {
  readonly numExamples: number;
  readonly numBad: number;
  readonly auc: number;
  readonly ks: number;
  readonly gini: number;
  readonly brier: number;
  readonly logLoss: number;
  /** The threshold the confusion counts and `expectedCost` refer to. */
  readonly threshold: number;
  readonly confusion: Confusion;
  /** Mean cost per applicant at `threshold`. */
  readonly expectedCost: number;
  readonly costs: Costs;
  /** Cheapest empirical threshold on these scores (optimistic: chosen on the same data). */
  readonly optimal: CostOptimum;
  /** Bayes threshold goodAsBad / (goodAsBad + badAsGood) and its mean cost on these scores. */
  readonly bayes: CostOptimum;
  readonly calibration: readonly CalibrationRow[];
  /** Expected calibration error of `calibration`. */
  readonly calibrationError: number;
}

/**
 * Evaluate probabilities of bad against outcomes (1 = bad). Throws a `RangeError` on malformed
 * input and when the labels hold only one class (AUC and KS are undefined then).
 *
 * @example
 * const report = evaluateScores(model.predict(x), table.label, { threshold: 1 / 6 });
 * console.log(report.auc, report.confusion.recall, report.optimal.threshold);
 */
export function evaluateScores(scores: Scores, labels: Labels, options: EvaluateOptions = {}): EvaluationReport {
  if (typeof options !== 'object' || options === null) throw new TypeError('options: expected an object');
  const counts = checkScoresAndLabels(scores, labels, true);
  const threshold = options.threshold ?? 0.5;
  if (typeof threshold !== 'number') throw new TypeError(`options.threshold: expected a number, got ${typeof threshold}`);
  if (Number.isNaN(threshold)) throw new RangeError('options.threshold: expected a number, got NaN');
  const costs = options.costs ?? GERMAN_COSTS;
  checkCosts(costs, 'options.costs');
  const calibrationBins = options.calibrationBins ?? 10;
  checkNumBins(calibrationBins, 'options.calibrationBins');
  const calibrationStrategy = options.calibrationStrategy ?? 'uniform';
  if (calibrationStrategy !== 'uniform' && calibrationStrategy !== 'quantile') {
    throw new RangeError(`options.calibrationStrategy: expected 'uniform' or 'quantile', got ${String(calibrationStrategy)}`);
  }
  requireBothClasses(counts, 'AUC and KS');
  // One sort serves AUC, KS and the optimal threshold (the sort dominates the run time).
  const groups = groupByScore(scores, labels);
  const aucValue = aucFromCounts(groups.bad, groups.good);
  const calibration = calibrationTable(scores, labels, { numBins: calibrationBins, strategy: calibrationStrategy });
  const bayes = bayesThreshold(costs);
  return {
    numExamples: counts.numExamples,
    numBad: counts.numBad,
    auc: aucValue,
    ks: ksFromCounts(groups.bad, groups.good),
    gini: 2 * aucValue - 1,
    brier: brier(scores, labels),
    logLoss: logLoss(scores, labels),
    threshold,
    confusion: confusionAt(scores, labels, threshold),
    expectedCost: expectedCost(scores, labels, threshold, costs),
    costs,
    optimal: optimumOfGroups(groups, costs),
    bayes: { threshold: bayes, cost: expectedCost(scores, labels, bayes, costs) },
    calibration,
    calibrationError: calibrationErrorOfTable(calibration),
  };
}
