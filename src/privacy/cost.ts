/**
 * What a release costs in privacy, and how costs add up. Every release a node makes from a
 * dataset — a run of DP-SGD steps, a DP-FedAvg round, a noisy count — is described by a
 * {@link PrivacyCost} that the privacy ledger stores; {@link composeEpsilon} turns a list of them
 * into the ε spent at the dataset's δ.
 *
 * Composition takes the smallest of three valid upper bounds (each is a correct (ε, δ)
 * guarantee for the same sequence of releases, so their minimum is too):
 * A. Rényi DP of every release summed order by order, converted once (tight for many
 *    sampled-Gaussian steps; Mironov, "Rényi Differential Privacy", CSF 2017, Prop. 1);
 * B. Rényi DP of the releases that are not pure ε-DP, converted, plus the ε of the pure ones
 *    (basic composition of the two groups; Dwork & Roth 2014, Theorem 3.16);
 * C. basic composition of every release's own (ε, δ), when their δ add up to at most δ.
 * A single Laplace count thus costs exactly its ε (bound B or C), while 3000 DP-SGD steps cost
 * what the RDP accountant says (bound A), never the sum of per-step ε.
 */
import { DEFAULT_ORDERS, computeRdp, getPrivacySpent } from './rdp.js';

/** A release's cost, in the parameters its Rényi DP is computed from. */
export type PrivacyCost =
  /** `steps` steps of the sampled Gaussian mechanism (DP-SGD, DP-FedAvg rounds). */
  | { readonly mechanism: 'sgm'; readonly noiseMultiplier: number; readonly sampleRate: number; readonly steps: number }
  /** One Gaussian release with noise std = noiseMultiplier × its L2 sensitivity. */
  | { readonly mechanism: 'gaussian'; readonly noiseMultiplier: number }
  /** `parts` scalar Laplace releases of ε/parts each (sensitivity-1 normalised), ε-DP in total. */
  | { readonly mechanism: 'laplace'; readonly epsilon: number; readonly parts: number };

/** A release's cost together with the (ε, δ) it is worth on its own. */
export interface PrivacySpend {
  readonly cost: PrivacyCost;
  readonly epsilon: number;
  readonly delta: number;
}

function finiteAtLeast(name: string, value: unknown, min: number, exclusive: boolean): number {
  if (typeof value !== 'number') throw new TypeError(`${name}: expected a number, got ${typeof value}`);
  if (!Number.isFinite(value) || (exclusive ? !(value > min) : !(value >= min))) {
    throw new RangeError(`${name}: expected a finite number ${exclusive ? '>' : '≥'} ${min}, got ${value}`);
  }
  return value;
}

/**
 * Check an untrusted value (e.g. read back from the ledger file) as a {@link PrivacyCost};
 * throws TypeError/RangeError naming the field.
 */
export function checkPrivacyCost(value: unknown, name = 'cost'): PrivacyCost {
  if (value === null || typeof value !== 'object') throw new TypeError(`${name}: expected an object`);
  const c = value as Record<string, unknown>;
  if (c.mechanism === 'sgm') {
    const sampleRate = finiteAtLeast(`${name}.sampleRate`, c.sampleRate, 0, true);
    if (sampleRate > 1) throw new RangeError(`${name}.sampleRate: expected a number in (0, 1], got ${sampleRate}`);
    const steps = finiteAtLeast(`${name}.steps`, c.steps, 1, false);
    if (!Number.isSafeInteger(steps)) throw new RangeError(`${name}.steps: expected an integer ≥ 1, got ${steps}`);
    return { mechanism: 'sgm', noiseMultiplier: finiteAtLeast(`${name}.noiseMultiplier`, c.noiseMultiplier, 0, true), sampleRate, steps };
  }
  if (c.mechanism === 'gaussian') return { mechanism: 'gaussian', noiseMultiplier: finiteAtLeast(`${name}.noiseMultiplier`, c.noiseMultiplier, 0, true) };
  if (c.mechanism === 'laplace') {
    const parts = finiteAtLeast(`${name}.parts`, c.parts, 1, false);
    if (!Number.isSafeInteger(parts)) throw new RangeError(`${name}.parts: expected an integer ≥ 1, got ${parts}`);
    return { mechanism: 'laplace', epsilon: finiteAtLeast(`${name}.epsilon`, c.epsilon, 0, true), parts };
  }
  throw new RangeError(`${name}.mechanism: expected "sgm", "gaussian" or "laplace", got ${JSON.stringify(c.mechanism)}`);
}

/**
 * Rényi DP of order α of the Laplace mechanism with scale b on a sensitivity-1 query
 * (Mironov 2017, Proposition 6):
 * (1/(α−1))·log( α/(2α−1)·e^((α−1)/b) + (α−1)/(2α−1)·e^(−α/b) ), computed in log space.
 * It rises from the KL divergence 1/b + e^(−1/b) − 1 (α → 1) to 1/b (α → ∞, pure ε-DP).
 *
 * @example laplaceRdp(1, 2) // log(2e/3 + e⁻²/3) ≈ 0.6191
 */
export function laplaceRdp(scale: number, order: number): number {
  const b = finiteAtLeast('scale', scale, 0, true);
  const a = finiteAtLeast('order', order, 1, true);
  const first = Math.log(a / (2 * a - 1)) + (a - 1) / b;
  const second = Math.log((a - 1) / (2 * a - 1)) - a / b;
  const hi = Math.max(first, second);
  return (hi + Math.log1p(Math.exp(Math.min(first, second) - hi))) / (a - 1);
}

const perStepCache = new Map<string, Float64Array>();
const CACHE_LIMIT = 1000;

/** RDP of one unit of a cost (one SGM step, the whole Gaussian or Laplace release), cached. */
function unitRdp(cost: PrivacyCost, orders: readonly number[]): Float64Array {
  const key = orders === DEFAULT_ORDERS
    ? cost.mechanism === 'sgm' ? `sgm:${cost.noiseMultiplier}:${cost.sampleRate}` : JSON.stringify(cost)
    : undefined;
  const cached = key === undefined ? undefined : perStepCache.get(key);
  if (cached) return cached;
  let rdp: Float64Array;
  if (cost.mechanism === 'sgm') {
    rdp = computeRdp({ noiseMultiplier: cost.noiseMultiplier, sampleRate: cost.sampleRate, steps: 1, orders });
  } else if (cost.mechanism === 'gaussian') {
    // Gaussian mechanism: α/(2σ²) (Mironov 2017, Proposition 7), i.e. the SGM with q = 1.
    rdp = Float64Array.from(orders, (a) => a / (2 * cost.noiseMultiplier * cost.noiseMultiplier));
  } else {
    // `parts` scalar releases, each ε/parts-DP by Laplace noise of scale parts/ε: RDP adds up.
    const scale = cost.parts / cost.epsilon;
    rdp = Float64Array.from(orders, (a) => cost.parts * laplaceRdp(scale, a));
  }
  if (key !== undefined) {
    if (perStepCache.size >= CACHE_LIMIT) perStepCache.clear();
    perStepCache.set(key, rdp);
  }
  return rdp;
}

/** Rényi DP of a cost at each of `orders` (default: Opacus' orders). */
export function rdpOfCost(cost: PrivacyCost, orders: readonly number[] = DEFAULT_ORDERS): Float64Array {
  const unit = unitRdp(checkPrivacyCost(cost), orders);
  const steps = cost.mechanism === 'sgm' ? cost.steps : 1;
  // Same arithmetic as computeRdp({ steps }): one step's RDP times the number of steps.
  return Float64Array.from(unit, (r) => r * steps);
}

/** A cost's ε at δ through Rényi DP alone (for SGM: exactly what `epsilonFor` reports). */
export function epsilonOfCost(cost: PrivacyCost, delta: number): number {
  return getPrivacySpent({ orders: DEFAULT_ORDERS, rdp: rdpOfCost(cost), delta }).epsilon;
}

/**
 * ε spent by a sequence of releases at δ: the smallest of the bounds A, B, C described in the
 * module comment. 0 for no releases.
 *
 * @example composeEpsilon([{ cost: { mechanism: 'laplace', epsilon: 0.5, parts: 1 }, epsilon: 0.5, delta: 0 }], 1e-5) // 0.5
 */
export function composeEpsilon(spends: readonly PrivacySpend[], delta: number): number {
  if (!Array.isArray(spends)) throw new TypeError('spends: expected an array of { cost, epsilon, delta }');
  getPrivacySpent({ orders: DEFAULT_ORDERS, rdp: new Float64Array(DEFAULT_ORDERS.length), delta }); // checks delta
  if (spends.length === 0) return 0;
  const all = new Float64Array(DEFAULT_ORDERS.length);
  const approximate = new Float64Array(DEFAULT_ORDERS.length);
  let anyApproximate = false;
  let pureEpsilon = 0;
  let sumEpsilon = 0;
  let sumDelta = 0;
  spends.forEach((spend, i) => {
    const cost = checkPrivacyCost(spend?.cost, `spends[${i}].cost`);
    const epsilon = finiteAtLeast(`spends[${i}].epsilon`, spend.epsilon, 0, false);
    const ownDelta = finiteAtLeast(`spends[${i}].delta`, spend.delta, 0, false);
    const rdp = rdpOfCost(cost);
    for (let k = 0; k < all.length; k++) all[k] += rdp[k];
    if (cost.mechanism === 'laplace') {
      pureEpsilon += cost.epsilon;
    } else {
      anyApproximate = true;
      for (let k = 0; k < approximate.length; k++) approximate[k] += rdp[k];
    }
    sumEpsilon += epsilon;
    sumDelta += ownDelta;
  });
  const boundA = getPrivacySpent({ orders: DEFAULT_ORDERS, rdp: all, delta }).epsilon;
  const boundB = (anyApproximate ? getPrivacySpent({ orders: DEFAULT_ORDERS, rdp: approximate, delta }).epsilon : 0) + pureEpsilon;
  const boundC = sumDelta <= delta ? sumEpsilon : Infinity;
  return Math.min(boundA, boundB, boundC);
}
