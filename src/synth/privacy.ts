/**
 * Privacy of a synthetic table, measured by *distance to the closest record* (DCR): for every
 * synthetic row, the Euclidean distance to the nearest real training row in the evaluation
 * encoding (numeric standardised, categories one-hot, missing indicators). A generator that
 * memorises shows DCRs near 0 and exact copies (DCR = 0, every column equal). The yardstick is the
 * same distance from real *holdout* rows (never trained on) to the training rows: synthetic rows
 * that sit closer to the training data than fresh real customers do are suspiciously close
 * (the "DCR vs holdout" comparison of e.g. Zhao et al., "CTAB-GAN", ACML 2021, §5.1, with the
 * median and 5th percentile reported).
 */
import type { Table } from '../data/schema.js';
import type { Matrix } from '../math/linalg.js';
import { encodeTable, type EncoderSpec } from '../preprocess/encoder.js';
import { evaluationEncoder } from './fidelity.js';

/** Privacy summary of a synthetic table. */
export interface PrivacyReport {
  readonly numSynthetic: number;
  readonly dcrMedian: number;
  readonly dcr5th: number;
  /** Share of synthetic rows identical to some training row. */
  readonly exactCopyRate: number;
  /** The same for real holdout rows (the baseline). */
  readonly holdoutDcrMedian: number;
  readonly holdoutDcr5th: number;
  readonly holdoutExactCopyRate: number;
}

/** For every row of `query`, the Euclidean distance to the nearest row of `reference`. */
export function distanceToClosest(query: Matrix, reference: Matrix): Float64Array {
  if (query.cols !== reference.cols) throw new RangeError(`reference: expected ${query.cols} columns, got ${reference.cols}`);
  if (reference.rows === 0) throw new RangeError('reference: expected at least one row');
  const d = query.cols;
  const out = new Float64Array(query.rows);
  for (let i = 0; i < query.rows; i++) {
    let best = Infinity;
    const qo = i * d;
    for (let r = 0; r < reference.rows && best > 0; r++) {
      const ro = r * d;
      let s = 0;
      for (let j = 0; j < d && s < best; j++) {
        const diff = query.data[qo + j] - reference.data[ro + j];
        s += diff * diff;
      }
      if (s < best) best = s;
    }
    out[i] = Math.sqrt(best);
  }
  return out;
}

/**
 * Quantile q of `values` with linear interpolation between order statistics (Hyndman & Fan type
 * 7, the R and numpy default).
 *
 * @example quantile(Float64Array.of(4, 1, 3, 2), 0.5) // 2.5
 */
export function quantile(values: Float64Array, q: number): number {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`q: expected a number in [0, 1], got ${q}`);
  if (values.length === 0) throw new RangeError('values: expected at least one value');
  const sorted = values.slice().sort();
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * DCR of `synthetic` and of `holdout` to `train`, encoded with an encoder fitted on `train`.
 *
 * @example
 * const report = privacy(train, syntheticBads, testBads);
 * report.dcr5th < report.holdoutDcr5th; // closer than fresh customers: look again
 */
export function privacy(train: Table, synthetic: Table, holdout: Table, encoder: EncoderSpec = evaluationEncoder(train)): PrivacyReport {
  if (synthetic.numRows === 0 || holdout.numRows === 0) throw new RangeError('synthetic, holdout: expected at least one row each');
  const reference = encodeTable(encoder, train);
  const dcr = distanceToClosest(encodeTable(encoder, synthetic), reference);
  const base = distanceToClosest(encodeTable(encoder, holdout), reference);
  return {
    numSynthetic: synthetic.numRows,
    dcrMedian: quantile(dcr, 0.5),
    dcr5th: quantile(dcr, 0.05),
    exactCopyRate: zeroRate(dcr),
    holdoutDcrMedian: quantile(base, 0.5),
    holdoutDcr5th: quantile(base, 0.05),
    holdoutExactCopyRate: zeroRate(base),
  };
}

function zeroRate(distances: Float64Array): number {
  let n = 0;
  for (const d of distances) if (d === 0) n++;
  return n / distances.length;
}
