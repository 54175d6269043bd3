/**
 * CTGAN's conditional generator (Xu et al., NeurIPS 2019, §4.4 and the reference
 * implementation's `Generator`): input [noise z, condition c]; residual blocks
 * x_k = [ReLU(BN(W_k·x_{k−1} + b_k)), x_{k−1}] that concatenate rather than add, so the noise and
 * the condition reach the output layer directly; a linear output layer; then per output span
 * tanh (the scalars α) or Gumbel-softmax with τ = 0.2 (mode and category one-hots).
 *
 * The batch normalisation (on by default, as in CTGAN) uses batch statistics in training and
 * running averages when sampling (see `BatchNorm` in nn.ts for why this departs from CTGAN).
 */
import type { Random } from '../math/random.js';
import { BatchNorm, Dense, gumbelSoftmax, softmaxBackward, type Trainable } from './nn.js';
import type { OutputSpan } from './transform.js';

/** Options of {@link Generator}. */
export interface GeneratorOptions {
  /** Noise dimension (CTGAN's embedding_dim, 128). */
  readonly noiseSize: number;
  /** Condition vector width. */
  readonly condSize: number;
  /** Residual block sizes (CTGAN: [256, 256]). */
  readonly hidden: readonly number[];
  /** Output spans from the transformer; their sizes add up to the data width. */
  readonly spans: readonly OutputSpan[];
  /** Gumbel-softmax temperature (CTGAN: 0.2). */
  readonly tau?: number;
  /** Batch normalisation in the residual blocks (CTGAN: yes). Default true. */
  readonly batchNorm?: boolean;
  /** Generator for the initial weights. */
  readonly rng: Random;
}

/** Output of one {@link Generator.forward}: raw logits and activated rows, numRows × dataSize each. */
export interface GeneratorOutput {
  readonly logits: Float64Array;
  readonly act: Float64Array;
}

/** The residual conditional generator; see the module comment. */
export class Generator {
  readonly inputSize: number;
  readonly dataSize: number;
  readonly tau: number;
  readonly blocks: readonly Dense[];
  private readonly norms: readonly BatchNorm[];
  private readonly out: Dense;
  private readonly spans: readonly OutputSpan[];
  private numRows = 0;
  private xs: Float64Array[] = [];
  private rs: Float64Array[] = [];
  private logits = new Float64Array(0);
  private act = new Float64Array(0);

  constructor(options: GeneratorOptions) {
    this.inputSize = options.noiseSize + options.condSize;
    this.spans = options.spans;
    this.dataSize = options.spans.reduce((n, s) => n + s.size, 0);
    this.tau = options.tau ?? 0.2;
    if (!(this.tau > 0)) throw new RangeError(`options.tau: expected a number > 0, got ${this.tau}`);
    const blocks: Dense[] = [];
    let width = this.inputSize;
    for (const size of options.hidden) {
      blocks.push(new Dense(width, size, options.rng));
      width += size;
    }
    this.blocks = blocks;
    this.norms = options.batchNorm === false ? [] : blocks.map((b) => new BatchNorm(b.outputSize));
    this.out = new Dense(width, this.dataSize, options.rng);
  }

  /** Every trainable layer (for the optimizer). */
  get allLayers(): readonly Trainable[] {
    return [...this.blocks, ...this.norms, this.out];
  }

  /**
   * Generate from `input` (numRows × inputSize: noise then condition); `rng` draws the Gumbel
   * noise. `training` selects batch statistics in the batch normalisation (default true).
   */
  forward(input: Float64Array, numRows: number, rng: Random, training = true): GeneratorOutput {
    this.ensure(numRows);
    this.xs[0] = input;
    let width = this.inputSize;
    this.blocks.forEach((block, k) => {
      const r = this.rs[k];
      block.forward(this.xs[k], numRows, r);
      this.norms[k]?.forward(r, numRows, r, training);
      for (let i = 0; i < r.length; i++) if (r[i] < 0) r[i] = 0;
      const next = this.xs[k + 1];
      const h = block.outputSize;
      const prev = this.xs[k];
      for (let i = 0; i < numRows; i++) {
        next.set(r.subarray(i * h, (i + 1) * h), i * (h + width));
        next.set(prev.subarray(i * width, (i + 1) * width), i * (h + width) + h);
      }
      width += h;
    });
    this.out.forward(this.xs[this.blocks.length], numRows, this.logits);
    const d = this.dataSize;
    for (let i = 0; i < numRows; i++) {
      for (const span of this.spans) {
        const o = i * d + span.offset;
        if (span.activation === 'tanh') for (let j = 0; j < span.size; j++) this.act[o + j] = Math.tanh(this.logits[o + j]);
        else gumbelSoftmax(this.logits, o, span.size, this.tau, rng, this.act);
      }
    }
    return { logits: this.logits, act: this.act };
  }

  /**
   * Backprop of the last {@link forward}: `dAct` is ∂L/∂act; `dLogits` holds any gradient taken
   * directly on the logits (the conditional cross-entropy) and is added to in place. Adds the
   * parameter gradients; the input (noise, condition) needs none.
   */
  backward(dAct: Float64Array, dLogits: Float64Array): void {
    const n = this.numRows;
    const d = this.dataSize;
    for (let i = 0; i < n; i++) {
      for (const span of this.spans) {
        const o = i * d + span.offset;
        if (span.activation === 'tanh') {
          for (let j = 0; j < span.size; j++) dLogits[o + j] += dAct[o + j] * (1 - this.act[o + j] * this.act[o + j]);
        } else softmaxBackward(this.act, dAct, o, span.size, this.tau, dLogits);
      }
    }
    const K = this.blocks.length;
    let dx: Float64Array | undefined = K > 0 ? new Float64Array(this.xs[K].length) : undefined;
    this.out.backward(this.xs[K], dLogits, n, dx);
    for (let k = K - 1; k >= 0; k--) {
      const block = this.blocks[k];
      const h = block.outputSize;
      const below = block.inputSize;
      const dr = new Float64Array(n * h);
      const r = this.rs[k];
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < h; j++) if (r[i * h + j] > 0) dr[i * h + j] = dx![i * (h + below) + j];
      }
      this.norms[k]?.backward(dr, n, dr);
      const dPrev = k > 0 ? new Float64Array(n * below) : undefined;
      block.backward(this.xs[k], dr, n, dPrev);
      if (dPrev !== undefined) {
        // The skip half of the concatenation passes its gradient straight down.
        for (let i = 0; i < n; i++) for (let j = 0; j < below; j++) dPrev[i * below + j] += dx![i * (h + below) + h + j];
      }
      dx = dPrev;
    }
  }

  /** Reset every layer's gradient. */
  zeroGrad(): void {
    for (const layer of this.allLayers) layer.zeroGrad();
  }

  private ensure(numRows: number): void {
    if (numRows === this.numRows) return;
    this.numRows = numRows;
    this.xs = [new Float64Array(0)];
    this.rs = [];
    let width = this.inputSize;
    for (const block of this.blocks) {
      this.rs.push(new Float64Array(numRows * block.outputSize));
      width += block.outputSize;
      this.xs.push(new Float64Array(numRows * width));
    }
    this.logits = new Float64Array(numRows * this.dataSize);
    this.act = new Float64Array(numRows * this.dataSize);
  }
}
