import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as paillierBigint from 'paillier-bigint';
import vectors from '../vectors/paillier.json' with { type: 'json' };
import { PaillierPrivateKey, generateKeyPair } from '../../src/he/keys.js';
import {
  addCiphertexts,
  addPlaintext,
  decrypt,
  decryptWithoutCrt,
  encrypt,
  encryptWithNonce,
  multiplyByScalar,
} from '../../src/he/paillier.js';
import { RandomnessPool } from '../../src/he/randomness.js';

const hex = (s: string): bigint => BigInt('0x' + s);
const key512 = PaillierPrivateKey.fromPrimes(hex(vectors.key512.p), hex(vectors.key512.q));
const key1024 = PaillierPrivateKey.fromPrimes(hex(vectors.key1024.p), hex(vectors.key1024.q));
const FC = { numRuns: 25, seed: 7 };

/*
 * Hand example, p = 17, q = 19 (test/vectors/paillier.json "handExample"):
 *   n = 323, n² = 104329, g = n + 1 = 324, λ = lcm(16, 18) = 144, μ = λ⁻¹ mod 323 = 83
 *   (144 · 83 = 11952 = 37 · 323 + 1).
 * Encrypt m = 42 with r = 5:
 *   g^m = 1 + 42 · 323 = 13567 (mod n²).
 *   r^n = 5^323 mod 104329; 323 = 0b101000011, left-to-right square-and-multiply:
 *     1→5, 0→25, 1→25²·5 = 3125, 0→3125² = 63028, 0→97780, 0→10182, 0→74427,
 *     1→74427²·5 = 46041, 1→46041²·5 = 85295.
 *   c = 13567 · 85295 mod 104329 = 84326.
 * CRT decryption: c mod p² = 84326 mod 289 = 227, 227^16 mod 289 = 18, L_p = (18 − 1)/17 = 1,
 *   hp = L_p(324^16 mod 289)⁻¹ mod 17 = 8, m_p = 1 · 8 mod 17 = 8 = 42 mod 17;
 *   c mod q² = 213, 213^18 mod 361 = 153, L_q = 152/19 = 8, hq = 10, m_q = 80 mod 19 = 4 = 42 mod 19;
 *   CRT(8 mod 17, 4 mod 19) = 42.
 * Second message m = 100, r = 7: r^n = 87791, c = (1 + 32300) · 87791 mod n² = 74871.
 * Sum: 84326 · 74871 mod n² = 102511 → 142. Scalar: 84326³ mod n² = 51250 → 126.
 */
describe('hand example p = 17, q = 19', () => {
  const h = vectors.handExample;
  const priv = PaillierPrivateKey.fromPrimes(BigInt(h.p), BigInt(h.q));
  const pub = priv.publicKey;

  it('derives n, n², λ, μ, hp, hq', () => {
    expect(pub.n).toBe(BigInt(h.n));
    expect(pub.nSquared).toBe(BigInt(h.nSquared));
    expect(priv.lambda).toBe(BigInt(h.lambda));
    expect(priv.mu).toBe(BigInt(h.mu));
    expect(priv.hp).toBe(BigInt(h.hp));
    expect(priv.hq).toBe(BigInt(h.hq));
  });

  it('encrypts with fixed nonces to the hand-computed ciphertexts and decrypts them both ways', () => {
    for (const e of h.encryptions) {
      const c = encryptWithNonce(pub, BigInt(e.m), BigInt(e.r));
      expect(c).toBe(BigInt(e.c));
      expect(decrypt(priv, c)).toBe(BigInt(e.m));
      expect(decryptWithoutCrt(priv, c)).toBe(BigInt(e.m));
    }
  });

  it('adds and scales homomorphically to the hand-computed values', () => {
    const [a, b] = h.encryptions.map((e) => BigInt(e.c));
    expect(addCiphertexts(pub, a, b)).toBe(BigInt(h.sumCiphertext));
    expect(decrypt(priv, BigInt(h.sumCiphertext))).toBe(BigInt(h.sumPlaintext));
    expect(multiplyByScalar(pub, a, BigInt(h.scalar))).toBe(BigInt(h.scaledCiphertext));
    expect(decrypt(priv, BigInt(h.scaledCiphertext))).toBe(BigInt(h.scaledPlaintext));
  });
});

describe('independent known answers (Python pow, test/vectors/paillier.json)', () => {
  for (const [name, v, priv] of [['512', vectors.key512, key512], ['1024', vectors.key1024, key1024]] as const) {
    it(`matches λ, μ and every ciphertext for the ${name}-bit key`, () => {
      expect(priv.publicKey.n).toBe(hex(v.n));
      expect(priv.publicKey.numBits).toBe(v.numBits);
      expect(priv.lambda).toBe(hex(v.lambda));
      expect(priv.mu).toBe(hex(v.mu));
      for (const e of v.encryptions) {
        expect(encryptWithNonce(priv.publicKey, hex(e.m), hex(e.r))).toBe(hex(e.c));
        expect(decrypt(priv, hex(e.c))).toBe(hex(e.m));
      }
    });
  }
});

describe('agreement with the paillier-bigint package', () => {
  const pub = key512.publicKey;
  const theirPub = new paillierBigint.PublicKey(pub.n, pub.n + 1n);
  const theirPriv = new paillierBigint.PrivateKey(key512.lambda, key512.mu, theirPub, key512.p, key512.q);

  it('produces the same ciphertext for the same (m, r) and decrypts theirs', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: pub.n - 1n }), fc.bigInt({ min: 1n, max: pub.n - 1n }), (m, r) => {
        const ours = encryptWithNonce(pub, m, r);
        expect(ours).toBe(theirPub.encrypt(m, r));
        expect(decrypt(key512, ours)).toBe(m);
        expect(theirPriv.decrypt(ours)).toBe(m);
      }),
      FC,
    );
  });
});

describe('round trips and homomorphism (1024-bit key)', () => {
  const pub = key1024.publicKey;
  const plaintext = fc.bigInt({ min: 0n, max: pub.n - 1n });

  it('decrypt(encrypt(m)) = m, with CRT equal to textbook decryption', () => {
    fc.assert(
      fc.property(plaintext, (m) => {
        const c = encrypt(pub, m);
        expect(decrypt(key1024, c)).toBe(m);
        expect(decryptWithoutCrt(key1024, c)).toBe(m);
      }),
      FC,
    );
  });

  it('E(a)·E(b) decrypts to a + b mod n, E(a)·(1 + b·n) too, and E(a)^k to k·a mod n', () => {
    fc.assert(
      fc.property(plaintext, plaintext, fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }), (a, b, k) => {
        const ca = encrypt(pub, a);
        const cb = encrypt(pub, b);
        const n = pub.n;
        expect(decrypt(key1024, addCiphertexts(pub, ca, cb))).toBe((a + b) % n);
        expect(decrypt(key1024, addPlaintext(pub, ca, b))).toBe((a + b) % n);
        expect(decrypt(key1024, multiplyByScalar(pub, ca, k))).toBe((((k * a) % n) + n) % n);
      }),
      { ...FC, numRuns: 10 },
    );
  });

  it('is probabilistic: the same plaintext encrypts to different ciphertexts', () => {
    expect(encrypt(pub, 5n)).not.toBe(encrypt(pub, 5n));
  });
});

describe('precomputed randomness', () => {
  const pub = key512.publicKey;

  for (const mode of ['fresh', 'djn'] as const) {
    it(`${mode}: pooled encryptions decrypt correctly and every value is used once`, () => {
      const pool = new RandomnessPool(pub, { mode });
      pool.precompute(6);
      expect(pool.size).toBe(6);
      const seen = new Set<bigint>();
      for (let i = 0; i < 6; i++) {
        const m = BigInt(i) * 1_000_003n;
        const c = encrypt(pub, m, { pool });
        expect(decrypt(key512, c)).toBe(m);
        seen.add(c);
      }
      expect(seen.size).toBe(6);
      expect(pool.size).toBe(0);
      // Empty pool: computes on demand.
      expect(decrypt(key512, encrypt(pub, 9n, { pool }))).toBe(9n);
    });
  }

  it('djn values are n-th residues: they decrypt to 0', () => {
    const pool = new RandomnessPool(pub, { mode: 'djn', windowBits: 4 });
    for (let i = 0; i < 5; i++) expect(decrypt(key512, pool.take())).toBe(0n);
  });

  it('rejects a pool of another key and bad options', () => {
    const other = new RandomnessPool(key1024.publicKey);
    expect(() => encrypt(pub, 1n, { pool: other })).toThrow(RangeError);
    expect(() => new RandomnessPool(pub, { mode: 'fast' as 'djn' })).toThrow(RangeError);
    expect(() => new RandomnessPool(pub, { windowBits: 0 })).toThrow(RangeError);
    expect(() => new RandomnessPool(pub).precompute(-1)).toThrow(RangeError);
    expect(() => new RandomnessPool({} as never)).toThrow(TypeError);
  });
});

describe('hostile inputs', () => {
  const pub = key512.publicKey;

  it('rejects plaintexts outside [0, n) and non-bigints', () => {
    expect(() => encrypt(pub, pub.n)).toThrow(RangeError);
    expect(() => encrypt(pub, -1n)).toThrow(RangeError);
    expect(() => encrypt(pub, 1 as unknown as bigint)).toThrow(TypeError);
    expect(() => encryptWithNonce(pub, 1n, 0n)).toThrow(RangeError);
    expect(() => encryptWithNonce(pub, 1n, pub.n)).toThrow(RangeError);
    expect(() => addPlaintext(pub, encrypt(pub, 1n), pub.n)).toThrow(RangeError);
  });

  it('rejects ciphertexts outside [1, n²) and non-units', () => {
    expect(() => decrypt(key512, 0n)).toThrow(RangeError);
    expect(() => decrypt(key512, pub.nSquared)).toThrow(RangeError);
    expect(() => decrypt(key512, key512.p)).toThrow(RangeError); // shares a factor with n
    expect(() => decrypt(key512, 'ff' as unknown as bigint)).toThrow(TypeError);
    expect(() => addCiphertexts(pub, 1n, pub.nSquared + 1n)).toThrow(RangeError);
    expect(() => multiplyByScalar(pub, 2n, 3 as unknown as bigint)).toThrow(TypeError);
  });

  it('rejects invalid key material and key sizes', () => {
    expect(() => PaillierPrivateKey.fromPrimes(17n, 17n)).toThrow(RangeError);
    expect(() => PaillierPrivateKey.fromPrimes(16n, 19n)).toThrow(RangeError);
    expect(() => PaillierPrivateKey.fromPrimes(3n, 7n)).toThrow(RangeError); // gcd(21, 12) = 3
    expect(() => PaillierPrivateKey.fromPrimes(17 as unknown as bigint, 19n)).toThrow(TypeError);
    expect(() => generateKeyPair({ numBits: 256 })).toThrow(RangeError);
    expect(() => generateKeyPair({ numBits: 1023 })).toThrow(RangeError);
    expect(() => generateKeyPair({ numBits: 16384 })).toThrow(RangeError);
    expect(() => generateKeyPair({ numBits: Number.NaN })).toThrow(RangeError);
  });
});

describe('generateKeyPair', () => {
  it('makes a 512-bit key with n = pq of exactly 512 bits that round-trips', () => {
    const { publicKey, privateKey } = generateKeyPair({ numBits: 512 });
    expect(publicKey.numBits).toBe(512);
    expect(privateKey.p * privateKey.q).toBe(publicKey.n);
    expect(privateKey.p).toBeLessThan(privateKey.q);
    expect(decrypt(privateKey, encrypt(publicKey, 123456789n))).toBe(123456789n);
  });
});
