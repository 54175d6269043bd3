import { describe, expect, it } from 'vitest';
import vectors from '../vectors/paillier.json' with { type: 'json' };
import { bitLength } from '../../src/he/bigint.js';
import { isProbablePrime, randomPrime } from '../../src/he/prime.js';

describe('isProbablePrime', () => {
  it('is exact on small numbers (compared with a sieve up to 5000)', () => {
    const composite = new Uint8Array(5000);
    for (let i = 2; i < 5000; i++) {
      if (!composite[i]) for (let j = i * i; j < 5000; j += i) composite[j] = 1;
      expect(isProbablePrime(BigInt(i))).toBe(!composite[i]);
    }
    expect(isProbablePrime(0n)).toBe(false);
    expect(isProbablePrime(1n)).toBe(false);
    expect(isProbablePrime(-7n)).toBe(false);
  });

  it('accepts Mersenne primes (OEIS A000043) and the primes of the test keys (checked with sympy)', () => {
    for (const e of vectors.mersennePrimeExponents) expect(isProbablePrime(2n ** BigInt(e) - 1n)).toBe(true);
    for (const key of [vectors.key512, vectors.key1024]) {
      expect(isProbablePrime(BigInt('0x' + key.p))).toBe(true);
      expect(isProbablePrime(BigInt('0x' + key.q))).toBe(true);
    }
  });

  it('rejects Carmichael numbers, strong pseudoprimes to base 2, 2^67 − 1 and RSA-style semiprimes', () => {
    const { carmichael, strongPseudoprimesBase2, mersenne67 } = vectors.composites;
    for (const c of [...carmichael, ...strongPseudoprimesBase2, mersenne67.value]) {
      expect(isProbablePrime(BigInt(c)), c).toBe(false);
    }
    expect(isProbablePrime(BigInt('0x' + vectors.key512.n))).toBe(false);
    expect(isProbablePrime((2n ** 61n - 1n) * (2n ** 89n - 1n))).toBe(false);
  });

  it('rejects bad arguments', () => {
    expect(() => isProbablePrime(7 as unknown as bigint)).toThrow(TypeError);
    expect(() => isProbablePrime(7n, { rounds: 0 })).toThrow(RangeError);
  });
});

describe('randomPrime', () => {
  it('returns probable primes with exactly numBits bits and the top two bits set', () => {
    for (const numBits of [16, 64, 256]) {
      const p = randomPrime(numBits);
      expect(bitLength(p)).toBe(numBits);
      expect(p >> BigInt(numBits - 2)).toBe(3n);
      expect(isProbablePrime(p)).toBe(true);
    }
  });

  it('makes products of exactly twice the bits', () => {
    const p = randomPrime(128);
    const q = randomPrime(128);
    expect(bitLength(p * q)).toBe(256);
  });

  it('rejects bad sizes', () => {
    expect(() => randomPrime(8)).toThrow(RangeError);
    expect(() => randomPrime(100.5)).toThrow(RangeError);
    expect(() => randomPrime(64, { rounds: -1 })).toThrow(RangeError);
  });
});
