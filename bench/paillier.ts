/**
 * Paillier speed, side by side in one run on the same key and the same vector of float values:
 * the `paillier-bigint` package (one value per ciphertext, its own encrypt/decrypt) against
 * src/he (packed slots, CRT decryption, precomputed randomness). Prints JSON; not a test.
 *
 * Both sides use the same 2048-bit key with g = n + 1 (paillier-bigint's fastest variant) and
 * the same fixed-point encoding (clip 1, 16 fractional bits), so they decode to identical sums.
 * Ours is reported three ways: randomness computed inline (no precomputation), a 'fresh' pool
 * and a 'djn' pool — for the pools both the use-time rate and the rate with the precomputation
 * counted.
 *
 * Run: node --import tsx bench/paillier.ts [--values 1000] [--bits 2048]
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import * as paillierBigint from 'paillier-bigint';
import { deriveRandom } from '../src/math/random.js';
import { decodeSlots, decryptSum, encodePlaintexts, encryptVector, generateKeyPair, packingLayout, RandomnessPool } from '../src/he/index.js';

function argument(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`--${name}: expected a positive integer`);
  return value;
}

const numValues = argument('values', 1000);
const numBits = argument('bits', 2048);
const options = { clip: 1, scaleBits: 16, maxParties: 16 };

function timed<T>(run: () => T): { result: T; ms: number } {
  const start = performance.now();
  const result = run();
  return { result, ms: performance.now() - start };
}

const perSecond = (count: number, ms: number): number => Math.round((count / ms) * 1000 * 10) / 10;
const round = (ms: number): number => Math.round(ms * 10) / 10;

const rng = deriveRandom(1, 'bench', 'paillier');
const values = Float64Array.from({ length: numValues }, () => 0.3 * rng.normal());

const keyGen = timed(() => generateKeyPair({ numBits }));
const { publicKey, privateKey } = keyGen.result;
const layout = packingLayout(publicKey, options);
const numCiphertexts = Math.ceil(numValues / layout.slotsPerCiphertext);

// --- paillier-bigint: same key, one offset-encoded value per ciphertext ------------------------
const theirPublic = new paillierBigint.PublicKey(publicKey.n, publicKey.n + 1n);
const theirPrivate = new paillierBigint.PrivateKey(privateKey.lambda, privateKey.mu, theirPublic, privateKey.p, privateKey.q);
const oneSlot = { ...layout, slotsPerCiphertext: 1 };
const theirEncrypt = timed(() => encodePlaintexts(values, oneSlot).map((m) => theirPublic.encrypt(m)));
const theirDecrypt = timed(() => decodeSlots(theirEncrypt.result.map((c) => theirPrivate.decrypt(c)), oneSlot, numValues, 1));

// --- ours --------------------------------------------------------------------------------------
const inline = timed(() => encryptVector(publicKey, values, options));
const ourDecrypt = timed(() => decryptSum(privateKey, inline.result, { numParties: 1 }));

const freshPool = new RandomnessPool(publicKey, { mode: 'fresh' });
const freshPrecompute = timed(() => freshPool.precompute(numCiphertexts));
const freshUse = timed(() => encryptVector(publicKey, values, { ...options, pool: freshPool }));

const djnPool = new RandomnessPool(publicKey, { mode: 'djn' });
const djnTable = timed(() => djnPool.precompute(1)); // builds the fixed-base table, plus one value
const djnPrecompute = timed(() => djnPool.precompute(numCiphertexts - 1));
const djnUse = timed(() => encryptVector(publicKey, values, { ...options, pool: djnPool }));

// Every variant must decode to the same sums as paillier-bigint (identical fixed-point encoding).
for (const v of [freshUse.result, djnUse.result]) {
  const decoded = decryptSum(privateKey, v, { numParties: 1 });
  if (decoded.some((x, i) => x !== theirDecrypt.result[i])) throw new Error('pooled encryption decoded differently');
}
const maxDifference = ourDecrypt.result.reduce((m, x, i) => Math.max(m, Math.abs(x - theirDecrypt.result[i])), 0);
if (maxDifference !== 0) throw new Error(`ours and paillier-bigint disagree by ${maxDifference}`);
const clipped = values.map((x) => Math.max(-options.clip, Math.min(options.clip, x)));
const maxQuantizationError = clipped.reduce((m, x, i) => Math.max(m, Math.abs(x - ourDecrypt.result[i])), 0);

const theirEncryptRate = perSecond(numValues, theirEncrypt.ms);
const theirDecryptRate = perSecond(numValues, theirDecrypt.ms);
const variant = (encryptMs: number, precomputeMs = 0) => ({
  precomputeMs: round(precomputeMs),
  encryptMs: round(encryptMs),
  encryptValuesPerSec: perSecond(numValues, encryptMs),
  encryptValuesPerSecIncludingPrecompute: perSecond(numValues, encryptMs + precomputeMs),
  speedupVsPaillierBigint: Math.round((perSecond(numValues, encryptMs) / theirEncryptRate) * 10) / 10,
  speedupIncludingPrecompute: Math.round((perSecond(numValues, encryptMs + precomputeMs) / theirEncryptRate) * 10) / 10,
});

console.log(
  JSON.stringify(
    {
      benchmark: 'paillier',
      node: process.version,
      numBits,
      numValues,
      packing: { ...options, slotBits: layout.slotBits, slotsPerCiphertext: layout.slotsPerCiphertext, numCiphertexts },
      keyGenerationMs: round(keyGen.ms),
      paillierBigint: {
        version: (JSON.parse(readFileSync(new URL('../node_modules/paillier-bigint/package.json', import.meta.url), 'utf8')) as { version: string }).version,
        ciphertexts: numValues,
        encryptMs: round(theirEncrypt.ms),
        encryptValuesPerSec: theirEncryptRate,
        decryptMs: round(theirDecrypt.ms),
        decryptValuesPerSec: theirDecryptRate,
      },
      ours: {
        ciphertexts: numCiphertexts,
        inlineRandomness: variant(inline.ms),
        freshPool: variant(freshUse.ms, freshPrecompute.ms),
        djnPool: { ...variant(djnUse.ms, djnTable.ms + djnPrecompute.ms), tableBuildMs: round(djnTable.ms) },
        decryptMs: round(ourDecrypt.ms),
        decryptValuesPerSec: perSecond(numValues, ourDecrypt.ms),
        decryptSpeedupVsPaillierBigint: Math.round((perSecond(numValues, ourDecrypt.ms) / theirDecryptRate) * 10) / 10,
      },
      // Per-ciphertext costs separate the arithmetic (sliding windows, CRT) from the packing gain.
      perCiphertextMs: {
        paillierBigintEncrypt: round(theirEncrypt.ms / numValues),
        oursEncryptInlineRandomness: round(inline.ms / numCiphertexts),
        oursEncryptDjnPrecompute: round(djnPrecompute.ms / Math.max(1, numCiphertexts - 1)),
        paillierBigintDecrypt: round(theirDecrypt.ms / numValues),
        oursDecryptCrt: round(ourDecrypt.ms / numCiphertexts),
      },
      check: { sameDecodedSums: true, maxQuantizationError },
    },
    null,
    2,
  ),
);
