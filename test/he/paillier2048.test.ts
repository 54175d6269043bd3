// Slow suite (a few seconds): one end-to-end run at the production key size, 2048 bits.
import { describe, expect, it } from 'vitest';
import * as paillierBigint from 'paillier-bigint';
import { generateKeyPair } from '../../src/he/keys.js';
import { decrypt, decryptWithoutCrt } from '../../src/he/paillier.js';
import { addCiphertextVectors, decryptSum, encryptVector, packingLayout } from '../../src/he/packing.js';
import { RandomnessPool } from '../../src/he/randomness.js';
import { deriveRandom } from '../../src/math/random.js';

describe('2048-bit keys', () => {
  it('generates a key, sums packed vectors of three parties and agrees with paillier-bigint', () => {
    const { publicKey, privateKey } = generateKeyPair({ numBits: 2048 });
    expect(publicKey.numBits).toBe(2048);
    const opts = { clip: 1, scaleBits: 16, maxParties: 16 };
    expect(packingLayout(publicKey, opts).slotsPerCiphertext).toBe(93);

    const rng = deriveRandom(2048, 'he', 'paillier2048');
    const numValues = 200; // 3 ciphertexts per party
    const inputs = Array.from({ length: 3 }, () => Float64Array.from({ length: numValues }, () => 2.4 * rng.next() - 1.2));
    const pool = new RandomnessPool(publicKey, { mode: 'djn' });
    pool.precompute(6);
    const encrypted = inputs.map((v, i) => encryptVector(publicKey, v, { ...opts, pool: i < 2 ? pool : undefined }));
    const aggregate = addCiphertextVectors(publicKey, encrypted);
    const sum = decryptSum(privateKey, aggregate, { numParties: 3 });
    for (let i = 0; i < numValues; i++) {
      const plain = inputs.reduce((s, v) => s + Math.max(-1, Math.min(1, v[i])), 0);
      expect(Math.abs(sum[i] - plain)).toBeLessThanOrEqual(3 * 2 ** -17);
    }

    const c = aggregate.ciphertexts[0];
    const theirPub = new paillierBigint.PublicKey(publicKey.n, publicKey.n + 1n);
    const theirPriv = new paillierBigint.PrivateKey(privateKey.lambda, privateKey.mu, theirPub, privateKey.p, privateKey.q);
    const m = decrypt(privateKey, c);
    expect(decryptWithoutCrt(privateKey, c)).toBe(m);
    expect(theirPriv.decrypt(c)).toBe(m);
  });
});
