/**
 * Turns a scored batch into stored applications: the record as validated (every column of the
 * scorer's schema, codes and numbers), the probability, points, decision, reasons, every model
 * column's contribution to the logit, and the risk flags. Nothing here is logged.
 */
import type { Table } from '../../data/schema.js';
import { rawValue } from '../../scoring/reasons.js';
import type { Scorer, ScoreResult } from '../../scoring/scorer.js';
import type { NewApplication, RecordValue } from './applications.js';
import { flagsOf, outOfRangeFields, type InputRanges } from './flags.js';

/** Where a batch came from and what to file it under. */
export interface BatchOrigin {
  readonly datasetKey: string;
  readonly modelId?: string;
  readonly source: NewApplication['source'];
  readonly scoredBy?: string;
  /** The node's training-data ranges for the dataset (for the out_of_range flag). */
  readonly ranges?: InputRanges;
}

/** The applications of a scored batch, in row order. */
export function applicationsOf(scorer: Scorer, table: Table, results: readonly ScoreResult[], origin: BatchOrigin): NewApplication[] {
  if (results.length !== table.numRows) throw new RangeError(`results: ${results.length} for ${table.numRows} rows`);
  const { contributions } = scorer.explain(table);
  const numColumns = scorer.columns.length;
  const columns = scorer.schema.columns;
  const thresholds = { review: scorer.thresholds.review, decline: scorer.thresholds.decline };
  return results.map((result, i) => {
    const record: Record<string, RecordValue> = {};
    for (const column of columns) record[column.name] = rawValue(table, column, i);
    const outOfRange = outOfRangeFields(columns, record, origin.ranges);
    return {
      datasetKey: origin.datasetKey, modelVersion: scorer.modelVersion, ...(origin.modelId !== undefined ? { modelId: origin.modelId } : {}),
      source: origin.source, ...(origin.scoredBy !== undefined ? { scoredBy: origin.scoredBy } : {}),
      probabilityOfDefault: result.probabilityOfDefault, score: result.score, decision: result.decision,
      flags: flagsOf({ probabilityOfDefault: result.probabilityOfDefault, decision: result.decision, thresholds, outOfRange }),
      outOfRange, reasons: result.reasons,
      contributions: scorer.columns.map((column, c) => ({ field: column.name, contribution: contributions[i * numColumns + c] })),
      record,
    };
  });
}
