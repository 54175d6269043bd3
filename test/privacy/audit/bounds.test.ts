import { describe, expect, it } from 'vitest';
import { membershipAdvantageBound } from '../../../src/privacy/audit/bounds.js';

describe('membershipAdvantageBound', () => {
  it.each([
    // δ = 0: (e^ε − 1)/(e^ε + 1) = tanh(ε/2); tanh values from any table (tanh 0.5, tanh 1.5, tanh 4).
    [1, 0, 0.46211715726000974],
    [3, 0, 0.9051482536448664],
    [8, 0, 0.999329299739067],
    // Hand-computed: (e − 1 + 2·1e-5)/(e + 1) = 1.71830182845905/3.71828182845905.
    [1, 1e-5, 0.4621225360884371],
    // ε = 0: (0 + 2δ)/2 = δ.
    [0, 0.01, 0.01],
  ])('ε = %s, δ = %s → %s', (epsilon, delta, expected) => {
    expect(membershipAdvantageBound(epsilon, delta)).toBeCloseTo(expected, 14);
  });

  it('is at most Yeom et al.\'s e^ε − 1 + δ, increases with ε, and is capped at 1', () => {
    for (const epsilon of [0.01, 0.1, 0.5, 1, 2, 3]) {
      expect(membershipAdvantageBound(epsilon, 1e-5)).toBeLessThanOrEqual(Math.expm1(epsilon) + 1e-5);
      expect(membershipAdvantageBound(epsilon + 0.1, 1e-5)).toBeGreaterThan(membershipAdvantageBound(epsilon, 1e-5));
    }
    expect(membershipAdvantageBound(Infinity, 0)).toBe(1);
    expect(membershipAdvantageBound(0, 1)).toBe(1);
    expect(membershipAdvantageBound(1000, 0.5)).toBe(1);
  });

  it.each([
    ['negative ε', () => membershipAdvantageBound(-1, 0), RangeError],
    ['NaN ε', () => membershipAdvantageBound(NaN, 0), RangeError],
    ['δ above 1', () => membershipAdvantageBound(1, 2), RangeError],
    ['ε as a string', () => membershipAdvantageBound('1' as unknown as number, 0), TypeError],
  ])('%s throws', (_name, call, type) => {
    expect(call).toThrow(type);
  });
});
