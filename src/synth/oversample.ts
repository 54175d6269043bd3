/**
 * Oversampling a node's bad class with a synthesizer: how many synthetic rows reach a target bad
 * share, and the node's table with them appended. The combined table stays in the node's
 * memory; it is what the node trains on, never what it sends.
 */
import type { Table } from '../data/schema.js';
import type { Random } from '../math/random.js';
import type { Synthesizer } from './synthesizer.js';

/**
 * Synthetic bad rows S needed for (numBad + S)/(numGood + numBad + S) ≥ targetBadShare, i.e.
 * S = ⌈(t·(G + B) − B)/(1 − t)⌉, or 0 when the share is already reached.
 *
 * @example syntheticRowsForShare(950, 50, 0.3) // 358: (50 + 358)/(1000 + 358) ≈ 0.3004 ≥ 0.3
 */
export function syntheticRowsForShare(numGood: number, numBad: number, targetBadShare: number): number {
  for (const [name, v] of [['numGood', numGood], ['numBad', numBad]] as const) {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`${name}: expected a non-negative integer, got ${v}`);
  }
  if (!(targetBadShare >= 0 && targetBadShare < 1)) throw new RangeError(`targetBadShare: expected a number in [0, 1), got ${targetBadShare}`);
  // The small epsilon keeps exact shares (e.g. t·(G+B) − B = 0 up to rounding) from adding a row.
  const needed = (targetBadShare * (numGood + numBad) - numBad) / (1 - targetBadShare);
  return needed > 1e-9 ? Math.ceil(needed - 1e-9) : 0;
}

/** Rows of `a` followed by rows of `b` (same schema and columns). */
export function appendTables(a: Table, b: Table): Table {
  if (a.schema.name !== b.schema.name || a.schema.columns.length !== b.schema.columns.length) throw new TypeError('b: expected a table with the schema of a');
  const numRows = a.numRows + b.numRows;
  const numeric: Record<string, Float64Array> = {};
  for (const [name, col] of Object.entries(a.numeric)) {
    const other = b.numeric[name];
    if (!other) throw new TypeError(`b: missing numeric column "${name}"`);
    const out = new Float64Array(numRows);
    out.set(col);
    out.set(other, a.numRows);
    numeric[name] = out;
  }
  const categorical: Record<string, (string | null)[]> = {};
  for (const [name, col] of Object.entries(a.categorical)) {
    const other = b.categorical[name];
    if (!other) throw new TypeError(`b: missing categorical column "${name}"`);
    categorical[name] = [...col, ...other];
  }
  const label = new Uint8Array(numRows);
  label.set(a.label);
  label.set(b.label, a.numRows);
  return { schema: a.schema, numRows, numeric, categorical, label };
}

/** Result of {@link oversampleBad}. */
export interface Oversampled {
  /** The real rows followed by the synthetic bad rows. */
  readonly table: Table;
  readonly synthetic: Table;
}

/**
 * Append synthetic bad rows from `synthesizer` to `table` until bads make `targetBadShare` of it.
 *
 * @example
 * const { table: augmented } = oversampleBad(train, smote, 0.3, deriveRandom(seed, 'oversample'));
 */
export function oversampleBad(table: Table, synthesizer: Synthesizer, targetBadShare: number, rng: Random): Oversampled {
  let numBad = 0;
  for (const y of table.label) numBad += y;
  const numSynthetic = syntheticRowsForShare(table.numRows - numBad, numBad, targetBadShare);
  const synthetic = synthesizer.sample(numSynthetic, 1, rng);
  return { table: appendTables(table, synthetic), synthetic };
}
