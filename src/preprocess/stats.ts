/**
 * Federated preprocessing, node side: the local sufficient statistics a lender computes over its
 * own rows. Every statistic is a *sum* over rows laid out in one fixed-length vector (counts,
 * sums, sums of squares, category counts, a histogram on a fixed grid), so that the coordinator
 * combines nodes by element-wise addition, which secure aggregation can protect, and no row,
 * minimum or maximum ever leaves a node.
 *
 * The numeric histogram uses a data-independent grid on the asinh scale (asinh(x) in
 * [−GRID_LIMIT, GRID_LIMIT]), so every node bins identically without first agreeing on ranges;
 * it serves the federated median for imputation and, later, quantile sketches for tree bins.
 */
import type { ColumnSpec, Table } from '../data/schema.js';

/** Number of histogram bins per numeric column. */
export const HISTOGRAM_BINS = 2048;
/** The grid covers asinh(x) ∈ [−GRID_LIMIT, GRID_LIMIT], i.e. |x| up to about 1.3e10. */
export const GRID_LIMIT = 24;
const NUMERIC_HEADER = 4; // count, sum, sumSq, missing

/** Where one column's statistics sit in the flat vector. */
export interface ColumnStatsSlot {
  readonly column: ColumnSpec;
  readonly offset: number;
  readonly length: number;
}

/** The layout of the statistics vector for a list of columns (identical on every node). */
export interface StatsLayout {
  readonly slots: readonly ColumnStatsSlot[];
  readonly length: number;
}

/** Lay out the statistics of `columns`; categorical columns need declared categories. */
export function statsLayout(columns: readonly ColumnSpec[]): StatsLayout {
  const slots: ColumnStatsSlot[] = [];
  let offset = 0;
  for (const column of columns) {
    let length: number;
    if (column.kind === 'numeric') length = NUMERIC_HEADER + HISTOGRAM_BINS;
    else {
      if (!column.categories || column.categories.length === 0) {
        throw new TypeError(`columns: column "${column.name}" is ${column.kind} but declares no categories`);
      }
      length = column.categories.length + 1; // + missing
    }
    slots.push({ column, offset, length });
    offset += length;
  }
  return { slots, length: offset };
}

/** The grid bin of a value (values beyond the grid fall in the end bins). */
export function gridBin(value: number): number {
  const t = (Math.asinh(value) + GRID_LIMIT) / (2 * GRID_LIMIT);
  const bin = Math.floor(t * HISTOGRAM_BINS);
  return bin < 0 ? 0 : bin >= HISTOGRAM_BINS ? HISTOGRAM_BINS - 1 : bin;
}

/** The value at a fractional grid position (inverse of {@link gridBin} on the asinh scale). */
export function gridValue(position: number): number {
  return Math.sinh((position / HISTOGRAM_BINS) * 2 * GRID_LIMIT - GRID_LIMIT);
}

/**
 * The node's statistics vector for `table` under `layout`. Unknown category codes are counted
 * as missing (loading already rejects them; this keeps the function total).
 */
export function localStats(table: Table, layout: StatsLayout): Float64Array {
  const out = new Float64Array(layout.length);
  for (const { column, offset } of layout.slots) {
    if (column.kind === 'numeric') {
      const values = table.numeric[column.name];
      if (!values) throw new TypeError(`table: no numeric column "${column.name}"`);
      let count = 0, sum = 0, sumSq = 0, missing = 0;
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        if (Number.isNaN(v)) { missing++; continue; }
        count++; sum += v; sumSq += v * v;
        out[offset + NUMERIC_HEADER + gridBin(v)]++;
      }
      out[offset] = count; out[offset + 1] = sum; out[offset + 2] = sumSq; out[offset + 3] = missing;
    } else {
      const values = table.categorical[column.name];
      if (!values) throw new TypeError(`table: no categorical column "${column.name}"`);
      const index = new Map(column.categories!.map((c, i) => [c, i] as const));
      const missingSlot = column.categories!.length;
      for (const v of values) {
        const i = v === null ? undefined : index.get(v);
        out[offset + (i ?? missingSlot)]++;
      }
    }
  }
  return out;
}

/** Element-wise sum of statistics vectors (what the coordinator does with them). */
export function addStats(vectors: readonly Float64Array[]): Float64Array {
  if (vectors.length === 0) throw new RangeError('vectors: expected at least one statistics vector');
  const out = new Float64Array(vectors[0].length);
  for (const v of vectors) {
    if (v.length !== out.length) throw new RangeError(`vectors: length ${v.length}, expected ${out.length}`);
    for (let i = 0; i < v.length; i++) out[i] += v[i];
  }
  return out;
}

/** Summary of one numeric column from summed statistics. */
export interface NumericSummary {
  readonly count: number;
  readonly missing: number;
  readonly mean: number;
  readonly std: number;
  readonly median: number;
}

/** Mean, standard deviation, missing count and histogram median of a numeric slot. */
export function numericSummary(stats: Float64Array, slot: ColumnStatsSlot): NumericSummary {
  const o = slot.offset;
  const count = stats[o], sum = stats[o + 1], sumSq = stats[o + 2], missing = stats[o + 3];
  if (count === 0) return { count, missing, mean: 0, std: 1, median: 0 };
  const mean = sum / count;
  const variance = Math.max(0, sumSq / count - mean * mean);
  return { count, missing, mean, std: Math.sqrt(variance), median: histogramQuantile(stats.subarray(o + NUMERIC_HEADER, o + NUMERIC_HEADER + HISTOGRAM_BINS), 0.5) };
}

/**
 * Quantile q of a grid histogram, with the interpolation R and numpy use by default
 * (Hyndman & Fan type 7: rank r = q·(n − 1) + 1 between order statistics). Each order
 * statistic is placed inside its bin by spreading the bin's values evenly on the asinh scale, so
 * the estimate is within one bin of the exact quantile: a relative error of about
 * 2·GRID_LIMIT/HISTOGRAM_BINS ≈ 2.3 % in asinh units.
 */
export function histogramQuantile(histogram: Float64Array, q: number): number {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`q: expected a value in [0, 1], got ${q}`);
  let total = 0;
  for (let i = 0; i < histogram.length; i++) total += histogram[i];
  if (total === 0) throw new RangeError('histogram: empty');
  const rank = q * (total - 1) + 1;
  const lower = Math.floor(rank);
  const upper = Math.ceil(rank);
  const a = valueAtRank(histogram, lower);
  return upper === lower ? a : a + (rank - lower) * (valueAtRank(histogram, upper) - a);
}

/** The k-th smallest value (1-based), placed evenly inside its bin. */
function valueAtRank(histogram: Float64Array, k: number): number {
  let cumulative = 0;
  for (let i = 0; i < histogram.length; i++) {
    const c = histogram[i];
    if (c > 0 && cumulative + c >= k) return gridValue(i + (k - cumulative - 0.5) / c);
    cumulative += c;
  }
  return gridValue(histogram.length - 0.5);
}

/**
 * Which statistics a node returns. `all` is the whole vector (plain aggregation); under secure
 * aggregation or Paillier the coordinator asks in two parts so that every entry has a bound
 * fixed before it is encoded: first the `counts` (row counts, missing counts, histogram bins,
 * category counts — each at most the node's row count), then the `moments` (sum and sum of
 * squares of each numeric column), bounded with the help of the summed counts
 * ({@link momentBounds}).
 */
export type StatsPart = 'all' | 'counts' | 'moments';
export const STATS_PARTS: readonly StatsPart[] = ['all', 'counts', 'moments'];

/** Positions of a part's entries in the full statistics vector, ascending. */
export function statsPartIndices(layout: StatsLayout, part: StatsPart): number[] {
  const out: number[] = [];
  for (const { column, offset, length } of layout.slots) {
    for (let i = 0; i < length; i++) {
      const moment = column.kind === 'numeric' && (i === 1 || i === 2);
      if (part === 'all' || (part === 'moments') === moment) out.push(offset + i);
    }
  }
  return out;
}

/** The entries of `part` taken from a full statistics vector. */
export function selectStats(stats: Float64Array, layout: StatsLayout, part: StatsPart): Float64Array {
  if (stats.length !== layout.length) throw new RangeError(`stats: length ${stats.length}, expected ${layout.length}`);
  return Float64Array.from(statsPartIndices(layout, part), (i) => stats[i]);
}

/** Reassemble the full vector from its `counts` and `moments` parts. */
export function mergeStatsParts(layout: StatsLayout, counts: Float64Array, moments: Float64Array): Float64Array {
  const out = new Float64Array(layout.length);
  for (const [part, values] of [['counts', counts], ['moments', moments]] as const) {
    const indices = statsPartIndices(layout, part);
    if (values.length !== indices.length) throw new RangeError(`${part}: length ${values.length}, expected ${indices.length}`);
    indices.forEach((i, k) => { out[i] = values[k]; });
  }
  return out;
}

/**
 * Bounds on any one node's |sum| and sum of squares of each numeric column, from the summed
 * `counts` part (same order as the `moments` part): with R the federation's count of the column
 * and [lo, hi] its lowest and highest non-empty grid bins, every value lies in
 * [gridValue(lo), gridValue(hi + 1)), so |x| ≤ M = max(|gridValue(lo)|, |gridValue(hi + 1)|) and a
 * node's (≤ R values) |Σx| ≤ R·M and Σx² ≤ R·M². Only the end bins are open (values beyond
 * sinh(±GRID_LIMIT) ≈ ±1.3·10¹⁰ fall in them); there M = sinh(GRID_LIMIT) and larger values
 * would be clipped. These bounds reveal nothing beyond the summed counts they are computed from.
 */
export function momentBounds(layout: StatsLayout, counts: Float64Array): Float64Array {
  const full = mergeStatsParts(layout, counts, new Float64Array(statsPartIndices(layout, 'moments').length));
  const out: number[] = [];
  for (const { column, offset } of layout.slots) {
    if (column.kind !== 'numeric') continue;
    const rows = Math.max(1, full[offset]);
    const bins = full.subarray(offset + NUMERIC_HEADER, offset + NUMERIC_HEADER + HISTOGRAM_BINS);
    let lo = -1, hi = -1;
    for (let b = 0; b < bins.length; b++) if (bins[b] > 0) { if (lo < 0) lo = b; hi = b; }
    // a 1e-9 margin covers the floating-point rounding of the bin edges
    const m = lo < 0 ? 1 : Math.max(Math.abs(gridValue(lo)), Math.abs(gridValue(hi + 1)), 1e-300) * (1 + 1e-9);
    out.push(rows * m, Math.max(rows * m * m, Number.MIN_VALUE));
  }
  return Float64Array.from(out);
}
