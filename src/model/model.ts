/**
 * The one interface every trainable FedCredit model implements: parameters as one flat
 * `Float64Array` with a named layout (so strategies, secure aggregation and DP treat every
 * model alike), batch and per-example gradients (DP-SGD clips each example's gradient), and
 * versioned serialization.
 */
import type { Matrix } from '../math/linalg.js';

/** One named block of the flat parameter vector. */
export interface ParameterBlock {
  readonly name: string;
  readonly shape: readonly number[];
  /** Offset of the block in the flat vector. */
  readonly offset: number;
}

export type ModelKind = 'logreg' | 'mlp';

/** A batch of encoded examples: features (rows × numFeatures) and labels (1 = bad). */
export interface Batch {
  readonly x: Matrix;
  readonly y: Float64Array;
  /** Optional per-example weights (class weights); default 1. */
  readonly weights?: Float64Array;
}

/** Regularisation applied by {@link Model.lossAndGradient}. */
export interface Penalty {
  /** L2 coefficient λ: adds λ/2·‖w‖² over weights (not biases). */
  readonly l2?: number;
  /** FedProx proximal coefficient μ: adds μ/2·‖θ − θ_global‖². */
  readonly proximalMu?: number;
  /** The global parameters for the proximal term. */
  readonly anchor?: Float64Array;
}

/** Serialized form: JSON-safe metadata plus the raw little-endian float64 parameters. */
export interface SerializedModel {
  readonly meta: ModelMeta;
  readonly parameters: Uint8Array;
}

export interface ModelMeta {
  readonly format: 'fedcredit-model';
  readonly version: 1;
  readonly kind: ModelKind;
  readonly numFeatures: number;
  readonly layout: readonly ParameterBlock[];
  /** Model-specific hyper-parameters needed to rebuild it (e.g. hidden sizes, activation). */
  readonly config: Readonly<Record<string, unknown>>;
}

export interface Model {
  readonly kind: ModelKind;
  readonly numFeatures: number;
  readonly numParameters: number;
  readonly layout: readonly ParameterBlock[];
  /** A copy of the parameters. */
  getParameters(): Float64Array;
  /** Replace the parameters (length must equal numParameters). */
  setParameters(parameters: Float64Array): void;
  /** Probability of bad for each row of x. */
  predictProba(x: Matrix): Float64Array;
  /**
   * Mean (weighted) log loss over the batch plus penalties; writes the gradient of that
   * objective w.r.t. the parameters into `gradOut` (length numParameters) and returns the loss.
   */
  lossAndGradient(batch: Batch, gradOut: Float64Array, penalty?: Penalty): number;
  /**
   * Per-example gradients of the unpenalised, unweighted log loss: writes row i of `out`
   * (rows × numParameters, row-major) for example i. Used by DP-SGD.
   */
  perExampleGradients(x: Matrix, y: Float64Array, out: Float64Array): void;
  /** Versioned serialization. */
  serialize(): SerializedModel;
  /** An independent copy. */
  clone(): Model;
}
