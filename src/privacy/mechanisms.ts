/**
 * The building blocks of DP releases: bounding a contribution's L2 norm (clipping), adding
 * Gaussian or Laplace noise from a {@link NoiseSource}, and calibrating the noise scale of a
 * single release to an (ε, δ) budget.
 *
 * Model updates in DP-SGD / DP-FedAvg are clipped to `maxNorm` and noised with
 * std = noiseMultiplier · maxNorm; their ε is accounted by the RDP accountant, not here. The
 * calibrations below are for one-off releases such as counts and histograms (sensitivity 1).
 */
import { norm2 } from '../math/linalg.js';
import { logErfc } from './erfc.js';
import type { NoiseSource } from './noiseSource.js';

function checkVector(vector: unknown): Float64Array {
  if (!(vector instanceof Float64Array)) throw new TypeError('vector: expected a Float64Array');
  return vector;
}

function checkNonNegative(name: string, value: unknown): number {
  if (typeof value !== 'number') throw new TypeError(`${name}: expected a number, got ${typeof value}`);
  if (!(value >= 0) || !Number.isFinite(value)) throw new RangeError(`${name}: expected a finite number ≥ 0, got ${value}`);
  return value;
}

function checkPositive(name: string, value: unknown): number {
  if (typeof value !== 'number') throw new TypeError(`${name}: expected a number, got ${typeof value}`);
  if (!(value > 0) || !Number.isFinite(value)) throw new RangeError(`${name}: expected a finite number > 0, got ${value}`);
  return value;
}

function checkSource(source: unknown): NoiseSource {
  const s = source as NoiseSource | null;
  if (s === null || typeof s !== 'object' || typeof s.normal !== 'function' || typeof s.uniform !== 'function') {
    throw new TypeError('source: expected a NoiseSource (cryptoNoiseSource() or seededNoiseSource(random))');
  }
  return s;
}

/**
 * Euclidean norm. In the usual range it is exactly `norm2` of src/math/linalg.ts, so the bound
 * that clipping guarantees holds for the norm every other module computes; entries beyond
 * 1e±150 (whose squares would overflow or underflow) are first scaled by the largest one.
 */
function l2Norm(vector: Float64Array): number {
  let maxAbs = 0;
  for (let i = 0; i < vector.length; i++) {
    const a = Math.abs(vector[i]);
    if (!Number.isFinite(a)) throw new RangeError(`vector: expected finite entries, got ${vector[i]} at index ${i}`);
    if (a > maxAbs) maxAbs = a;
  }
  if (maxAbs === 0) return 0;
  if (maxAbs > 1e-150 && maxAbs < 1e150) return norm2(vector);
  let sum = 0;
  for (let i = 0; i < vector.length; i++) {
    const r = vector[i] / maxAbs;
    sum += r * r;
  }
  return maxAbs * Math.sqrt(sum);
}

/**
 * Scale `vector` in place so that its L2 norm (as `norm2` in src/math/linalg.ts computes it) is
 * at most `maxNorm`, and return the factor applied: 1 when the vector is already inside the ball,
 * which is then left bit-for-bit unchanged. This bounds one participant's contribution, the
 * sensitivity that DP noise is calibrated to.
 *
 * @example const factor = clipByL2Norm(update, 1.0); // update now has norm ≤ 1
 */
export function clipByL2Norm(vector: Float64Array, maxNorm: number): number {
  checkVector(vector);
  checkNonNegative('maxNorm', maxNorm);
  const norm = l2Norm(vector);
  if (norm <= maxNorm) return 1;
  let factor = maxNorm / norm;
  for (let i = 0; i < vector.length; i++) vector[i] *= factor;
  // Rounding can leave the scaled norm an ulp or two above maxNorm; shrink by a few ulps until
  // the bound the sensitivity analysis relies on holds exactly in floating point.
  for (let attempt = 0, after = l2Norm(vector); attempt < 8 && after > maxNorm; attempt++, after = l2Norm(vector)) {
    const shrink = (maxNorm / after) * (1 - 4 * Number.EPSILON);
    for (let i = 0; i < vector.length; i++) vector[i] *= shrink;
    factor *= shrink;
  }
  return factor;
}

/**
 * Add independent N(0, std²) noise to every entry of `vector`, in place, and return it. With
 * std = noiseMultiplier · clipping norm this is the Gaussian mechanism of DP-SGD.
 */
export function addGaussianNoise(vector: Float64Array, std: number, source: NoiseSource): Float64Array {
  checkVector(vector);
  checkNonNegative('std', std);
  const s = checkSource(source);
  if (std === 0) return vector;
  for (let i = 0; i < vector.length; i++) vector[i] += std * s.normal();
  return vector;
}

/** An Exp(1) variate from a uniform in [0, 1): −log(1 − U), finite because 1 − U ∈ (0, 1]. */
function exponential(source: NoiseSource): number {
  return -Math.log1p(-source.uniform());
}

/**
 * One draw of Laplace(0, scale) noise (density e^(−|x|/scale)/(2·scale), variance 2·scale²),
 * sampled as scale·(E₁ − E₂) with E₁, E₂ independent Exp(1) variates.
 */
export function laplaceNoise(scale: number, source: NoiseSource): number {
  checkNonNegative('scale', scale);
  const s = checkSource(source);
  if (scale === 0) return 0;
  return scale * (exponential(s) - exponential(s));
}

/** Add independent Laplace(0, scale) noise to every entry of `vector`, in place, and return it. */
export function addLaplaceNoise(vector: Float64Array, scale: number, source: NoiseSource): Float64Array {
  checkVector(vector);
  checkNonNegative('scale', scale);
  const s = checkSource(source);
  if (scale === 0) return vector;
  for (let i = 0; i < vector.length; i++) vector[i] += scale * (exponential(s) - exponential(s));
  return vector;
}

/**
 * Laplace scale b = sensitivity/ε that makes one release ε-DP (Dwork, McSherry, Nissim & Smith,
 * "Calibrating noise to sensitivity in private data analysis", TCC 2006). A count has L1
 * sensitivity 1 (the default); a histogram where each record falls in one bin also has 1.
 */
export function laplaceScaleFor(options: { readonly epsilon: number; readonly sensitivity?: number }): number {
  const epsilon = checkPositive('epsilon', options.epsilon);
  const sensitivity = checkPositive('sensitivity', options.sensitivity ?? 1);
  return sensitivity / epsilon;
}

/** log Φ(x) for the standard normal CDF Φ, accurate far into the lower tail. */
function logNormalCdf(x: number): number {
  return Math.log(0.5) + logErfc(-x / Math.SQRT2);
}

/**
 * log δ(σ) of the Gaussian mechanism with L2 sensitivity Δ at a given ε (Balle & Wang 2018,
 * Theorem 8): δ(σ) = Φ(Δ/(2σ) − εσ/Δ) − e^ε·Φ(−Δ/(2σ) − εσ/Δ), evaluated as
 * log Φ(u) + log(1 − exp(ε + log Φ(v) − log Φ(u))) so that the near-cancellation of the two
 * terms for small δ costs no more than a few digits.
 */
function logDeltaOfGaussian(sigma: number, epsilon: number, sensitivity: number): number {
  const a = sensitivity / (2 * sigma);
  const b = (epsilon * sigma) / sensitivity;
  const logPhiU = logNormalCdf(a - b);
  const logRatio = epsilon + logNormalCdf(-a - b) - logPhiU;
  if (logRatio >= 0) return -Infinity; // only reached by rounding when δ(σ) is below ~1e-300
  return logPhiU + Math.log(-Math.expm1(logRatio));
}

/**
 * The smallest noise std σ for which adding N(0, σ²) to a query of L2 sensitivity `sensitivity`
 * (default 1, a count) is (ε, δ)-DP, by the exact analytic calibration of Balle & Wang, "Improving
 * the Gaussian mechanism for differential privacy: analytical calibration and optimal denoising"
 * (ICML 2018, Theorem 8 and Algorithm 1). Valid for every ε > 0, unlike the classical
 * σ = Δ·√(2 ln(1.25/δ))/ε (Dwork & Roth 2014, Theorem A.1) which needs ε < 1 and is always larger.
 * Solved by bisection to 1e-12 relative, rounding up so the guarantee always holds.
 *
 * @example gaussianSigmaFor({ epsilon: 1, delta: 1e-5 }) // ≈ 3.73
 */
export function gaussianSigmaFor(options: { readonly epsilon: number; readonly delta: number; readonly sensitivity?: number }): number {
  const epsilon = checkPositive('epsilon', options.epsilon);
  const sensitivity = checkPositive('sensitivity', options.sensitivity ?? 1);
  const delta = checkPositive('delta', options.delta);
  if (delta >= 1) throw new RangeError(`delta: expected a number in (0, 1), got ${delta}`);
  const logDelta = Math.log(delta);
  const meets = (sigma: number): boolean => logDeltaOfGaussian(sigma, epsilon, sensitivity) <= logDelta;

  let high = (sensitivity * Math.sqrt(2 * Math.log(1.25 / delta))) / epsilon;
  let low = 0;
  while (!meets(high)) {
    low = high;
    high *= 2;
    if (!Number.isFinite(high)) throw new RangeError(`epsilon: no finite σ gives (${epsilon}, ${delta})-DP for sensitivity ${sensitivity}`);
  }
  while (high - low > 1e-12 * high) {
    const mid = (low + high) / 2;
    if (meets(mid)) high = mid;
    else low = mid;
  }
  return high;
}
