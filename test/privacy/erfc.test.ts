import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { erfc, erfcx, logErfc } from '../../src/privacy/erfc.js';

interface ErfcVectors {
  maxUlps: number;
  erfc: { x: number; erfc: number; erfcx: number }[];
  logErfc: { x: number; logErfc: number }[];
}
const vectors = JSON.parse(readFileSync(new URL('../vectors/erfc.json', import.meta.url), 'utf8')) as ErfcVectors;

/** Distance in units of double-precision epsilon relative to the reference. */
function ulps(actual: number, expected: number): number {
  if (actual === expected) return 0;
  return Math.abs(actual - expected) / Math.abs(expected) / Number.EPSILON;
}

/** erfc by Simpson's rule on (2/√π)∫ₓ^(x+9) e^(−t²) dt (the rest is < e⁻³⁶): independent of Cody's fits. */
function erfcBySimpson(x: number): number {
  const n = 40_000;
  const h = 9 / n;
  let s = Math.exp(-x * x) + Math.exp(-(x + 9) * (x + 9));
  for (let i = 1; i < n; i++) {
    const t = x + i * h;
    s += (i % 2 === 1 ? 4 : 2) * Math.exp(-t * t);
  }
  return ((s * h) / 3) * (2 / Math.sqrt(Math.PI));
}

describe('erfc (Cody 1969) against 50-digit mpmath values', () => {
  it.each(vectors.erfc)('erfc($x) and erfcx($x)', ({ x, erfc: want, erfcx: wantX }) => {
    expect(ulps(erfc(x), want)).toBeLessThanOrEqual(vectors.maxUlps);
    expect(ulps(erfcx(x), wantX)).toBeLessThanOrEqual(vectors.maxUlps);
  });

  it.each(vectors.logErfc)('logErfc($x)', ({ x, logErfc: want }) => {
    expect(ulps(logErfc(x), want)).toBeLessThanOrEqual(vectors.maxUlps);
  });

  it('matches Abramowitz & Stegun Table 7.1', () => {
    expect(erfc(1)).toBeCloseTo(0.157299207050285, 15);
    expect(erfc(2)).toBeCloseTo(0.004677734981047, 15);
  });
});

describe('erfc limits and identities', () => {
  it('handles the ends of the real line', () => {
    expect(erfc(0)).toBe(1);
    expect(erfc(Infinity)).toBe(0);
    expect(erfc(-Infinity)).toBe(2);
    expect(erfc(30)).toBe(0); // underflows, as it must in double precision
    expect(logErfc(Infinity)).toBe(-Infinity);
    expect(logErfc(-Infinity)).toBe(Math.log(2));
    expect(erfcx(Infinity)).toBe(0);
    expect(Number.isNaN(erfc(NaN))).toBe(true);
    expect(Number.isNaN(erfcx(NaN))).toBe(true);
    expect(Number.isNaN(logErfc(NaN))).toBe(true);
  });

  it('follows the asymptotic series erfcx(x) ≈ (1/(x√π))·Σ (−1)ⁿ(2n−1)!!/(2x²)ⁿ for large x (A&S 7.1.23)', () => {
    for (const x of [50, 200, 1e4]) {
      const u = 1 / (2 * x * x);
      const series = (1 - u * (1 - 3 * u * (1 - 5 * u * (1 - 7 * u * (1 - 9 * u))))) / (x * Math.sqrt(Math.PI));
      expect(ulps(erfcx(x), series)).toBeLessThan(8);
      expect(logErfc(x)).toBeCloseTo(-x * x + Math.log(series), 9);
    }
  });

  it('satisfies erfc(x) + erfc(−x) = 2', () => {
    fc.assert(
      fc.property(fc.double({ min: -30, max: 30, noNaN: true }), (x) => {
        expect(Math.abs(erfc(x) + erfc(-x) - 2)).toBeLessThan(4 * Number.EPSILON);
      }),
    );
  });

  it('agrees with numerical integration of its definition', () => {
    fc.assert(
      fc.property(fc.double({ min: -3, max: 6, noNaN: true }), (x) => {
        const reference = erfcBySimpson(x);
        expect(Math.abs(erfc(x) - reference) / reference).toBeLessThan(1e-11);
      }),
      { numRuns: 40 },
    );
  });

  it('has logErfc continuous across the branch at 0.46875', () => {
    const below = logErfc(0.46875);
    const above = logErfc(0.46875 + 1e-12);
    expect(Math.abs(above - below)).toBeLessThan(1e-11);
  });
});
