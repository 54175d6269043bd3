/**
 * Federated quantile sketches for tree bins: what a lender sends so that the federation can cut
 * numeric columns at common quantiles, and how the coordinator turns the sum into features.
 *
 * A node's sketch is one vector of counts, [numRows, then per numeric feature column its
 * HISTOGRAM_BINS-cell grid histogram] (the data-independent asinh grid of
 * ../../preprocess/stats.ts, missing values not counted). Every entry is a count of the node's
 * rows, so it lies in [0, numRows]: the bound secure aggregation clips it with. The summed grid
 * cells are exactly the grid part of the summed preprocessing statistics, so
 * {@link binningFromSketch} gives the same features as `binningFromStats` from those, while the
 * sketch carries no sums of values.
 */
import type { ColumnSpec, Table } from '../../data/schema.js';
import { gridBin, HISTOGRAM_BINS } from '../../preprocess/stats.js';
import { MAX_CATEGORIES, quantileEdges, type GbdtFeature } from './features.js';
import { GBDT_LIMITS } from './params.js';

/** Length of the sketch vector of `columns` (1 + HISTOGRAM_BINS per numeric column). */
export function sketchLength(columns: readonly ColumnSpec[]): number {
  return 1 + columns.filter((c) => c.kind === 'numeric').length * HISTOGRAM_BINS;
}

/** A node's sketch of `table` over the feature `columns` (see the module doc). */
export function localSketch(columns: readonly ColumnSpec[], table: Table): Float64Array {
  const out = new Float64Array(sketchLength(columns));
  out[0] = table.numRows;
  let offset = 1;
  for (const column of columns) {
    if (column.kind !== 'numeric') continue;
    const values = table.numeric[column.name];
    if (!values) throw new TypeError(`table: no numeric column "${column.name}"`);
    for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i])) out[offset + gridBin(values[i])]++;
    offset += HISTOGRAM_BINS;
  }
  return out;
}

/**
 * Tree features of `columns` from sketches summed over the federation: numeric edges at the
 * quantiles k/maxBins of the summed grid (see `quantileEdges`), categorical features with the
 * schema's categories.
 */
export function binningFromSketch(columns: readonly ColumnSpec[], summed: Float64Array, maxBins: number): GbdtFeature[] {
  if (!Number.isInteger(maxBins) || maxBins < 2 || maxBins > GBDT_LIMITS.maxBins) throw new RangeError(`maxBins: expected an integer from 2 to ${GBDT_LIMITS.maxBins}, got ${maxBins}`);
  if (!(summed instanceof Float64Array) || summed.length !== sketchLength(columns)) throw new RangeError(`summed: expected a Float64Array of length ${sketchLength(columns)}`);
  let offset = 1;
  return columns.map((column) => {
    if (column.kind !== 'numeric') {
      const categories = column.categories ?? [];
      if (categories.length > MAX_CATEGORIES) throw new RangeError(`columns: "${column.name}" declares ${categories.length} categories, at most ${MAX_CATEGORIES} supported`);
      return { kind: 'categorical', column: column.name, categories: [...categories] };
    }
    const grid = summed.subarray(offset, offset + HISTOGRAM_BINS);
    offset += HISTOGRAM_BINS;
    return { kind: 'numeric', column: column.name, edges: quantileEdges(grid, maxBins) };
  });
}
