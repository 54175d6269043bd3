/** Fidelity metrics on hand-computed examples: KS, total variation, Pearson correlations, and the report. */
import { describe, expect, it } from 'vitest';
import { correlationMatrix, fidelity, ksTwoSample, totalVariation } from '../../src/synth/fidelity.js';
import { toyTable } from './tables.js';

describe('ksTwoSample', () => {
  it.each([
    // {1,2,3} vs {2,3,4}: F_a − F_b = 1/3 at t = 1, 2 and 3.
    [[1, 2, 3], [2, 3, 4], 1 / 3],
    [[1, 2, 3], [3, 1, 2], 0],
    [[1, 2], [5, 6, 7], 1],
    // ties: at t = 1, F_a = 2/3 and F_b = 1/3; at t = 2 both are 1.
    [[1, 1, 2], [1, 2, 2], 1 / 3],
    // NaN is ignored: {1, 2} vs {1.5}: at t = 1, 1/2 − 0; at 1.5, 1/2 − 1.
    [[1, NaN, 2], [1.5, NaN], 1 / 2],
  ])('KS(%j, %j) = %d', (a, b, expected) => {
    expect(ksTwoSample(Float64Array.from(a), Float64Array.from(b))).toBeCloseTo(expected, 12);
  });

  it('defines the empty cases and refuses plain arrays', () => {
    expect(ksTwoSample(Float64Array.of(NaN), new Float64Array(0))).toBe(0);
    expect(ksTwoSample(Float64Array.of(1), Float64Array.of(NaN))).toBe(1);
    expect(() => ksTwoSample([1] as unknown as Float64Array, Float64Array.of(1))).toThrow(TypeError);
  });
});

describe('totalVariation', () => {
  it('is half the L1 distance of the category shares, null included', () => {
    expect(totalVariation(['a', 'a', 'b', 'b'], ['a', 'b', 'b', 'b'])).toBeCloseTo(0.25, 12);
    expect(totalVariation(['a', null], ['a', 'a'])).toBeCloseTo(0.5, 12);
    expect(totalVariation(['a'], ['b'])).toBe(1);
    expect(totalVariation([], [])).toBe(0);
    expect(() => totalVariation('ab' as unknown as string[], ['a'])).toThrow(TypeError);
  });
});

describe('correlationMatrix', () => {
  it('gives ±1 for exact linear relations and 0 for a constant column', () => {
    // columns: x, 2x, −x, constant
    const data = Float64Array.from([1, 2, -1, 7, 2, 4, -2, 7, 3, 6, -3, 7, 4, 8, -4, 7]);
    const c = correlationMatrix({ data, rows: 4, cols: 4 });
    expect(c[0 * 4 + 1]).toBeCloseTo(1, 12);
    expect(c[0 * 4 + 2]).toBeCloseTo(-1, 12);
    expect(c[2 * 4 + 0]).toBeCloseTo(-1, 12);
    expect(c[0 * 4 + 3]).toBe(0);
    expect(c[0]).toBeCloseTo(1, 12);
  });

  it('matches a hand-computed correlation', () => {
    // x = 1, 2, 3; y = 1, 3, 2: cov = (−1·−1 + 0·1 + 1·0)/3, var = 2/3 each → r = 0.5
    const c = correlationMatrix({ data: Float64Array.from([1, 1, 2, 3, 3, 2]), rows: 3, cols: 2 });
    expect(c[1]).toBeCloseTo(0.5, 12);
  });
});

describe('fidelity', () => {
  it('is perfect against itself and detects a shifted column and a broken association', () => {
    const real = toyTable(500, 1);
    const self = fidelity(real, real);
    expect(self.meanKs).toBe(0);
    expect(self.meanTvd).toBe(0);
    expect(self.correlationDifference).toBeCloseTo(0, 12);
    expect(self.columns.find((c) => c.column === 'amount')!.missingRateReal).toBe(self.columns.find((c) => c.column === 'amount')!.missingRateSynthetic);

    const shifted = { ...real, numeric: { ...real.numeric, age: real.numeric.age.map((v) => v + 100) } };
    const report = fidelity(real, shifted);
    expect(report.columns.find((c) => c.column === 'age')!.value).toBe(1);
    expect(report.columns.find((c) => c.column === 'amount')!.value).toBe(0);

    // Reversing amount keeps its marginal (KS 0) but breaks its relation to home.
    const reversed = { ...real, numeric: { ...real.numeric, amount: real.numeric.amount.slice().reverse() } };
    const broken = fidelity(real, reversed);
    expect(broken.columns.find((c) => c.column === 'amount')!.value).toBe(0);
    expect(broken.correlationDifference).toBeGreaterThan(0.01);
  });
});
