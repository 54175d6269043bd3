/**
 * Gradients of the GAN's hand-written networks against central finite differences
 * (f(θ + h) − f(θ − h))/2h, h = 1e-6: the dense layer (weights, bias, input), the Gumbel-softmax
 * and cross-entropy pieces, the critic's backward pass, its WGAN-GP double backprop, and the
 * generator end to end. Random draws (dropout, Gumbel noise, ε) are replayed from the same seed
 * at every evaluation, so f is a fixed smooth function of θ near the test point.
 */
import { describe, expect, it } from 'vitest';
import { deriveRandom } from '../../src/math/random.js';
import { Discriminator } from '../../src/synth/discriminator.js';
import { Generator } from '../../src/synth/generator.js';
import { BatchNorm, Dense, crossEntropyWithGrad, gumbelSoftmax, softmaxBackward } from '../../src/synth/nn.js';

const H = 1e-6;

function randomArray(n: number, seed: string): Float64Array {
  const rng = deriveRandom(7, seed);
  return Float64Array.from({ length: n }, () => rng.normal());
}

/** Central differences of f with respect to every entry of `x` (modified in place and restored). */
function numericGradient(x: Float64Array, f: () => number): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const keep = x[i];
    x[i] = keep + H;
    const up = f();
    x[i] = keep - H;
    const down = f();
    x[i] = keep;
    out[i] = (up - down) / (2 * H);
  }
  return out;
}

function expectClose(actual: Float64Array, expected: Float64Array, tolerance = 1e-6): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / Math.max(1, Math.abs(expected[i])));
  expect(worst).toBeLessThan(tolerance);
}

describe('Dense', () => {
  // Sizes with odd counts exercise the tails of the blocked kernels (2×2 and 4-wide blocks).
  const rows = 5, n = 7, m = 3;
  const layer = new Dense(n, m, deriveRandom(1, 'dense'));
  const x = randomArray(rows * n, 'x');
  const weightsOut = randomArray(rows * m, 'w'); // L = Σ weightsOut ⊙ y
  const loss = () => {
    const y = new Float64Array(rows * m);
    layer.forward(x, rows, y);
    return y.reduce((s, v, i) => s + v * weightsOut[i], 0);
  };

  it('forward is x·Wᵀ + b (hand-checked on a 1×2 → 2 layer)', () => {
    const small = new Dense(2, 2, deriveRandom(1, 'small'));
    small.params.set([1, 2, 3, 4, 0.5, -0.5]); // W = [[1, 2], [3, 4]], b = [0.5, −0.5]
    const y = new Float64Array(2);
    small.forward(Float64Array.of(10, 20), 1, y);
    expect(Array.from(y)).toEqual([50.5, 109.5]);
  });

  it('parameter and input gradients match finite differences', () => {
    layer.zeroGrad();
    const dx = new Float64Array(rows * n);
    layer.backward(x, weightsOut, rows, dx);
    expectClose(layer.grad, numericGradient(layer.params, loss));
    expectClose(dx, numericGradient(x, loss));
  });

  it('skips zero entries of dOut without changing the result', () => {
    const sparse = weightsOut.map((v, i) => (i % 3 === 0 ? 0 : v));
    layer.zeroGrad();
    const dx = new Float64Array(rows * n);
    layer.backward(x, sparse, rows, dx);
    const g = layer.grad.slice();
    // Dense reference: dW[o,j] = Σ_i dOut[i,o]·x[i,j]
    for (let o = 0; o < m; o++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let i = 0; i < rows; i++) s += sparse[i * m + o] * x[i * n + j];
        expect(g[o * n + j]).toBeCloseTo(s, 12);
      }
    }
  });

  it('rejects impossible sizes', () => {
    expect(() => new Dense(0, 3, deriveRandom(1))).toThrow(RangeError);
    expect(() => new Dense(3, 1.5, deriveRandom(1))).toThrow(/outputSize/);
  });
});

describe('BatchNorm', () => {
  it('normalises each feature over the batch and keeps running averages (hand example)', () => {
    // one feature, batch 1, 2, 3: mean 2, biased variance 2/3, unbiased 1
    const bn = new BatchNorm(1);
    const out = new Float64Array(3);
    bn.forward(Float64Array.of(1, 2, 3), 3, out);
    const inv = 1 / Math.sqrt(2 / 3 + 1e-5);
    expect(Array.from(out).map((v) => Number(v.toFixed(12)))).toEqual([-inv, 0, inv].map((v) => Number(v.toFixed(12))));
    expect(bn.runningMean[0]).toBeCloseTo(0.2, 12); // 0.9·0 + 0.1·2
    expect(bn.runningVar[0]).toBeCloseTo(1, 12); // 0.9·1 + 0.1·1
    bn.forward(Float64Array.of(5), 1, out, false); // inference: (5 − 0.2)/√(1 + 1e-5)
    expect(out[0]).toBeCloseTo(4.8 / Math.sqrt(1 + 1e-5), 12);
  });

  it('backward matches finite differences for γ, β and the input', () => {
    const rows = 4, m = 3;
    const bn = new BatchNorm(m);
    bn.params.set([1.5, 0.5, -1, 0.1, 0.2, 0.3]);
    const z = randomArray(rows * m, 'bn-z');
    const w = randomArray(rows * m, 'bn-w');
    const f = () => {
      const out = new Float64Array(rows * m);
      bn.forward(z, rows, out);
      return out.reduce((s, v, i) => s + v * w[i], 0);
    };
    f();
    bn.zeroGrad();
    const dz = new Float64Array(rows * m);
    bn.backward(w, rows, dz);
    expectClose(bn.grad.slice(), numericGradient(bn.params, f), 1e-5);
    f();
    expectClose(dz, numericGradient(z, f), 1e-5);
  });
});

describe('softmax pieces', () => {
  it('Gumbel-softmax backward matches finite differences for fixed noise', () => {
    const logits = randomArray(4, 'logits');
    const w = randomArray(4, 'w');
    const f = () => {
      const y = new Float64Array(4);
      gumbelSoftmax(logits, 0, 4, 0.2, deriveRandom(3, 'gumbel'), y);
      return y.reduce((s, v, i) => s + v * w[i], 0);
    };
    const y = new Float64Array(4);
    gumbelSoftmax(logits, 0, 4, 0.2, deriveRandom(3, 'gumbel'), y);
    expect(y.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    const d = new Float64Array(4);
    softmaxBackward(y, w, 0, 4, 0.2, d);
    expectClose(d, numericGradient(logits, f), 1e-5);
  });

  it('cross-entropy of uniform logits is log(size), gradient softmax − onehot', () => {
    const d = new Float64Array(4);
    const loss = crossEntropyWithGrad(new Float64Array(4), 0, 4, 2, 1, d);
    expect(loss).toBeCloseTo(Math.log(4), 12);
    expect(Array.from(d)).toEqual([0.25, 0.25, -0.75, 0.25]);
    const logits = randomArray(5, 'ce');
    const g = new Float64Array(5);
    crossEntropyWithGrad(logits, 0, 5, 1, 1, g);
    expectClose(g, numericGradient(logits, () => crossEntropyWithGrad(logits, 0, 5, 1, 1, new Float64Array(5))));
  });
});

describe('Discriminator', () => {
  const rowSize = 3, pac = 2, groups = 3;
  const make = (dropRate: number) => new Discriminator({ rowSize, pac, hidden: [5, 4], dropRate, rng: deriveRandom(2, 'critic') });
  const real = randomArray(groups * pac * rowSize, 'real');
  const fake = randomArray(groups * pac * rowSize, 'fake');
  const c = randomArray(groups, 'c');

  it('backward gives parameter and input gradients of Σ c·D(x)', () => {
    const D = make(0.5);
    const f = () => D.forward(real, groups, deriveRandom(4, 'drop')).reduce((s, v, i) => s + v * c[i], 0);
    f();
    D.zeroGrad();
    const dx = new Float64Array(real.length);
    D.backward(c, dx);
    const analytic = D.allLayers.map((l) => l.grad.slice());
    D.allLayers.forEach((layer, l) => expectClose(analytic[l], numericGradient(layer.params, f)));
    f();
    D.backward(c, dx);
    expectClose(dx, numericGradient(real, f));
  });

  it('gradient penalty: value is λ·mean (‖∇ₓD‖ − 1)² and its weight gradient matches finite differences', () => {
    for (const dropRate of [0, 0.5]) {
      const D = make(dropRate);
      const lambda = 10;
      const penalty = () => D.gradientPenalty(real, fake, groups, lambda, deriveRandom(5, 'gp'));
      D.zeroGrad();
      const value = penalty();
      const analytic = D.allLayers.map((l) => l.grad.slice());
      // Recompute the value from input gradients obtained by finite differences of D itself.
      const eps = deriveRandom(5, 'gp');
      const x = new Float64Array(real.length);
      const d = rowSize * pac;
      for (let g = 0; g < groups; g++) {
        const e = eps.next();
        for (let j = g * d; j < (g + 1) * d; j++) x[j] = e * real[j] + (1 - e) * fake[j];
      }
      let expected = 0;
      for (let g = 0; g < groups; g++) {
        // The dropout masks follow the ε draws in the same stream: replay them.
        const f = () => {
          const replay = deriveRandom(5, 'gp');
          for (let k = 0; k < groups; k++) replay.next();
          return D.forward(x, groups, replay)[g];
        };
        const grad = numericGradient(x, f).subarray(g * d, (g + 1) * d);
        const norm = Math.hypot(...grad);
        expected += (norm - 1) ** 2;
      }
      expect(value).toBeCloseTo((lambda * expected) / groups, 6);
      D.allLayers.forEach((layer, l) => {
        const numeric = numericGradient(layer.params, penalty);
        expectClose(analytic[l], numeric, 1e-5);
      });
    }
  });
});

describe('Generator', () => {
  it('backward matches finite differences through residual blocks, tanh and Gumbel-softmax', () => {
    const spans = [
      { activation: 'tanh' as const, offset: 0, size: 1 },
      { activation: 'softmax' as const, offset: 1, size: 3 },
      { activation: 'softmax' as const, offset: 4, size: 2 },
    ];
    const G = new Generator({ noiseSize: 3, condSize: 2, hidden: [4, 3], spans, tau: 0.5, rng: deriveRandom(6, 'gen') });
    const rows = 3;
    const input = randomArray(rows * 5, 'input');
    const w = randomArray(rows * 6, 'dAct');
    const f = () => G.forward(input, rows, deriveRandom(8, 'noise')).act.reduce((s, v, i) => s + v * w[i], 0);
    f();
    G.zeroGrad();
    G.backward(w, new Float64Array(rows * 6));
    const analytic = G.allLayers.map((l) => l.grad.slice());
    G.allLayers.forEach((layer, l) => expectClose(analytic[l], numericGradient(layer.params, f), 1e-5));
  });
});
