/**
 * A node's local training: mini-batch gradient descent over its own rows, starting from the
 * model's current (global) parameters. Each epoch visits the rows in a fresh permutation drawn
 * from the caller's seeded generator, so the same seed gives the same parameters bit for bit.
 * Batches are copied into one reused buffer: the loop allocates nothing per step.
 */
import type { Matrix } from '../math/linalg.js';
import { Random } from '../math/random.js';
import type { Model, Penalty } from './model.js';
import { checkAllFinite, checkFloat64Array, checkInteger, checkLabels, checkMatrix, checkNumber } from './check.js';
import { Adam, Sgd, type Optimizer } from './optimizer.js';

/** Per-class example weights: `bad` multiplies the loss of label-1 rows, `good` of label-0 rows. */
export interface ClassWeights {
  readonly bad: number;
  readonly good: number;
}

/** Options of {@link trainLocal}. */
export interface TrainOptions {
  /** Passes over the data, ≥ 1. */
  readonly epochs: number;
  /** Rows per mini-batch, ≥ 1 (capped at the number of rows). Default 32. */
  readonly batchSize?: number;
  /** Learning rate, > 0. */
  readonly lr: number;
  /** Default 'sgd'. */
  readonly optimizer?: 'sgd' | 'adam';
  /** SGD momentum in [0, 1). Default 0. Ignored by Adam. */
  readonly momentum?: number;
  /** L2 coefficient on weights (not biases), ≥ 0. Default 0. */
  readonly l2?: number;
  /**
   * Class weights, or 'balanced' for n/(2·n_class) computed on this node's rows (the
   * scikit-learn convention). Default: every row weighs 1.
   */
  readonly classWeights?: ClassWeights | 'balanced';
  /** FedProx μ ≥ 0. Default 0. */
  readonly proximalMu?: number;
  /** Proximal anchor; defaults to the parameters at the start of training when μ > 0. */
  readonly anchor?: Float64Array;
  /** Generator for the batch order. */
  readonly rng: Random;
}

/** Local training data: encoded features and labels (1 = bad). */
export interface TrainData {
  readonly x: Matrix;
  readonly y: Float64Array;
}

/** Summary of a local training run. */
export interface TrainResult {
  /** Rows trained on (the FedAvg weight). */
  readonly numExamples: number;
  /** Example-weighted mean of the mini-batch objectives (loss + penalties) over the last epoch. */
  readonly meanLoss: number;
  /** Optimizer steps taken. */
  readonly steps: number;
}

/**
 * Train `model` in place on `data` and report what happened.
 *
 * @example
 * const result = trainLocal(model, { x, y }, { epochs: 1, lr: 0.1, l2: 1e-3, rng: deriveRandom(seed, 'node', id, 'round', r) });
 */
export function trainLocal(model: Model, data: TrainData, options: TrainOptions): TrainResult {
  const { x, y } = checkData(model, data);
  const settings = checkOptions(options, model);
  const exampleWeights = classWeightsFor(y, settings.classWeights);
  const params = model.getParameters();
  const penalty: Penalty = {
    l2: settings.l2,
    proximalMu: settings.proximalMu,
    anchor: settings.proximalMu > 0 ? (settings.anchor ?? params.slice()) : undefined,
  };
  const optimizer: Optimizer =
    settings.optimizer === 'adam' ? new Adam({ lr: settings.lr }) : new Sgd({ lr: settings.lr, momentum: settings.momentum });

  const numRows = x.rows;
  const cols = x.cols;
  const batchSize = Math.min(settings.batchSize, numRows);
  const grad = new Float64Array(model.numParameters);
  const xBuffer = new Float64Array(batchSize * cols);
  const yBuffer = new Float64Array(batchSize);
  const wBuffer = exampleWeights === undefined ? undefined : new Float64Array(batchSize);
  // Two fixed batch shapes: full batches and the final partial one, views over the same buffers.
  const remainder = numRows % batchSize;
  const full = { x: { data: xBuffer, rows: batchSize, cols }, y: yBuffer, weights: wBuffer };
  const partial = {
    x: { data: xBuffer.subarray(0, remainder * cols), rows: remainder, cols },
    y: yBuffer.subarray(0, remainder),
    weights: wBuffer?.subarray(0, remainder),
  };

  let steps = 0;
  let epochLoss = 0;
  for (let epoch = 0; epoch < settings.epochs; epoch++) {
    const order = settings.rng.permutation(numRows);
    epochLoss = 0;
    for (let start = 0; start < numRows; start += batchSize) {
      const rows = Math.min(batchSize, numRows - start);
      for (let r = 0; r < rows; r++) {
        const src = order[start + r];
        const from = src * cols;
        const to = r * cols;
        for (let c = 0; c < cols; c++) xBuffer[to + c] = x.data[from + c];
        yBuffer[r] = y[src];
        if (wBuffer !== undefined) wBuffer[r] = exampleWeights![src];
      }
      const loss = model.lossAndGradient(rows === batchSize ? full : partial, grad, penalty);
      epochLoss += loss * rows;
      optimizer.step(params, grad);
      model.setParameters(params);
      steps++;
    }
  }
  return { numExamples: numRows, meanLoss: epochLoss / numRows, steps };
}

function checkData(model: Model, data: TrainData): TrainData {
  if (typeof data !== 'object' || data === null) throw new TypeError('data: expected { x, y }');
  const x = checkMatrix('data.x', data.x, model.numFeatures);
  if (x.rows === 0) throw new RangeError('data.x: expected at least one row');
  checkAllFinite('data.x', x.data);
  const y = checkLabels('data.y', data.y, x.rows);
  return { x, y };
}

interface Settings {
  readonly epochs: number;
  readonly batchSize: number;
  readonly lr: number;
  readonly optimizer: 'sgd' | 'adam';
  readonly momentum: number;
  readonly l2: number;
  readonly classWeights: ClassWeights | 'balanced' | undefined;
  readonly proximalMu: number;
  readonly anchor: Float64Array | undefined;
  readonly rng: Random;
}

function checkOptions(options: TrainOptions, model: Model): Settings {
  if (typeof options !== 'object' || options === null) throw new TypeError('options: expected an object');
  const optimizer = options.optimizer ?? 'sgd';
  if (optimizer !== 'sgd' && optimizer !== 'adam') throw new RangeError(`options.optimizer: expected 'sgd' or 'adam', got ${String(optimizer)}`);
  if (!(options.rng instanceof Random)) throw new TypeError('options.rng: expected a Random (use deriveRandom)');
  const classWeights = options.classWeights;
  if (classWeights !== undefined && classWeights !== 'balanced') {
    if (typeof classWeights !== 'object' || classWeights === null) throw new TypeError("options.classWeights: expected { bad, good } or 'balanced'");
    checkNumber('options.classWeights.bad', classWeights.bad, 0, true);
    checkNumber('options.classWeights.good', classWeights.good, 0, true);
  }
  const anchor = options.anchor;
  if (anchor !== undefined) {
    checkFloat64Array('options.anchor', anchor, model.numParameters);
    checkAllFinite('options.anchor', anchor);
  }
  return {
    epochs: checkInteger('options.epochs', options.epochs, 1, 1_000_000),
    batchSize: checkInteger('options.batchSize', options.batchSize ?? 32, 1),
    lr: checkNumber('options.lr', options.lr, 0, true),
    optimizer,
    momentum: checkNumber('options.momentum', options.momentum ?? 0, 0),
    l2: checkNumber('options.l2', options.l2 ?? 0, 0),
    classWeights,
    proximalMu: checkNumber('options.proximalMu', options.proximalMu ?? 0, 0),
    anchor,
    rng: options.rng,
  };
}

/** Per-row weights from class weights, or undefined when every row weighs 1. */
function classWeightsFor(y: Float64Array, classWeights: ClassWeights | 'balanced' | undefined): Float64Array | undefined {
  if (classWeights === undefined) return undefined;
  let bad = 0;
  for (let i = 0; i < y.length; i++) bad += y[i];
  const good = y.length - bad;
  const weights =
    classWeights === 'balanced'
      ? // A class absent from this node never contributes, so its weight does not matter.
        { bad: bad > 0 ? y.length / (2 * bad) : 1, good: good > 0 ? y.length / (2 * good) : 1 }
      : classWeights;
  const out = new Float64Array(y.length);
  // Soft labels interpolate between the two class weights.
  for (let i = 0; i < y.length; i++) out[i] = y[i] * weights.bad + (1 - y[i]) * weights.good;
  return out;
}
