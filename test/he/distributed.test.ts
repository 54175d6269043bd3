/**
 * n-of-n distributed Paillier decryption: every holder's partial decryption is needed, the
 * shares combine to the plaintext of a homomorphic sum, and sealed shares open only for their
 * holder.
 */
import { describe, expect, it } from 'vitest';
import { combineAggregate, combinePartials, openShare, partialDecryptWith, sealShare, shareFromText, shareToText, splitDecryptionExponent } from '../../src/he/distributed.js';
import { generateKeyPair } from '../../src/he/keys.js';
import { addCiphertextVectors, encryptVector } from '../../src/he/packing.js';
import { encrypt } from '../../src/he/paillier.js';
import { chooseEncoding } from '../../src/he/protocol.js';

const { privateKey, publicKey } = generateKeyPair({ numBits: 512 });

describe('distributed decryption', () => {
  it('opens a ciphertext only with every holder’s partial decryption', () => {
    const shares = splitDecryptionExponent(privateKey, 4);
    expect(shares).toHaveLength(4);
    const c = encrypt(publicKey, 123_456_789n);
    const partials = shares.map((s) => partialDecryptWith(publicKey, s, c));
    expect(combinePartials(publicKey, partials)).toBe(123_456_789n);
    expect(() => combinePartials(publicKey, partials.slice(0, 3))).toThrow(/do not combine/);
    // a partial of another ciphertext does not fit either
    const other = partialDecryptWith(publicKey, shares[3], encrypt(publicKey, 5n));
    expect(() => combinePartials(publicKey, [...partials.slice(0, 3), other])).toThrow(/do not combine/);
  });

  it('decrypts a packed homomorphic sum of three parties', () => {
    const encoding = chooseEncoding({ clip: 1000, maxParties: 3 });
    const vectors = [[1.5, -2, 999], [0.25, 3, -1000], [-0.75, 0, 1]].map((v) => encryptVector(publicKey, v, encoding));
    const aggregate = addCiphertextVectors(publicKey, vectors);
    const shares = splitDecryptionExponent(privateKey, 3);
    const sum = combineAggregate(publicKey, aggregate, shares.map((s) => aggregate.ciphertexts.map((c) => partialDecryptWith(publicKey, s, c))));
    expect(Array.from(sum)).toEqual([1, 1, 0]);
  });

  it('chooses exact integer, bounded and general encodings', () => {
    expect(chooseEncoding({ clip: 2 ** 40, integers: true, maxParties: 5 })).toMatchObject({ clip: 2 ** 31 - 1, scaleBits: 0 });
    expect(chooseEncoding({ clip: 7, bounded: true, maxParties: 5 })).toMatchObject({ clip: 1, scaleBits: 32 });
    expect(chooseEncoding({ clip: 1000, maxParties: 5 }).scaleBits).toBe(22);
    expect(() => chooseEncoding({ clip: 2 ** 60, maxParties: 5 })).toThrow(RangeError);
  });

  it('seals a share for its holder only', () => {
    const key = new Uint8Array(32).fill(7);
    const ad = new TextEncoder().encode('session/bank-b');
    const share = -(2n ** 700n) + 12345n;
    expect(shareFromText(shareToText(share))).toBe(share);
    const box = sealShare(key, share, ad);
    expect(openShare(key, box, ad)).toBe(share);
    expect(() => openShare(key, box, new TextEncoder().encode('session/bank-c'))).toThrow(/authentication/);
    expect(() => openShare(new Uint8Array(32), box, ad)).toThrow(/authentication/);
  });
});
