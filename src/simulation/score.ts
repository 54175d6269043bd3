/**
 * Exact metrics of a model on a table the simulation can see whole (the union of the nodes'
 * test splits, or one node's test split). Only the simulation does this: a real federation
 * uses the histogram-based federated evaluation in `coordinator/evaluate.ts`.
 */
import type { Table } from '../data/schema.js';
import { bayesThreshold, brier, confusionAt, evaluateScores, expectedCost, GERMAN_COSTS, logLoss } from '../metrics/index.js';
import type { Model } from '../model/model.js';
import { encodeTable, type EncoderSpec } from '../preprocess/encoder.js';

/** The metrics the simulation's comparison table shows. */
export interface UnionMetrics {
  /** NaN when the table holds only one class (a small, skewed node's test split). */
  readonly auc: number;
  readonly ks: number;
  readonly gini: number;
  readonly brier: number;
  readonly logLoss: number;
  /** Mean cost per applicant with the German cost matrix at the Bayes threshold 1/6. */
  readonly expectedCost: number;
  readonly accuracy: number;
}

/** Score `table` with `model` (anything with `predictProba`, e.g. a tree ensemble's adapter) and compute exact metrics. */
export function scoreUnion(model: Pick<Model, 'predictProba'>, encoder: EncoderSpec, table: Table): UnionMetrics {
  const scores = model.predictProba(encodeTable(encoder, table));
  const threshold = bayesThreshold(GERMAN_COSTS);
  const numBad = table.label.reduce((s, v) => s + v, 0);
  if (numBad === 0 || numBad === table.numRows) {
    return {
      auc: NaN, ks: NaN, gini: NaN,
      brier: brier(scores, table.label), logLoss: logLoss(scores, table.label),
      expectedCost: expectedCost(scores, table.label, threshold, GERMAN_COSTS),
      accuracy: confusionAt(scores, table.label, threshold).accuracy,
    };
  }
  const r = evaluateScores(scores, table.label, { threshold, costs: GERMAN_COSTS });
  return { auc: r.auc, ks: r.ks, gini: r.gini, brier: r.brier, logLoss: r.logLoss, expectedCost: r.expectedCost, accuracy: r.confusion.accuracy };
}
