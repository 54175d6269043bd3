import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import vectors from '../vectors/paillier.json' with { type: 'json' };
import {
  bigintToBytes,
  bigintToHex,
  bitLength,
  bytesToBigint,
  crt,
  crtPair,
  gcd,
  hexToBigint,
  lcm,
  mod,
  modInverse,
  modPow,
  randomBelow,
  randomBits,
} from '../../src/he/bigint.js';

/** Reference right-to-left square-and-multiply, simple enough to trust by reading. */
function naiveModPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n % modulus;
  let b = ((base % modulus) + modulus) % modulus;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
  }
  return result;
}

const FC = { numRuns: 200, seed: 20240611 };

describe('modPow', () => {
  it('matches the published worked example (Wikipedia, Modular exponentiation: 4^13 mod 497 = 445)', () => {
    for (const v of vectors.modPow) {
      expect(modPow(BigInt(v.base), BigInt(v.exponent), BigInt(v.modulus))).toBe(BigInt(v.result));
    }
  });

  it('satisfies Fermat’s little theorem for Mersenne primes (OEIS A000043)', () => {
    for (const e of vectors.mersennePrimeExponents) {
      const p = 2n ** BigInt(e) - 1n;
      expect(modPow(3n, p - 1n, p)).toBe(1n);
      expect(modPow(12345n, p, p)).toBe(12345n % p);
    }
  });

  it('fails Fermat for the composite 2^67 − 1 (Cole 1903)', () => {
    const m = BigInt(vectors.composites.mersenne67.value);
    expect(modPow(3n, m - 1n, m)).not.toBe(1n);
  });

  it('handles degenerate cases: exponent 0, modulus 1, base 0, base ≥ modulus, negative base', () => {
    expect(modPow(5n, 0n, 7n)).toBe(1n);
    expect(modPow(5n, 3n, 1n)).toBe(0n);
    expect(modPow(0n, 3n, 7n)).toBe(0n);
    expect(modPow(0n, 0n, 7n)).toBe(1n);
    expect(modPow(12n, 2n, 7n)).toBe(4n);
    expect(modPow(-2n, 3n, 7n)).toBe(6n); // (−8) mod 7
  });

  it('inverts the base for negative exponents', () => {
    expect(modPow(3n, -1n, 11n)).toBe(4n);
    expect(() => modPow(2n, -1n, 4n)).toThrow(RangeError);
  });

  it('agrees with square-and-multiply on random operands of up to 1100 bits', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 1100n }), fc.bigInt({ min: 0n, max: 2n ** 1100n }), fc.bigInt({ min: 1n, max: 2n ** 1100n }), (b, e, m) => {
        expect(modPow(b, e, m)).toBe(naiveModPow(b, e, m));
      }),
      { ...FC, numRuns: 60 },
    );
  });

  it('rejects non-bigint arguments and non-positive moduli', () => {
    expect(() => modPow(2 as unknown as bigint, 3n, 5n)).toThrow(TypeError);
    expect(() => modPow(2n, 3n, 0n)).toThrow(RangeError);
    expect(() => modPow(2n, 3n, -5n)).toThrow(RangeError);
  });
});

describe('gcd, lcm, modInverse, mod', () => {
  it('matches hand-computed values', () => {
    expect(gcd(48n, 18n)).toBe(6n);
    expect(gcd(-48n, 18n)).toBe(6n);
    expect(gcd(0n, 0n)).toBe(0n);
    expect(gcd(0n, 9n)).toBe(9n);
    expect(lcm(4n, 6n)).toBe(12n);
    expect(lcm(16n, 18n)).toBe(144n); // λ of the hand example p = 17, q = 19
    expect(lcm(0n, 6n)).toBe(0n);
    expect(modInverse(3n, 11n)).toBe(4n);
    expect(modInverse(144n, 323n)).toBe(83n); // μ of the hand example
    expect(mod(-1n, 5n)).toBe(4n);
  });

  it('modInverse(a)·a ≡ 1 for units and throws for non-units', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 600n), max: 2n ** 600n }), fc.bigInt({ min: 2n, max: 2n ** 600n }), (a, m) => {
        if (gcd(a, m) === 1n) expect(mod(modInverse(a, m) * a, m)).toBe(1n);
        else expect(() => modInverse(a, m)).toThrow(RangeError);
      }),
      FC,
    );
  });
});

describe('crt', () => {
  it('solves Sunzi’s problem: x ≡ 2 (3), 3 (5), 2 (7) → 23', () => {
    expect(crt([2n, 3n, 2n], [3n, 5n, 7n])).toBe(23n);
    expect(crtPair(2n, 3n, 3n, 5n, modInverse(3n, 5n))).toBe(8n);
  });

  it('recovers x from its residues modulo two coprime moduli', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 256n }), (x) => {
        const p = 2n ** 127n - 1n;
        const q = 2n ** 89n - 1n;
        const y = x % (p * q);
        expect(crt([y % p, y % q], [p, q])).toBe(y);
      }),
      FC,
    );
  });

  it('rejects mismatched lengths', () => {
    expect(() => crt([1n], [3n, 5n])).toThrow(RangeError);
    expect(() => crt([], [])).toThrow(RangeError);
  });
});

describe('bytes and hex', () => {
  it('converts known values big-endian', () => {
    expect(Array.from(bigintToBytes(258n))).toEqual([1, 2]);
    expect(Array.from(bigintToBytes(258n, 4))).toEqual([0, 0, 1, 2]);
    expect(Array.from(bigintToBytes(0n))).toEqual([0]);
    expect(bytesToBigint(new Uint8Array([1, 0]))).toBe(256n);
    expect(bytesToBigint(new Uint8Array([]))).toBe(0n);
    expect(bigintToHex(255n, 4)).toBe('00ff');
    expect(hexToBigint('FF')).toBe(255n);
  });

  it('round-trips', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 4100n }), (x) => {
        expect(bytesToBigint(bigintToBytes(x))).toBe(x);
        expect(hexToBigint(bigintToHex(x))).toBe(x);
      }),
      FC,
    );
  });

  it('rejects hostile inputs', () => {
    expect(() => bigintToBytes(-1n)).toThrow(RangeError);
    expect(() => bigintToBytes(65536n, 2)).toThrow(RangeError);
    expect(() => bytesToBigint([1, 2] as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => hexToBigint('0x12')).toThrow(RangeError);
    expect(() => hexToBigint('')).toThrow(RangeError);
    expect(() => hexToBigint('-1')).toThrow(RangeError);
    expect(() => hexToBigint(12 as unknown as string)).toThrow(TypeError);
  });
});

describe('random integers', () => {
  it('stay in range', () => {
    for (let i = 0; i < 200; i++) {
      const x = randomBelow(1000n);
      expect(x >= 0n && x < 1000n).toBe(true);
      expect(bitLength(randomBits(13))).toBeLessThanOrEqual(13);
    }
    expect(randomBelow(1n)).toBe(0n);
  });

  it('cover a small range roughly uniformly (chi-square, 5 buckets × 2000 draws)', () => {
    const counts = [0, 0, 0, 0, 0];
    for (let i = 0; i < 10_000; i++) counts[Number(randomBelow(5n))]++;
    const chi2 = counts.reduce((s, c) => s + (c - 2000) ** 2 / 2000, 0);
    // 4 degrees of freedom: P(χ² > 23.5) ≈ 1e-4.
    expect(chi2).toBeLessThan(23.5);
  });

  it('rejects bad bounds', () => {
    expect(() => randomBelow(0n)).toThrow(RangeError);
    expect(() => randomBits(0)).toThrow(RangeError);
    expect(() => randomBits(1.5)).toThrow(RangeError);
  });
});
