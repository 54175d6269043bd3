/**
 * Fixed-point encoding of signed Float64 vectors, many values per Paillier plaintext, so that one
 * encryption and one decryption serve dozens of model parameters instead of one.
 *
 * Encoding of one value `v` (options `clip`, `scaleBits`):
 *   `u = round(clamp(v, −clip, clip) · 2^scaleBits) + Q`, with offset `Q = round(clip · 2^scaleBits)`,
 * so `u ∈ [0, 2Q]` is never negative (offset encoding); the quantisation error is at most
 * `2^−(scaleBits+1)` per value and party.
 *
 * Slot layout: a plaintext holds `k = slotsPerCiphertext` slots of `B = slotBits` bits; value `i`
 * of the vector lives in ciphertext `⌊i / k⌋`, slot `j = i mod k`, bits `[j·B, (j+1)·B)`:
 *   `m = Σ_j u_j · 2^(j·B)`.
 *
 * Overflow bound: adding the ciphertexts of `P` parties adds plaintexts slot by slot, and slot `j`
 * then holds `Σ u ≤ 2Q·P`. Choosing `B = bitLength(2Q · maxParties)` keeps every slot below `2^B`
 * for any `P ≤ maxParties`, so no carry ever reaches the next slot; and `k = ⌊(bits(n) − 1) / B⌋`
 * keeps the whole plaintext below `2^(k·B) ≤ 2^(bits(n)−1) < n`, so nothing wraps modulo `n`.
 * Decoding subtracts `P·Q` from each slot sum and divides by `2^scaleBits`; a slot above `2Q·P`
 * or set bits outside the slots mean a wrong `numParties` or foreign ciphertexts and throw.
 *
 * Example (2048-bit key, clip 1, scaleBits 16, maxParties 16): Q = 65,536, B = 22, k = 93 values
 * per ciphertext.
 */
import { FedCreditError } from '../errors.js';
import { bitLength } from './bigint.js';
import type { PaillierPrivateKey, PaillierPublicKey } from './keys.js';
import { addCiphertexts, checkCiphertext, decrypt, encrypt } from './paillier.js';
import type { RandomnessPool } from './randomness.js';

/** Encoding parameters chosen by whoever asks for the sum. */
export interface PackingOptions {
  /** Values are clipped to `[−clip, clip]`; a finite number > 0. */
  readonly clip: number;
  /** Fractional bits: the quantisation step is `2^−scaleBits`; an integer in [0, 52]. */
  readonly scaleBits: number;
  /** Most encrypted vectors that may be added together; an integer in [1, 2^30]. */
  readonly maxParties: number;
}

/** {@link PackingOptions} plus the slot layout they imply for one key (see the module comment). */
export interface PackingLayout extends PackingOptions {
  /** `Q = round(clip · 2^scaleBits)`, added to every quantised value. */
  readonly offset: number;
  /** `B = bitLength(2Q · maxParties)`. */
  readonly slotBits: number;
  /** `k = ⌊(bits(n) − 1) / B⌋`. */
  readonly slotsPerCiphertext: number;
}

/** Encrypted packed vector: the sum of the vectors of `numParties` parties (1 when fresh). */
export interface EncryptedVector {
  /** {@link PaillierPublicKey.keyId} of the key the ciphertexts are under. */
  readonly keyId: string;
  readonly numValues: number;
  readonly numParties: number;
  readonly layout: PackingLayout;
  readonly ciphertexts: readonly bigint[];
}

/** Errors from decoding sums: `HE_SLOT_OVERFLOW` (slot out of range), thrown by {@link decodeSlots}. */
export class PackingError extends FedCreditError {}

/**
 * The slot layout for `options` under `publicKey`; RangeError if an option is out of range or
 * a single slot does not fit in a plaintext.
 */
export function packingLayout(publicKey: PaillierPublicKey, options: PackingOptions): PackingLayout {
  if (typeof publicKey?.n !== 'bigint') throw new TypeError('publicKey: expected a PaillierPublicKey');
  const { clip, scaleBits, maxParties } = options ?? ({} as PackingOptions);
  if (typeof clip !== 'number' || !Number.isFinite(clip) || clip <= 0) throw new RangeError(`clip: expected a finite number > 0, got ${clip}`);
  if (!Number.isInteger(scaleBits) || scaleBits < 0 || scaleBits > 52) {
    throw new RangeError(`scaleBits: expected an integer in [0, 52], got ${scaleBits}`);
  }
  if (!Number.isInteger(maxParties) || maxParties < 1 || maxParties > 2 ** 30) {
    throw new RangeError(`maxParties: expected an integer in [1, 2^30], got ${maxParties}`);
  }
  const offset = Math.round(clip * 2 ** scaleBits);
  if (offset < 1) throw new RangeError(`clip: clip · 2^scaleBits rounds to 0; raise clip or scaleBits`);
  if (offset > 2 ** 52) throw new RangeError(`clip: clip · 2^scaleBits must be ≤ 2^52 for exact integers, got ${offset}`);
  const slotBits = bitLength(2n * BigInt(offset) * BigInt(maxParties));
  const slotsPerCiphertext = Math.floor((publicKey.numBits - 1) / slotBits);
  if (slotsPerCiphertext < 1) throw new RangeError(`scaleBits: a ${slotBits}-bit slot does not fit a ${publicKey.numBits}-bit key`);
  return { clip, scaleBits, maxParties, offset, slotBits, slotsPerCiphertext };
}

/** Quantise and pack `values` into plaintexts (`⌈length / k⌉` bigints, each `< 2^(k·B)`). */
export function encodePlaintexts(values: ArrayLike<number>, layout: PackingLayout): bigint[] {
  if (values === null || typeof values !== 'object' || typeof values.length !== 'number') {
    throw new TypeError('values: expected an array or typed array of numbers');
  }
  const { clip, scaleBits, offset, slotBits, slotsPerCiphertext } = layout;
  const scale = 2 ** scaleBits;
  const shift = BigInt(slotBits);
  const plaintexts: bigint[] = [];
  for (let start = 0; start < values.length; start += slotsPerCiphertext) {
    const end = Math.min(start + slotsPerCiphertext, values.length);
    let packed = 0n;
    for (let i = end - 1; i >= start; i--) {
      const v = values[i];
      if (typeof v !== 'number') throw new TypeError(`values[${i}]: expected a number, got ${typeof v}`);
      if (!Number.isFinite(v)) throw new RangeError(`values[${i}]: expected a finite number, got ${v}`);
      const clipped = v > clip ? clip : v < -clip ? -clip : v;
      packed = (packed << shift) | BigInt(Math.round(clipped * scale) + offset);
    }
    plaintexts.push(packed);
  }
  return plaintexts;
}

/**
 * Unpack `numValues` slot sums from decrypted plaintexts of a sum over `numParties` parties and
 * undo the offset and scale. Throws {@link PackingError} `HE_SLOT_OVERFLOW` when a slot or the
 * bits above the last slot are outside what `numParties` honest encodings can produce.
 */
export function decodeSlots(plaintexts: readonly bigint[], layout: PackingLayout, numValues: number, numParties: number): Float64Array {
  const { scaleBits, offset, slotBits, slotsPerCiphertext, maxParties } = layout;
  if (!Number.isInteger(numValues) || numValues < 0) throw new RangeError(`numValues: expected a non-negative integer, got ${numValues}`);
  if (!Number.isInteger(numParties) || numParties < 1 || numParties > maxParties) {
    throw new RangeError(`numParties: expected an integer in [1, ${maxParties}], got ${numParties}`);
  }
  if (plaintexts.length !== Math.ceil(numValues / slotsPerCiphertext)) {
    throw new RangeError(`plaintexts: expected ${Math.ceil(numValues / slotsPerCiphertext)} for ${numValues} values, got ${plaintexts.length}`);
  }
  const out = new Float64Array(numValues);
  const shift = BigInt(slotBits);
  const maxSlot = 2n * BigInt(offset) * BigInt(numParties);
  const totalOffset = BigInt(offset) * BigInt(numParties);
  const scale = 2 ** scaleBits;
  for (let c = 0; c < plaintexts.length; c++) {
    let rest = plaintexts[c];
    const count = Math.min(slotsPerCiphertext, numValues - c * slotsPerCiphertext);
    for (let j = 0; j < count; j++) {
      const slot = BigInt.asUintN(slotBits, rest);
      rest >>= shift;
      if (slot > maxSlot) throw new PackingError('HE_SLOT_OVERFLOW', `ciphertext ${c} slot ${j}: sum exceeds ${numParties} parties' range`);
      out[c * slotsPerCiphertext + j] = Number(slot - totalOffset) / scale;
    }
    if (rest !== 0n) throw new PackingError('HE_SLOT_OVERFLOW', `ciphertext ${c}: bits set beyond the last slot`);
  }
  return out;
}

/** Options of {@link encryptVector}. */
export interface EncryptVectorOptions extends PackingOptions {
  /** Precomputed randomness for this key (one value per ciphertext); computed on the spot if absent. */
  readonly pool?: RandomnessPool;
}

/**
 * Clip, quantise, pack and encrypt `values` (one ciphertext per `slotsPerCiphertext` values).
 * Example: `encryptVector(pub, new Float64Array([0.5, -0.25]), { clip: 1, scaleBits: 16,
 * maxParties: 10 })`.
 */
export function encryptVector(publicKey: PaillierPublicKey, values: ArrayLike<number>, options: EncryptVectorOptions): EncryptedVector {
  const layout = packingLayout(publicKey, options);
  const plaintexts = encodePlaintexts(values, layout);
  const ciphertexts = plaintexts.map((m) => encrypt(publicKey, m, { pool: options.pool }));
  return { keyId: publicKey.keyId, numValues: values.length, numParties: 1, layout, ciphertexts };
}

function sameLayout(a: PackingLayout, b: PackingLayout): boolean {
  return (
    a.clip === b.clip &&
    a.scaleBits === b.scaleBits &&
    a.maxParties === b.maxParties &&
    a.offset === b.offset &&
    a.slotBits === b.slotBits &&
    a.slotsPerCiphertext === b.slotsPerCiphertext
  );
}

/**
 * Homomorphic sum of encrypted vectors (ciphertext-wise products mod n²). All must share the
 * key, layout and length, and their party counts must add up to at most `maxParties` — the
 * bound that keeps slots from overflowing.
 */
export function addCiphertextVectors(publicKey: PaillierPublicKey, vectors: readonly EncryptedVector[]): EncryptedVector {
  if (typeof publicKey?.n !== 'bigint') throw new TypeError('publicKey: expected a PaillierPublicKey');
  if (!Array.isArray(vectors) || vectors.length === 0) throw new RangeError('vectors: expected a non-empty array');
  const first: EncryptedVector = vectors[0];
  let numParties = 0;
  for (const [i, v] of vectors.entries()) {
    if (v.keyId !== publicKey.keyId) throw new RangeError(`vectors[${i}]: encrypted under a different key`);
    if (!sameLayout(v.layout, first.layout)) throw new RangeError(`vectors[${i}]: packing layout differs from vectors[0]`);
    if (v.numValues !== first.numValues || v.ciphertexts.length !== first.ciphertexts.length) {
      throw new RangeError(`vectors[${i}]: length differs from vectors[0]`);
    }
    numParties += v.numParties;
  }
  if (numParties > first.layout.maxParties) {
    throw new RangeError(`vectors: ${numParties} parties exceed maxParties ${first.layout.maxParties} (slots would overflow)`);
  }
  const ciphertexts = first.ciphertexts.map((c0, k) => {
    let acc = c0;
    for (let i = 1; i < vectors.length; i++) acc = addCiphertexts(publicKey, acc, vectors[i].ciphertexts[k]);
    return acc;
  });
  return { keyId: publicKey.keyId, numValues: first.numValues, numParties, layout: first.layout, ciphertexts };
}

/** Options of {@link decryptSum}. */
export interface DecryptSumOptions {
  /** How many parties' vectors were added; must match the vector's own count. */
  readonly numParties: number;
}

/**
 * Decrypt a (summed) encrypted vector and decode the per-value sums: `Σ_parties clip(v)` within
 * `numParties · 2^−(scaleBits+1)` per value. The layout is recomputed from the key and the
 * vector's options, never trusted as sent.
 */
export function decryptSum(privateKey: PaillierPrivateKey, vector: EncryptedVector, options: DecryptSumOptions): Float64Array {
  const publicKey = privateKey.publicKey;
  const layout = checkEncryptedVector(publicKey, vector);
  const { numParties } = options;
  if (!Number.isInteger(numParties) || numParties < 1 || numParties > layout.maxParties) {
    throw new RangeError(`numParties: expected an integer in [1, ${layout.maxParties}], got ${numParties}`);
  }
  if (numParties !== vector.numParties) throw new RangeError(`numParties: ${numParties} but the vector sums ${vector.numParties}`);
  const plaintexts = vector.ciphertexts.map((c) => decrypt(privateKey, c));
  return decodeSlots(plaintexts, layout, vector.numValues, numParties);
}

/**
 * Check an encrypted vector against `publicKey` (key id, layout recomputed from its options,
 * ciphertext count and ranges) and return the recomputed layout; throws TypeError/RangeError.
 */
export function checkEncryptedVector(publicKey: PaillierPublicKey, vector: EncryptedVector): PackingLayout {
  if (vector === null || typeof vector !== 'object') throw new TypeError('vector: expected an EncryptedVector');
  if (vector.keyId !== publicKey.keyId) throw new RangeError('vector: encrypted under a different key');
  const layout = packingLayout(publicKey, vector.layout);
  if (!sameLayout(layout, vector.layout)) throw new RangeError('vector: layout does not match its options under this key');
  if (!Number.isInteger(vector.numValues) || vector.numValues < 0) throw new RangeError('vector: numValues must be a non-negative integer');
  if (!Number.isInteger(vector.numParties) || vector.numParties < 1) throw new RangeError('vector: numParties must be a positive integer');
  if (!Array.isArray(vector.ciphertexts) || vector.ciphertexts.length !== Math.ceil(vector.numValues / layout.slotsPerCiphertext)) {
    throw new RangeError('vector: ciphertext count does not match numValues');
  }
  vector.ciphertexts.forEach((c, i) => checkCiphertext(publicKey, c, `vector.ciphertexts[${i}]`));
  return layout;
}
