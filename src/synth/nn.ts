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

// The three kernels below are the GAN's hot loops. Blocking (two rows × two outputs in the
// product, four rows or outputs at a time in the gradients) lets each loaded value feed several
// multiply-adds, about twice as fast in V8 as the plain triple loop; the gradients also skip the
// zeros that ReLU and dropout leave in dOut, by first listing the non-zero entries.

/** out[i,o] = Σ_j x[i,j]·W[o,j] (+ W[biasAt + o] when biasAt ≥ 0), W being m × n. */
function matMulTransposed(W: Float64Array, x: Float64Array, out: Float64Array, rows: number, n: number, m: number, biasAt: number): void {
  let i = 0;
  for (; i + 1 < rows; i += 2) {
    const x0 = i * n;
    const x1 = x0 + n;
    const r0 = i * m;
    const r1 = r0 + m;
    let o = 0;
    for (; o + 1 < m; o += 2) {
      const w0 = o * n;
      const w1 = w0 + n;
      let s00 = 0, s01 = 0, s10 = 0, s11 = 0;
      for (let j = 0; j < n; j++) {
        const a = W[w0 + j], b = W[w1 + j], p = x[x0 + j], q = x[x1 + j];
        s00 += a * p; s01 += b * p; s10 += a * q; s11 += b * q;
      }
      const b0 = biasAt >= 0 ? W[biasAt + o] : 0;
      const b1 = biasAt >= 0 ? W[biasAt + o + 1] : 0;
      out[r0 + o] = s00 + b0; out[r0 + o + 1] = s01 + b1; out[r1 + o] = s10 + b0; out[r1 + o + 1] = s11 + b1;
    }
    for (; o < m; o++) {
      const w0 = o * n;
      let s0 = 0, s1 = 0;
      for (let j = 0; j < n; j++) { const a = W[w0 + j]; s0 += a * x[x0 + j]; s1 += a * x[x1 + j]; }
      const b0 = biasAt >= 0 ? W[biasAt + o] : 0;
      out[r0 + o] = s0 + b0; out[r1 + o] = s1 + b0;
    }
  }
  for (; i < rows; i++) {
    const x0 = i * n;
    for (let o = 0; o < m; o++) {
      const w0 = o * n;
      let s = 0;
      for (let j = 0; j < n; j++) s += W[w0 + j] * x[x0 + j];
      out[i * m + o] = s + (biasAt >= 0 ? W[biasAt + o] : 0);
    }
  }
}

/** G[o,j] += Σ_i dOut[i,o]·x[i,j] over the rows where dOut[i,o] ≠ 0. */
function weightGradient(dOut: Float64Array, x: Float64Array, G: Float64Array, rows: number, n: number, m: number, idx: Int32Array): void {
  for (let o = 0; o < m; o++) {
    let k = 0;
    for (let i = 0; i < rows; i++) if (dOut[i * m + o] !== 0) idx[k++] = i;
    const go = o * n;
    let t = 0;
    for (; t + 3 < k; t += 4) {
      const i0 = idx[t], i1 = idx[t + 1], i2 = idx[t + 2], i3 = idx[t + 3];
      const g0 = dOut[i0 * m + o], g1 = dOut[i1 * m + o], g2 = dOut[i2 * m + o], g3 = dOut[i3 * m + o];
      const a = i0 * n, b = i1 * n, c = i2 * n, d = i3 * n;
      for (let j = 0; j < n; j++) G[go + j] += g0 * x[a + j] + g1 * x[b + j] + g2 * x[c + j] + g3 * x[d + j];
    }
    for (; t < k; t++) {
      const i0 = idx[t];
      const g0 = dOut[i0 * m + o];
      const a = i0 * n;
      for (let j = 0; j < n; j++) G[go + j] += g0 * x[a + j];
    }
  }
}

/** dx[i,j] = Σ_o dOut[i,o]·W[o,j] (dx overwritten), skipping zero entries of dOut. */
function inputGradientKernel(dOut: Float64Array, W: Float64Array, dx: Float64Array, rows: number, n: number, m: number, idx: Int32Array): void {
  dx.fill(0, 0, rows * n);
  for (let i = 0; i < rows; i++) {
    let k = 0;
    for (let o = 0; o < m; o++) if (dOut[i * m + o] !== 0) idx[k++] = o;
    const xo = i * n;
    let t = 0;
    for (; t + 3 < k; t += 4) {
      const o0 = idx[t], o1 = idx[t + 1], o2 = idx[t + 2], o3 = idx[t + 3];
      const g0 = dOut[i * m + o0], g1 = dOut[i * m + o1], g2 = dOut[i * m + o2], g3 = dOut[i * m + o3];
      const a = o0 * n, b = o1 * n, c = o2 * n, d = o3 * n;
      for (let j = 0; j < n; j++) dx[xo + j] += g0 * W[a + j] + g1 * W[b + j] + g2 * W[c + j] + g3 * W[d + j];
    }
    for (; t < k; t++) {
      const o0 = idx[t];
      const g0 = dOut[i * m + o0];
      const a = o0 * n;
      for (let j = 0; j < n; j++) dx[xo + j] += g0 * W[a + j];
    }
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
