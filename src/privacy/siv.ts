/**
 * AES-SIV (RFC 5297): deterministic authenticated encryption built from AES-CMAC (RFC 4493) and
 * AES-CTR on node:crypto primitives. Encrypting the same plaintext with the same key and
 * associated data always gives the same ciphertext (that is the point: equal values get equal
 * tokens), and any change to the ciphertext or associated data is detected on decryption.
 */
import { createCipheriv, timingSafeEqual, type Cipher } from 'node:crypto';
import { FedCreditError } from '../errors.js';

/** AES block size in bytes; also the length of the synthetic IV that prefixes a ciphertext. */
export const SIV_BLOCK_BYTES = 16;

/** RFC 5297 §7: S2V takes at most 127 strings, so at most 126 associated-data items + plaintext. */
export const SIV_MAX_ASSOCIATED_DATA = 126;

const ZERO_BLOCK = new Uint8Array(SIV_BLOCK_BYTES);
const PREFIX_CACHE_SIZE = 32;
// RFC 4493 §2.3 and RFC 5297 §2.3: the reduction constant of doubling in GF(2^128).
const R_128 = 0x87;

/** Decryption found that the ciphertext or associated data was altered, or the key is wrong. */
export class SivAuthenticationError extends FedCreditError {
  constructor(message = 'AES-SIV: authentication failed (ciphertext or associated data altered, or wrong key)') {
    super('SIV_AUTH_FAILED', message);
  }
}

function checkBytes(name: string, value: unknown): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${name}: expected a Uint8Array`);
}

function checkAssociatedData(associatedData: unknown): asserts associatedData is readonly Uint8Array[] {
  if (!Array.isArray(associatedData)) throw new TypeError('associatedData: expected an array of Uint8Array');
  if (associatedData.length > SIV_MAX_ASSOCIATED_DATA) {
    throw new RangeError(`associatedData: at most ${SIV_MAX_ASSOCIATED_DATA} items (RFC 5297 §7), got ${associatedData.length}`);
  }
  associatedData.forEach((item, i) => checkBytes(`associatedData[${i}]`, item));
}

/** dbl() of RFC 5297 §2.3: multiply by x in GF(2^128), big-endian, returning a new block. */
function dbl(block: Uint8Array): Uint8Array {
  const out = new Uint8Array(SIV_BLOCK_BYTES);
  for (let i = 0; i < SIV_BLOCK_BYTES - 1; i++) out[i] = ((block[i] << 1) | (block[i + 1] >>> 7)) & 0xff;
  out[SIV_BLOCK_BYTES - 1] = (block[SIV_BLOCK_BYTES - 1] << 1) & 0xff;
  // constant-time conditional reduction: mask is 0xff when the top bit was set, else 0
  out[SIV_BLOCK_BYTES - 1] ^= R_128 & -(block[0] >>> 7);
  return out;
}

function xorInto(target: Uint8Array, offset: number, source: Uint8Array): void {
  for (let i = 0; i < source.length; i++) target[offset + i] ^= source[i];
}

/**
 * Raw AES block encryption under one key through a long-lived AES-ECB cipher object: without
 * padding, each `update` call returns its input's blocks encrypted independently, so one
 * object serves every block of every message. Creating a cipher object per message costs more
 * than the AES work for short values (tokens are mostly a few bytes).
 */
class BlockCipher {
  readonly #ecb: Cipher;

  constructor(key: Uint8Array) {
    this.#ecb = createCipheriv(`aes-${key.length * 8}-ecb`, key, null).setAutoPadding(false);
  }

  /** E(K, block) for every 16-byte block of `blocks` (length a multiple of 16). */
  encrypt(blocks: Uint8Array): Uint8Array {
    return new Uint8Array(this.#ecb.update(blocks));
  }

  /** final() makes OpenSSL free (and cleanse) the key schedule. */
  wipe(): void {
    this.#ecb.final();
  }
}

/** AES-CMAC with precomputed subkeys (RFC 4493 §2.3–2.4). */
class Cmac {
  readonly #aes: BlockCipher;
  readonly #k1: Uint8Array;
  readonly #k2: Uint8Array;

  constructor(key: Uint8Array) {
    this.#aes = new BlockCipher(key);
    const l = this.#aes.encrypt(ZERO_BLOCK);
    this.#k1 = dbl(l);
    this.#k2 = dbl(this.#k1);
    l.fill(0);
  }

  mac(message: Uint8Array): Uint8Array {
    const numBlocks = Math.max(1, Math.ceil(message.length / SIV_BLOCK_BYTES));
    const complete = message.length > 0 && message.length % SIV_BLOCK_BYTES === 0;
    const last = (numBlocks - 1) * SIV_BLOCK_BYTES;
    // X := 0; for each block but the last, X := E(K, X xor M_i)
    let x: Uint8Array = new Uint8Array(SIV_BLOCK_BYTES);
    for (let offset = 0; offset < last; offset += SIV_BLOCK_BYTES) {
      xorInto(x, 0, message.subarray(offset, offset + SIV_BLOCK_BYTES));
      x = this.#aes.encrypt(x);
    }
    // the last block: K1 if complete, else 10* padding and K2
    const lastBlock = new Uint8Array(SIV_BLOCK_BYTES);
    lastBlock.set(message.subarray(last));
    if (!complete) lastBlock[message.length - last] = 0x80;
    xorInto(lastBlock, 0, complete ? this.#k1 : this.#k2);
    xorInto(x, 0, lastBlock);
    lastBlock.fill(0);
    return this.#aes.encrypt(x);
  }

  wipe(): void {
    this.#aes.wipe();
    this.#k1.fill(0);
    this.#k2.fill(0);
  }
}

/**
 * AES-CMAC (RFC 4493 for 16-byte keys; NIST SP 800-38B for 24- and 32-byte keys) of `message`.
 * Exposed for tests against RFC 4493 §4 and for callers that need a block-cipher MAC.
 *
 * @example aesCmac(key16, new Uint8Array(0)) // RFC 4493 Example 1: bb1d6929e9593728...
 */
export function aesCmac(key: Uint8Array, message: Uint8Array): Uint8Array {
  checkBytes('key', key);
  checkBytes('message', message);
  if (key.length !== 16 && key.length !== 24 && key.length !== 32) throw new RangeError(`key: expected 16, 24 or 32 bytes, got ${key.length}`);
  const cmac = new Cmac(key);
  try {
    return cmac.mac(message);
  } finally {
    cmac.wipe();
  }
}

/**
 * An AES-SIV key schedule: the first half of the key authenticates (S2V), the second half
 * encrypts (CTR), RFC 5297 §2.6. A 32-byte key is AES-SIV-CMAC-256 (AES-128 inside), 48 bytes
 * AES-SIV-CMAC-384, 64 bytes AES-SIV-CMAC-512 (AES-256 inside). Reuse one instance to encrypt
 * many values under one key; call {@link AesSiv.wipe} when done to clear the key material.
 *
 * @example
 * const siv = new AesSiv(key64);
 * const c = siv.encrypt(utf8('A93'), [utf8('statussex')]); // 16-byte SIV || 3 bytes
 * siv.decrypt(c, [utf8('statussex')]); // utf8('A93')
 */
export class AesSiv {
  readonly #cmac: Cmac;
  readonly #ctrAes: BlockCipher;
  /** CMAC(K1, <zero>), the constant start of every S2V chain. */
  readonly #s2vStart: Uint8Array;
  /**
   * S2V state D after the associated data, by associated-data content. Callers such as the
   * tokenizer pass the same header with every value, and its CMACs would otherwise be most of
   * the work for short values.
   */
  readonly #prefixes = new Map<string, Uint8Array>();
  #wiped = false;

  constructor(key: Uint8Array) {
    checkBytes('key', key);
    if (key.length !== 32 && key.length !== 48 && key.length !== 64) {
      throw new RangeError(`key: AES-SIV needs 32, 48 or 64 bytes, got ${key.length}`);
    }
    const half = key.length / 2;
    this.#cmac = new Cmac(key.subarray(0, half));
    this.#ctrAes = new BlockCipher(key.subarray(half));
    this.#s2vStart = this.#cmac.mac(ZERO_BLOCK);
  }

  /** S2V of RFC 5297 §2.4 over the associated data items followed by the plaintext. */
  #s2v(associatedData: readonly Uint8Array[], plaintext: Uint8Array): Uint8Array {
    // n >= 1 always (the plaintext is the last string), so the n = 0 branch of §2.4 never applies
    const d = this.#prefix(associatedData);
    let t: Uint8Array;
    if (plaintext.length >= SIV_BLOCK_BYTES) {
      t = Uint8Array.from(plaintext); // xorend: D into the last 16 bytes
      xorInto(t, plaintext.length - SIV_BLOCK_BYTES, d);
    } else {
      t = dbl(d);
      const pad = new Uint8Array(SIV_BLOCK_BYTES);
      pad.set(plaintext);
      pad[plaintext.length] = 0x80;
      xorInto(t, 0, pad);
    }
    const v = this.#cmac.mac(t);
    t.fill(0);
    return v;
  }

  #prefix(associatedData: readonly Uint8Array[]): Uint8Array {
    const cacheKey = associatedData.map((item) => Buffer.from(item.buffer, item.byteOffset, item.byteLength).toString('hex')).join(',');
    const cached = this.#prefixes.get(cacheKey);
    if (cached !== undefined) return cached;
    let d = this.#s2vStart;
    for (const item of associatedData) {
      const next = dbl(d);
      xorInto(next, 0, this.#cmac.mac(item));
      d = next;
    }
    if (this.#prefixes.size >= PREFIX_CACHE_SIZE) this.#clearPrefixes();
    this.#prefixes.set(cacheKey, d);
    return d;
  }

  #clearPrefixes(): void {
    for (const d of this.#prefixes.values()) if (d !== this.#s2vStart) d.fill(0);
    this.#prefixes.clear();
  }

  /**
   * AES-CTR under the second key half (§2.5): keystream blocks E(K2, Q + i), Q = V with bits
   * 63 and 31 cleared, the counter a 128-bit big-endian integer wrapping modulo 2^128.
   */
  #ctr(v: Uint8Array, data: Uint8Array): Uint8Array {
    const numBlocks = Math.ceil(data.length / SIV_BLOCK_BYTES);
    const counters = new Uint8Array(numBlocks * SIV_BLOCK_BYTES);
    const q = Uint8Array.from(v);
    q[8] &= 0x7f;
    q[12] &= 0x7f;
    for (let b = 0; b < numBlocks; b++) {
      counters.set(q, b * SIV_BLOCK_BYTES);
      for (let i = SIV_BLOCK_BYTES - 1; i >= 0; i--) {
        q[i] = (q[i] + 1) & 0xff;
        if (q[i] !== 0) break; // no carry into the next byte
      }
    }
    const out = this.#ctrAes.encrypt(counters);
    for (let i = 0; i < data.length; i++) out[i] ^= data[i];
    return out.subarray(0, data.length);
  }

  #checkLive(): void {
    if (this.#wiped) throw new Error('AesSiv: used after wipe()');
  }

  /** SIV-Encrypt (§2.6): returns the 16-byte synthetic IV followed by the ciphertext. */
  encrypt(plaintext: Uint8Array, associatedData: readonly Uint8Array[] = []): Uint8Array {
    this.#checkLive();
    checkBytes('plaintext', plaintext);
    checkAssociatedData(associatedData);
    const v = this.#s2v(associatedData, plaintext);
    const out = new Uint8Array(SIV_BLOCK_BYTES + plaintext.length);
    out.set(v);
    out.set(this.#ctr(v, plaintext), SIV_BLOCK_BYTES);
    return out;
  }

  /**
   * SIV-Decrypt (§2.7): returns the plaintext, or throws {@link SivAuthenticationError} when the
   * recomputed synthetic IV differs (compared in constant time); no plaintext is released then.
   */
  decrypt(ciphertext: Uint8Array, associatedData: readonly Uint8Array[] = []): Uint8Array {
    this.#checkLive();
    checkBytes('ciphertext', ciphertext);
    checkAssociatedData(associatedData);
    if (ciphertext.length < SIV_BLOCK_BYTES) throw new SivAuthenticationError(`AES-SIV: ciphertext of ${ciphertext.length} bytes is shorter than the ${SIV_BLOCK_BYTES}-byte SIV`);
    const v = ciphertext.subarray(0, SIV_BLOCK_BYTES);
    const plaintext = this.#ctr(v, ciphertext.subarray(SIV_BLOCK_BYTES));
    const t = this.#s2v(associatedData, plaintext);
    if (!timingSafeEqual(t, v)) {
      plaintext.fill(0);
      throw new SivAuthenticationError();
    }
    return plaintext;
  }

  /** Overwrite the key material held by this instance; later calls throw. */
  wipe(): void {
    if (this.#wiped) return;
    this.#cmac.wipe();
    this.#ctrAes.wipe();
    this.#clearPrefixes();
    this.#s2vStart.fill(0);
    this.#wiped = true;
  }
}

/**
 * One-shot AES-SIV encryption (RFC 5297 §2.6) of `plaintext` with `associatedData` (header
 * strings authenticated but not encrypted; pass a nonce as the last item for nonce-based use).
 * `key` is 32, 48 or 64 bytes. Returns SIV (16 bytes) || ciphertext.
 */
export function sivEncrypt(key: Uint8Array, plaintext: Uint8Array, associatedData: readonly Uint8Array[] = []): Uint8Array {
  const siv = new AesSiv(key);
  try {
    return siv.encrypt(plaintext, associatedData);
  } finally {
    siv.wipe();
  }
}

/**
 * One-shot AES-SIV decryption (RFC 5297 §2.7); throws {@link SivAuthenticationError} when the
 * ciphertext, the associated data or the key does not match what was encrypted.
 */
export function sivDecrypt(key: Uint8Array, ciphertext: Uint8Array, associatedData: readonly Uint8Array[] = []): Uint8Array {
  const siv = new AesSiv(key);
  try {
    return siv.decrypt(ciphertext, associatedData);
  } finally {
    siv.wipe();
  }
}
