/**
 * The EM Gaussian mixture behind mode-specific normalisation: recovery of a known two-component
 * mixture, collapse onto repeated values, pruning, posteriors, and hostile inputs.
 */
import { describe, expect, it } from 'vitest';
import { deriveRandom } from '../../src/math/random.js';
import { fitGaussianMixture, modePosteriors } from '../../src/synth/gmm.js';

function twoGaussians(n: number): Float64Array {
  const rng = deriveRandom(11, 'two-gaussians');
  // 30 % from N(−5, 1²), 70 % from N(5, 2²)
  return Float64Array.from({ length: n }, () => (rng.next() < 0.3 ? -5 + rng.normal() : 5 + 2 * rng.normal()));
}

describe('fitGaussianMixture', () => {
  it('recovers the means, standard deviations and weights of a two-Gaussian sample', () => {
    const gmm = fitGaussianMixture(twoGaussians(4000), { maxModes: 2, rng: deriveRandom(1, 'gmm') });
    expect(gmm.means.length).toBe(2);
    expect(gmm.means[0]).toBeCloseTo(-5, 0);
    expect(gmm.means[1]).toBeCloseTo(5, 0);
    expect(Math.abs(gmm.means[0] + 5)).toBeLessThan(0.1);
    expect(Math.abs(gmm.means[1] - 5)).toBeLessThan(0.15);
    expect(Math.abs(gmm.stds[0] - 1)).toBeLessThan(0.1);
    expect(Math.abs(gmm.stds[1] - 2)).toBeLessThan(0.1);
    expect(Math.abs(gmm.weights[0] - 0.3)).toBeLessThan(0.03);
  });

  it('with 10 modes allowed keeps the two clusters apart and the weights summing to 1', () => {
    const gmm = fitGaussianMixture(twoGaussians(4000), { rng: deriveRandom(1, 'gmm') });
    expect(gmm.means.length).toBeGreaterThanOrEqual(2);
    expect(gmm.means.length).toBeLessThanOrEqual(10);
    expect(gmm.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    for (const w of gmm.weights) expect(w).toBeGreaterThanOrEqual(0.005);
    const left = gmm.means.reduce((s, m, j) => s + (m < 0 ? gmm.weights[j] : 0), 0);
    expect(Math.abs(left - 0.3)).toBeLessThan(0.03);
  });

  it('puts a near-zero-width mode on a repeated value (zero debt) and stays finite', () => {
    const rng = deriveRandom(2, 'zeros');
    const values = Float64Array.from({ length: 1000 }, (_, i) => (i < 700 ? 0 : 1000 + 200 * rng.normal()));
    const gmm = fitGaussianMixture(values, { rng: deriveRandom(1, 'gmm') });
    const zero = gmm.means.findIndex((m) => Math.abs(m) < 1e-9);
    expect(zero).toBeGreaterThanOrEqual(0);
    expect(Math.abs(gmm.weights[zero] - 0.7)).toBeLessThan(0.01); // pruned tiny modes renormalise the rest
    expect(gmm.stds[zero]).toBeGreaterThan(0); // the variance floor
    for (const s of gmm.stds) expect(Number.isFinite(s) && s > 0).toBe(true);
  });

  it('gives one mode for a constant column and at most as many modes as distinct values', () => {
    expect(fitGaussianMixture(new Float64Array(50).fill(3), { rng: deriveRandom(1) })).toEqual({
      weights: Float64Array.of(1), means: Float64Array.of(3), stds: Float64Array.of(1),
    });
    const gmm = fitGaussianMixture(Float64Array.from({ length: 90 }, (_, i) => i % 3), { rng: deriveRandom(1) });
    expect(gmm.means.length).toBeLessThanOrEqual(3);
  });

  it('is deterministic for a seed', () => {
    const a = fitGaussianMixture(twoGaussians(500), { rng: deriveRandom(9, 'gmm') });
    const b = fitGaussianMixture(twoGaussians(500), { rng: deriveRandom(9, 'gmm') });
    expect(a).toEqual(b);
  });

  it.each([
    ['empty', new Float64Array(0), {}, TypeError],
    ['a plain array', [1, 2] as unknown as Float64Array, {}, TypeError],
    ['NaN', Float64Array.of(1, NaN), {}, RangeError],
    ['Infinity', Float64Array.of(1, Infinity), {}, RangeError],
    ['maxModes 0', Float64Array.of(1, 2), { maxModes: 0 }, RangeError],
    ['maxModes 11', Float64Array.of(1, 2), { maxModes: 11 }, RangeError],
    ['minWeight 1', Float64Array.of(1, 2), { minWeight: 1 }, RangeError],
  ])('rejects %s', (_name, values, extra, error) => {
    expect(() => fitGaussianMixture(values, { rng: deriveRandom(1), ...extra })).toThrow(error);
  });
});

describe('modePosteriors', () => {
  it('matches Bayes rule on a hand example', () => {
    // Equal weights and widths at −1 and +1: p(mode 2 | x) = 1/(1 + e^(−2x)); at x = 0.5: 1/(1 + e^(−1)).
    const gmm = { weights: Float64Array.of(0.5, 0.5), means: Float64Array.of(-1, 1), stds: Float64Array.of(1, 1) };
    const out = new Float64Array(2);
    modePosteriors(gmm, 0.5, out);
    expect(out[1]).toBeCloseTo(1 / (1 + Math.exp(-1)), 12);
    expect(out[0] + out[1]).toBeCloseTo(1, 12);
    modePosteriors(gmm, 1e6, out); // far tail: no NaN from underflow
    expect(Array.from(out)).toEqual([0, 1]);
  });
});
