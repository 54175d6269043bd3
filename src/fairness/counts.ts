/**
 * Fairness counts, node side: for every protected attribute and group (plus "unknown"), the
 * confusion counts of the decision and a calibration histogram, all sums over rows in one
 * fixed-length vector that the coordinator adds up through the aggregation seam.
 *
 * Block of one group, for B calibration bins (uniform on the probability of default, the bins
 * of ../metrics/histogram.ts):
 *   [0..4)          approved good, approved bad, declined good, declined bad
 *   [4 + 3k ..)     bin k: applicants, Σ predicted probability of default, bad applicants
 * An applicant is approved when the probability of default is below the threshold.
 */
import { scoreBin } from '../metrics/histogram.js';
import type { FairnessAttribute } from './groups.js';

/** Values before the calibration bins of a group block. */
export const CONFUSION_SIZE = 4;
/** Values per calibration bin. */
export const BIN_SIZE = 3;

/** Where each attribute's group blocks sit in the counts vector. */
export interface FairnessLayout {
  readonly numBins: number;
  /** Values per group block: 4 + 3·numBins. */
  readonly blockSize: number;
  /** Offset of attribute a's first block; its groups (declared, then unknown) follow. */
  readonly offsets: readonly number[];
  readonly length: number;
}

/** The layout for `attributes` with `numBins` calibration bins (identical on every node). */
export function fairnessLayout(attributes: readonly FairnessAttribute[], numBins: number): FairnessLayout {
  if (!Number.isInteger(numBins) || numBins < 1 || numBins > 1000) throw new RangeError(`numBins: expected an integer from 1 to 1000, got ${String(numBins)}`);
  const blockSize = CONFUSION_SIZE + BIN_SIZE * numBins;
  const offsets: number[] = [];
  let offset = 0;
  for (const a of attributes) {
    offsets.push(offset);
    offset += (a.groups.length + 1) * blockSize;
  }
  return { numBins, blockSize, offsets, length: offset };
}

/** Options of {@link localFairnessCounts}. */
export interface FairnessCountOptions {
  /** Approve when P(default) < threshold. */
  readonly threshold: number;
  readonly numBins: number;
}

/**
 * The node's fairness counts: `groups[a]` holds each row's group index under attribute a (from
 * {@link ./groups.ts groupIndex}), `probabilities` the model's P(default), `labels` 1 = bad.
 */
export function localFairnessCounts(attributes: readonly FairnessAttribute[], groups: readonly Int32Array[], probabilities: Float64Array, labels: ArrayLike<number>, options: FairnessCountOptions): Float64Array {
  const { threshold, numBins } = options;
  if (typeof threshold !== 'number' || !(threshold > 0 && threshold <= 1)) throw new RangeError(`options.threshold: expected a probability in (0, 1], got ${String(threshold)}`);
  const layout = fairnessLayout(attributes, numBins);
  if (groups.length !== attributes.length) throw new RangeError(`groups: expected ${attributes.length} arrays, got ${groups.length}`);
  const n = probabilities.length;
  if (labels.length !== n) throw new RangeError(`labels: length ${labels.length}, expected ${n}`);
  const out = new Float64Array(layout.length);
  attributes.forEach((a, j) => {
    const g = groups[j];
    if (g.length !== n) throw new RangeError(`groups[${j}]: length ${g.length}, expected ${n}`);
    for (let i = 0; i < n; i++) {
      if (!(g[i] >= 0 && g[i] <= a.groups.length)) throw new RangeError(`groups[${j}][${i}]: expected a group index from 0 to ${a.groups.length}, got ${g[i]}`);
      const p = probabilities[i];
      if (!(p >= 0 && p <= 1)) throw new RangeError(`probabilities[${i}]: expected a probability, got ${p}`);
      const bad = labels[i] === 1 ? 1 : 0;
      const block = layout.offsets[j] + g[i] * layout.blockSize;
      out[block + (p < threshold ? 0 : 2) + bad]++;
      const bin = block + CONFUSION_SIZE + BIN_SIZE * scoreBin(p, numBins);
      out[bin]++;
      out[bin + 1] += p;
      out[bin + 2] += bad;
    }
  });
  return out;
}
