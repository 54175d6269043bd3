/**
 * Record-level DP-SGD on a node's own rows (Abadi et al., "Deep Learning with Differential
 * Privacy", CCS 2016, Algorithm 1, with Poisson sampling as analysed by Mironov, Talwar & Zhang
 * 2019 and implemented by Opacus): every step samples each row independently with probability
 * q, computes per-example gradients, clips each to L2 norm C, sums them, adds N(0, σ²C²) to
 * every coordinate, divides by the *expected* batch size q·n (Opacus' convention: dividing by
 * the realised size would leak it) and takes an optimizer step. The L2 penalty gradient is added
 * after the noise: it depends on the parameters only, never on a record.
 *
 * What the guarantee covers: the rows passed in `data`. The encoder that turned them into
 * features was fitted from the federation's summed statistics, a separate release that this
 * guarantee does not cover (see docs/privacy.md); so is the row count n, which nodes report.
 * The loss returned for diagnostics is not private and must not leave the node.
 */
import type { Matrix } from '../math/linalg.js';
import { Random } from '../math/random.js';
import type { Model } from '../model/model.js';
import { Adam, Sgd, type Optimizer } from '../model/optimizer.js';
import { clipByL2Norm, addGaussianNoise } from './mechanisms.js';
import type { NoiseSource } from './noiseSource.js';
import { stepsPerEpoch } from './plan.js';

/** Options of {@link trainLocalDp}. */
export interface DpTrainOptions {
  /** Passes over the data, ≥ 1; each is round(1/sampleRate) steps. */
  readonly epochs: number;
  /** Poisson sampling rate q in (0, 1]: each row joins each step's batch with probability q. */
  readonly sampleRate: number;
  /** Learning rate, > 0. */
  readonly lr: number;
  /** Default 'sgd'. */
  readonly optimizer?: 'sgd' | 'adam';
  /** SGD momentum in [0, 1) (default 0). Ignored by Adam. */
  readonly momentum?: number;
  /** L2 coefficient on weights (not biases), ≥ 0 (default 0). */
  readonly l2?: number;
  /** Per-example L2 clipping norm C > 0; Infinity (no clipping) only with noiseMultiplier 0. */
  readonly maxGradNorm: number;
  /** σ ≥ 0: noise std is σ·C per coordinate of the summed gradient. */
  readonly noiseMultiplier: number;
  /** Generator of the Poisson samples. Its stream must be secret for the sampling to amplify privacy. */
  readonly rng: Random;
  /** Source of the Gaussian noise (cryptoNoiseSource() in production). */
  readonly noise: NoiseSource;
}

/** Local data: encoded features and labels (1 = bad). */
export interface DpTrainData {
  readonly x: Matrix;
  readonly y: Float64Array;
}

/** What a DP-SGD run did. */
export interface DpTrainResult {
  /** Rows the run could have sampled (n). */
  readonly numExamples: number;
  /** Noisy steps taken (= epochs × round(1/q)), what the accountant charges. */
  readonly steps: number;
  /** Mean log loss of the sampled rows in the last epoch (diagnostic only: not private). */
  readonly meanLoss: number;
}

interface Settings {
  epochs: number; sampleRate: number; lr: number; optimizer: 'sgd' | 'adam'; momentum: number; l2: number;
  maxGradNorm: number; noiseMultiplier: number; rng: Random; noise: NoiseSource;
}

function checkNumber(name: string, value: unknown, o: { min: number; max?: number; exclusiveMin?: boolean; integer?: boolean; allowInfinity?: boolean }): number {
  if (typeof value !== 'number') throw new TypeError(`options.${name}: expected a number, got ${typeof value}`);
  const finite = Number.isFinite(value) || (o.allowInfinity && value === Infinity);
  const low = o.exclusiveMin ? !(value > o.min) : !(value >= o.min);
  if (!finite || low || (o.max !== undefined && value > o.max) || (o.integer && !Number.isInteger(value))) {
    throw new RangeError(`options.${name}: expected ${o.integer ? 'an integer' : 'a number'} ${o.exclusiveMin ? '>' : '≥'} ${o.min}${o.max !== undefined ? ` and ≤ ${o.max}` : ''}, got ${value}`);
  }
  return value;
}

function checkOptions(options: DpTrainOptions): Settings {
  if (typeof options !== 'object' || options === null) throw new TypeError('options: expected an object');
  const optimizer = options.optimizer ?? 'sgd';
  if (optimizer !== 'sgd' && optimizer !== 'adam') throw new RangeError(`options.optimizer: expected 'sgd' or 'adam', got ${String(optimizer)}`);
  if (!(options.rng instanceof Random)) throw new TypeError('options.rng: expected a Random');
  const noise = options.noise as NoiseSource | null;
  if (noise === null || typeof noise !== 'object' || typeof noise.normal !== 'function') throw new TypeError('options.noise: expected a NoiseSource');
  const maxGradNorm = checkNumber('maxGradNorm', options.maxGradNorm, { min: 0, exclusiveMin: true, allowInfinity: true });
  const noiseMultiplier = checkNumber('noiseMultiplier', options.noiseMultiplier, { min: 0 });
  if (maxGradNorm === Infinity && noiseMultiplier > 0) throw new RangeError('options.maxGradNorm: must be finite when noiseMultiplier > 0 (the noise is σ·C)');
  return {
    epochs: checkNumber('epochs', options.epochs, { min: 1, max: 1_000_000, integer: true }),
    sampleRate: checkNumber('sampleRate', options.sampleRate, { min: 0, max: 1, exclusiveMin: true }),
    lr: checkNumber('lr', options.lr, { min: 0, exclusiveMin: true }),
    optimizer,
    momentum: checkNumber('momentum', options.momentum ?? 0, { min: 0, max: 0.999999 }),
    l2: checkNumber('l2', options.l2 ?? 0, { min: 0 }),
    maxGradNorm, noiseMultiplier, rng: options.rng, noise,
  };
}

function checkData(model: Model, data: DpTrainData): { x: Matrix; y: Float64Array } {
  if (typeof data !== 'object' || data === null) throw new TypeError('data: expected { x, y }');
  const { x, y } = data;
  if (typeof x !== 'object' || x === null || !(x.data instanceof Float64Array)) throw new TypeError('data.x: expected a Matrix');
  if (x.cols !== model.numFeatures) throw new RangeError(`data.x: expected ${model.numFeatures} columns, got ${x.cols}`);
  if (!Number.isInteger(x.rows) || x.rows < 1 || x.data.length !== x.rows * x.cols) throw new RangeError('data.x: expected at least one row and data of length rows × cols');
  if (!(y instanceof Float64Array) || y.length !== x.rows) throw new RangeError(`data.y: expected a Float64Array of ${x.rows} labels`);
  return { x, y };
}

/**
 * Which parameters the L2 penalty applies to, found by asking the model itself: with every
 * parameter at 1 and an all-zero input row, the penalty's gradient l2·θ is exactly 1 on the
 * penalised parameters and 0 elsewhere. Probing keeps this file free of any model's naming
 * convention, and the probe uses no record.
 */
export function l2Mask(model: Model): Float64Array {
  const probe = model.clone();
  const p = model.numParameters;
  probe.setParameters(new Float64Array(p).fill(1));
  const batch = { x: { data: new Float64Array(model.numFeatures), rows: 1, cols: model.numFeatures }, y: new Float64Array(1) };
  const withL2 = new Float64Array(p);
  const without = new Float64Array(p);
  probe.lossAndGradient(batch, withL2, { l2: 1 });
  probe.lossAndGradient(batch, without);
  return Float64Array.from(withL2, (g, i) => (Math.abs(g - without[i] - 1) < 1e-6 ? 1 : 0));
}

/** Log loss of one prediction, guarded against log(0). */
function logLoss(p: number, y: number): number {
  const q = Math.min(Math.max(p, 1e-15), 1 - 1e-15);
  return -(y * Math.log(q) + (1 - y) * Math.log(1 - q));
}

/**
 * Train `model` in place with DP-SGD on `data`; see the module comment for the algorithm.
 * The same `rng` and `noise` streams give the same parameters bit for bit.
 *
 * @example
 * trainLocalDp(model, { x, y }, { epochs: 1, sampleRate: 0.1, lr: 0.05, optimizer: 'adam', l2: 1e-3,
 *   maxGradNorm: 1, noiseMultiplier: 1.1, rng, noise: cryptoNoiseSource() });
 */
export function trainLocalDp(model: Model, data: DpTrainData, options: DpTrainOptions): DpTrainResult {
  const { x, y } = checkData(model, data);
  const s = checkOptions(options);
  const n = x.rows;
  const d = x.cols;
  const p = model.numParameters;
  const mask = s.l2 > 0 ? l2Mask(model) : undefined;
  const optimizer: Optimizer = s.optimizer === 'adam' ? new Adam({ lr: s.lr }) : new Sgd({ lr: s.lr, momentum: s.momentum });
  const params = model.getParameters();
  const sum = new Float64Array(p);
  const expectedBatch = s.sampleRate * n;
  const noiseStd = s.noiseMultiplier === 0 ? 0 : s.noiseMultiplier * s.maxGradNorm;
  // Buffers sized for a typical Poisson batch and grown on demand, so a large dataset at a small
  // sampling rate never allocates n × numParameters.
  let capacity = Math.min(n, Math.ceil(expectedBatch + 4 * Math.sqrt(expectedBatch) + 8));
  let xBuffer = new Float64Array(capacity * d);
  let yBuffer = new Float64Array(capacity);
  let perExample = new Float64Array(capacity * p);
  const steps = stepsPerEpoch(s.sampleRate);

  let step = 0;
  let lossSum = 0;
  let lossCount = 0;
  for (let epoch = 0; epoch < s.epochs; epoch++) {
    const lastEpoch = epoch === s.epochs - 1;
    for (let k = 0; k < steps; k++, step++) {
      let size = 0;
      for (let i = 0; i < n; i++) {
        if (!(s.rng.next() < s.sampleRate)) continue;
        if (size === capacity) {
          capacity = Math.min(n, capacity * 2);
          xBuffer = grow(xBuffer, capacity * d);
          yBuffer = grow(yBuffer, capacity);
          perExample = grow(perExample, capacity * p);
        }
        xBuffer.set(x.data.subarray(i * d, (i + 1) * d), size * d);
        yBuffer[size++] = y[i];
      }
      sum.fill(0);
      if (size > 0) {
        const batchX = { data: xBuffer.subarray(0, size * d), rows: size, cols: d };
        const batchY = yBuffer.subarray(0, size);
        if (lastEpoch) {
          const proba = model.predictProba(batchX);
          for (let b = 0; b < size; b++) lossSum += logLoss(proba[b], batchY[b]);
          lossCount += size;
        }
        const rows = perExample.subarray(0, size * p);
        model.perExampleGradients(batchX, batchY, rows);
        for (let b = 0; b < size; b++) {
          const row = rows.subarray(b * p, (b + 1) * p);
          if (s.maxGradNorm !== Infinity) clipByL2Norm(row, s.maxGradNorm);
          for (let j = 0; j < p; j++) sum[j] += row[j];
        }
      }
      // An empty batch is still a noisy step: skipping it would change what the accountant assumes.
      addGaussianNoise(sum, noiseStd, s.noise);
      for (let j = 0; j < p; j++) sum[j] /= expectedBatch;
      if (mask) for (let j = 0; j < p; j++) sum[j] += s.l2 * mask[j] * params[j];
      optimizer.step(params, sum);
      model.setParameters(params);
    }
  }
  return { numExamples: n, steps: step, meanLoss: lossCount > 0 ? lossSum / lossCount : NaN };
}

function grow(buffer: Float64Array, length: number): Float64Array<ArrayBuffer> {
  const out = new Float64Array(length);
  out.set(buffer);
  return out;
}
