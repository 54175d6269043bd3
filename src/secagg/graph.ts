/**
 * Who masks with whom. Classic SecAgg (Bonawitz et al., CCS 2017) pairs every client with every
 * other: O(n) key agreements and mask expansions per client. SecAgg+ (Bell et al., CCS 2020,
 * §4) pairs each client only with its k neighbours in a random k-regular graph, k = O(log n),
 * and shares its secrets among those neighbours with a threshold relative to k.
 *
 * Construction (Bell et al.'s choice): the Harary graph H(k, n) — clients on a ring, each linked
 * to the k/2 nearest on either side — under a random relabelling of the clients. The relabelling
 * is a permutation drawn from a seeded generator, so every party rebuilds the same graph from
 * the public session seed; the seed should be fresh per round (e.g. random bytes from the
 * server), since the graph itself is public and needs no secrecy, only unpredictability before
 * clients commit their keys.
 */
import { deriveRandom } from '../math/random.js';

/** A communication graph over clients 0..numClients−1 (plain data, rebuilt from its seed). */
export interface SecAggGraph {
  readonly numClients: number;
  /** Degree k: numClients − 1 for the complete graph of classic SecAgg, otherwise even. */
  readonly numNeighbours: number;
  readonly seed: string;
  /** position[i] = place of client i on the ring. */
  readonly position: readonly number[];
  /** order[p] = client at ring place p (inverse of `position`). */
  readonly order: readonly number[];
}

/** Options of {@link buildGraph}. */
export interface GraphOptions {
  readonly numClients: number;
  /** Degree k; omit (or pass numClients − 1) for the complete graph. Must be even otherwise. */
  readonly numNeighbours?: number;
  readonly seed: string;
}

/**
 * Build the (relabelled Harary) graph. Complete when `numNeighbours` is omitted or ≥ n − 1.
 *
 * @example neighbours(buildGraph({ numClients: 1000, numNeighbours: 20, seed: 'job-7/round-3' }), 5)
 */
export function buildGraph(options: GraphOptions): SecAggGraph {
  const { numClients, seed } = options;
  if (!Number.isInteger(numClients) || numClients < 2) throw new RangeError(`numClients: expected an integer ≥ 2, got ${numClients}`);
  if (typeof seed !== 'string') throw new TypeError('seed: expected a string');
  let k = options.numNeighbours ?? numClients - 1;
  if (!Number.isInteger(k) || k < 2) throw new RangeError(`numNeighbours: expected an integer ≥ 2, got ${k}`);
  if (k >= numClients - 1) k = numClients - 1;
  else if (k % 2 !== 0) throw new RangeError(`numNeighbours: a Harary ring needs an even degree below numClients − 1, got ${k}`);
  const order = Array.from(deriveRandom(seed, 'secagg', 'graph', numClients, k).permutation(numClients));
  const position = new Array<number>(numClients);
  for (let p = 0; p < numClients; p++) position[order[p]] = p;
  return { numClients, numNeighbours: k, seed, position, order };
}

/** True when the graph links every pair (classic SecAgg). */
export function isComplete(graph: SecAggGraph): boolean {
  return graph.numNeighbours === graph.numClients - 1;
}

/** Whether clients a ≠ b are linked. */
export function isNeighbour(graph: SecAggGraph, a: number, b: number): boolean {
  if (a === b) return false;
  if (isComplete(graph)) return true;
  const d = Math.abs(graph.position[a] - graph.position[b]);
  return Math.min(d, graph.numClients - d) <= graph.numNeighbours / 2;
}

/** The neighbours of `clientIndex`, ascending (self excluded). */
export function neighbours(graph: SecAggGraph, clientIndex: number): number[] {
  const n = graph.numClients;
  if (!Number.isInteger(clientIndex) || clientIndex < 0 || clientIndex >= n) {
    throw new RangeError(`clientIndex: expected an integer in [0, ${n - 1}], got ${clientIndex}`);
  }
  const out: number[] = [];
  if (isComplete(graph)) {
    for (let j = 0; j < n; j++) if (j !== clientIndex) out.push(j);
    return out;
  }
  const p = graph.position[clientIndex];
  const half = graph.numNeighbours / 2;
  for (let d = 1; d <= half; d++) {
    out.push(graph.order[(p + d) % n], graph.order[(p - d + n) % n]);
  }
  return out.sort((x, y) => x - y);
}

/** Result of {@link chooseNeighbourhood}. */
export interface NeighbourhoodChoice {
  readonly numNeighbours: number;
  readonly threshold: number;
  /** Union bound on P(some client's secret cannot be rebuilt) under the dropout model. */
  readonly failureBound: number;
}

/**
 * Pick SecAgg+ parameters: the smallest even degree k ≥ 2·log2(n) such that, when each client
 * independently fails to answer the unmask stage with probability `dropoutRate`, the chance
 * that any client has fewer than t = ⌈thresholdFraction·(k+1)⌉ answering neighbours is at most
 * `failureProbability` (union bound over the n clients of the binomial tail
 * P[Bin(k, 1 − dropoutRate) < t]; a dropout set of fixed size is an approximation of this).
 * Falls back to the complete graph when no smaller k qualifies; check `failureBound`.
 * A larger `thresholdFraction` tolerates more colluding neighbours and costs a larger k.
 *
 * @example chooseNeighbourhood({ numClients: 1000, dropoutRate: 0.3, thresholdFraction: 0.5 })
 */
export function chooseNeighbourhood(options: {
  numClients: number;
  dropoutRate: number;
  thresholdFraction?: number;
  failureProbability?: number;
}): NeighbourhoodChoice {
  const { numClients: n, dropoutRate } = options;
  const fraction = options.thresholdFraction ?? 0.5;
  const target = options.failureProbability ?? 1e-6;
  if (!Number.isInteger(n) || n < 3) throw new RangeError(`numClients: expected an integer ≥ 3, got ${n}`);
  if (!(dropoutRate >= 0 && dropoutRate < 1)) throw new RangeError(`dropoutRate: expected a number in [0, 1), got ${dropoutRate}`);
  if (!(fraction > 0 && fraction <= 1)) throw new RangeError(`thresholdFraction: expected a number in (0, 1], got ${fraction}`);
  if (!(target > 0 && target < 1)) throw new RangeError(`failureProbability: expected a number in (0, 1), got ${target}`);
  const thresholdFor = (k: number): number => Math.min(k + 1, Math.max(2, Math.ceil(fraction * (k + 1))));
  const boundFor = (k: number, t: number): number => Math.min(1, n * binomialCdfBelow(k, 1 - dropoutRate, t));
  let k = Math.max(2, 2 * Math.ceil(Math.log2(n)));
  for (; k < n - 1; k += 2) {
    const t = thresholdFor(k);
    const bound = boundFor(k, t);
    if (bound <= target) return { numNeighbours: k, threshold: t, failureBound: bound };
  }
  const t = thresholdFor(n - 1);
  return { numNeighbours: n - 1, threshold: t, failureBound: boundFor(n - 1, t) };
}

/** P[Bin(trials, p) < t], summed in log space so large `trials` do not underflow. */
export function binomialCdfBelow(trials: number, p: number, t: number): number {
  if (t <= 0) return 0;
  if (t > trials) return 1;
  if (p <= 0) return 1;
  if (p >= 1) return 0;
  const logRatio = Math.log(p) - Math.log1p(-p);
  let logPmf = trials * Math.log1p(-p); // log P[X = 0]
  const logs: number[] = [logPmf];
  for (let i = 0; i < t - 1; i++) {
    logPmf += Math.log((trials - i) / (i + 1)) + logRatio;
    logs.push(logPmf);
  }
  let top = -Infinity;
  for (const l of logs) if (l > top) top = l;
  let sum = 0;
  for (const l of logs) sum += Math.exp(l - top);
  return Math.min(1, Math.exp(top + Math.log(sum)));
}
