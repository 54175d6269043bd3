/**
 * What every flat-parameter model shares: the parameter vector and its layout, copies in and
 * out, serialization, and the boundary checks of the {@link Model} methods. Concrete models
 * (logistic regression, MLP) only supply the arithmetic, so each check is written once and
 * runs the same way for every model.
 */
import type { Matrix } from '../math/linalg.js';
import type { Batch, Model, ModelKind, ParameterBlock, Penalty, SerializedModel } from './model.js';
import { float64ToBytes } from './bytes.js';
import { checkAllFinite, checkExampleWeights, checkFloat64Array, checkLabels, checkMatrix } from './check.js';
import { addPenalty, resolvePenalty, type ParameterRange } from './penalty.js';

/**
 * Lay named blocks end to end: each block's offset is the sum of the sizes before it.
 *
 * @example
 * buildLayout([['weights', [3]], ['bias', [1]]]) // weights at 0, bias at 3
 */
export function buildLayout(blocks: readonly (readonly [string, readonly number[]])[]): ParameterBlock[] {
  let offset = 0;
  return blocks.map(([name, shape]) => {
    const block = Object.freeze({ name, shape: Object.freeze([...shape]), offset });
    offset += blockSize(block);
    return block;
  });
}

/** Number of parameters in a block (product of its shape). */
export function blockSize(block: { readonly shape: readonly number[] }): number {
  return block.shape.reduce((a, b) => a * b, 1);
}

/** Base class of models whose parameters are one flat vector; see the module comment. */
export abstract class FlatModel implements Model {
  abstract readonly kind: ModelKind;
  readonly numFeatures: number;
  readonly numParameters: number;
  readonly layout: readonly ParameterBlock[];
  /** The live parameters; subclasses read them in their kernels. */
  protected readonly params: Float64Array;
  /** The parts of {@link params} that are weights (L2 applies there, not to biases). */
  protected readonly weightRanges: readonly ParameterRange[];

  protected constructor(numFeatures: number, layout: readonly ParameterBlock[], weightNames: readonly string[]) {
    this.numFeatures = numFeatures;
    this.layout = Object.freeze(layout);
    this.numParameters = layout.reduce((n, b) => n + blockSize(b), 0);
    this.params = new Float64Array(this.numParameters);
    this.weightRanges = layout.filter((b) => weightNames.includes(b.name)).map((b) => [b.offset, blockSize(b)] as const);
  }

  /** Hyper-parameters needed to rebuild the model (stored in {@link ModelMeta.config}). */
  protected abstract config(): Record<string, unknown>;
  /** Write P(bad) for each row of a checked `x` into `out`. */
  protected abstract computeProba(x: Matrix, out: Float64Array): void;
  /**
   * Add the gradient of Σᵢ scaleᵢ·lossᵢ to a zeroed `grad` and return Σᵢ scaleᵢ·lossᵢ, where
   * scaleᵢ = weightᵢ/weightSum (weightᵢ = 1 when `weights` is undefined). Inputs are checked.
   */
  protected abstract computeLossAndGradient(
    x: Matrix,
    y: Float64Array,
    weights: Float64Array | undefined,
    weightSum: number,
    grad: Float64Array,
  ): number;
  /** Write example i's log-loss gradient into row i of a zeroed `out`. Inputs are checked. */
  protected abstract computePerExample(x: Matrix, y: Float64Array, out: Float64Array): void;
  abstract clone(): Model;

  getParameters(): Float64Array {
    return this.params.slice();
  }

  /** Replace the parameters; rejects a wrong length or any NaN/±Infinity (a diverged update). */
  setParameters(parameters: Float64Array): void {
    checkFloat64Array('parameters', parameters, this.numParameters);
    checkAllFinite('parameters', parameters);
    this.params.set(parameters);
  }

  predictProba(x: Matrix): Float64Array {
    checkMatrix('x', x, this.numFeatures);
    const out = new Float64Array(x.rows);
    this.computeProba(x, out);
    return out;
  }

  lossAndGradient(batch: Batch, gradOut: Float64Array, penalty?: Penalty): number {
    if (typeof batch !== 'object' || batch === null) throw new TypeError('batch: expected an object');
    const x = checkMatrix('batch.x', batch.x, this.numFeatures);
    if (x.rows === 0) throw new RangeError('batch.x: expected at least one row');
    const y = checkLabels('batch.y', batch.y, x.rows);
    const weights = batch.weights;
    const weightSum = weights === undefined ? x.rows : checkExampleWeights('batch.weights', weights, x.rows);
    checkFloat64Array('gradOut', gradOut, this.numParameters);
    const resolved = resolvePenalty(penalty, this.numParameters);
    gradOut.fill(0);
    const dataLoss = this.computeLossAndGradient(x, y, weights, weightSum, gradOut);
    return dataLoss + addPenalty(this.params, gradOut, resolved, this.weightRanges);
  }

  perExampleGradients(x: Matrix, y: Float64Array, out: Float64Array): void {
    checkMatrix('x', x, this.numFeatures);
    checkLabels('y', y, x.rows);
    checkFloat64Array('out', out, x.rows * this.numParameters);
    out.fill(0);
    this.computePerExample(x, y, out);
  }

  serialize(): SerializedModel {
    return {
      meta: {
        format: 'fedcredit-model',
        version: 1,
        kind: this.kind,
        numFeatures: this.numFeatures,
        layout: this.layout.map((b) => ({ name: b.name, shape: [...b.shape], offset: b.offset })),
        config: this.config(),
      },
      parameters: float64ToBytes(this.params),
    };
  }
}
