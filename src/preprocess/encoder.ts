/**
 * The feature encoder: turns a table's raw columns into the model's numeric feature matrix.
 * It is fitted from *summed* statistics ({@link ./stats.ts}), so the coordinator builds it
 * without seeing a row, and it serialises to JSON so nodes and the scoring service apply the
 * very same transformation.
 *
 * - numeric: standardised with the federated mean and standard deviation; missing values are
 *   imputed with the federated median and flagged by a missing-indicator feature (only when some
 *   node reported a missing value);
 * - categorical / ordinal / binary: one indicator per category seen anywhere in the federation,
 *   plus a missing indicator when missing values occur. Categories no node has are dropped.
 */
import type { ColumnSpec, Table } from '../data/schema.js';
import type { Matrix } from '../math/linalg.js';
import { numericSummary, statsLayout, type StatsLayout } from './stats.js';

/** One encoded feature. */
export type FeatureSpec =
  | { readonly kind: 'numeric'; readonly column: string; readonly mean: number; readonly std: number; readonly impute: number }
  | { readonly kind: 'missing'; readonly column: string }
  | { readonly kind: 'category'; readonly column: string; readonly category: string };

/** A fitted encoder in its JSON form. */
export interface EncoderSpec {
  readonly format: 'fedcredit-encoder';
  readonly version: 1;
  readonly features: readonly FeatureSpec[];
}

/** Fit the encoder for `columns` from statistics summed over the federation. */
export function fitEncoder(columns: readonly ColumnSpec[], summedStats: Float64Array, layout: StatsLayout = statsLayout(columns)): EncoderSpec {
  if (summedStats.length !== layout.length) throw new RangeError(`summedStats: length ${summedStats.length}, expected ${layout.length}`);
  const features: FeatureSpec[] = [];
  for (const slot of layout.slots) {
    const { column } = slot;
    if (column.kind === 'numeric') {
      const s = numericSummary(summedStats, slot);
      if (s.count === 0) continue; // nobody has a value: the column carries no information
      const std = s.std > 1e-12 ? s.std : 1;
      features.push({ kind: 'numeric', column: column.name, mean: s.mean, std, impute: s.median });
      if (s.missing > 0) features.push({ kind: 'missing', column: column.name });
    } else {
      const categories = column.categories!;
      for (let i = 0; i < categories.length; i++) {
        if (summedStats[slot.offset + i] > 0) features.push({ kind: 'category', column: column.name, category: categories[i] });
      }
      if (summedStats[slot.offset + categories.length] > 0) features.push({ kind: 'missing', column: column.name });
    }
  }
  return { format: 'fedcredit-encoder', version: 1, features };
}

/** Human-readable feature names (e.g. `duration`, `purpose=A43`, `Income:missing`). */
export function featureNames(spec: EncoderSpec): string[] {
  return spec.features.map((f) => (f.kind === 'numeric' ? f.column : f.kind === 'missing' ? `${f.column}:missing` : `${f.column}=${f.category}`));
}

/** Encode every row of `table` into a row-major feature matrix. */
export function encodeTable(spec: EncoderSpec, table: Table): Matrix {
  const cols = spec.features.length;
  const rows = table.numRows;
  const data = new Float64Array(rows * cols);
  spec.features.forEach((f, j) => {
    if (f.kind === 'numeric') {
      const values = table.numeric[f.column];
      if (!values) throw new TypeError(`table: missing numeric column "${f.column}"`);
      for (let i = 0; i < rows; i++) {
        const v = Number.isNaN(values[i]) ? f.impute : values[i];
        data[i * cols + j] = (v - f.mean) / f.std;
      }
    } else if (f.kind === 'missing') {
      const numericValues = table.numeric[f.column];
      if (numericValues) {
        for (let i = 0; i < rows; i++) data[i * cols + j] = Number.isNaN(numericValues[i]) ? 1 : 0;
      } else {
        const values = table.categorical[f.column];
        if (!values) throw new TypeError(`table: missing column "${f.column}"`);
        for (let i = 0; i < rows; i++) data[i * cols + j] = values[i] === null ? 1 : 0;
      }
    } else {
      const values = table.categorical[f.column];
      if (!values) throw new TypeError(`table: missing categorical column "${f.column}"`);
      for (let i = 0; i < rows; i++) data[i * cols + j] = values[i] === f.category ? 1 : 0;
    }
  });
  return { data, rows, cols };
}

/** Labels of a table as the Float64Array models train on (1 = bad). */
export function labelsOf(table: Table): Float64Array {
  return Float64Array.from(table.label);
}

/** Parse an encoder received from the network or a file; throws TypeError naming what is wrong. */
export function parseEncoderSpec(value: unknown): EncoderSpec {
  const v = value as EncoderSpec;
  if (typeof v !== 'object' || v === null || v.format !== 'fedcredit-encoder' || v.version !== 1 || !Array.isArray(v.features)) {
    throw new TypeError('encoder: expected { format: "fedcredit-encoder", version: 1, features: [...] }');
  }
  v.features.forEach((f, i) => {
    if (typeof f !== 'object' || f === null || typeof f.column !== 'string') throw new TypeError(`encoder.features[${i}]: expected an object with a column name`);
    if (f.kind === 'numeric') {
      if (![f.mean, f.std, f.impute].every(Number.isFinite) || f.std <= 0) throw new TypeError(`encoder.features[${i}]: numeric feature needs finite mean, impute and std > 0`);
    } else if (f.kind === 'category') {
      if (typeof f.category !== 'string') throw new TypeError(`encoder.features[${i}]: category feature needs a category string`);
    } else if (f.kind !== 'missing') throw new TypeError(`encoder.features[${i}]: unknown kind ${JSON.stringify((f as { kind: unknown }).kind)}`);
  });
  return v;
}
