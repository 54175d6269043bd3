/**
 * Second-order split finding on gradient/hessian histograms (Chen & Guestrin 2016, "XGBoost",
 * eq. 7 and Alg. 3 with sparsity-aware default directions, §3.4):
 *
 *   gain = ½ [G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ)] − γ,   leaf weight w = −η·G/(H+λ).
 *
 * A tree node's histogram holds, per feature and bin, the triple [G, H, N] (sum of gradients,
 * of hessians, and number of rows). Numeric features scan the thresholds between value bins,
 * sending the missing bin left and right and keeping the better (when no training row of the
 * node is missing, missing values go to the child with more rows). Categorical features use the
 * LightGBM grouping (Ke et al. 2017; Fisher 1958 for the optimality of sorting): categories
 * with rows at this node are sorted by G/(H+λ) and every prefix of that order is a candidate
 * left set; categories without rows at the node (and the missing bin, if empty) go to the child
 * with more rows. A split needs H ≥ minChildWeight and at least one row on each side, and a
 * gain above 1e-6 (XGBoost's kRtEps), so rounding noise never creates a split.
 */
import type { BinLayout, GbdtFeature } from './features.js';
import type { GbdtParams } from './params.js';

/** Values per histogram bin: G, H, N. */
export const HIST_STRIDE = 3;

/** Smallest gain that makes a split (XGBoost's kRtEps). */
export const MIN_GAIN = 1e-6;

/** Sums over the rows of a tree node (or one side of a split). */
export interface NodeTotals {
  readonly gradient: number;
  readonly hessian: number;
  readonly count: number;
}

/** The best split of one tree node. */
export interface SplitCandidate {
  readonly feature: number;
  readonly gain: number;
  readonly missingLeft: boolean;
  /** Numeric: rows with value bin ≤ thresholdBin go left (value < edges[thresholdBin]). */
  readonly thresholdBin: number;
  /** Categorical: category indices that go left (ascending); empty for numeric splits. */
  readonly leftCategories: readonly number[];
  readonly left: NodeTotals;
  readonly right: NodeTotals;
}

/** Leaf weight −η·G/(H+λ) (0 when H + λ = 0, which only an empty leaf with λ = 0 reaches). */
export function leafWeight(totals: NodeTotals, params: Pick<GbdtParams, 'learningRate' | 'l2'>): number {
  const d = totals.hessian + params.l2;
  const w = d > 0 ? (-params.learningRate * totals.gradient) / d : 0;
  return w === 0 ? 0 : w; // never −0, which JSON would turn into +0
}

/** G²/(H+λ), the score of one side (0 when H + λ = 0). */
function score(g: number, h: number, l2: number): number {
  const d = h + l2;
  return d > 0 ? (g * g) / d : 0;
}

/** Gain of splitting `total` into `left` and total − left (before subtracting γ). */
export function splitGain(total: NodeTotals, left: NodeTotals, l2: number): number {
  return 0.5 * (score(left.gradient, left.hessian, l2) + score(total.gradient - left.gradient, total.hessian - left.hessian, l2) - score(total.gradient, total.hessian, l2));
}

/** Totals of a tree node from its histogram: the sums over feature 0's bins. */
export function histogramTotals(hist: Float64Array, offset: number, layout: BinLayout): NodeTotals {
  let g = 0, h = 0, n = 0;
  const start = offset + layout.offsets[0] * HIST_STRIDE;
  for (let b = 0; b < layout.numBins[0]; b++) {
    const k = start + b * HIST_STRIDE;
    g += hist[k]; h += hist[k + 1]; n += hist[k + 2];
  }
  return { gradient: g, hessian: h, count: n };
}

/**
 * The best split of the tree node whose histogram starts at `offset` in `hist`, or undefined
 * when no split is allowed or none has gain above {@link MIN_GAIN} + γ. Ties keep the first
 * candidate in feature, then threshold order, so the result is deterministic.
 */
export function findBestSplit(
  hist: Float64Array, offset: number, features: readonly GbdtFeature[], layout: BinLayout, totals: NodeTotals,
  params: Pick<GbdtParams, 'l2' | 'minChildWeight' | 'minSplitGain'>,
): SplitCandidate | undefined {
  const { l2, minChildWeight, minSplitGain } = params;
  const S = HIST_STRIDE;
  const parentScore = score(totals.gradient, totals.hessian, l2);
  // The best candidate so far, kept in plain variables (this loop is the coordinator's hot path).
  let bestGain = MIN_GAIN, bestFeature = -1, bestBin = -1, bestMissingLeft = false, bestPrefix = 0;
  let bestG = 0, bestH = 0, bestN = 0;
  let bestOrder: number[] = [];
  const gainOf = (gl: number, hl: number, nl: number): number => {
    const hr = totals.hessian - hl;
    if (nl < 1 || totals.count - nl < 1 || hl < minChildWeight || hr < minChildWeight || !Number.isFinite(gl)) return -Infinity;
    return 0.5 * (score(gl, hl, l2) + score(totals.gradient - gl, hr, l2) - parentScore) - minSplitGain;
  };

  for (let feature = 0; feature < features.length; feature++) {
    const f = features[feature];
    const base = offset + layout.offsets[feature] * S;
    const numBins = layout.numBins[feature];
    const missing = base + (numBins - 1) * S;
    const gm = hist[missing], hm = hist[missing + 1], nm = hist[missing + 2];
    if (f.kind === 'numeric') {
      let gl = 0, hl = 0, nl = 0;
      const nv = totals.count - nm; // rows with a value
      for (let t = 0; t < numBins - 2; t++) {
        const k = base + t * S;
        gl += hist[k]; hl += hist[k + 1]; nl += hist[k + 2];
        if (nl === 0 || nv - nl <= 0) continue; // the threshold must separate values
        const right = gainOf(gl, hl, nl);
        if (right > bestGain) {
          bestGain = right; bestFeature = feature; bestBin = t; bestG = gl; bestH = hl; bestN = nl;
          bestMissingLeft = nm > 0 ? false : nl >= totals.count - nl;
        }
        if (nm > 0) {
          const left = gainOf(gl + gm, hl + hm, nl + nm);
          if (left > bestGain) { bestGain = left; bestFeature = feature; bestBin = t; bestG = gl + gm; bestH = hl + hm; bestN = nl + nm; bestMissingLeft = true; }
        }
      }
    } else {
      const order: number[] = [];
      const keys = new Float64Array(numBins);
      for (let b = 0; b < numBins; b++) {
        const k = base + b * S;
        if (!(hist[k + 2] > 0)) continue;
        order.push(b);
        const d = hist[k + 1] + l2;
        keys[b] = d > 0 ? hist[k] / d : hist[k];
      }
      order.sort((a, b) => keys[a] - keys[b] || a - b);
      let gl = 0, hl = 0, nl = 0;
      for (let prefix = 1; prefix < order.length; prefix++) {
        const k = base + order[prefix - 1] * S;
        gl += hist[k]; hl += hist[k + 1]; nl += hist[k + 2];
        const gain = gainOf(gl, hl, nl);
        if (gain > bestGain) { bestGain = gain; bestFeature = feature; bestBin = -1; bestPrefix = prefix; bestOrder = order; bestG = gl; bestH = hl; bestN = nl; }
      }
    }
  }
  if (bestFeature < 0) return undefined;
  const left = { gradient: bestG, hessian: bestH, count: bestN };
  const right = { gradient: totals.gradient - bestG, hessian: totals.hessian - bestH, count: totals.count - bestN };
  const leftIsLarger = left.count >= right.count;
  if (features[bestFeature].kind === 'numeric') {
    return { feature: bestFeature, gain: bestGain, missingLeft: bestMissingLeft, thresholdBin: bestBin, leftCategories: [], left, right };
  }
  const numBins = layout.numBins[bestFeature];
  const base = offset + layout.offsets[bestFeature] * S;
  const nm = hist[base + (numBins - 1) * S + 2];
  const prefix = bestOrder.slice(0, bestPrefix);
  const missingLeft = nm > 0 ? prefix.includes(numBins - 1) : leftIsLarger;
  return { feature: bestFeature, gain: bestGain, missingLeft, thresholdBin: -1, leftCategories: leftSet(prefix, hist, base, numBins, leftIsLarger), left, right };
}

/** Categories going left: the prefix's categories, plus the empty ones if left is larger. */
function leftSet(prefix: readonly number[], hist: Float64Array, base: number, numBins: number, leftIsLarger: boolean): number[] {
  const left = new Set(prefix);
  const out: number[] = [];
  for (let c = 0; c < numBins - 1; c++) {
    const empty = !(hist[base + c * HIST_STRIDE + 2] > 0);
    if (left.has(c) || (empty && leftIsLarger)) out.push(c);
  }
  return out;
}
