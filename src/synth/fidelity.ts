/**
 * Fidelity of a synthetic table: how closely it reproduces the real rows it imitates, column by
 * column and in the associations between columns.
 *
 * - numeric column: two-sample Kolmogorov–Smirnov statistic sup_t |F_real(t) − F_synth(t)| over
 *   the present values (0 = same distribution, 1 = disjoint), plus both missing rates;
 * - categorical column: total variation distance ½·Σ_c |p_real(c) − p_synth(c)|, missing being
 *   one more category;
 * - associations: both tables are encoded with one encoder fitted on the real rows (numeric
 *   standardised, categories one-hot, missing indicators, as the models see them), and the mean
 *   absolute difference of the Pearson correlations is taken over every pair of features that
 *   come from *different* columns (one-hots of one column are correlated by construction). A
 *   constant feature correlates 0 with everything. This is the "numeric + one-hot" option;
 *   Cramér's V would need binning numbers and says less about what a linear model will learn.
 */
import { featureColumns, type Table } from '../data/schema.js';
import type { Matrix } from '../math/linalg.js';
import { encodeTable, fitEncoder, type EncoderSpec } from '../preprocess/encoder.js';
import { localStats, statsLayout } from '../preprocess/stats.js';

/** Fidelity of one column. */
export interface ColumnFidelity {
  readonly column: string;
  readonly statistic: 'ks' | 'tvd';
  readonly value: number;
  readonly missingRateReal: number;
  readonly missingRateSynthetic: number;
}

/** Fidelity of a synthetic table against real rows. */
export interface FidelityReport {
  readonly columns: readonly ColumnFidelity[];
  /** Mean KS over numeric columns (NaN-free: 0 when there is none). */
  readonly meanKs: number;
  /** Mean total variation distance over categorical columns (0 when there is none). */
  readonly meanTvd: number;
  /** Mean |corr_real − corr_synth| over feature pairs from different columns. */
  readonly correlationDifference: number;
}

/**
 * Two-sample KS statistic of the present (non-NaN) values. Both empty: 0; one empty: 1.
 *
 * @example ksTwoSample(Float64Array.of(1, 2, 3), Float64Array.of(2, 3, 4)) // 1/3
 */
export function ksTwoSample(a: Float64Array, b: Float64Array): number {
  if (!(a instanceof Float64Array) || !(b instanceof Float64Array)) throw new TypeError('a, b: expected Float64Arrays');
  const x = a.filter((v) => !Number.isNaN(v)).sort();
  const y = b.filter((v) => !Number.isNaN(v)).sort();
  if (x.length === 0 || y.length === 0) return x.length === y.length ? 0 : 1;
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < x.length && j < y.length) {
    const t = Math.min(x[i], y[j]);
    // Step past every copy of t in both samples before comparing the two CDFs at t.
    while (i < x.length && x[i] === t) i++;
    while (j < y.length && y[j] === t) j++;
    d = Math.max(d, Math.abs(i / x.length - j / y.length));
  }
  return d;
}

/**
 * Total variation distance between the category distributions of two code columns (null counts
 * as a category). Both empty: 0.
 *
 * @example totalVariation(['a', 'a', 'b', 'b'], ['a', 'b', 'b', 'b']) // 0.25
 */
export function totalVariation(a: readonly (string | null)[], b: readonly (string | null)[]): number {
  if (!Array.isArray(a) || !Array.isArray(b)) throw new TypeError('a, b: expected arrays of codes');
  if (a.length === 0 || b.length === 0) return a.length === b.length ? 0 : 1;
  const p = new Map<string | null, number>();
  for (const v of a) p.set(v, (p.get(v) ?? 0) + 1 / a.length);
  const q = new Map<string | null, number>();
  for (const v of b) q.set(v, (q.get(v) ?? 0) + 1 / b.length);
  let sum = 0;
  for (const key of new Set([...p.keys(), ...q.keys()])) sum += Math.abs((p.get(key) ?? 0) - (q.get(key) ?? 0));
  return sum / 2;
}

/** Pearson correlation matrix (cols × cols, row-major) of a matrix's columns; constant columns give 0. */
export function correlationMatrix(x: Matrix): Float64Array {
  const { rows, cols, data } = x;
  const mean = new Float64Array(cols);
  const scale = new Float64Array(cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) mean[j] += data[i * cols + j] / rows;
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) scale[j] += (data[i * cols + j] - mean[j]) ** 2;
  for (let j = 0; j < cols; j++) scale[j] = scale[j] > 1e-12 ? 1 / Math.sqrt(scale[j]) : 0;
  const out = new Float64Array(cols * cols);
  const centred = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) centred[j] = (data[i * cols + j] - mean[j]) * scale[j];
    for (let j = 0; j < cols; j++) {
      const cj = centred[j];
      if (cj === 0) continue;
      for (let k = j; k < cols; k++) out[j * cols + k] += cj * centred[k];
    }
  }
  for (let j = 0; j < cols; j++) for (let k = 0; k < j; k++) out[j * cols + k] = out[k * cols + j];
  return out;
}

/**
 * An encoder fitted on `table`'s own rows: over every column for fidelity and privacy, over the
 * model features only (protected attributes left out) for the utility classifier.
 */
export function evaluationEncoder(table: Table, includeProtected = true): EncoderSpec {
  const layout = statsLayout(featureColumns(table.schema, includeProtected));
  return fitEncoder(layout.slots.map((s) => s.column), localStats(table, layout), layout);
}

/**
 * Compare `synthetic` with the `real` rows it imitates (e.g. synthetic bads with real bads).
 *
 * @example
 * const report = fidelity(realBads, syntheticBads);
 * report.meanKs; report.correlationDifference;
 */
export function fidelity(real: Table, synthetic: Table, encoder: EncoderSpec = evaluationEncoder(real)): FidelityReport {
  if (real.numRows === 0 || synthetic.numRows === 0) throw new RangeError('real, synthetic: expected at least one row each');
  const columns: ColumnFidelity[] = real.schema.columns.map((c) => {
    if (c.kind === 'numeric') {
      const r = real.numeric[c.name];
      const s = synthetic.numeric[c.name];
      if (!r || !s) throw new TypeError(`real, synthetic: missing numeric column "${c.name}"`);
      return { column: c.name, statistic: 'ks', value: ksTwoSample(r, s), missingRateReal: nanRate(r), missingRateSynthetic: nanRate(s) };
    }
    const r = real.categorical[c.name];
    const s = synthetic.categorical[c.name];
    if (!r || !s) throw new TypeError(`real, synthetic: missing categorical column "${c.name}"`);
    return { column: c.name, statistic: 'tvd', value: totalVariation(r, s), missingRateReal: nullRate(r), missingRateSynthetic: nullRate(s) };
  });
  const ks = columns.filter((c) => c.statistic === 'ks').map((c) => c.value);
  const tvd = columns.filter((c) => c.statistic === 'tvd').map((c) => c.value);
  return { columns, meanKs: average(ks), meanTvd: average(tvd), correlationDifference: correlationDifference(real, synthetic, encoder) };
}

function correlationDifference(real: Table, synthetic: Table, encoder: EncoderSpec): number {
  const a = correlationMatrix(encodeTable(encoder, real));
  const b = correlationMatrix(encodeTable(encoder, synthetic));
  const source = encoder.features.map((f) => f.column);
  const p = source.length;
  let sum = 0;
  let pairs = 0;
  for (let j = 0; j < p; j++) {
    for (let k = j + 1; k < p; k++) {
      if (source[j] === source[k]) continue;
      sum += Math.abs(a[j * p + k] - b[j * p + k]);
      pairs++;
    }
  }
  return pairs > 0 ? sum / pairs : 0;
}

function nanRate(values: Float64Array): number {
  let n = 0;
  for (const v of values) if (Number.isNaN(v)) n++;
  return values.length > 0 ? n / values.length : 0;
}

function nullRate(values: readonly (string | null)[]): number {
  return values.length > 0 ? values.filter((v) => v === null).length / values.length : 0;
}

function average(values: readonly number[]): number {
  return values.length > 0 ? values.reduce((a, b) => a + b, 0) / values.length : 0;
}
