/**
 * The histograms population-stability monitoring compares, computed where the rows are:
 * - per feature: applicants per coarse bin of the scorecard's binning (Siddiqi's
 *   "characteristic analysis"), plus one slot for values in no bin (unseen categories, missing
 *   values with no missing bin);
 * - for the score: applicants per probability-of-default bin on the uniform grid of federated
 *   evaluation (../metrics/histogram.ts). Points fall as the probability rises, so the
 *   coordinator's reference deciles of this histogram are deciles of the score.
 * Both are sums over rows, so they add up across nodes through the aggregation seam.
 */
import type { Table } from '../data/schema.js';
import { scoreBin } from '../metrics/histogram.js';
import type { Binning } from '../scorecard/binning.js';
import { assignBins } from '../scorecard/encode.js';
import { buildScorecard, scoreTable } from '../scorecard/points.js';

/** Where each variable's bin counts sit in the feature histogram vector. */
export interface FeatureHistogramSlot {
  readonly column: string;
  readonly offset: number;
  /** The variable's bins, then the "no bin" slot. */
  readonly length: number;
}

/** Layout of the feature histogram of every variable of `binning` (identical on every node). */
export function featureHistogramLayout(binning: Binning): { slots: FeatureHistogramSlot[]; length: number } {
  let offset = 0;
  const slots = binning.variables.map((v) => {
    const slot = { column: v.column, offset, length: v.bins.length + 1 };
    offset += slot.length;
    return slot;
  });
  return { slots, length: offset };
}

/** Applicants of `table` per bin of every variable (layout of {@link featureHistogramLayout}). */
export function featureHistogram(binning: Binning, table: Table): Float64Array {
  const { slots, length } = featureHistogramLayout(binning);
  const out = new Float64Array(length);
  binning.variables.forEach((v, j) => {
    const { offset, length: n } = slots[j];
    const bins = assignBins(v, table);
    for (let i = 0; i < bins.length; i++) out[offset + (bins[i] < 0 ? n - 1 : bins[i])]++;
  });
  return out;
}

/**
 * Applicants of `table` per probability-of-default bin of the scorecard made of `binning` and
 * the WOE logistic-regression `parameters` ([β…, α]).
 */
export function scoreHistogramOf(binning: Binning, parameters: Float64Array, table: Table, numBins: number): Float64Array {
  if (!Number.isInteger(numBins) || numBins < 2 || numBins > 100_000) throw new RangeError(`numBins: expected an integer from 2 to 100000, got ${String(numBins)}`);
  const { probabilities } = scoreTable(buildScorecard({ binning, parameters }), table);
  const out = new Float64Array(numBins);
  for (let i = 0; i < probabilities.length; i++) out[scoreBin(probabilities[i], numBins)]++;
  return out;
}
