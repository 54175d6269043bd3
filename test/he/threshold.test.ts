import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import vectors from '../vectors/paillier.json' with { type: 'json' };
import { PaillierPrivateKey } from '../../src/he/keys.js';
import { decrypt, encrypt } from '../../src/he/paillier.js';
import { addCiphertextVectors, encryptVector } from '../../src/he/packing.js';
import {
  combinePartialDecryptions,
  combineVectorPartials,
  keyShareFromJson,
  keyShareToJson,
  partialDecrypt,
  partialDecryptVector,
  splitPrivateKey,
} from '../../src/he/threshold.js';

const hex = (s: string): bigint => BigInt('0x' + s);
const key = PaillierPrivateKey.fromPrimes(hex(vectors.key512.p), hex(vectors.key512.q));
const pub = key.publicKey;

describe('2-of-2 threshold decryption', () => {
  it('works on the hand example (n = 323): d = λ·(λ⁻¹ mod n) = 144·83 = 11952', () => {
    const small = PaillierPrivateKey.fromPrimes(17n, 19n);
    const [s1, s2] = splitPrivateKey(small);
    expect(s1.exponent + s2.exponent).toBe(11952n);
    const c = BigInt(vectors.handExample.encryptions[0].c);
    expect(combinePartialDecryptions(small.publicKey, partialDecrypt(s1, c), partialDecrypt(s2, c))).toBe(42n);
  });

  it('both partial decryptions recover m; fresh splits differ', () => {
    const [s1, s2] = splitPrivateKey(key);
    const [t1] = splitPrivateKey(key);
    expect(t1.exponent).not.toBe(s1.exponent);
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: pub.n - 1n }), (m) => {
        const c = encrypt(pub, m);
        expect(combinePartialDecryptions(pub, partialDecrypt(s1, c), partialDecrypt(s2, c))).toBe(m);
      }),
      { numRuns: 10, seed: 3 },
    );
  });

  it('one share alone does not decrypt, and shares of different splits do not combine', () => {
    const [s1, s2] = splitPrivateKey(key);
    const [t1] = splitPrivateKey(key);
    const c = encrypt(pub, 123n);
    const p1 = partialDecrypt(s1, c);
    expect(() => combinePartialDecryptions(pub, p1, 1n)).toThrow(RangeError);
    expect(() => combinePartialDecryptions(pub, partialDecrypt(t1, c), partialDecrypt(s2, c))).toThrow(RangeError);
    expect(decrypt(key, c)).toBe(123n);
  });

  it('decrypts a packed aggregate from both holders’ partials', () => {
    const opts = { clip: 1, scaleBits: 10, maxParties: 4 };
    const agg = addCiphertextVectors(pub, [encryptVector(pub, [0.5, -1], opts), encryptVector(pub, [0.25, 0.5], opts)]);
    const [s1, s2] = splitPrivateKey(key).map((s) => keyShareFromJson(JSON.parse(JSON.stringify(keyShareToJson(s)))));
    const sum = combineVectorPartials(pub, agg, { first: partialDecryptVector(s1, agg), second: partialDecryptVector(s2, agg) }, { numParties: 2 });
    expect(Array.from(sum)).toEqual([0.75, -0.5]);
    expect(() => combineVectorPartials(pub, agg, { first: [], second: [] }, { numParties: 2 })).toThrow(RangeError);
    expect(() =>
      combineVectorPartials(pub, agg, { first: partialDecryptVector(s1, agg), second: partialDecryptVector(s2, agg) }, { numParties: 3 }),
    ).toThrow(RangeError);
  });

  it('rejects malformed shares', () => {
    const json = keyShareToJson(splitPrivateKey(key)[1]);
    expect(json.exponent.startsWith('-')).toBe(true); // d − d₁ is negative with overwhelming probability
    expect(() => keyShareFromJson({ ...json, index: 3 as 1 })).toThrow(RangeError);
    expect(() => keyShareFromJson({ ...json, kind: 'x' as 'paillier-key-share' })).toThrow(TypeError);
    expect(() => keyShareFromJson({ ...json, exponent: '--1' })).toThrow(RangeError);
    expect(() => splitPrivateKey({} as PaillierPrivateKey)).toThrow(TypeError);
  });
});
