import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { modPow } from '../../src/he/bigint.js';
import { FixedBaseTable } from '../../src/he/fixedBase.js';

describe('FixedBaseTable', () => {
  it('matches hand-computed powers (3^5 = 243, 3^0 = 1, 3^16 mod 1000 = 43046721 mod 1000 = 721)', () => {
    const t = new FixedBaseTable(3n, 1000n, { maxExponentBits: 16, windowBits: 3 });
    expect(t.pow(5n)).toBe(243n);
    expect(t.pow(0n)).toBe(1n);
    expect(t.pow(16n)).toBe(721n);
  });

  it('agrees with modPow for every window width and random exponents', () => {
    const modulus = (2n ** 521n - 1n) * (2n ** 127n - 1n);
    const base = 0x1234567890abcdefn;
    for (const windowBits of [1, 4, 5, 6, 8]) {
      const t = new FixedBaseTable(base, modulus, { maxExponentBits: 300, windowBits });
      fc.assert(
        fc.property(fc.bigInt({ min: 0n, max: 2n ** 300n - 1n }), (e) => {
          expect(t.pow(e)).toBe(modPow(base, e, modulus));
        }),
        { numRuns: 40, seed: windowBits },
      );
      expect(t.pow(2n ** 300n - 1n)).toBe(modPow(base, 2n ** 300n - 1n, modulus));
    }
  });

  it('rejects exponents outside [0, 2^maxExponentBits) and bad options', () => {
    const t = new FixedBaseTable(2n, 101n, { maxExponentBits: 8 });
    expect(() => t.pow(256n)).toThrow(RangeError);
    expect(() => t.pow(-1n)).toThrow(RangeError);
    expect(() => t.pow(3 as unknown as bigint)).toThrow(TypeError);
    expect(() => new FixedBaseTable(2n, 1n, { maxExponentBits: 8 })).toThrow(RangeError);
    expect(() => new FixedBaseTable(2n, 101n, { maxExponentBits: 0 })).toThrow(RangeError);
    expect(() => new FixedBaseTable(2n, 101n, { maxExponentBits: 8, windowBits: 13 })).toThrow(RangeError);
    expect(() => new FixedBaseTable(2 as unknown as bigint, 101n, { maxExponentBits: 8 })).toThrow(TypeError);
  });
});
