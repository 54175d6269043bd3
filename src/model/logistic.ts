/**
 * Logistic regression, the reference credit-scoring model: P(bad | x) = σ(w·x + b).
 *
 * The loss of one example with logit z and label y ∈ [0, 1] is the log loss written as
 * softplus(z) − y·z (= −y·log σ(z) − (1−y)·log(1−σ(z))), which never evaluates log(0) or
 * overflows exp for large |z|; its derivative in z is σ(z) − y (Hastie, Tibshirani & Friedman,
 * "The Elements of Statistical Learning", 2nd ed., §4.4.1).
 */
import { sigmoid, softplus, type Matrix } from '../math/linalg.js';
import type { Model, ParameterBlock } from './model.js';
import { FlatModel, buildLayout } from './base.js';
import { MAX_FEATURES, checkInteger } from './check.js';

/** Layout of a logistic regression on `numFeatures` features: 'weights' [d] then 'bias' [1]. */
export function logisticLayout(numFeatures: number): ParameterBlock[] {
  return buildLayout([
    ['weights', [numFeatures]],
    ['bias', [1]],
  ]);
}

/**
 * Binary logistic regression over `numFeatures` encoded features; parameters are
 * [weights…, bias], initialised to zero (the loss is convex, so no symmetry to break).
 *
 * @example
 * const model = new LogisticRegression(61);
 * const grad = new Float64Array(model.numParameters);
 * const loss = model.lossAndGradient({ x, y }, grad, { l2: 1e-3 });
 */
export class LogisticRegression extends FlatModel {
  readonly kind = 'logreg' as const;

  constructor(numFeatures: number) {
    checkInteger('numFeatures', numFeatures, 1, MAX_FEATURES);
    super(numFeatures, logisticLayout(numFeatures), ['weights']);
  }

  protected config(): Record<string, unknown> {
    return {};
  }

  clone(): Model {
    const copy = new LogisticRegression(this.numFeatures);
    copy.params.set(this.params);
    return copy;
  }

  protected computeProba(x: Matrix, out: Float64Array): void {
    for (let i = 0; i < x.rows; i++) out[i] = sigmoid(this.logit(x.data, i * x.cols));
  }

  protected computeLossAndGradient(
    x: Matrix,
    y: Float64Array,
    weights: Float64Array | undefined,
    weightSum: number,
    grad: Float64Array,
  ): number {
    const d = this.numFeatures;
    const data = x.data;
    let loss = 0;
    for (let i = 0; i < x.rows; i++) {
      const offset = i * d;
      const z = this.logit(data, offset);
      const scale = (weights === undefined ? 1 : weights[i]) / weightSum;
      loss += scale * (softplus(z) - y[i] * z);
      const g = scale * (sigmoid(z) - y[i]);
      for (let j = 0; j < d; j++) grad[j] += g * data[offset + j];
      grad[d] += g;
    }
    return loss;
  }

  protected computePerExample(x: Matrix, y: Float64Array, out: Float64Array): void {
    const d = this.numFeatures;
    const p = this.numParameters;
    const data = x.data;
    for (let i = 0; i < x.rows; i++) {
      const g = sigmoid(this.logit(data, i * d)) - y[i];
      const row = i * p;
      for (let j = 0; j < d; j++) out[row + j] = g * data[i * d + j];
      out[row + d] = g;
    }
  }

  /** w·x_i + b for the row of `data` starting at `offset`. */
  private logit(data: Float64Array, offset: number): number {
    const w = this.params;
    const d = this.numFeatures;
    let z = w[d];
    for (let j = 0; j < d; j++) z += w[j] * data[offset + j];
    return z;
  }
}
