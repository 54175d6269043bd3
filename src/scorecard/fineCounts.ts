/**
 * Federated WOE binning, node side: good/bad counts per *fine* bin of every candidate column,
 * laid out in one fixed-length vector so that the coordinator combines lenders by element-wise
 * addition (the aggregation seam, which secure aggregation can protect) and never sees a row.
 *
 * Fine bins are data-independent, so every node bins identically without agreeing on ranges
 * first:
 * - numeric: the fixed asinh grid of the preprocessing statistics (src/preprocess/stats.ts),
 *   optionally coarsened by merging `gridCoarsening` neighbouring grid bins, plus one bin for
 *   missing values. The default 1 keeps the 2048-bin grid (each bin about 2.3 % wide in
 *   relative terms): integer-coded columns such as a duration in months then keep empty bins
 *   between their values, which lets the binning put cuts at round numbers ("< 12" rather than
 *   "< 11.73"); coarsening by 2, 4, … halves the vector each time at the price of such cuts.
 *   The real coarsening happens at the coordinator, which merges fine bins into ≤ k coarse ones;
 * - categorical / ordinal / binary: one bin per declared category, plus one for missing values
 *   (unknown codes count as missing, as in the preprocessing statistics).
 *
 * Vector layout: for each column slot, for each fine bin b, [good, bad] at offset + 2b.
 */
import type { ColumnSpec, Table } from '../data/schema.js';
import { gridBin, gridValue, HISTOGRAM_BINS } from '../preprocess/stats.js';

/** Default number of asinh-grid bins merged into one fine bin. */
export const DEFAULT_GRID_COARSENING = 1;

/** Where one column's fine-bin counts sit in the vector. */
export interface FineBinSlot {
  readonly column: ColumnSpec;
  /** Index of the first value (the good count of fine bin 0). */
  readonly offset: number;
  /** Fine bins including the trailing missing bin. */
  readonly numBins: number;
}

/** The layout of a WOE counts vector (identical on every node). */
export interface WoeCountsLayout {
  readonly slots: readonly FineBinSlot[];
  readonly gridCoarsening: number;
  /** Total number of values (2 per fine bin). */
  readonly length: number;
}

/** Check the coarsening factor: a power of two from 1 to HISTOGRAM_BINS. */
export function checkGridCoarsening(gridCoarsening: number, name = 'gridCoarsening'): number {
  if (!Number.isInteger(gridCoarsening) || gridCoarsening < 1 || gridCoarsening > HISTOGRAM_BINS || HISTOGRAM_BINS % gridCoarsening !== 0) {
    throw new RangeError(`${name}: expected a divisor of ${HISTOGRAM_BINS} (1, 2, 4, …), got ${String(gridCoarsening)}`);
  }
  return gridCoarsening;
}

/**
 * Lay out the fine-bin counts of `columns`; categorical columns need declared categories.
 *
 * @example woeCountsLayout(featureColumns(germanSchema)).length // 2 · Σ fine bins
 */
export function woeCountsLayout(columns: readonly ColumnSpec[], gridCoarsening = DEFAULT_GRID_COARSENING): WoeCountsLayout {
  if (!Array.isArray(columns) || columns.length === 0) throw new RangeError('columns: expected at least one column');
  checkGridCoarsening(gridCoarsening);
  const slots: FineBinSlot[] = [];
  let offset = 0;
  const seen = new Set<string>();
  for (const column of columns) {
    if (typeof column !== 'object' || column === null || typeof column.name !== 'string') throw new TypeError('columns: expected ColumnSpec objects');
    if (seen.has(column.name)) throw new RangeError(`columns: column "${column.name}" appears twice`);
    seen.add(column.name);
    let numBins: number;
    if (column.kind === 'numeric') numBins = HISTOGRAM_BINS / gridCoarsening + 1;
    else {
      if (!column.categories || column.categories.length === 0) throw new TypeError(`columns: column "${column.name}" is ${column.kind} but declares no categories`);
      numBins = column.categories.length + 1;
    }
    slots.push({ column, offset, numBins });
    offset += 2 * numBins;
  }
  return { slots, gridCoarsening, length: offset };
}

/** The fine bin of a non-missing numeric value. */
export function numericFineBin(value: number, gridCoarsening: number): number {
  return Math.floor(gridBin(value) / gridCoarsening);
}

/**
 * The lower edge (as a value) of numeric fine bin `bin`: values v in the bin satisfy
 * fineEdge(bin) ≤ v < fineEdge(bin + 1), up to the rounding of asinh at the very edge.
 */
export function fineEdge(bin: number, gridCoarsening: number): number {
  return gridValue(bin * gridCoarsening);
}

/**
 * The node's good/bad counts per fine bin for `table` under `layout`. Labels: 1 = bad.
 *
 * @example const counts = localWoeCounts(node.train, woeCountsLayout(featureColumns(schema)));
 */
export function localWoeCounts(table: Table, layout: WoeCountsLayout): Float64Array {
  const out = new Float64Array(layout.length);
  const label = table.label;
  for (const { column, offset, numBins } of layout.slots) {
    const missingBin = numBins - 1;
    if (column.kind === 'numeric') {
      const values = table.numeric[column.name];
      if (!values) throw new TypeError(`table: no numeric column "${column.name}"`);
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        const bin = Number.isNaN(v) ? missingBin : numericFineBin(v, layout.gridCoarsening);
        out[offset + 2 * bin + label[i]]++;
      }
    } else {
      const values = table.categorical[column.name];
      if (!values) throw new TypeError(`table: no categorical column "${column.name}"`);
      const index = new Map(column.categories!.map((c, i) => [c, i] as const));
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        const bin = (v === null ? undefined : index.get(v)) ?? missingBin;
        out[offset + 2 * bin + label[i]]++;
      }
    }
  }
  return out;
}
