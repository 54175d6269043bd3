/**
 * The aggregation math behind every strategy, as pure functions (Flower keeps strategy math in
 * `aggregate.py` the same way): inputs are checked and never modified, outputs are new arrays.
 *
 * - {@link weightedMean} / {@link meanFromSum}: FedAvg (McMahan et al., AISTATS 2017, Alg. 1),
 *   from individual results or from a (possibly securely aggregated) sum.
 * - {@link coordinateMedian} / {@link trimmedMean}: Yin et al., "Byzantine-Robust Distributed
 *   Learning: Towards Optimal Statistical Rates", ICML 2018, Def. 1 and 2.
 * - {@link krumSelect}: Blanchard et al., "Machine Learning with Adversaries: Byzantine Tolerant
 *   Gradient Descent", NeurIPS 2017, §4 (Krum and Multi-Krum).
 * - Server optimizers (FedAdam, FedYogi) live in `adaptive.ts` and are re-exported here.
 */
import { squaredDistance } from '../math/linalg.js';
import { checkFitResults, checkNumber, checkVector, checkVectors } from './check.js';
import type { FitResult, SumInput } from './strategy.js';

export { serverAdam, serverYogi, initialServerMoments } from './adaptive.js';
export type { ServerOptimizerOptions, ServerOptimizerInput, ServerOptimizerStep } from './adaptive.js';

/**
 * Example-weighted mean Σ (nᵢ/N)·θᵢ of the nodes' parameters, N = Σ nᵢ (FedAvg).
 *
 * Weights are normalised before multiplying so that no intermediate exceeds the largest
 * parameter in magnitude. Nodes with `numExamples = 0` contribute nothing; a zero total is a
 * `RangeError` because the mean is then undefined.
 *
 * @example weightedMean([{ nodeId: 'a', parameters: f64(1, 2), numExamples: 10 },
 *                        { nodeId: 'b', parameters: f64(3, 6), numExamples: 30 }]) // [2.5, 5]
 */
export function weightedMean(results: readonly FitResult[]): Float64Array {
  const dim = checkFitResults('results', results);
  let totalWeight = 0;
  for (const r of results) totalWeight += r.numExamples;
  if (!(totalWeight > 0) || !Number.isFinite(totalWeight)) {
    throw new RangeError(`results: total numExamples must be a finite number > 0, got ${totalWeight}`);
  }
  const mean = new Float64Array(dim);
  for (const r of results) {
    const weight = r.numExamples / totalWeight;
    if (weight === 0) continue;
    for (let i = 0; i < dim; i++) mean[i] += weight * r.parameters[i];
  }
  return mean;
}

/**
 * The FedAvg mean Σ nᵢ·θᵢ / Σ nᵢ from its two sums, which is all a coordinator sees under
 * secure aggregation. `RangeError` if `numNodes` is not a positive integer (an empty round) or
 * `totalWeight` is not > 0.
 */
export function meanFromSum(input: SumInput): Float64Array {
  if (typeof input !== 'object' || input === null) throw new TypeError('input: expected a SumInput object');
  checkNumber('input.numNodes', input.numNodes, { min: 1, integer: true });
  const totalWeight = checkNumber('input.totalWeight', input.totalWeight, { min: 0, minExclusive: true });
  const sum = checkVector('input.weightedSum', input.weightedSum);
  const mean = new Float64Array(sum.length);
  for (let i = 0; i < sum.length; i++) mean[i] = sum[i] / totalWeight;
  return mean;
}

/**
 * Coordinate-wise median of the vectors (Yin et al. 2018, Def. 1); for an even count, the
 * midpoint of the two middle values, as numpy's `median` (and so Flower's FedMedian) does.
 * Unweighted: robust rules ignore the self-reported `numExamples`, which a Byzantine node
 * could inflate.
 *
 * @example coordinateMedian([f64(1, 5, 3), f64(2, 2, 2), f64(9, 0, 1)]) // [2, 2, 2]
 */
export function coordinateMedian(vectors: readonly Float64Array[]): Float64Array {
  const dim = checkVectors('vectors', vectors);
  const n = vectors.length;
  const out = new Float64Array(dim);
  const column = new Float64Array(n);
  for (let i = 0; i < dim; i++) {
    for (let k = 0; k < n; k++) column[k] = vectors[k][i];
    column.sort();
    out[i] = n % 2 === 1 ? column[(n - 1) / 2] : midpoint(column[n / 2 - 1], column[n / 2]);
  }
  return out;
}

/**
 * Coordinate-wise β-trimmed mean (Yin et al. 2018, Def. 2): per coordinate, drop the
 * ⌊β·n⌋ smallest and ⌊β·n⌋ largest values and average the rest. `beta` in [0, 0.5), so at
 * least one value always remains; β = 0 is the plain mean. Unweighted, like the median.
 *
 * @example trimmedMean([f64(1), f64(2), f64(3), f64(4), f64(100)], 0.2) // [3]
 */
export function trimmedMean(vectors: readonly Float64Array[], beta: number): Float64Array {
  checkNumber('beta', beta, { min: 0, max: 0.5, maxExclusive: true });
  const dim = checkVectors('vectors', vectors);
  const n = vectors.length;
  const numTrimmed = Math.floor(beta * n); // per end; same rounding as scipy's trim_mean
  const numKept = n - 2 * numTrimmed;
  const out = new Float64Array(dim);
  const column = new Float64Array(n);
  for (let i = 0; i < dim; i++) {
    for (let k = 0; k < n; k++) column[k] = vectors[k][i];
    column.sort();
    let mean = 0;
    // Dividing each term first keeps partial sums within the range of the inputs (no overflow).
    for (let k = numTrimmed; k < n - numTrimmed; k++) mean += column[k] / numKept;
    // The exact mean lies between the extreme kept values; clamping only removes rounding
    // error, so n identical values give back exactly that value.
    out[i] = clamp(mean, column[numTrimmed], column[n - numTrimmed - 1]);
  }
  return out;
}

/** Options of {@link krumSelect}. */
export interface KrumOptions {
  /** f: the number of Byzantine nodes to tolerate; requires n > 2f + 2 vectors. */
  readonly numByzantine: number;
  /** m: how many best-scored vectors to average (Multi-Krum); 1 is plain Krum. At most n − f. */
  readonly multiKrum?: number;
}

/** Result of {@link krumSelect}. */
export interface KrumSelection {
  /** The unweighted mean of the selected vectors (the selected vector itself when m = 1). */
  readonly parameters: Float64Array;
  /** Indices of the selected vectors, best score first (ties broken by lower index). */
  readonly selected: readonly number[];
  /** Each vector's Krum score: sum of squared distances to its n − f − 2 nearest others. */
  readonly scores: Float64Array;
}

/**
 * Krum / Multi-Krum (Blanchard et al., NeurIPS 2017, §4). Each vector is scored by the sum of
 * squared distances to its n − f − 2 nearest neighbours; the m lowest-scored vectors are
 * averaged. Requires n > 2f + 2 (the paper's condition, `RangeError` otherwise) and
 * 1 ≤ m ≤ n − f, since any larger selection must include a Byzantine vector when f are
 * present. O(n²·d) time.
 *
 * @example krumSelect(vectors, { numByzantine: 1 }).selected[0] // index of the chosen vector
 */
export function krumSelect(vectors: readonly Float64Array[], options: KrumOptions): KrumSelection {
  if (typeof options !== 'object' || options === null) throw new TypeError('options: expected { numByzantine, multiKrum? }');
  const dim = checkVectors('vectors', vectors);
  const n = vectors.length;
  const f = checkNumber('numByzantine', options.numByzantine, { min: 0, integer: true });
  if (n <= 2 * f + 2) {
    throw new RangeError(`numByzantine: Krum needs more than 2·${f} + 2 = ${2 * f + 2} updates to tolerate ${f} Byzantine nodes, got ${n}`);
  }
  const m = checkNumber('multiKrum', options.multiKrum ?? 1, { min: 1, max: n - f, integer: true });

  const distances = new Float64Array(n * n);
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) distances[a * n + b] = distances[b * n + a] = squaredDistance(vectors[a], vectors[b]);
  }
  const numNeighbours = n - f - 2;
  const scores = new Float64Array(n);
  const others = new Float64Array(n - 1);
  for (let a = 0; a < n; a++) {
    let k = 0;
    for (let b = 0; b < n; b++) if (b !== a) others[k++] = distances[a * n + b];
    others.sort();
    let score = 0;
    for (let j = 0; j < numNeighbours; j++) score += others[j];
    scores[a] = score;
  }

  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b] || a - b);
  const selected = order.slice(0, m);
  const parameters = new Float64Array(dim);
  for (const index of selected) {
    const v = vectors[index];
    for (let i = 0; i < dim; i++) parameters[i] += v[i] / m;
  }
  return { parameters, selected, scores };
}

/** (a + b) / 2 without overflow, kept inside [a, b] despite rounding (a ≤ b). */
function midpoint(a: number, b: number): number {
  return clamp(0.5 * a + 0.5 * b, a, b);
}

function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}
