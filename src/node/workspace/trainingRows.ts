/**
 * Officers' feedback as training data: each application with a known outcome becomes a
 * labelled row of the dataset's schema (bad → 1; good and false-positive → 0), appended to the
 * node's local training split for that dataset key when it accepts its next job. Records that
 * no longer fit the dataset's schema are left out. Only the feedback ids leave the node.
 */
import type { Schema, Table } from '../../data/schema.js';
import { parseRecords } from '../../scoring/validate.js';
import type { ApplicationStore } from './applicationStore.js';
import type { NodeDataset } from '../jobContext.js';

/** Most feedback rows added to one job's training data (the oldest first). */
export const MAX_FEEDBACK_ROWS = 10_000;

/** Labelled rows from feedback, with the feedback ids they came from. */
export interface FeedbackRows {
  readonly ids: readonly string[];
  readonly table: Table;
}

/** The feedback rows of `dataset` (undefined when there are none). */
export async function feedbackRowsFor(applications: ApplicationStore, dataset: NodeDataset): Promise<FeedbackRows | undefined> {
  const labelled = await applications.labelledFeedback(dataset.key, MAX_FEEDBACK_ROWS);
  const schema = dataset.train.schema;
  const ids: string[] = [];
  const tables: Table[] = [];
  for (const row of labelled) {
    const parsed = parseRecords([row.record], schema);
    if (!parsed.ok) continue;
    parsed.table.label[0] = row.label;
    tables.push(parsed.table);
    ids.push(row.feedbackId);
  }
  if (tables.length === 0) return undefined;
  return { ids, table: concatTables(schema, tables) };
}

/** One table with the rows of `tables` in order (all of `schema`); ids kept only if every table has them. */
export function concatTables(schema: Schema, tables: readonly Table[]): Table {
  const numRows = tables.reduce((n, t) => n + t.numRows, 0);
  const numeric: Record<string, Float64Array> = {};
  const categorical: Record<string, (string | null)[]> = {};
  for (const name of Object.keys(tables[0]?.numeric ?? {})) {
    const out = new Float64Array(numRows);
    let at = 0;
    for (const t of tables) {
      const column = t.numeric[name];
      if (column === undefined) throw new RangeError(`concatTables: numeric column "${name}" missing from a table`);
      out.set(column, at);
      at += t.numRows;
    }
    numeric[name] = out;
  }
  for (const name of Object.keys(tables[0]?.categorical ?? {})) {
    const out: (string | null)[] = [];
    for (const t of tables) {
      const column = t.categorical[name];
      if (column === undefined) throw new RangeError(`concatTables: categorical column "${name}" missing from a table`);
      for (const v of column) out.push(v);
    }
    categorical[name] = out;
  }
  const label = new Uint8Array(numRows);
  let at = 0;
  for (const t of tables) {
    label.set(t.label, at);
    at += t.numRows;
  }
  const ids = tables.every((t) => t.ids !== undefined) ? tables.flatMap((t) => [...t.ids!]) : undefined;
  return { schema, numRows, numeric, categorical, label, ...(ids ? { ids } : {}) };
}
