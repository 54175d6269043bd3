/**
 * CTGAN's critic: a PacGAN discriminator (Lin et al., "PacGAN: The power of two samples in
 * generative adversarial networks", NeurIPS 2018) that scores *packs* of `pac` rows at once,
 * which penalises a generator that collapses onto a few modes, trained with the WGAN-GP loss
 * (Gulrajani et al., "Improved Training of Wasserstein GANs", NeurIPS 2017, Algorithm 1):
 *   L_D = E[D(fake)] − E[D(real)] + λ·E[(‖∇ₓD(x̂)‖₂ − 1)²], x̂ = ε·real + (1 − ε)·fake.
 * Layers: Linear → LeakyReLU(0.2) → Dropout(0.5) per hidden size, then Linear → 1 (as CTGAN).
 *
 * The penalty needs the gradient of ‖∇ₓD‖ with respect to the weights ("double backprop").
 * Leaky-ReLU and dropout are piecewise linear, h = gate ⊙ z with the gate constant almost
 * everywhere, so ∇ₓD = W₁ᵀ·δ₁ with δ_L = gate_L ⊙ w_out and δ_l = gate_l ⊙ (W_{l+1}ᵀ·δ_{l+1}) is
 * *linear* in each weight matrix. Differentiating P(g) through that chain gives, with
 * u = ∂P/∂g, s₀ = u and s_l = gate_l ⊙ (W_l·s_{l−1}):
 *   ∂P/∂W_l = δ_l·s_{l−1}ᵀ,  ∂P/∂w_out = s_L,  ∂P/∂b = 0,
 * i.e. one extra bias-free forward pass of u through the same gates. test/synth/nn.test.ts
 * checks it against finite differences.
 */
import type { Random } from '../math/random.js';
import { Dense, leakyReluDropoutGate } from './nn.js';

/** Options of {@link Discriminator}. */
export interface DiscriminatorOptions {
  /** Width of one row (data + condition). */
  readonly rowSize: number;
  /** Rows per pack (CTGAN: 10). */
  readonly pac: number;
  /** Hidden layer sizes (CTGAN: [256, 256]). */
  readonly hidden: readonly number[];
  /** Dropout rate after each hidden layer (CTGAN: 0.5). */
  readonly dropRate?: number;
  /** Generator for the initial weights. */
  readonly rng: Random;
}

const SLOPE = 0.2;

/** A PacGAN critic with WGAN-GP gradients; see the module comment. */
export class Discriminator {
  readonly inputSize: number;
  readonly pac: number;
  readonly dropRate: number;
  readonly layers: readonly Dense[];
  private readonly out: Dense;
  private numGroups = 0;
  private readonly h: Float64Array[] = [];
  private readonly gates: Float64Array[] = [];
  private readonly deltas: Float64Array[] = [];
  private scores = new Float64Array(0);

  constructor(options: DiscriminatorOptions) {
    if (!Number.isInteger(options.pac) || options.pac < 1) throw new RangeError(`options.pac: expected a positive integer, got ${options.pac}`);
    this.pac = options.pac;
    this.inputSize = options.rowSize * options.pac;
    this.dropRate = options.dropRate ?? 0.5;
    if (!(this.dropRate >= 0 && this.dropRate < 1)) throw new RangeError(`options.dropRate: expected a number in [0, 1), got ${this.dropRate}`);
    if (!Array.isArray(options.hidden) || options.hidden.length === 0) throw new RangeError('options.hidden: expected at least one hidden layer size');
    const layers: Dense[] = [];
    let width = this.inputSize;
    for (const size of options.hidden) {
      layers.push(new Dense(width, size, options.rng));
      width = size;
    }
    this.layers = layers;
    this.out = new Dense(width, 1, options.rng);
  }

  /** Every layer (for the optimizer): hidden layers then the output layer. */
  get allLayers(): readonly Dense[] {
    return [...this.layers, this.out];
  }

  /** Scores of `numGroups` packs; `x` is numGroups × (pac·rowSize), i.e. the rows back to back. */
  forward(x: Float64Array, numGroups: number, rng: Random | undefined): Float64Array {
    this.ensure(numGroups);
    this.h[0] = x;
    this.layers.forEach((layer, l) => {
      const z = this.h[l + 1];
      layer.forward(this.h[l], numGroups, z);
      leakyReluDropoutGate(z, numGroups * layer.outputSize, SLOPE, this.dropRate, rng, this.gates[l]);
    });
    this.out.forward(this.h[this.layers.length], numGroups, this.scores);
    return this.scores;
  }

  /**
   * Backprop of the last {@link forward} with ∂L/∂score = `dScores`: adds parameter gradients
   * when `paramGrads` is set, and writes ∂L/∂x into `dx` when given.
   */
  backward(dScores: Float64Array, dx: Float64Array | undefined, paramGrads = true): void {
    const n = this.numGroups;
    const L = this.layers.length;
    let dh = this.deltas[L];
    if (paramGrads) this.out.backward(this.h[L], dScores, n, dh);
    else this.out.inputGradient(dScores, n, dh);
    for (let l = L - 1; l >= 0; l--) {
      const delta = this.deltas[l];
      const gate = this.gates[l];
      for (let i = 0; i < n * this.layers[l].outputSize; i++) delta[i] = dh[i] * gate[i];
      const below = l > 0 ? this.deltas[L + l] : dx;
      if (paramGrads) this.layers[l].backward(this.h[l], delta, n, below);
      else if (below !== undefined) this.layers[l].inputGradient(delta, n, below);
      if (below !== undefined) dh = below;
    }
  }

  /**
   * Add the gradient of λ·mean over packs of (‖∇ₓD(x̂)‖ − 1)² to the parameter gradients, at
   * x̂ = ε·real + (1 − ε)·fake with one ε ~ U(0, 1) per pack, and return the penalty.
   */
  gradientPenalty(real: Float64Array, fake: Float64Array, numGroups: number, lambda: number, rng: Random): number {
    const d = this.inputSize;
    const x = new Float64Array(numGroups * d);
    for (let g = 0; g < numGroups; g++) {
      const eps = rng.next();
      for (let j = g * d; j < (g + 1) * d; j++) x[j] = eps * real[j] + (1 - eps) * fake[j];
    }
    this.forward(x, numGroups, rng);
    // δ_l for ∂D/∂x (dScore = 1); kept in this.deltas[0..L−1], ∂D/∂x in `grad`.
    const grad = new Float64Array(numGroups * d);
    this.backward(new Float64Array(numGroups).fill(1), grad, false);
    let penalty = 0;
    const u = grad; // reused in place: u = ∂P/∂g
    for (let g = 0; g < numGroups; g++) {
      let sq = 0;
      for (let j = g * d; j < (g + 1) * d; j++) sq += grad[j] * grad[j];
      const norm = Math.sqrt(sq);
      penalty += (norm - 1) * (norm - 1);
      // d/dg (‖g‖ − 1)² = 2(‖g‖ − 1)·g/‖g‖, taken as 0 at g = 0 where it is undefined.
      const factor = norm > 0 ? (2 * lambda * (norm - 1)) / (norm * numGroups) : 0;
      for (let j = g * d; j < (g + 1) * d; j++) u[j] = factor * grad[j];
    }
    let s = u;
    this.layers.forEach((layer, l) => {
      layer.backward(s, this.deltas[l], numGroups, undefined, false);
      const a = new Float64Array(numGroups * layer.outputSize);
      layer.forward(s, numGroups, a, false);
      const gate = this.gates[l];
      for (let i = 0; i < a.length; i++) a[i] *= gate[i];
      s = a;
    });
    this.out.backward(s, new Float64Array(numGroups).fill(1), numGroups, undefined, false);
    return (lambda * penalty) / numGroups;
  }

  /** Reset every layer's gradient. */
  zeroGrad(): void {
    for (const layer of this.allLayers) layer.zeroGrad();
  }

  private ensure(numGroups: number): void {
    if (numGroups === this.numGroups) return;
    const L = this.layers.length;
    this.numGroups = numGroups;
    this.h.length = 0;
    this.h.push(new Float64Array(0));
    this.gates.length = 0;
    this.deltas.length = 0;
    for (const layer of this.layers) {
      this.h.push(new Float64Array(numGroups * layer.outputSize));
      this.gates.push(new Float64Array(numGroups * layer.outputSize));
      this.deltas.push(new Float64Array(numGroups * layer.outputSize));
    }
    // deltas[L] = ∂/∂h_L; deltas[L + l] (l ≥ 1) = ∂/∂h_l, the input side of layer l.
    this.deltas.push(new Float64Array(numGroups * (L > 0 ? this.layers[L - 1].outputSize : this.inputSize)));
    for (let l = 1; l < L; l++) this.deltas.push(new Float64Array(numGroups * this.layers[l - 1].outputSize));
    this.scores = new Float64Array(numGroups);
  }
}
