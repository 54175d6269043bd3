/**
 * The baseline applicant that reasons are measured against: a point in encoded feature space.
 * The natural choice is the mean encoded applicant of the training population; then a reason
 * reads "this pushed the risk up compared with an average applicant". The encoder does not carry
 * category frequencies, but the federated statistics it was fitted from do, and they are sums,
 * so the baseline is computed without seeing a row ({@link baselineFromStats}).
 *
 * Without a baseline the zero vector is used: the mean of a standardised numeric feature, but
 * for one-hot features "no category at all", so a categorical column's contribution is then its
 * active category's raw weight (documented in ./scorer.ts).
 */
import type { ColumnSpec, Table } from '../data/schema.js';
import { encodeTable, type EncoderSpec } from '../preprocess/encoder.js';
import { numericSummary, statsLayout, type StatsLayout } from '../preprocess/stats.js';

/**
 * The mean encoded applicant implied by federated statistics (the `summedStats` and `layout`
 * the encoder was fitted from, see preprocess/stats.ts): standardised numeric features average
 * the observed values and the imputed median over missing rows, indicators average to their
 * frequencies. Throws RangeError if the statistics do not match the layout or lack a column.
 *
 * @example
 * const layout = statsLayout(featureColumns(schema));
 * const summed = addStats(nodes.map((n) => localStats(n.table, layout)));
 * const baseline = baselineFromStats(fitEncoder(layout.slots.map((s) => s.column), summed, layout), summed, layout);
 */
export function baselineFromStats(encoder: EncoderSpec, summedStats: Float64Array, layout: StatsLayout): Float64Array {
  if (!(summedStats instanceof Float64Array)) throw new TypeError('summedStats: expected a Float64Array');
  if (summedStats.length !== layout.length) throw new RangeError(`summedStats: length ${summedStats.length}, expected ${layout.length}`);
  const slots = new Map(layout.slots.map((s) => [s.column.name, s] as const));
  const out = new Float64Array(encoder.features.length);
  encoder.features.forEach((f, j) => {
    const slot = slots.get(f.column);
    if (slot === undefined) throw new RangeError(`layout: no statistics for column "${f.column}"`);
    const { column, offset } = slot;
    if (column.kind === 'numeric') {
      const s = numericSummary(summedStats, slot);
      const rows = s.count + s.missing;
      if (rows === 0) return;
      if (f.kind === 'numeric') out[j] = (s.count * (s.mean - f.mean) + s.missing * (f.impute - f.mean)) / (rows * f.std);
      else if (f.kind === 'missing') out[j] = s.missing / rows;
      return;
    }
    const categories = categoriesOf(column);
    let rows = 0;
    for (let k = 0; k <= categories.length; k++) rows += summedStats[offset + k];
    if (rows === 0) return;
    const k = f.kind === 'missing' ? categories.length : f.kind === 'category' ? categories.indexOf(f.category) : -1;
    if (k < 0) throw new RangeError(`encoder: feature ${j} of column "${f.column}" does not match the column's categories`);
    out[j] = summedStats[offset + k] / rows;
  });
  return out;
}

/** {@link baselineFromStats} for columns without a precomputed layout. */
export function baselineFromColumnStats(encoder: EncoderSpec, columns: readonly ColumnSpec[], summedStats: Float64Array): Float64Array {
  return baselineFromStats(encoder, summedStats, statsLayout(columns));
}

/**
 * The mean encoded row of `table` (a pooled or local reference population). Equals
 * {@link baselineFromStats} on that table's own statistics up to rounding.
 */
export function baselineFromTable(encoder: EncoderSpec, table: Table): Float64Array {
  const x = encodeTable(encoder, table);
  if (x.rows === 0) throw new RangeError('table: expected at least one row');
  const out = new Float64Array(x.cols);
  for (let i = 0; i < x.rows; i++) for (let j = 0; j < x.cols; j++) out[j] += x.data[i * x.cols + j];
  for (let j = 0; j < x.cols; j++) out[j] /= x.rows;
  return out;
}

function categoriesOf(column: ColumnSpec): readonly string[] {
  if (!column.categories) throw new RangeError(`layout: column "${column.name}" declares no categories`);
  return column.categories;
}
