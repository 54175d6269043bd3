/**
 * The columns a tree ensemble splits on and how their values fall into histogram bins. Trees
 * work on RAW columns, not on the one-hot/standardised encoder output:
 *
 * - numeric: value bins cut at `edges` (value v is in bin #{e ∈ edges : e ≤ v}, so "bin ≤ t"
 *   ⇔ "v < edges[t]" and a split on bins is exactly a split on raw values), plus one last bin
 *   for missing values. Edges are federated quantiles taken from the summed preprocessing
 *   statistics (the asinh-grid histograms of ../../preprocess/stats.ts) and snapped to that
 *   grid's cell boundaries, so equal values never straddle an edge.
 * - categorical, ordinal, binary: one bin per category declared by the schema, plus missing.
 *
 * A raw matrix holds per row and feature the numeric value or the category index, NaN for
 * missing (and for a category the features do not know).
 */
import type { ColumnSpec, Table } from '../../data/schema.js';
import type { Matrix } from '../../math/linalg.js';
import { GRID_LIMIT, HISTOGRAM_BINS, histogramQuantile, statsLayout, type StatsLayout } from '../../preprocess/stats.js';
import { GBDT_LIMITS } from './params.js';

/** One column as the trees see it. */
export type GbdtFeature =
  | { readonly kind: 'numeric'; readonly column: string; readonly edges: readonly number[] }
  | { readonly kind: 'categorical'; readonly column: string; readonly categories: readonly string[] };

/** Most categories a categorical feature may declare (bins are stored as 16-bit indices). */
export const MAX_CATEGORIES = 4096;

/** Where each feature's bins sit in a per-tree-node histogram. */
export interface BinLayout {
  /** Number of bins of feature f, its missing bin (the last one) included. */
  readonly numBins: Int32Array;
  /** Offset of feature f's first bin. */
  readonly offsets: Int32Array;
  /** Bins over all features: the length of one tree node's histogram, in bins. */
  readonly totalBins: number;
}

/** Number of bins of a feature, the missing bin included. */
export function featureBins(feature: GbdtFeature): number {
  return feature.kind === 'numeric' ? feature.edges.length + 2 : feature.categories.length + 1;
}

/** The bin layout of `features`. */
export function binLayout(features: readonly GbdtFeature[]): BinLayout {
  const numBins = new Int32Array(features.length);
  const offsets = new Int32Array(features.length);
  let total = 0;
  features.forEach((f, i) => {
    numBins[i] = featureBins(f);
    offsets[i] = total;
    total += numBins[i];
  });
  return { numBins, offsets, totalBins: total };
}

/**
 * Tree features of `columns` from statistics summed over the federation (the vector the
 * preprocessing exchange produces under `statsLayout(columns)`): numeric edges at the quantiles
 * k/maxBins, k = 1 … maxBins − 1, snapped to grid cell boundaries, keeping only edges that
 * leave no value bin empty (by the grid counts). Categorical features keep the schema's
 * categories, so every node indexes them alike.
 */
export function binningFromStats(columns: readonly ColumnSpec[], summedStats: Float64Array, maxBins: number, layout: StatsLayout = statsLayout(columns)): GbdtFeature[] {
  if (!Number.isInteger(maxBins) || maxBins < 2 || maxBins > GBDT_LIMITS.maxBins) throw new RangeError(`maxBins: expected an integer from 2 to ${GBDT_LIMITS.maxBins}, got ${maxBins}`);
  if (!(summedStats instanceof Float64Array) || summedStats.length !== layout.length) throw new RangeError(`summedStats: expected a Float64Array of length ${layout.length}`);
  return layout.slots.map(({ column, offset, length }) => {
    if (column.kind !== 'numeric') {
      const categories = column.categories ?? [];
      if (categories.length > MAX_CATEGORIES) throw new RangeError(`columns: "${column.name}" declares ${categories.length} categories, at most ${MAX_CATEGORIES} supported`);
      return { kind: 'categorical', column: column.name, categories: [...categories] };
    }
    const grid = summedStats.subarray(offset + length - HISTOGRAM_BINS, offset + length);
    return { kind: 'numeric', column: column.name, edges: quantileEdges(grid, maxBins) };
  });
}

/** Edges for one numeric column's grid histogram (see {@link binningFromStats}). */
export function quantileEdges(grid: Float64Array, maxBins: number): number[] {
  if (grid.length !== HISTOGRAM_BINS) throw new RangeError(`grid: expected ${HISTOGRAM_BINS} cells, got ${grid.length}`);
  const cumulative = new Float64Array(HISTOGRAM_BINS + 1); // cumulative[i] = values in cells < i
  for (let i = 0; i < HISTOGRAM_BINS; i++) {
    if (!(grid[i] >= 0)) throw new RangeError(`grid[${i}]: expected a count ≥ 0, got ${grid[i]}`);
    cumulative[i + 1] = cumulative[i] + grid[i];
  }
  const total = cumulative[HISTOGRAM_BINS];
  if (total === 0) return [];
  const boundaries: number[] = [];
  for (let k = 1; k < maxBins; k++) {
    const q = histogramQuantile(grid, k / maxBins);
    const position = ((Math.asinh(q) + GRID_LIMIT) / (2 * GRID_LIMIT)) * HISTOGRAM_BINS;
    const boundary = Math.min(HISTOGRAM_BINS - 1, Math.max(1, Math.round(position)));
    // Keep an edge only if values lie between it and the previous edge and above it, so no
    // value bin is empty (quantiles are monotone: duplicates and empty stretches are adjacent).
    const previous = boundaries.length > 0 ? cumulative[boundaries[boundaries.length - 1]] : 0;
    if (cumulative[boundary] > previous && cumulative[boundary] < total) boundaries.push(boundary);
  }
  return boundaries.map((b) => Math.sinh((b / HISTOGRAM_BINS) * 2 * GRID_LIMIT - GRID_LIMIT));
}

/** The bin of a numeric value: #{edges ≤ v} (binary search), or the missing bin for NaN. */
export function numericBin(edges: readonly number[], value: number): number {
  if (Number.isNaN(value)) return edges.length + 1;
  let lo = 0, hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid] <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Rows × features matrix of raw values (numbers, category indices, NaN = missing). */
export function rawMatrix(features: readonly GbdtFeature[], table: Table): Matrix {
  const cols = features.length;
  const rows = table.numRows;
  const data = new Float64Array(rows * cols);
  features.forEach((f, j) => {
    if (f.kind === 'numeric') {
      const values = table.numeric[f.column];
      if (!values) throw new TypeError(`table: no numeric column "${f.column}"`);
      for (let i = 0; i < rows; i++) data[i * cols + j] = values[i];
    } else {
      const values = table.categorical[f.column];
      if (!values) throw new TypeError(`table: no categorical column "${f.column}"`);
      const index = new Map(f.categories.map((c, k) => [c, k] as const));
      for (let i = 0; i < rows; i++) {
        const v = values[i];
        data[i * cols + j] = v === null ? NaN : (index.get(v) ?? NaN);
      }
    }
  });
  return { data, rows, cols };
}

/** Bin indices of a raw matrix (same shape, 16-bit). */
export function binMatrix(features: readonly GbdtFeature[], raw: Matrix): Uint16Array {
  checkRaw(features, raw, 'raw');
  const { rows, cols, data } = raw;
  const out = new Uint16Array(rows * cols);
  features.forEach((f, j) => {
    if (f.kind === 'numeric') {
      for (let i = 0; i < rows; i++) out[i * cols + j] = numericBin(f.edges, data[i * cols + j]);
    } else {
      const missing = f.categories.length;
      for (let i = 0; i < rows; i++) {
        const v = data[i * cols + j];
        out[i * cols + j] = Number.isInteger(v) && v >= 0 && v < missing ? v : missing;
      }
    }
  });
  return out;
}

/** Throw unless `raw` is a Matrix with one column per feature. */
export function checkRaw(features: readonly GbdtFeature[], raw: Matrix, name: string): void {
  if (typeof raw !== 'object' || raw === null || !(raw.data instanceof Float64Array)) throw new TypeError(`${name}: expected a Matrix`);
  if (raw.cols !== features.length || raw.data.length !== raw.rows * raw.cols) throw new RangeError(`${name}: expected ${features.length} columns (one per feature), got ${raw.cols}`);
}

/**
 * Parse features received from the network or a file: kinds, unique column names, strictly
 * increasing finite edges (at most 254), unique category strings. Throws TypeError naming the
 * offending entry.
 */
export function parseFeatures(value: unknown): GbdtFeature[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > 10_000) throw new TypeError('features: expected a non-empty array of at most 10000 features');
  const seen = new Set<string>();
  return value.map((f: unknown, i) => {
    const v = f as Record<string, unknown>;
    if (typeof v !== 'object' || v === null || typeof v.column !== 'string' || v.column.length === 0) throw new TypeError(`features[${i}]: expected an object with a column name`);
    if (seen.has(v.column)) throw new TypeError(`features[${i}]: column "${v.column}" appears twice`);
    seen.add(v.column);
    if (v.kind === 'numeric') {
      const edges = v.edges;
      if (!Array.isArray(edges) || edges.length > GBDT_LIMITS.maxBins - 1) throw new TypeError(`features[${i}].edges: expected an array of at most ${GBDT_LIMITS.maxBins - 1} numbers`);
      edges.forEach((e: unknown, k) => {
        if (typeof e !== 'number' || !Number.isFinite(e) || (k > 0 && !(e > (edges[k - 1] as number)))) throw new TypeError(`features[${i}].edges[${k}]: expected finite, strictly increasing numbers`);
      });
      return { kind: 'numeric', column: v.column, edges: [...(edges as number[])] };
    }
    if (v.kind === 'categorical') {
      const categories = v.categories;
      if (!Array.isArray(categories) || categories.length > MAX_CATEGORIES) throw new TypeError(`features[${i}].categories: expected an array of at most ${MAX_CATEGORIES} strings`);
      if (!categories.every((c) => typeof c === 'string') || new Set(categories).size !== categories.length) throw new TypeError(`features[${i}].categories: expected unique strings`);
      return { kind: 'categorical', column: v.column, categories: [...(categories as string[])] };
    }
    throw new TypeError(`features[${i}].kind: expected "numeric" or "categorical", got ${JSON.stringify(v.kind)}`);
  });
}
