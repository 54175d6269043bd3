/**
 * A small multi-layer perceptron for credit scoring: one or two hidden layers (ReLU or tanh)
 * and a sigmoid output, trained with the same log loss as logistic regression.
 *
 * Forward and backward passes are written by hand, one example at a time, on preallocated
 * per-layer scratch vectors: a batch costs no allocation at all, and per-example gradients
 * (DP-SGD) reuse exactly the same code path as the batch gradient. Backpropagation follows
 * Goodfellow, Bengio & Courville, "Deep Learning" (2016), §6.5.4, algorithm 6.4.
 */
import { deriveRandom, Random } from '../math/random.js';
import { sigmoid, softplus, type Matrix } from '../math/linalg.js';
import type { Model, ParameterBlock } from './model.js';
import { FlatModel, buildLayout } from './base.js';
import { MAX_FEATURES, checkInteger } from './check.js';

/** Hidden-layer activation. */
export type Activation = 'relu' | 'tanh';

/** Largest hidden layer width accepted. */
export const MAX_HIDDEN_UNITS = 1024;

/** Architecture of an {@link Mlp}. */
export interface MlpConfig {
  /** Widths of the hidden layers: one or two entries, each 1..1024. Default [32]. */
  readonly hidden?: readonly number[];
  /** Hidden activation. Default 'relu'. */
  readonly activation?: Activation;
}

/** An {@link MlpConfig} with defaults filled in and checked. */
export interface ResolvedMlpConfig {
  readonly hidden: readonly number[];
  readonly activation: Activation;
}

/** Check an MLP config and fill in defaults; throws TypeError/RangeError naming the field. */
export function resolveMlpConfig(config: MlpConfig = {}): ResolvedMlpConfig {
  if (typeof config !== 'object' || config === null) throw new TypeError('config: expected an object');
  const hidden = config.hidden ?? [32];
  if (!Array.isArray(hidden)) throw new TypeError('config.hidden: expected an array of layer widths');
  if (hidden.length < 1 || hidden.length > 2) throw new RangeError(`config.hidden: expected 1 or 2 layers, got ${hidden.length}`);
  hidden.forEach((h, i) => checkInteger(`config.hidden[${i}]`, h, 1, MAX_HIDDEN_UNITS));
  const activation = config.activation ?? 'relu';
  if (activation !== 'relu' && activation !== 'tanh') {
    throw new RangeError(`config.activation: expected 'relu' or 'tanh', got ${String(activation)}`);
  }
  return { hidden: Object.freeze([...hidden]), activation };
}

/**
 * Layout of an MLP: W1 [h1, d], b1 [h1], then (two hidden layers) W2 [h2, h1], b2 [h2], then
 * the output layer wOut [h_last], bOut [1]. Computed without allocating parameters, so hostile
 * model files can be sized before anything is built.
 */
export function mlpLayout(numFeatures: number, hidden: readonly number[]): ParameterBlock[] {
  const blocks: [string, number[]][] = [];
  let fanIn = numFeatures;
  hidden.forEach((width, i) => {
    blocks.push([`W${i + 1}`, [width, fanIn]], [`b${i + 1}`, [width]]);
    fanIn = width;
  });
  blocks.push(['wOut', [fanIn]], ['bOut', [1]]);
  return buildLayout(blocks);
}

/**
 * Multi-layer perceptron with sigmoid output. Weights start from a seeded generator: He normal
 * (std √(2/fan_in), He et al. 2015) for ReLU layers, Glorot normal (std √(2/(fan_in+fan_out)),
 * Glorot & Bengio 2010) for tanh layers and the output layer; biases start at zero.
 *
 * @example
 * const mlp = new Mlp(61, { hidden: [32], activation: 'relu' }, deriveRandom(7, 'init'));
 */
export class Mlp extends FlatModel {
  readonly kind = 'mlp' as const;
  readonly hidden: readonly number[];
  readonly activation: Activation;
  private readonly relu: boolean;
  /** Offsets of W1, b1, (W2, b2,) wOut, bOut in the flat vector. */
  private readonly offsets: readonly number[];
  /** Per-layer activations and back-propagated errors of the current example. */
  private readonly act: Float64Array[];
  private readonly delta: Float64Array[];

  /**
   * @param rng generator (or seed, derived under purpose 'mlp-init') for the initial weights, or
   *   the parameters themselves (a Float64Array of {@link numParameters} values: a node
   *   rebuilding the round's model skips drawing weights it would overwrite at once).
   */
  constructor(numFeatures: number, config: MlpConfig, rng: Random | number | Float64Array) {
    checkInteger('numFeatures', numFeatures, 1, MAX_FEATURES);
    const resolved = resolveMlpConfig(config);
    const random = typeof rng === 'number' ? deriveRandom(checkInteger('rng', rng, 0), 'mlp-init') : rng;
    if (!(random instanceof Random) && !(random instanceof Float64Array)) throw new TypeError('rng: expected a Random, an integer seed or the parameters');
    const layout = mlpLayout(numFeatures, resolved.hidden);
    super(numFeatures, layout, layout.filter((b) => b.name.startsWith('W') || b.name === 'wOut').map((b) => b.name));
    this.hidden = resolved.hidden;
    this.activation = resolved.activation;
    this.relu = resolved.activation === 'relu';
    this.offsets = layout.map((b) => b.offset);
    this.act = this.hidden.map((h) => new Float64Array(h));
    this.delta = this.hidden.map((h) => new Float64Array(h));
    if (random instanceof Float64Array) this.setParameters(random);
    else this.initialise(random);
  }

  protected config(): Record<string, unknown> {
    return { hidden: [...this.hidden], activation: this.activation };
  }

  clone(): Model {
    const copy = new Mlp(this.numFeatures, { hidden: this.hidden, activation: this.activation }, 0);
    copy.params.set(this.params);
    return copy;
  }

  /**
   * The last hidden layer's activations for each row (rows × last hidden width): the features
   * the output layer sees. Personalisation with a local head fine-tunes only the output layer
   * on these.
   */
  hiddenFeatures(x: Matrix): Matrix {
    if (x.cols !== this.numFeatures) throw new RangeError(`x: expected ${this.numFeatures} columns, got ${x.cols}`);
    const width = this.hidden[this.hidden.length - 1];
    const out = new Float64Array(x.rows * width);
    for (let i = 0; i < x.rows; i++) {
      this.forward(x.data, i * x.cols);
      out.set(this.act[this.hidden.length - 1], i * width);
    }
    return { data: out, rows: x.rows, cols: width };
  }

  /** Offset of the output layer (wOut then bOut) in the flat parameter vector. */
  get headOffset(): number {
    return this.offsets[2 * this.hidden.length];
  }

  protected computeProba(x: Matrix, out: Float64Array): void {
    for (let i = 0; i < x.rows; i++) out[i] = sigmoid(this.forward(x.data, i * x.cols));
  }

  protected computeLossAndGradient(
    x: Matrix,
    y: Float64Array,
    weights: Float64Array | undefined,
    weightSum: number,
    grad: Float64Array,
  ): number {
    let loss = 0;
    for (let i = 0; i < x.rows; i++) {
      const z = this.forward(x.data, i * x.cols);
      const scale = (weights === undefined ? 1 : weights[i]) / weightSum;
      loss += scale * (softplus(z) - y[i] * z);
      this.backward(x.data, i * x.cols, scale * (sigmoid(z) - y[i]), grad, 0);
    }
    return loss;
  }

  protected computePerExample(x: Matrix, y: Float64Array, out: Float64Array): void {
    for (let i = 0; i < x.rows; i++) {
      const z = this.forward(x.data, i * x.cols);
      this.backward(x.data, i * x.cols, sigmoid(z) - y[i], out, i * this.numParameters);
    }
  }

  private initialise(rng: Random): void {
    const p = this.params;
    let fanIn = this.numFeatures;
    this.hidden.forEach((width, layer) => {
      const std = this.relu ? Math.sqrt(2 / fanIn) : Math.sqrt(2 / (fanIn + width));
      const offset = this.offsets[2 * layer];
      for (let k = 0; k < width * fanIn; k++) p[offset + k] = std * rng.normal();
      fanIn = width;
    });
    const std = Math.sqrt(2 / (fanIn + 1));
    const outOffset = this.offsets[2 * this.hidden.length];
    for (let k = 0; k < fanIn; k++) p[outOffset + k] = std * rng.normal();
  }

  /** Forward pass of the row of `data` at `rowOffset`; fills {@link act} and returns the logit. */
  private forward(data: Float64Array, rowOffset: number): number {
    const p = this.params;
    let input = data;
    let inputOffset = rowOffset;
    let fanIn = this.numFeatures;
    for (let layer = 0; layer < this.hidden.length; layer++) {
      const width = this.hidden[layer];
      const wOffset = this.offsets[2 * layer];
      const bOffset = this.offsets[2 * layer + 1];
      const a = this.act[layer];
      for (let j = 0; j < width; j++) {
        let s = p[bOffset + j];
        const row = wOffset + j * fanIn;
        for (let k = 0; k < fanIn; k++) s += p[row + k] * input[inputOffset + k];
        a[j] = this.relu ? (s > 0 ? s : 0) : Math.tanh(s);
      }
      input = a;
      inputOffset = 0;
      fanIn = width;
    }
    const outOffset = this.offsets[2 * this.hidden.length];
    let z = p[outOffset + fanIn];
    for (let k = 0; k < fanIn; k++) z += p[outOffset + k] * input[k];
    return z;
  }

  /**
   * Back-propagate dLoss/dlogit = `g` for the example last passed to {@link forward}, adding
   * the parameter gradient into `grad` starting at `gradOffset`.
   */
  private backward(data: Float64Array, rowOffset: number, g: number, grad: Float64Array, gradOffset: number): void {
    const p = this.params;
    const numLayers = this.hidden.length;
    const outOffset = this.offsets[2 * numLayers];
    const upper = this.act[numLayers - 1];
    let upperWidth = this.hidden[numLayers - 1];
    // Output layer: dL/dwOut = g·a_last, dL/dbOut = g; error reaching the last hidden layer.
    let d = this.delta[numLayers - 1];
    for (let j = 0; j < upperWidth; j++) {
      grad[gradOffset + outOffset + j] += g * upper[j];
      d[j] = g * p[outOffset + j] * this.derivative(upper[j]);
    }
    grad[gradOffset + outOffset + upperWidth] += g;
    for (let layer = numLayers - 1; layer >= 0; layer--) {
      const fanIn = layer === 0 ? this.numFeatures : this.hidden[layer - 1];
      const input = layer === 0 ? data : this.act[layer - 1];
      const inputOffset = layer === 0 ? rowOffset : 0;
      const wOffset = gradOffset + this.offsets[2 * layer];
      const bOffset = gradOffset + this.offsets[2 * layer + 1];
      for (let j = 0; j < upperWidth; j++) {
        const dj = d[j];
        if (dj === 0) continue; // inactive ReLU unit: its whole weight row has zero gradient
        const row = wOffset + j * fanIn;
        for (let k = 0; k < fanIn; k++) grad[row + k] += dj * input[inputOffset + k];
        grad[bOffset + j] += dj;
      }
      if (layer === 0) break;
      // Error at the layer below: (W_layerᵀ·d) ⊙ act'(a_below).
      const below = this.delta[layer - 1];
      const a = this.act[layer - 1];
      const w = this.offsets[2 * layer];
      below.fill(0);
      for (let j = 0; j < upperWidth; j++) {
        const dj = d[j];
        if (dj === 0) continue;
        const row = w + j * fanIn;
        for (let k = 0; k < fanIn; k++) below[k] += dj * p[row + k];
      }
      for (let k = 0; k < fanIn; k++) below[k] *= this.derivative(a[k]);
      d = below;
      upperWidth = fanIn;
    }
  }

  /** Activation derivative expressed through its output a: ReLU 1[a > 0], tanh 1 − a². */
  private derivative(a: number): number {
    return this.relu ? (a > 0 ? 1 : 0) : 1 - a * a;
  }
}
