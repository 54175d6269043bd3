/**
 * Client-level DP-FedAvg (McMahan, Ramage, Talwar & Zhang, "Learning Differentially Private
 * Recurrent Language Models", ICLR 2018, Algorithm 1): each node's update Δ = θ_local − θ_global
 * is clipped to L2 norm S, the clipped updates are summed, Gaussian noise N(0, z²S²) is added to
 * the sum, and the server moves θ_global by the noisy sum over a fixed denominator. The guarantee
 * is about a whole node's data (client-level), accounted as z-noise SGM steps at the node
 * sampling rate, one per round.
 *
 * Where the noise comes from:
 * - server: the coordinator adds N(0, z²S²) to the sum ({@link addServerNoise}). Nodes must trust
 *   the coordinator to do so and to discard the individual updates.
 * - shared out: each of n nodes adds N(0, z²S²/n) to its own clipped update
 *   ({@link privatizeUpdate}), so the sum of n updates carries exactly the noise the analysis
 *   needs. With secure aggregation the coordinator only sees that sum. Trust assumption: the
 *   other nodes are honest (a node that skips its share lowers everyone's noise), and at least
 *   n nodes take part in each round. With n = 1 every node adds all the noise itself and trusts
 *   no one, at n times the total noise.
 */
import { clipByL2Norm, addGaussianNoise } from './mechanisms.js';
import type { NoiseSource } from './noiseSource.js';
import { epsilonFor, type PrivacySpent } from './rdp.js';

function checkVector(name: string, value: unknown, length?: number): Float64Array {
  if (!(value instanceof Float64Array)) throw new TypeError(`${name}: expected a Float64Array`);
  if (length !== undefined && value.length !== length) throw new RangeError(`${name}: expected length ${length}, got ${value.length}`);
  for (let i = 0; i < value.length; i++) if (!Number.isFinite(value[i])) throw new RangeError(`${name}: entry ${i} is not finite (${value[i]})`);
  return value;
}

function checkPositive(name: string, value: unknown): number {
  if (typeof value !== 'number') throw new TypeError(`${name}: expected a number, got ${typeof value}`);
  if (!(value > 0) || !Number.isFinite(value)) throw new RangeError(`${name}: expected a finite number > 0, got ${value}`);
  return value;
}

/**
 * The clipped update min(1, S/‖Δ‖)·Δ of Δ = local − global (a new array), and the factor applied.
 *
 * @example const { update } = clipUpdate(localParameters, globalParameters, 0.5);
 */
export function clipUpdate(local: Float64Array, global: Float64Array, clipNorm: number): { update: Float64Array; factor: number } {
  checkVector('global', global);
  checkVector('local', local, global.length);
  checkPositive('clipNorm', clipNorm);
  const update = new Float64Array(global.length);
  for (let i = 0; i < update.length; i++) update[i] = local[i] - global[i];
  const factor = clipByL2Norm(update, clipNorm);
  return { update, factor };
}

/**
 * A node's DP-FedAvg reply with the noise shared out: global + clip(local − global, S) +
 * N(0, z²S²/numNodes) per coordinate (a new array).
 *
 * @example privatizeUpdate({ local, global, clipNorm: 0.5, noiseMultiplier: 1, numNodes: 5, noise: cryptoNoiseSource() })
 */
export function privatizeUpdate(options: {
  readonly local: Float64Array;
  readonly global: Float64Array;
  readonly clipNorm: number;
  readonly noiseMultiplier: number;
  readonly numNodes: number;
  readonly noise: NoiseSource;
}): Float64Array {
  const { local, global, clipNorm, noiseMultiplier, numNodes, noise } = options;
  if (typeof noiseMultiplier !== 'number' || !(noiseMultiplier >= 0) || !Number.isFinite(noiseMultiplier)) throw new RangeError(`noiseMultiplier: expected a finite number ≥ 0, got ${noiseMultiplier}`);
  if (!Number.isSafeInteger(numNodes) || numNodes < 1) throw new RangeError(`numNodes: expected an integer ≥ 1, got ${numNodes}`);
  const { update } = clipUpdate(local, global, clipNorm);
  // Independent Gaussians add their variances: n shares of z²S²/n make z²S² in the sum.
  addGaussianNoise(update, (noiseMultiplier * clipNorm) / Math.sqrt(numNodes), noise);
  for (let i = 0; i < update.length; i++) update[i] += global[i];
  return update;
}

/**
 * The server-noise variant: add N(0, z²S²) to the sum of clipped updates, in place, and return it.
 */
export function addServerNoise(sumOfUpdates: Float64Array, options: { readonly clipNorm: number; readonly noiseMultiplier: number }, noise: NoiseSource): Float64Array {
  checkVector('sumOfUpdates', sumOfUpdates);
  const clipNorm = checkPositive('clipNorm', options?.clipNorm);
  const z = options.noiseMultiplier;
  if (typeof z !== 'number' || !(z >= 0) || !Number.isFinite(z)) throw new RangeError(`noiseMultiplier: expected a finite number ≥ 0, got ${z}`);
  return addGaussianNoise(sumOfUpdates, z * clipNorm, noise);
}

/**
 * The new global model θ_global + (noisy sum of updates)/expectedNodes, with the fixed
 * denominator qN of McMahan et al.'s estimator f̃_f: dividing by the realised number of nodes
 * would make the denominator depend on who took part.
 */
export function applyNoisyUpdate(global: Float64Array, noisySum: Float64Array, expectedNodes: number): Float64Array {
  checkVector('global', global);
  checkVector('noisySum', noisySum, global.length);
  checkPositive('expectedNodes', expectedNodes);
  return Float64Array.from(global, (g, i) => g + noisySum[i] / expectedNodes);
}

/**
 * Client-level ε of `rounds` DP-FedAvg rounds at node sampling rate q and noise multiplier z,
 * by the RDP accountant (one SGM step per round).
 *
 * @example dpFedAvgEpsilon({ noiseMultiplier: 1, nodeSampleRate: 0.1, rounds: 100, delta: 1e-5 })
 */
export function dpFedAvgEpsilon(options: { readonly noiseMultiplier: number; readonly nodeSampleRate: number; readonly rounds: number; readonly delta: number }): PrivacySpent {
  return epsilonFor({ noiseMultiplier: options.noiseMultiplier, sampleRate: options.nodeSampleRate, steps: options.rounds, delta: options.delta });
}
