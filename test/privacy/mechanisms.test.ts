import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { norm2 } from '../../src/math/linalg.js';
import { deriveRandom } from '../../src/math/random.js';
import { erfc } from '../../src/privacy/erfc.js';
import {
  addGaussianNoise,
  addLaplaceNoise,
  clipByL2Norm,
  gaussianSigmaFor,
  laplaceNoise,
  laplaceScaleFor,
} from '../../src/privacy/mechanisms.js';
import { seededNoiseSource } from '../../src/privacy/noiseSource.js';

const vectors = JSON.parse(readFileSync(new URL('../vectors/gaussian-mechanism.json', import.meta.url), 'utf8')) as {
  relTolerance: number;
  values: { epsilon: number; delta: number; sigma: number; classicalSigma: number }[];
};

const N = 100_000;
const source = (purpose: string) => seededNoiseSource(deriveRandom(11, 'privacy-test', purpose));

/** The norm the rest of FedCredit computes; clipping promises its bound in these terms. */
const norm = (v: Float64Array): number => norm2(v);

function meanAndVariance(xs: Float64Array): { mean: number; variance: number } {
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  return { mean, variance: xs.reduce((s, x) => s + (x - mean) * (x - mean), 0) / (xs.length - 1) };
}

describe('clipByL2Norm', () => {
  const vector = fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 50 }).map((a) => Float64Array.from(a));
  const maxNorm = fc.double({ min: 1e-6, max: 1e4, noNaN: true });

  it('leaves the norm ≤ maxNorm and keeps the direction (property)', () => {
    fc.assert(
      fc.property(vector, maxNorm, (v, c) => {
        const original = Float64Array.from(v);
        const factor = clipByL2Norm(v, c);
        expect(norm(v)).toBeLessThanOrEqual(c);
        expect(factor).toBeGreaterThan(0);
        expect(factor).toBeLessThanOrEqual(1);
        v.forEach((x, i) => expect(Math.abs(x - original[i] * factor)).toBeLessThanOrEqual(1e-14 * Math.abs(original[i]) + 1e-300));
        if (norm(original) > c) expect(Math.abs(norm(v) - c) / c).toBeLessThan(1e-12);
      }),
      { numRuns: 300 },
    );
  });

  it('leaves vectors inside the ball bit-for-bit unchanged and returns 1', () => {
    fc.assert(
      fc.property(vector, (v) => {
        const original = Float64Array.from(v);
        expect(clipByL2Norm(v, norm(v) * 1.5 + 1)).toBe(1);
        expect(v).toEqual(original);
      }),
    );
    const onSphere = Float64Array.of(3, 4);
    expect(clipByL2Norm(onSphere, 5)).toBe(1);
    expect(onSphere).toEqual(Float64Array.of(3, 4));
  });

  it('scales a hand-computed case: (3, 4) to norm 1 is (0.6, 0.8) with factor 1/5', () => {
    const v = Float64Array.of(3, 4);
    expect(clipByL2Norm(v, 1)).toBeCloseTo(0.2, 15);
    expect(v[0]).toBeCloseTo(0.6, 15);
    expect(v[1]).toBeCloseTo(0.8, 15);
  });

  it('handles extreme magnitudes without overflow, and maxNorm 0', () => {
    const huge = Float64Array.of(1e300, -1e300, 1e300);
    const f = clipByL2Norm(huge, 1);
    expect(f).toBeGreaterThan(0);
    expect(norm(huge)).toBeLessThanOrEqual(1);
    expect(norm(huge)).toBeGreaterThan(1 - 1e-12);
    const tiny = Float64Array.of(1e-300, 1e-300);
    expect(clipByL2Norm(tiny, 1)).toBe(1);
    const zeroed = Float64Array.of(1, 2);
    clipByL2Norm(zeroed, 0);
    expect(norm(zeroed)).toBe(0);
    expect(clipByL2Norm(new Float64Array(0), 1)).toBe(1);
  });

  it.each([
    ['NaN entry', Float64Array.of(1, NaN), 1, RangeError],
    ['Infinity entry', Float64Array.of(Infinity), 1, RangeError],
    ['plain array', [1, 2], 1, TypeError],
    ['maxNorm negative', Float64Array.of(1), -1, RangeError],
    ['maxNorm NaN', Float64Array.of(1), NaN, RangeError],
    ['maxNorm Infinity', Float64Array.of(1), Infinity, RangeError],
    ['maxNorm string', Float64Array.of(1), '1', TypeError],
  ])('rejects %s', (_name, v, c, error) => {
    expect(() => clipByL2Norm(v as never, c as never)).toThrow(error);
  });
});

describe('Gaussian and Laplace noise (seeded, 100k draws, bounds of 6 standard errors)', () => {
  it('addGaussianNoise adds N(0, std²) in place', () => {
    const base = Float64Array.from({ length: N }, (_, i) => i % 7);
    const v = Float64Array.from(base);
    expect(addGaussianNoise(v, 3, source('gauss'))).toBe(v);
    const noise = v.map((x, i) => x - base[i]);
    const { mean, variance } = meanAndVariance(noise);
    expect(Math.abs(mean)).toBeLessThan(6 * Math.sqrt(9 / N));
    expect(Math.abs(variance - 9)).toBeLessThan(6 * 9 * Math.sqrt(2 / N));
  });

  it('laplaceNoise has mean 0, variance 2b², and the Laplace CDF', () => {
    const b = 2;
    const s = source('laplace');
    const xs = Float64Array.from({ length: N }, () => laplaceNoise(b, s));
    const { mean, variance } = meanAndVariance(xs);
    expect(Math.abs(mean)).toBeLessThan(6 * Math.sqrt((2 * b * b) / N));
    // Var of the sample variance is (μ₄ − σ⁴)/n with μ₄ = 24b⁴, σ⁴ = 4b⁴.
    expect(Math.abs(variance - 2 * b * b)).toBeLessThan(6 * Math.sqrt((20 * b ** 4) / N));
    const cdf = (x: number): number => (x < 0 ? 0.5 * Math.exp(x / b) : 1 - 0.5 * Math.exp(-x / b));
    const sorted = Float64Array.from(xs).sort();
    let d = 0;
    sorted.forEach((x, i) => (d = Math.max(d, (i + 1) / N - cdf(x), cdf(x) - i / N)));
    expect(d).toBeLessThan(1.95 / Math.sqrt(N));
    // Mean absolute deviation of Laplace(0, b) is b.
    expect(Math.abs(xs.reduce((acc, x) => acc + Math.abs(x), 0) / N - b)).toBeLessThan(6 * b / Math.sqrt(N));
  });

  it('addLaplaceNoise adds Laplace(0, b) to every entry in place', () => {
    const v = new Float64Array(N);
    expect(addLaplaceNoise(v, 0.5, source('laplace-vec'))).toBe(v);
    const { mean, variance } = meanAndVariance(v);
    expect(Math.abs(mean)).toBeLessThan(6 * Math.sqrt(0.5 / N));
    expect(Math.abs(variance - 0.5)).toBeLessThan(6 * Math.sqrt((20 * 0.5 ** 4) / N));
  });

  it('is reproducible with the same seed, and zero scale adds nothing', () => {
    const a = addGaussianNoise(new Float64Array(10), 1, source('repeat'));
    const b = addGaussianNoise(new Float64Array(10), 1, source('repeat'));
    expect(a).toEqual(b);
    expect(addGaussianNoise(Float64Array.of(1, 2), 0, source('zero'))).toEqual(Float64Array.of(1, 2));
    expect(laplaceNoise(0, source('zero'))).toBe(0);
  });

  it('rejects bad arguments, naming them', () => {
    const s = source('bad');
    expect(() => addGaussianNoise(Float64Array.of(1), -1, s)).toThrow(/std/);
    expect(() => addGaussianNoise(Float64Array.of(1), NaN, s)).toThrow(RangeError);
    expect(() => addGaussianNoise([1] as never, 1, s)).toThrow(/vector/);
    expect(() => addGaussianNoise(Float64Array.of(1), 1, {} as never)).toThrow(/source/);
    expect(() => laplaceNoise(-1, s)).toThrow(/scale/);
    expect(() => laplaceNoise(Infinity, s)).toThrow(RangeError);
    expect(() => addLaplaceNoise(Float64Array.of(1), 1, null as never)).toThrow(TypeError);
  });
});

describe('calibration of one release', () => {
  it('laplaceScaleFor is sensitivity/ε (Dwork et al. 2006)', () => {
    expect(laplaceScaleFor({ epsilon: 0.5 })).toBe(2);
    expect(laplaceScaleFor({ epsilon: 2, sensitivity: 3 })).toBe(1.5);
    expect(() => laplaceScaleFor({ epsilon: 0 })).toThrow(/epsilon/);
    expect(() => laplaceScaleFor({ epsilon: 1, sensitivity: -1 })).toThrow(/sensitivity/);
  });

  it.each(vectors.values)('gaussianSigmaFor(ε = $epsilon, δ = $delta) = $sigma (Balle & Wang 2018, mpmath)', (v) => {
    const sigma = gaussianSigmaFor({ epsilon: v.epsilon, delta: v.delta });
    expect(Math.abs(sigma - v.sigma) / v.sigma).toBeLessThan(vectors.relTolerance);
    expect(sigma).toBeGreaterThanOrEqual(v.sigma * (1 - 1e-14)); // rounded up, never under-noised
    if (v.epsilon < 1) expect(sigma).toBeLessThan(v.classicalSigma);
  });

  it('meets δ at the returned σ, is tight, and scales with sensitivity (property)', () => {
    const phi = (x: number): number => 0.5 * erfc(-x / Math.SQRT2);
    const deltaAt = (s: number, e: number): number => phi(1 / (2 * s) - e * s) - Math.exp(e) * phi(-1 / (2 * s) - e * s);
    fc.assert(
      fc.property(
        fc.double({ min: 0.05, max: 10, noNaN: true }),
        fc.constantFrom(1e-3, 1e-5, 1e-7),
        fc.double({ min: 0.1, max: 100, noNaN: true }),
        (epsilon, delta, sensitivity) => {
          const sigma = gaussianSigmaFor({ epsilon, delta });
          expect(deltaAt(sigma, epsilon)).toBeLessThanOrEqual(delta * (1 + 1e-8));
          expect(deltaAt(sigma * (1 - 1e-6), epsilon)).toBeGreaterThan(delta);
          const scaled = gaussianSigmaFor({ epsilon, delta, sensitivity });
          expect(Math.abs(scaled / sensitivity - sigma) / sigma).toBeLessThan(1e-10);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('rejects bad budgets', () => {
    expect(() => gaussianSigmaFor({ epsilon: 0, delta: 1e-5 })).toThrow(/epsilon/);
    expect(() => gaussianSigmaFor({ epsilon: 1, delta: 0 })).toThrow(/delta/);
    expect(() => gaussianSigmaFor({ epsilon: 1, delta: 1 })).toThrow(/delta/);
    expect(() => gaussianSigmaFor({ epsilon: 1, delta: 1e-5, sensitivity: 0 })).toThrow(/sensitivity/);
    expect(() => gaussianSigmaFor({ epsilon: '1', delta: 1e-5 } as never)).toThrow(TypeError);
  });
});
