/**
 * Feature attribution for scoring reasons: how much each original column pushed an applicant's
 * logit of default up or down relative to a baseline applicant (a point in encoded space,
 * usually the federation's mean, see ./baseline.ts).
 *
 * - Logistic regression: exact. z = b + Σ w_j x_j = (b + Σ w_j x̄_j) + Σ w_j (x_j − x̄_j), so the
 *   per-column sums of w_j (x_j − x̄_j) plus the baseline logit give the logit back exactly.
 * - MLP: gradient × input, ∂z/∂x_j · (x_j − x̄_j) (Shrikumar et al. 2016, "Not Just a Black
 *   Box", the "gradient*input" baseline method, taken relative to x̄). This is a first-order
 *   local approximation: the contributions do not sum to z − z(x̄) in general.
 *
 * Logits are computed here with the same summation order as the models' own forward passes,
 * so σ(logit) equals `model.predictProba` bit for bit and one pass serves probability, score
 * and reasons. Parameters are snapshotted at construction.
 */
import type { Matrix } from '../math/linalg.js';
import type { Model, ParameterBlock } from '../model/model.js';

/** Logits and per-column contributions of a batch. */
export interface Attribution {
  /** Logit of default of each row. */
  readonly logits: Float64Array;
  /** Logit of the baseline applicant. */
  readonly baseLogit: number;
  /** rows × numColumns, row-major: contribution of each original column to each row's logit. */
  readonly contributions: Float64Array;
}

/** Computes logits and attributions for one model (parameters fixed at construction). */
export interface Attributor {
  /** 'exact-linear' (logistic regression), 'gradient-x-input' (MLP) or 'tree-shap' (boosted trees). */
  readonly method: 'exact-linear' | 'gradient-x-input' | 'tree-shap';
  /** Logit of default of every row of `x`. */
  logits(x: Matrix): Float64Array;
  /**
   * Logits and per-column contributions; `featureColumn[j]` is the original column (0-based,
   * < numColumns) of encoded feature j, `baseline` the reference point in encoded space.
   */
  attribute(x: Matrix, baseline: Float64Array, featureColumn: Int32Array, numColumns: number): Attribution;
  /**
   * A typical spread of a numeric column in the training data, when this attributor knows one
   * and its encoder does not (trees read raw values; their bin edges are training quantiles).
   */
  numericSpread?(column: string): number | undefined;
}

/**
 * The attributor for `model` (logistic regression or MLP); throws RangeError for another kind.
 *
 * @example
 * const attributor = attributorFor(model);
 * const { logits, contributions } = attributor.attribute(x, baseline, featureColumn, numColumns);
 */
export function attributorFor(model: Model): Attributor {
  if (typeof model !== 'object' || model === null || typeof model.getParameters !== 'function') throw new TypeError('model: expected a Model');
  if (model.kind === 'logreg') return new LinearAttributor(model);
  if (model.kind === 'mlp') return new MlpAttributor(model);
  throw new RangeError(`model.kind: no attribution for ${String(model.kind)} (expected 'logreg' or 'mlp')`);
}

function block(model: Model, name: string): ParameterBlock {
  const found = model.layout.find((b) => b.name === name);
  if (found === undefined) throw new RangeError(`model.layout: no parameter block '${name}'`);
  return found;
}

class LinearAttributor implements Attributor {
  readonly method = 'exact-linear' as const;
  private readonly weights: Float64Array;
  private readonly bias: number;

  constructor(model: Model) {
    const params = model.getParameters();
    const w = block(model, 'weights');
    this.weights = params.slice(w.offset, w.offset + model.numFeatures);
    this.bias = params[block(model, 'bias').offset];
  }

  logits(x: Matrix): Float64Array {
    const out = new Float64Array(x.rows);
    for (let i = 0; i < x.rows; i++) out[i] = this.logit(x.data, i * x.cols);
    return out;
  }

  attribute(x: Matrix, baseline: Float64Array, featureColumn: Int32Array, numColumns: number): Attribution {
    const w = this.weights;
    const d = w.length;
    let baseLogit = this.bias;
    for (let j = 0; j < d; j++) baseLogit += w[j] * baseline[j];
    const logits = new Float64Array(x.rows);
    const contributions = new Float64Array(x.rows * numColumns);
    for (let i = 0; i < x.rows; i++) {
      const offset = i * d;
      logits[i] = this.logit(x.data, offset);
      const row = i * numColumns;
      for (let j = 0; j < d; j++) contributions[row + featureColumn[j]] += w[j] * (x.data[offset + j] - baseline[j]);
    }
    return { logits, baseLogit, contributions };
  }

  /** Same order as LogisticRegression: bias first, then features in order. */
  private logit(data: Float64Array, offset: number): number {
    const w = this.weights;
    let z = this.bias;
    for (let j = 0; j < w.length; j++) z += w[j] * data[offset + j];
    return z;
  }
}

/** One hidden layer's weights [width × fanIn] and biases. */
interface Layer {
  readonly weights: Float64Array;
  readonly biases: Float64Array;
  readonly width: number;
  readonly fanIn: number;
}

class MlpAttributor implements Attributor {
  readonly method = 'gradient-x-input' as const;
  private readonly layers: readonly Layer[];
  private readonly outWeights: Float64Array;
  private readonly outBias: number;
  private readonly relu: boolean;
  private readonly act: Float64Array[];
  private readonly delta: Float64Array[];
  private readonly numFeatures: number;

  constructor(model: Model) {
    const activation = model.serialize().meta.config.activation;
    if (activation !== 'relu' && activation !== 'tanh') throw new RangeError(`model: unknown activation ${String(activation)}`);
    this.relu = activation === 'relu';
    const params = model.getParameters();
    const layers: Layer[] = [];
    for (let k = 1; model.layout.some((b) => b.name === `W${k}`); k++) {
      const w = block(model, `W${k}`);
      const b = block(model, `b${k}`);
      const [width, fanIn] = w.shape;
      layers.push({ weights: params.slice(w.offset, w.offset + width * fanIn), biases: params.slice(b.offset, b.offset + width), width, fanIn });
    }
    if (layers.length === 0) throw new RangeError('model.layout: an mlp needs at least one hidden layer W1');
    const out = block(model, 'wOut');
    this.outWeights = params.slice(out.offset, out.offset + out.shape[0]);
    this.outBias = params[block(model, 'bOut').offset];
    this.layers = layers;
    this.numFeatures = model.numFeatures;
    this.act = layers.map((l) => new Float64Array(l.width));
    this.delta = layers.map((l) => new Float64Array(l.width));
  }

  logits(x: Matrix): Float64Array {
    const out = new Float64Array(x.rows);
    for (let i = 0; i < x.rows; i++) out[i] = this.forward(x.data, i * x.cols);
    return out;
  }

  attribute(x: Matrix, baseline: Float64Array, featureColumn: Int32Array, numColumns: number): Attribution {
    const d = this.numFeatures;
    const baseLogit = this.forward(baseline, 0);
    const logits = new Float64Array(x.rows);
    const contributions = new Float64Array(x.rows * numColumns);
    const gradient = new Float64Array(d);
    for (let i = 0; i < x.rows; i++) {
      const offset = i * d;
      logits[i] = this.forward(x.data, offset);
      this.inputGradient(gradient);
      const row = i * numColumns;
      for (let j = 0; j < d; j++) contributions[row + featureColumn[j]] += gradient[j] * (x.data[offset + j] - baseline[j]);
    }
    return { logits, baseLogit, contributions };
  }

  /** Same order as Mlp.forward (bias, then inputs in order); fills {@link act}. */
  private forward(data: Float64Array, rowOffset: number): number {
    let input = data;
    let inputOffset = rowOffset;
    this.layers.forEach((layer, l) => {
      const a = this.act[l];
      for (let j = 0; j < layer.width; j++) {
        let s = layer.biases[j];
        const row = j * layer.fanIn;
        for (let k = 0; k < layer.fanIn; k++) s += layer.weights[row + k] * input[inputOffset + k];
        a[j] = this.relu ? (s > 0 ? s : 0) : Math.tanh(s);
      }
      input = a;
      inputOffset = 0;
    });
    let z = this.outBias;
    for (let k = 0; k < this.outWeights.length; k++) z += this.outWeights[k] * input[k];
    return z;
  }

  /** ∂z/∂x for the example last passed to {@link forward} (backpropagation to the input). */
  private inputGradient(out: Float64Array): void {
    const last = this.layers.length - 1;
    let delta = this.delta[last];
    const top = this.act[last];
    for (let j = 0; j < top.length; j++) delta[j] = this.outWeights[j] * this.derivative(top[j]);
    for (let l = last; l >= 0; l--) {
      const layer = this.layers[l];
      const below = l === 0 ? out : this.delta[l - 1];
      below.fill(0);
      for (let j = 0; j < layer.width; j++) {
        const dj = delta[j];
        if (dj === 0) continue; // inactive ReLU unit passes nothing down
        const row = j * layer.fanIn;
        for (let k = 0; k < layer.fanIn; k++) below[k] += dj * layer.weights[row + k];
      }
      if (l === 0) break;
      const a = this.act[l - 1];
      for (let k = 0; k < below.length; k++) below[k] *= this.derivative(a[k]);
      delta = below;
    }
  }

  /** Activation derivative through its output a: ReLU 1[a > 0], tanh 1 − a². */
  private derivative(a: number): number {
    return this.relu ? (a > 0 ? 1 : 0) : 1 - a * a;
  }
}
