/**
 * Rényi differential privacy (RDP) of the sampled Gaussian mechanism, and its conversion to
 * (ε, δ)-DP, computed exactly as Opacus' `opacus/accountants/analysis/rdp.py` does so that an
 * ε reported by FedCredit means the same as one reported by Opacus or TF Privacy.
 *
 * The sampled Gaussian mechanism (SGM) adds N(0, σ²) noise to a sum of L2-clipped
 * contributions of a Poisson sample drawn with rate q. Its RDP of order α is log(A_α)/(α − 1),
 * with A_α from Mironov, Talwar & Zhang, "Rényi Differential Privacy of the Sampled Gaussian
 * Mechanism" (2019, arXiv:1908.10530), Section 3.3: a finite binomial sum for integer α, and
 * for fractional α two alternating series of erfc integrals summed until their terms drop below
 * e^(−30). RDP composes additively over steps, so T steps cost T times one step.
 */
import { logErfc } from './erfc.js';

/**
 * Opacus' `RDPAccountant.DEFAULT_ALPHAS`: 1.1, 1.2, …, 10.9 and 12, 13, …, 63. Frozen so that
 * nobody changes the orders every default ε is computed over.
 */
export const DEFAULT_ORDERS: readonly number[] = Object.freeze([
  ...Array.from({ length: 99 }, (_, x) => 1 + (x + 1) / 10.0),
  ...Array.from({ length: 52 }, (_, x) => 12 + x),
]);

/** log(eˣ + eʸ) without overflow; −∞ stands for 0. */
function logAdd(logX: number, logY: number): number {
  const lo = Math.min(logX, logY);
  const hi = Math.max(logX, logY);
  if (lo === -Infinity || hi === Infinity) return hi;
  return Math.log1p(Math.exp(lo - hi)) + hi;
}

/**
 * log(eˣ − eʸ) for x ≥ y. Written as x + log(−expm1(y − x)), which is stable for every gap,
 * where Opacus' log(expm1(x − y)) + y overflows for gaps above ~709 (Opacus then returns x,
 * which is what this form gives too).
 */
function logSub(logX: number, logY: number): number {
  if (logX < logY) throw new Error('logSub: the result of subtraction must be non-negative');
  if (logY === -Infinity) return logX;
  if (logX === logY) return -Infinity;
  return logX + Math.log(-Math.expm1(logY - logX));
}

/** log A_α for integer α ≥ 2 (Mironov et al. 2019, Sec. 3.3, binomial expansion). */
function logAIntegerOrder(q: number, sigma: number, alpha: number): number {
  const logQ = Math.log(q);
  const log1mQ = Math.log1p(-q);
  let logBinom = 0; // log C(α, 0)
  let logA = -Infinity;
  for (let i = 0; i <= alpha; i++) {
    if (i > 0) logBinom += Math.log((alpha - i + 1) / i);
    const logCoef = logBinom + i * logQ + (alpha - i) * log1mQ;
    logA = logAdd(logA, logCoef + (i * i - i) / (2 * sigma * sigma));
  }
  return logA;
}

/** Guard against a non-terminating series if inputs make the terms NaN. */
const MAX_SERIES_TERMS = 10_000_000;

/**
 * log A_α for fractional α > 1 (Mironov et al. 2019, Sec. 3.3): A_α splits at
 * z₀ = σ²·log(1/q − 1) + 1/2 into integrals over (−∞, z₀] and [z₀, ∞), each a series in the
 * generalised binomial coefficients C(α, i), whose signs alternate once i > α.
 */
function logAFractionalOrder(q: number, sigma: number, alpha: number): number {
  const logQ = Math.log(q);
  const log1mQ = Math.log1p(-q);
  const z0 = sigma * sigma * (log1mQ - logQ) + 0.5;
  const sqrt2Sigma = Math.SQRT2 * sigma;
  let logA0 = -Infinity;
  let logA1 = -Infinity;
  let logAbsBinom = 0; // log |C(α, 0)|
  let binomSign = 1;
  for (let i = 0; i < MAX_SERIES_TERMS; i++) {
    if (i > 0) {
      const factor = (alpha - i + 1) / i;
      logAbsBinom += Math.log(Math.abs(factor));
      if (factor < 0) binomSign = -binomSign;
    }
    const j = alpha - i;
    const logT0 = logAbsBinom + i * logQ + j * log1mQ;
    const logT1 = logAbsBinom + j * logQ + i * log1mQ;
    const logE0 = Math.log(0.5) + logErfc((i - z0) / sqrt2Sigma);
    const logE1 = Math.log(0.5) + logErfc((z0 - j) / sqrt2Sigma);
    const logS0 = logT0 + (i * i - i) / (2 * sigma * sigma) + logE0;
    const logS1 = logT1 + (j * j - j) / (2 * sigma * sigma) + logE1;
    if (binomSign > 0) {
      logA0 = logAdd(logA0, logS0);
      logA1 = logAdd(logA1, logS1);
    } else {
      logA0 = logSub(logA0, logS0);
      logA1 = logSub(logA1, logS1);
    }
    if (Math.max(logS0, logS1) < -30) return logAdd(logA0, logA1);
  }
  throw new Error(`RDP series for order ${alpha} did not converge`);
}

/** RDP of one step of the SGM at order α; degenerate cases first, as in Opacus `_compute_rdp`. */
function rdpOneStep(q: number, sigma: number, alpha: number): number {
  if (q === 0) return 0; // nothing is ever sampled
  if (sigma === 0) return Infinity; // no noise, no privacy
  if (q === 1) return alpha / (2 * sigma * sigma); // plain Gaussian mechanism (Mironov 2017, Prop. 7)
  const logA = Number.isInteger(alpha) ? logAIntegerOrder(q, sigma, alpha) : logAFractionalOrder(q, sigma, alpha);
  return logA / (alpha - 1);
}

function checkProbability(name: string, value: unknown, allowZero: boolean): number {
  if (typeof value !== 'number') throw new TypeError(`${name}: expected a number, got ${typeof value}`);
  if (!(value <= 1 && (allowZero ? value >= 0 : value > 0))) {
    throw new RangeError(`${name}: expected a number in ${allowZero ? '[0, 1]' : '(0, 1)'}, got ${value}`);
  }
  return value;
}

function checkOrders(orders: unknown): readonly number[] {
  if (!Array.isArray(orders) && !(orders instanceof Float64Array)) {
    throw new TypeError('orders: expected an array of numbers');
  }
  if (orders.length === 0) throw new RangeError('orders: expected at least one order');
  for (let k = 0; k < orders.length; k++) {
    const a: unknown = orders[k];
    if (typeof a !== 'number') throw new TypeError(`orders[${k}]: expected a number, got ${typeof a}`);
    if (!(a > 1) || !Number.isFinite(a)) throw new RangeError(`orders[${k}]: expected a finite order > 1, got ${a}`);
  }
  return orders as readonly number[];
}

/** Options of {@link computeRdp}. */
export interface RdpOptions {
  /** Poisson sampling rate q in [0, 1] (expected batch size / dataset size). */
  readonly sampleRate: number;
  /** Noise standard deviation divided by the L2 clipping norm (σ ≥ 0). */
  readonly noiseMultiplier: number;
  /** Number of steps (non-negative integer). */
  readonly steps: number;
  /** Rényi orders (finite, > 1); defaults to {@link DEFAULT_ORDERS}. */
  readonly orders?: readonly number[];
}

/**
 * RDP of `steps` compositions of the sampled Gaussian mechanism at each order, i.e. Opacus'
 * `compute_rdp(q=sampleRate, noise_multiplier=noiseMultiplier, steps=steps, orders=orders)`.
 * Entries may be +∞ (no noise). Sum the arrays of several calls to compose heterogeneous steps.
 *
 * @example computeRdp({ sampleRate: 0.04, noiseMultiplier: 1.5, steps: 2250 })
 */
export function computeRdp(options: RdpOptions): Float64Array {
  const { sampleRate, noiseMultiplier, steps } = options;
  checkProbability('sampleRate', sampleRate, true);
  if (typeof noiseMultiplier !== 'number') throw new TypeError(`noiseMultiplier: expected a number, got ${typeof noiseMultiplier}`);
  if (!(noiseMultiplier >= 0) || !Number.isFinite(noiseMultiplier)) {
    throw new RangeError(`noiseMultiplier: expected a finite number ≥ 0, got ${noiseMultiplier}`);
  }
  if (typeof steps !== 'number') throw new TypeError(`steps: expected a number, got ${typeof steps}`);
  if (!Number.isSafeInteger(steps) || steps < 0) throw new RangeError(`steps: expected an integer ≥ 0, got ${steps}`);
  const orders = checkOrders(options.orders ?? DEFAULT_ORDERS);
  const rdp = new Float64Array(orders.length);
  for (let k = 0; k < orders.length; k++) {
    const perStep = rdpOneStep(sampleRate, noiseMultiplier, orders[k]);
    // 0·∞ is NaN; zero steps cost nothing even without noise.
    rdp[k] = steps === 0 ? 0 : perStep * steps;
  }
  return rdp;
}

/** An (ε, δ) guarantee and the Rényi order it was obtained from (NaN if none was finite). */
export interface PrivacySpent {
  readonly epsilon: number;
  readonly order: number;
}

/**
 * Convert RDP values at several orders to the smallest ε of (ε, δ)-DP, with the conversion of
 * Balle et al., "Hypothesis testing interpretations and Rényi differential privacy" (AISTATS
 * 2020, Theorem 21) that Opacus' `get_privacy_spent` uses:
 * ε(α) = rdp(α) − (log δ + log α)/(α − 1) + log((α − 1)/α), minimised over α ignoring NaN.
 * If every ε(α) is NaN the answer is { epsilon: ∞, order: NaN }. If the optimum lies at the
 * first or last order, a wider range of orders may give a smaller ε.
 */
export function getPrivacySpent(options: { readonly orders: readonly number[]; readonly rdp: ArrayLike<number>; readonly delta: number }): PrivacySpent {
  const orders = checkOrders(options.orders);
  const { rdp } = options;
  const delta = checkProbability('delta', options.delta, false);
  if (delta === 1) throw new RangeError('delta: expected a number in (0, 1), got 1');
  if (rdp === null || typeof rdp !== 'object' || typeof rdp.length !== 'number') {
    throw new TypeError('rdp: expected an array of numbers');
  }
  if (rdp.length !== orders.length) {
    throw new RangeError(`rdp: expected ${orders.length} values (one per order), got ${rdp.length}`);
  }
  let best = NaN;
  let bestOrder = NaN;
  const logDelta = Math.log(delta);
  for (let k = 0; k < orders.length; k++) {
    const a = orders[k];
    const eps = rdp[k] - (logDelta + Math.log(a)) / (a - 1) + Math.log((a - 1) / a);
    if (!Number.isNaN(eps) && !(eps >= best)) {
      best = eps;
      bestOrder = a;
    }
  }
  if (Number.isNaN(best)) return { epsilon: Infinity, order: NaN };
  return { epsilon: best, order: bestOrder };
}

/**
 * ε spent by `steps` steps of DP-SGD (or any SGM) with the given noise multiplier and sampling
 * rate, for the target δ: the value Opacus' `RDPAccountant.get_epsilon` reports.
 *
 * @example epsilonFor({ noiseMultiplier: 1.5, sampleRate: 0.04, steps: 2250, delta: 1e-5 })
 * // { epsilon: 7.32911117…, order: 3.9 }
 */
export function epsilonFor(options: RdpOptions & { readonly delta: number }): PrivacySpent {
  const orders = options.orders ?? DEFAULT_ORDERS;
  const rdp = computeRdp({ ...options, orders });
  return getPrivacySpent({ orders, rdp, delta: options.delta });
}
