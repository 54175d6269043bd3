/**
 * Curves of a federated evaluation, computed from the summed score histograms only (bad and
 * good counts per score bin; no score ever left a node): ROC, the KS distance by threshold,
 * the score distribution, and calibration by score band.
 */

export interface HistogramCounts {
  readonly numBins: number;
  readonly bad: Float64Array;
  readonly good: Float64Array;
}

/** Split evaluation sums (layout of src/metrics/histogram.ts) into bad and good counts. */
export function countsFromSums(sums: readonly number[] | Float64Array, numBins: number): HistogramCounts {
  if (!Number.isInteger(numBins) || numBins < 2 || sums.length !== 2 * numBins + 3) throw new RangeError(`sums: expected ${2 * numBins + 3} values for ${numBins} bins, got ${sums.length}`);
  return { numBins, bad: Float64Array.from(sums.slice(0, numBins)), good: Float64Array.from(sums.slice(numBins, 2 * numBins)) };
}

/** ROC points (FPR, TPR) for thresholds at every bin edge, from the highest score down. */
export function rocCurve(h: HistogramCounts): [number, number][] {
  const totalBad = h.bad.reduce((s, v) => s + v, 0) || 1;
  const totalGood = h.good.reduce((s, v) => s + v, 0) || 1;
  const points: [number, number][] = [[0, 0]];
  let tp = 0, fp = 0;
  for (let b = h.numBins - 1; b >= 0; b--) {
    tp += h.bad[b];
    fp += h.good[b];
    points.push([fp / totalGood, tp / totalBad]);
  }
  return points;
}

/** Cumulative share of bad and of good applicants scored below each threshold (KS chart). */
export function ksCurves(h: HistogramCounts): { threshold: number; bad: number; good: number }[] {
  const totalBad = h.bad.reduce((s, v) => s + v, 0) || 1;
  const totalGood = h.good.reduce((s, v) => s + v, 0) || 1;
  const out = [{ threshold: 0, bad: 0, good: 0 }];
  let cb = 0, cg = 0;
  for (let b = 0; b < h.numBins; b++) {
    cb += h.bad[b];
    cg += h.good[b];
    out.push({ threshold: (b + 1) / h.numBins, bad: cb / totalBad, good: cg / totalGood });
  }
  return out;
}

/** Counts regrouped into `groups` equal-width score bands. */
export function regroup(h: HistogramCounts, groups: number): { lower: number; upper: number; bad: number; good: number }[] {
  if (h.numBins % groups !== 0) throw new RangeError(`groups: ${groups} does not divide ${h.numBins} bins`);
  const per = h.numBins / groups;
  return Array.from({ length: groups }, (_, g) => {
    let bad = 0, good = 0;
    for (let b = g * per; b < (g + 1) * per; b++) { bad += h.bad[b]; good += h.good[b]; }
    return { lower: g / groups, upper: (g + 1) / groups, bad, good };
  });
}
