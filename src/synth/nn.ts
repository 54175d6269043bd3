/**
 * The small neural-network kit the tabular GAN is written in: a dense layer on row-major
 * `Float64Array` batches with hand-written backprop that also returns the gradient with respect
 * to its *input* (the generator learns through the discriminator's input gradient, and the
 * WGAN gradient penalty needs it twice), plus the activations CTGAN uses.
 *
 * src/model/mlp.ts trains a classifier and never needs input gradients, so this module is
 * separate rather than an extension of it. Each layer owns its parameters and gradient (one
 * Adam per layer steps them), so networks of any wiring (residual concatenations, PacGAN
 * packing) are plain code over layers.
 */
import type { Random } from '../math/random.js';
import { inputGradientKernel, matMulTransposed, weightGradient } from './kernels.js';

/**
 * A fully connected layer y = x·Wᵀ + b with W of shape outputSize × inputSize. `params` holds
 * [W row-major | b]; `grad` has the same layout and accumulates until {@link zeroGrad}.
 * Initialised like PyTorch's `nn.Linear`: W and b uniform in ±1/√inputSize.
 *
 * @example
 * const layer = new Dense(3, 2, deriveRandom(1, 'init'));
 * layer.forward(x, numRows, y);             // y: numRows × 2
 * layer.backward(x, dy, numRows, dx);       // grad += ∂/∂θ, dx = ∂/∂x
 */
export class Dense implements Trainable {
  readonly inputSize: number;
  readonly outputSize: number;
  readonly params: Float64Array;
  readonly grad: Float64Array;
  private indexScratch = new Int32Array(0);

  constructor(inputSize: number, outputSize: number, rng: Random) {
    checkSize('inputSize', inputSize);
    checkSize('outputSize', outputSize);
    this.inputSize = inputSize;
    this.outputSize = outputSize;
    this.params = new Float64Array(outputSize * inputSize + outputSize);
    this.grad = new Float64Array(this.params.length);
    const bound = 1 / Math.sqrt(inputSize);
    for (let i = 0; i < this.params.length; i++) this.params[i] = (2 * rng.next() - 1) * bound;
  }

  /** Offset of the bias in {@link params} (the weights come first). */
  get biasOffset(): number {
    return this.outputSize * this.inputSize;
  }

  /** out (rows × outputSize) = x (rows × inputSize)·Wᵀ + b, or without b when `withBias` is false. */
  forward(x: Float64Array, numRows: number, out: Float64Array, withBias = true): void {
    matMulTransposed(this.params, x, out, numRows, this.inputSize, this.outputSize, withBias ? this.biasOffset : -1);
  }

  /**
   * Backprop of {@link forward}: adds ∂L/∂W = dOutᵀ·x (and ∂L/∂b = Σ rows of dOut when
   * `withBias`) to {@link grad}, and writes ∂L/∂x = dOut·W into `dx` (overwritten) when given.
   */
  backward(x: Float64Array, dOut: Float64Array, numRows: number, dx?: Float64Array, withBias = true): void {
    const { inputSize: n, outputSize: m, grad } = this;
    if (withBias) {
      const biasAt = this.biasOffset;
      for (let i = 0; i < numRows; i++) for (let o = 0; o < m; o++) grad[biasAt + o] += dOut[i * m + o];
    }
    weightGradient(dOut, x, grad, numRows, n, m, this.scratch(numRows));
    if (dx !== undefined) this.inputGradient(dOut, numRows, dx);
  }

  /** dx (rows × inputSize) = dOut·W without touching the parameter gradient. */
  inputGradient(dOut: Float64Array, numRows: number, dx: Float64Array): void {
    inputGradientKernel(dOut, this.params, dx, numRows, this.inputSize, this.outputSize, this.scratch(numRows));
  }

  private scratch(numRows: number): Int32Array {
    const size = Math.max(numRows, this.outputSize);
    if (this.indexScratch.length < size) this.indexScratch = new Int32Array(size);
    return this.indexScratch;
  }

  /** Reset the accumulated gradient to zero. */
  zeroGrad(): void {
    this.grad.fill(0);
  }
}

/** Anything with a flat parameter vector and its gradient, stepped by one Adam each. */
export interface Trainable {
  readonly params: Float64Array;
  readonly grad: Float64Array;
  zeroGrad(): void;
}

/**
 * Batch normalisation (Ioffe & Szegedy, ICML 2015, Algorithm 1), as in CTGAN's residual blocks:
 * in training y = γ·(z − μ_B)/√(σ²_B + ε) + β with the batch mean and biased variance, ε = 1e-5;
 * running averages (momentum 0.1, unbiased variance: PyTorch's `BatchNorm1d`) replace the batch
 * statistics at inference. `params` is [γ | β], initialised to [1 | 0].
 *
 * CTGAN samples in training mode, with the statistics of the batch being generated. That is
 * harmless when a batch mixes conditions, but a batch asked for bad loans only would have the
 * class signal subtracted out with the batch mean, so sampling here uses the running averages.
 */
export class BatchNorm implements Trainable {
  readonly size: number;
  readonly params: Float64Array;
  readonly grad: Float64Array;
  readonly runningMean: Float64Array;
  readonly runningVar: Float64Array;
  private normalised = new Float64Array(0);
  private readonly inverseStd: Float64Array;

  constructor(size: number) {
    checkSize('size', size);
    this.size = size;
    this.params = new Float64Array(2 * size);
    this.params.fill(1, 0, size);
    this.grad = new Float64Array(2 * size);
    this.inverseStd = new Float64Array(size);
    this.runningMean = new Float64Array(size);
    this.runningVar = new Float64Array(size).fill(1);
  }

  /**
   * out = BN(z) over `numRows` rows (z and out may be the same array): with the batch statistics
   * (and an update of the running averages) when `training`, with the running averages otherwise.
   */
  forward(z: Float64Array, numRows: number, out: Float64Array, training = true): void {
    const m = this.size;
    if (this.normalised.length !== numRows * m) this.normalised = new Float64Array(numRows * m);
    const xhat = this.normalised;
    for (let j = 0; j < m; j++) {
      let mean = this.runningMean[j];
      let inv = 1 / Math.sqrt(this.runningVar[j] + 1e-5);
      if (training) {
        mean = 0;
        for (let i = 0; i < numRows; i++) mean += z[i * m + j];
        mean /= numRows;
        let sq = 0;
        for (let i = 0; i < numRows; i++) sq += (z[i * m + j] - mean) ** 2;
        inv = 1 / Math.sqrt(sq / numRows + 1e-5);
        this.runningMean[j] = 0.9 * this.runningMean[j] + 0.1 * mean;
        this.runningVar[j] = 0.9 * this.runningVar[j] + 0.1 * (numRows > 1 ? sq / (numRows - 1) : 0);
      }
      this.inverseStd[j] = inv;
      const gamma = this.params[j];
      const beta = this.params[m + j];
      for (let i = 0; i < numRows; i++) {
        const v = (z[i * m + j] - mean) * inv;
        xhat[i * m + j] = v;
        out[i * m + j] = gamma * v + beta;
      }
    }
  }

  /**
   * Backprop of the last training {@link forward}: adds ∂L/∂γ = Σ dy·ẑ and ∂L/∂β = Σ dy, and writes
   * ∂L/∂z = γ/σ·(dy − mean(dy) − ẑ·mean(dy·ẑ)) into `dz` (may alias `dOut`).
   */
  backward(dOut: Float64Array, numRows: number, dz: Float64Array): void {
    const m = this.size;
    const xhat = this.normalised;
    for (let j = 0; j < m; j++) {
      let sumDy = 0;
      let sumDyX = 0;
      for (let i = 0; i < numRows; i++) {
        sumDy += dOut[i * m + j];
        sumDyX += dOut[i * m + j] * xhat[i * m + j];
      }
      this.grad[j] += sumDyX;
      this.grad[m + j] += sumDy;
      const scale = this.params[j] * this.inverseStd[j];
      for (let i = 0; i < numRows; i++) {
        dz[i * m + j] = scale * (dOut[i * m + j] - sumDy / numRows - (xhat[i * m + j] * sumDyX) / numRows);
      }
    }
  }

  /** Reset the accumulated gradient to zero. */
  zeroGrad(): void {
    this.grad.fill(0);
  }
}

function checkSize(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1 || value > 1_000_000) throw new RangeError(`${name}: expected an integer in [1, 1000000], got ${value}`);
}

/**
 * Leaky-ReLU with inverted dropout, written as a *gate*: h = gate ⊙ z with
 * gate = (z > 0 ? 1 : slope)·keep/(1 − dropRate), keep ~ Bernoulli(1 − dropRate). Both pieces
 * are linear in z, so the same gate is the derivative ∂h/∂z, which is what lets the gradient
 * penalty's double backprop treat the network as linear between gates (see discriminator.ts).
 */
export function leakyReluDropoutGate(z: Float64Array, length: number, slope: number, dropRate: number, rng: Random | undefined, gate: Float64Array): void {
  const keepScale = dropRate > 0 ? 1 / (1 - dropRate) : 1;
  for (let i = 0; i < length; i++) {
    let g = z[i] > 0 ? 1 : slope;
    if (dropRate > 0 && rng !== undefined) g = rng.next() < dropRate ? 0 : g * keepScale;
    gate[i] = g;
    z[i] *= g;
  }
}

/**
 * Gumbel-softmax (Jang, Gu & Poole, ICLR 2017, eq. 1) of one block of logits, in place on
 * `out`: y = softmax((l + g)/τ) with g = −log(−log U) i.i.d. Gumbel noise. CTGAN uses τ = 0.2
 * so that generated one-hots are nearly hard yet differentiable.
 */
export function gumbelSoftmax(logits: Float64Array, offset: number, size: number, tau: number, rng: Random, out: Float64Array): void {
  let max = -Infinity;
  for (let k = 0; k < size; k++) {
    let u = rng.next();
    if (u === 0) u = Number.MIN_VALUE; // log(0) would give an infinite Gumbel draw
    const v = (logits[offset + k] - Math.log(-Math.log(u))) / tau;
    out[offset + k] = v;
    if (v > max) max = v;
  }
  let sum = 0;
  for (let k = 0; k < size; k++) sum += out[offset + k] = Math.exp(out[offset + k] - max);
  for (let k = 0; k < size; k++) out[offset + k] /= sum;
}

/**
 * Backprop of a softmax with temperature τ: given y = softmax(v/τ) and dL/dy, adds
 * dL/dv = (1/τ)·y ⊙ (dL/dy − ⟨y, dL/dy⟩) to `dLogits`.
 */
export function softmaxBackward(y: Float64Array, dy: Float64Array, offset: number, size: number, tau: number, dLogits: Float64Array): void {
  let inner = 0;
  for (let k = 0; k < size; k++) inner += y[offset + k] * dy[offset + k];
  for (let k = 0; k < size; k++) dLogits[offset + k] += (y[offset + k] * (dy[offset + k] - inner)) / tau;
}

/**
 * Cross-entropy −log softmax(l)[target] of one block of logits; adds `weight`·(softmax − onehot)
 * to `dLogits` and returns the loss (unweighted). CTGAN's conditional loss (Xu et al. 2019
 * §4.3) uses it to make the generator honour the condition vector.
 */
export function crossEntropyWithGrad(logits: Float64Array, offset: number, size: number, target: number, weight: number, dLogits: Float64Array): number {
  let max = -Infinity;
  for (let k = 0; k < size; k++) if (logits[offset + k] > max) max = logits[offset + k];
  let sum = 0;
  for (let k = 0; k < size; k++) sum += Math.exp(logits[offset + k] - max);
  const logSum = max + Math.log(sum);
  for (let k = 0; k < size; k++) {
    const p = Math.exp(logits[offset + k] - logSum);
    dLogits[offset + k] += weight * (p - (k === target ? 1 : 0));
  }
  return logSum - logits[offset + target];
}
