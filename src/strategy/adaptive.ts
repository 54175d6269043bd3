/**
 * Server-side adaptive optimizers for federated learning: Reddi et al., "Adaptive Federated
 * Optimization", ICLR 2021, Algorithm 2 (FedAdam and FedYogi).
 *
 * The averaged node parameters define a pseudo-gradient Δ = average − current; the server keeps
 * first and second moments m, v of Δ across rounds and takes the step
 * x ← x + η·m / (√v + τ). Per Algorithm 2 there is no bias correction, and the second moment
 * starts at v₋₁ = τ² (the paper requires v₋₁ ≥ τ²; Flower starts at 0, a negligible difference
 * for its default τ). Each coordinate moves by at most about η per round once v has caught up
 * with Δ², which is what makes these optimizers robust to the scale of the nodes' updates.
 */
import { checkNumber, checkVector } from './check.js';

/** Hyper-parameters of {@link serverAdam} / {@link serverYogi} (all required; defaults live with the strategies). */
export interface ServerOptimizerOptions {
  /** η: server learning rate, > 0. */
  readonly serverLr: number;
  /** β₁: decay of the first moment, in [0, 1). */
  readonly beta1: number;
  /** β₂: decay of the second moment, in [0, 1). */
  readonly beta2: number;
  /** τ: adaptivity floor added to √v, > 0; small τ means more adaptive steps. */
  readonly tau: number;
}

/** One optimizer step's inputs; none of the arrays is modified. */
export interface ServerOptimizerInput {
  /** x: the global parameters sent this round. */
  readonly current: Float64Array;
  /** The (example-weighted) average of the nodes' parameters this round. */
  readonly average: Float64Array;
  /** First moment from the previous round (see {@link initialServerMoments}). */
  readonly m: Float64Array;
  /** Second moment from the previous round, entries ≥ 0. */
  readonly v: Float64Array;
}

/** One optimizer step's outputs: the next global parameters and the moments to keep. */
export interface ServerOptimizerStep {
  readonly parameters: Float64Array;
  readonly m: Float64Array;
  readonly v: Float64Array;
}

/**
 * The moments before the first round: m₋₁ = 0 and v₋₁ = τ² (Reddi et al. 2021, Alg. 2 input).
 *
 * @example const { m, v } = initialServerMoments(current.length, 1e-3);
 */
export function initialServerMoments(dim: number, tau: number): { m: Float64Array; v: Float64Array } {
  checkNumber('dim', dim, { min: 0, integer: true });
  checkNumber('tau', tau, { min: 0, minExclusive: true });
  return { m: new Float64Array(dim), v: new Float64Array(dim).fill(tau * tau) };
}

/**
 * One FedAdam server step (Reddi et al. 2021, Alg. 2):
 * Δ = average − current; m = β₁m + (1−β₁)Δ; v = β₂v + (1−β₂)Δ²; x = x + η·m/(√v + τ).
 *
 * @example serverAdam({ current, average, ...initialServerMoments(d, 0.1) },
 *                     { serverLr: 0.1, beta1: 0.9, beta2: 0.99, tau: 0.1 })
 */
export function serverAdam(input: ServerOptimizerInput, options: ServerOptimizerOptions): ServerOptimizerStep {
  return serverStep(input, options, (v, deltaSquared, beta2) => beta2 * v + (1 - beta2) * deltaSquared);
}

/**
 * One FedYogi server step (Reddi et al. 2021, Alg. 2): as {@link serverAdam} but with
 * v = v − (1−β₂)·Δ²·sign(v − Δ²), which moves v additively towards Δ² so that it cannot
 * shrink as fast as Adam's when updates suddenly get small (Zaheer et al., NeurIPS 2018).
 */
export function serverYogi(input: ServerOptimizerInput, options: ServerOptimizerOptions): ServerOptimizerStep {
  return serverStep(input, options, (v, deltaSquared, beta2) => v - (1 - beta2) * deltaSquared * Math.sign(v - deltaSquared));
}

type SecondMomentRule = (v: number, deltaSquared: number, beta2: number) => number;

function serverStep(input: ServerOptimizerInput, options: ServerOptimizerOptions, secondMoment: SecondMomentRule): ServerOptimizerStep {
  if (typeof input !== 'object' || input === null) throw new TypeError('input: expected { current, average, m, v }');
  if (typeof options !== 'object' || options === null) throw new TypeError('options: expected { serverLr, beta1, beta2, tau }');
  const serverLr = checkNumber('serverLr', options.serverLr, { min: 0, minExclusive: true });
  const beta1 = checkNumber('beta1', options.beta1, { min: 0, max: 1, maxExclusive: true });
  const beta2 = checkNumber('beta2', options.beta2, { min: 0, max: 1, maxExclusive: true });
  const tau = checkNumber('tau', options.tau, { min: 0, minExclusive: true });
  const current = checkVector('current', input.current);
  const dim = current.length;
  const average = checkVector('average', input.average, dim);
  const mPrev = checkVector('m', input.m, dim);
  const vPrev = checkVector('v', input.v, dim);
  for (let i = 0; i < dim; i++) if (vPrev[i] < 0) throw new RangeError(`v[${i}]: second moment must be ≥ 0, got ${vPrev[i]}`);

  const parameters = new Float64Array(dim);
  const m = new Float64Array(dim);
  const v = new Float64Array(dim);
  for (let i = 0; i < dim; i++) {
    const delta = average[i] - current[i];
    m[i] = beta1 * mPrev[i] + (1 - beta1) * delta;
    v[i] = secondMoment(vPrev[i], delta * delta, beta2);
    parameters[i] = current[i] + (serverLr * m[i]) / (Math.sqrt(v[i]) + tau);
  }
  return { parameters, m, v };
}
