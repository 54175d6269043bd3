/**
 * One-dimensional Gaussian mixtures fitted by expectation–maximisation, the mode model behind
 * CTGAN's mode-specific normalisation (Xu et al., "Modeling Tabular Data using Conditional
 * GAN", NeurIPS 2019, §4.2). CTGAN fits a variational (Dirichlet-process) mixture and drops
 * modes of weight < 0.005; this is the plain maximum-likelihood variant the brief allows:
 * K-means++ seeding (Arthur & Vassilvitskii 2007), a few Lloyd steps, then EM (Bishop, "Pattern
 * Recognition and Machine Learning", §9.2.2) with K ≤ 10 and the same pruning of tiny modes.
 *
 * A variance floor (1e-3 of the column's standard deviation) keeps a mode that collapses onto a
 * repeated value (zero debt, a 60-month term) from reaching σ = 0, where the likelihood is
 * unbounded; such a mode then represents that value almost exactly.
 */
import type { Random } from '../math/random.js';

/** A fitted mixture, modes sorted by mean. */
export interface GaussianMixture1D {
  readonly weights: Float64Array;
  readonly means: Float64Array;
  readonly stds: Float64Array;
}

/** Options of {@link fitGaussianMixture}. */
export interface GaussianMixtureOptions {
  /** Largest number of modes, 1–10 (capped by the number of distinct values). Default 10. */
  readonly maxModes?: number;
  /** Modes lighter than this are dropped after fitting (CTGAN: 0.005). */
  readonly minWeight?: number;
  /** EM iterations at most. Default 100. */
  readonly maxIterations?: number;
  /** Stop when the mean log-likelihood improves by less than this. Default 1e-6. */
  readonly tolerance?: number;
  /** Generator for the K-means++ seeding. */
  readonly rng: Random;
}

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * Fit a Gaussian mixture to finite `values`.
 *
 * @example
 * const gmm = fitGaussianMixture(Float64Array.of(...), { maxModes: 2, rng: deriveRandom(1, 'gmm') });
 */
export function fitGaussianMixture(values: Float64Array, options: GaussianMixtureOptions): GaussianMixture1D {
  if (!(values instanceof Float64Array) || values.length === 0) throw new TypeError('values: expected a non-empty Float64Array');
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) throw new RangeError(`values: entry ${i} is not finite`);
  const maxModes = options.maxModes ?? 10;
  if (!Number.isInteger(maxModes) || maxModes < 1 || maxModes > 10) throw new RangeError(`options.maxModes: expected an integer in [1, 10], got ${maxModes}`);
  const minWeight = options.minWeight ?? 0.005;
  if (!(minWeight >= 0 && minWeight < 1)) throw new RangeError(`options.minWeight: expected a number in [0, 1), got ${minWeight}`);
  const maxIterations = options.maxIterations ?? 100;
  const tolerance = options.tolerance ?? 1e-6;

  const { mean, std } = moments(values);
  const distinct = countDistinct(values, maxModes);
  // A constant column is one mode; σ is arbitrary there, 1 keeps α = (x − μ)/4σ well defined.
  if (distinct === 1 || std === 0) return { weights: Float64Array.of(1), means: Float64Array.of(mean), stds: Float64Array.of(std > 0 ? std : 1) };
  const floor = 1e-3 * std;
  const means = Float64Array.from(kMeans(values, distinct, options.rng));
  const k = means.length;
  const weights = new Float64Array(k).fill(1 / k);
  const stds = new Float64Array(k).fill(std / k);
  const resp = new Float64Array(values.length * k);
  let previous = -Infinity;
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    const logLik = expectation(values, { weights, means, stds }, resp);
    maximisation(values, resp, weights, means, stds, floor);
    if (logLik - previous < tolerance) break;
    previous = logLik;
  }
  return prune({ weights, means, stds }, minWeight);
}

/**
 * Posterior probability of each mode for value `x`, written into `out` (length = modes).
 * Computed in log space so a value far in a tail still gets a proper distribution.
 */
export function modePosteriors(gmm: GaussianMixture1D, x: number, out: Float64Array): void {
  const k = gmm.means.length;
  let max = -Infinity;
  for (let j = 0; j < k; j++) {
    const z = (x - gmm.means[j]) / gmm.stds[j];
    const lp = gmm.weights[j] > 0 ? Math.log(gmm.weights[j]) - Math.log(gmm.stds[j]) - 0.5 * z * z : -Infinity;
    out[j] = lp;
    if (lp > max) max = lp;
  }
  let sum = 0;
  for (let j = 0; j < k; j++) sum += out[j] = Math.exp(out[j] - max);
  for (let j = 0; j < k; j++) out[j] /= sum;
}

function moments(values: Float64Array): { mean: number; std: number } {
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / values.length;
  let sq = 0;
  for (const v of values) sq += (v - mean) * (v - mean);
  return { mean, std: Math.sqrt(sq / values.length) };
}

function countDistinct(values: Float64Array, atMost: number): number {
  const seen = new Set<number>();
  for (const v of values) {
    seen.add(v);
    if (seen.size >= atMost) return atMost;
  }
  return seen.size;
}

/** K-means++ seeding then 10 Lloyd steps; returns the centres (fewer if some empty). */
function kMeans(values: Float64Array, k: number, rng: Random): number[] {
  const n = values.length;
  const centres = [values[rng.int(n)]];
  const d2 = new Float64Array(n).fill(Infinity);
  while (centres.length < k) {
    const c = centres[centres.length - 1];
    let total = 0;
    for (let i = 0; i < n; i++) {
      const d = (values[i] - c) * (values[i] - c);
      if (d < d2[i]) d2[i] = d;
      total += d2[i];
    }
    if (total === 0) break;
    let target = rng.next() * total;
    let pick = n - 1;
    for (let i = 0; i < n; i++) {
      target -= d2[i];
      if (target < 0) { pick = i; break; }
    }
    centres.push(values[pick]);
  }
  const sums = new Float64Array(centres.length);
  const counts = new Float64Array(centres.length);
  for (let step = 0; step < 10; step++) {
    sums.fill(0);
    counts.fill(0);
    for (const v of values) {
      let best = 0;
      for (let j = 1; j < centres.length; j++) if (Math.abs(v - centres[j]) < Math.abs(v - centres[best])) best = j;
      sums[best] += v;
      counts[best]++;
    }
    for (let j = 0; j < centres.length; j++) if (counts[j] > 0) centres[j] = sums[j] / counts[j];
  }
  return centres.filter((_, j) => counts[j] > 0);
}

/** E-step: responsibilities into `resp` (n × k); returns the mean log-likelihood. */
function expectation(values: Float64Array, gmm: GaussianMixture1D, resp: Float64Array): number {
  const k = gmm.means.length;
  // log(w_j/σ_j) once per iteration rather than once per value: the E-step is the hot loop.
  const logScale = Float64Array.from(gmm.weights, (w, j) => (w > 0 ? Math.log(w) - Math.log(gmm.stds[j]) - LOG_SQRT_2PI : -Infinity));
  const inverseStd = Float64Array.from(gmm.stds, (s) => 1 / s);
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    const o = i * k;
    let max = -Infinity;
    for (let j = 0; j < k; j++) {
      const z = (values[i] - gmm.means[j]) * inverseStd[j];
      const lp = logScale[j] - 0.5 * z * z;
      resp[o + j] = lp;
      if (lp > max) max = lp;
    }
    let sum = 0;
    for (let j = 0; j < k; j++) sum += resp[o + j] = Math.exp(resp[o + j] - max);
    for (let j = 0; j < k; j++) resp[o + j] /= sum;
    total += max + Math.log(sum);
  }
  return total / values.length;
}

/** M-step in place; a mode with no responsibility left gets weight 0 (pruned at the end). */
function maximisation(values: Float64Array, resp: Float64Array, weights: Float64Array, means: Float64Array, stds: Float64Array, floor: number): void {
  const k = means.length;
  const n = values.length;
  for (let j = 0; j < k; j++) {
    let nk = 0;
    let sx = 0;
    for (let i = 0; i < n; i++) {
      nk += resp[i * k + j];
      sx += resp[i * k + j] * values[i];
    }
    if (nk < 1e-10) {
      weights[j] = 0;
      continue;
    }
    const mu = sx / nk;
    let sq = 0;
    for (let i = 0; i < n; i++) sq += resp[i * k + j] * (values[i] - mu) * (values[i] - mu);
    weights[j] = nk / n;
    means[j] = mu;
    stds[j] = Math.max(Math.sqrt(sq / nk), floor);
  }
}

function prune(gmm: GaussianMixture1D, minWeight: number): GaussianMixture1D {
  let keep = [...gmm.weights.keys()].filter((j) => gmm.weights[j] >= minWeight);
  if (keep.length === 0) keep = [gmm.weights.indexOf(Math.max(...gmm.weights))];
  keep.sort((a, b) => gmm.means[a] - gmm.means[b]);
  const total = keep.reduce((s, j) => s + gmm.weights[j], 0);
  return {
    weights: Float64Array.from(keep, (j) => gmm.weights[j] / total),
    means: Float64Array.from(keep, (j) => gmm.means[j]),
    stds: Float64Array.from(keep, (j) => gmm.stds[j]),
  };
}
