/**
 * Credit-risk evaluation metrics (positive class = bad = label 1): ranking, probabilistic,
 * threshold and cost, calibration, federated histogram evaluation, and a one-call report.
 */
export { auc, gini, ks } from './ranking.js';
export { brier, brierTerm, LOG_LOSS_EPSILON, logLoss, logLossTerm, MAX_LOG_LOSS_TERM } from './probabilistic.js';
export {
  bayesThreshold,
  confusionAt,
  expectedCost,
  GERMAN_COSTS,
  optimalThreshold,
  type Confusion,
  type CostOptimum,
} from './threshold.js';
export {
  calibrationErrorOfTable,
  calibrationTable,
  expectedCalibrationError,
  type BinStrategy,
  type CalibrationOptions,
  type CalibrationRow,
} from './calibration.js';
export {
  addEvaluationSums,
  DEFAULT_NUM_BINS,
  evaluationSumsLayout,
  evaluationSumsMaxPerExample,
  localEvaluationSums,
  metricsFromSums,
  scoreBin,
  scoreHistogram,
  type EvaluationSumsLayout,
  type FederatedMetrics,
} from './histogram.js';
export { evaluateScores, type EvaluateOptions, type EvaluationReport } from './report.js';
export type { ClassCounts, Costs, Labels, Scores } from './validate.js';
