/**
 * Cryptographic primitives of secure aggregation, all from `node:crypto` (OpenSSL):
 *
 * - X25519 key agreement (RFC 7748) with raw 32-byte keys, so keys travel as plain bytes;
 * - HKDF-SHA256 (RFC 5869) to turn a shared secret into a pair key;
 * - AES-256-CTR (NIST SP 800-38A) as the pseudo-random generator that expands a 256-bit seed
 *   into a mask vector, and a pair's key into its session stream (keys.ts). Flower expands
 *   masks with numpy's generator seeded by 32 bits, which a server can brute-force; a 256-bit
 *   AES key cannot be.
 *
 * Raw keys go through JWK because OpenSSL 3 decodes JWK several times faster than DER.
 */
import {
  type KeyObject,
  createCipheriv,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  createHmac,
} from 'node:crypto';
import { SecAggError } from './errors.js';
import { RING_CHUNK_BYTES, ringKernel } from './ringKernel.js';

/** Length in bytes of X25519 keys, mask seeds and symmetric keys. */
export const KEY_BYTES = 32;
/** Length in bytes of an authentication tag (a share bundle's truncated HMAC, keys.ts). */
export const TAG_BYTES = 16;

/** An X25519 key pair as raw little-endian 32-byte strings (RFC 7748 §5). */
export interface X25519KeyPair {
  readonly publicKey: Uint8Array;
  readonly privateKey: Uint8Array;
}

function checkBytes(value: unknown, name: string, length?: number): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${name}: expected a Uint8Array`);
  if (length !== undefined && value.length !== length) {
    throw new RangeError(`${name}: expected ${length} bytes, got ${value.length}`);
  }
}

function b64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

function fromB64url(text: string | undefined): Uint8Array {
  return new Uint8Array(Buffer.from(text ?? '', 'base64url'));
}

/**
 * OpenSSL handles of the private keys made here, so that the later agreements of a session skip
 * re-importing them (an import recomputes the public key: one scalar multiplication). Keyed by
 * the raw private key array; {@link wipe} drops the entry with the bytes, and a lookup checks
 * that the bytes still are the handle's key, so a stale handle is never used.
 */
const privateHandles = new WeakMap<Uint8Array, KeyObject>();

/** Fresh X25519 key pair from the operating system's CSPRNG. */
export function generateX25519KeyPair(): X25519KeyPair {
  const { privateKey: handle } = generateKeyPairSync('x25519');
  const jwk = handle.export({ format: 'jwk' });
  const pair = { publicKey: fromB64url(jwk.x), privateKey: fromB64url(jwk.d) };
  privateHandles.set(pair.privateKey, handle);
  return pair;
}

function importPrivate(privateKey: Uint8Array): KeyObject {
  checkBytes(privateKey, 'privateKey', KEY_BYTES);
  const d = b64url(privateKey);
  const cached = privateHandles.get(privateKey);
  if (cached && cached.export({ format: 'jwk' }).d === d) return cached;
  // OpenSSL recomputes the public half from `d`; `x` is required by Node's JWK parser only.
  return createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d, x: d }, format: 'jwk' });
}

function importPublic(publicKey: Uint8Array): KeyObject {
  checkBytes(publicKey, 'publicKey', KEY_BYTES);
  return createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: b64url(publicKey) }, format: 'jwk' });
}

/** The public key X25519(privateKey, 9) belonging to a raw private key (RFC 7748 §6.1). */
export function x25519PublicKey(privateKey: Uint8Array): Uint8Array {
  return fromB64url(createPublicKey(importPrivate(privateKey)).export({ format: 'jwk' }).x);
}

/**
 * Key agreement bound to one private key: returns a function computing the 32-byte X25519
 * shared secret with a peer's raw public key. Importing the private key once saves ~40 µs per
 * peer when a client agrees keys with all its neighbours.
 *
 * @throws SecAggError `SECAGG_INVALID_KEY` when the peer key is a low-order point (the shared
 *   secret would be all zeros, RFC 7748 §6.1).
 */
export function x25519Agreement(privateKey: Uint8Array): (peerPublicKey: Uint8Array) => Uint8Array {
  const own = importPrivate(privateKey);
  return (peerPublicKey) => {
    const peer = importPublic(peerPublicKey);
    try {
      return new Uint8Array(diffieHellman({ privateKey: own, publicKey: peer }));
    } catch (cause) {
      throw new SecAggError('SECAGG_INVALID_KEY', 'X25519 agreement failed: peer public key is a low-order point', { cause });
    }
  };
}

/**
 * The encodings (bit 255 cleared, which X25519 ignores: RFC 7748 §5) of the u-coordinates of
 * small order: X25519 maps them to the all-zero output whatever the private key. Clamped scalars
 * are multiples of 8 below 8·ℓ, so X25519(k, u) = 0 exactly when u has order dividing 8 (on the
 * curve, whose 8-torsion is cyclic) or 4 (on the twist): u ∈ {0, 1, p − 1} (orders 2, 1, 4),
 * the two order-8 coordinates, and the non-canonical p and p + 1 (≡ 0 and 1); every other
 * u + p is ≥ 2^255. The same seven values libsodium blacklists; test/secagg/crypto.test.ts
 * checks that OpenSSL refuses each, with and without bit 255.
 */
const SMALL_ORDER = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800',
  '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
].map((h) => Uint8Array.from(Buffer.from(h, 'hex')));

/** The small-order encodings of {@link SMALL_ORDER}, for tests. */
export function smallOrderX25519Points(): Uint8Array[] {
  return SMALL_ORDER.map((p) => p.slice());
}

/**
 * Whether `publicKey` is a usable X25519 public key: 32 bytes and not a point of small order
 * (whose agreements give the all-zero secret that OpenSSL refuses). The server runs this on
 * every advertised key so that one hostile key cannot make its neighbours' agreements fail
 * later; a comparison with the seven small-order encodings, no scalar multiplication.
 */
export function isUsableX25519PublicKey(publicKey: Uint8Array): boolean {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== KEY_BYTES) return false;
  for (const point of SMALL_ORDER) {
    let same = (publicKey[31] & 0x7f) === point[31];
    for (let k = 0; same && k < 31; k++) same = publicKey[k] === point[k];
    if (same) return false;
  }
  return true;
}

/** One-shot X25519(privateKey, peerPublicKey); see {@link x25519Agreement}. */
export function x25519(privateKey: Uint8Array, peerPublicKey: Uint8Array): Uint8Array {
  return x25519Agreement(privateKey)(peerPublicKey);
}

/**
 * HKDF-SHA256 (RFC 5869): extract with `salt`, expand with `info` to `length` bytes
 * (at most 255·32 = 8160).
 *
 * @example hkdfSha256(sharedSecret, utf8(sessionId), utf8('fedcredit/secagg/v1/mask/3/7'), 32)
 */
export function hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  const prk = hkdfExtract(salt, ikm);
  try {
    return hkdfExpand(prk, info, length);
  } finally {
    prk.fill(0);
  }
}

/**
 * HKDF-Extract (RFC 5869 §2.2): PRK = HMAC-SHA256(salt, ikm), 32 bytes; an empty salt means
 * 32 zero bytes. A caller that derives many keys from one secret extracts once and keeps PRK.
 */
export function hkdfExtract(salt: Uint8Array, ikm: Uint8Array): Uint8Array {
  checkBytes(ikm, 'ikm');
  checkBytes(salt, 'salt');
  return new Uint8Array(createHmac('sha256', salt.length > 0 ? salt : ZERO_SALT).update(ikm).digest());
}

/**
 * HKDF-Expand (RFC 5869 §2.3): `length` bytes (at most 255·32 = 8160) of
 * T(1) ‖ T(2) ‖ … with T(i) = HMAC-SHA256(prk, T(i−1) ‖ info ‖ i).
 */
export function hkdfExpand(prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  checkBytes(prk, 'prk', KEY_BYTES);
  checkBytes(info, 'info');
  if (info.length > 1024) throw new RangeError(`info: at most 1024 bytes, got ${info.length}`);
  if (!Number.isInteger(length) || length < 1 || length > 255 * 32) {
    throw new RangeError(`length: expected an integer in [1, 8160], got ${length}`);
  }
  // RFC 5869 written out with HMAC: several times faster than hkdfSync for the 32-byte keys
  // derived per pair of clients (no KeyObject per call); same output (the RFC vectors check it).
  const out = new Uint8Array(length);
  let block: Buffer = Buffer.alloc(0);
  for (let i = 0, offset = 0; offset < length; i++) {
    block = createHmac('sha256', prk).update(block).update(info).update(Uint8Array.of(i + 1)).digest();
    out.set(block.subarray(0, Math.min(32, length - offset)), offset);
    offset += 32;
  }
  block.fill(0);
  return out;
}

const ZERO_SALT = new Uint8Array(32);

/**
 * HMAC-SHA256 (RFC 2104) of `data` under `key`, truncated to its first {@link TAG_BYTES} bytes
 * (RFC 4231 §4.6 checks such a truncation): the tag of a share bundle (keys.ts).
 */
export function hmacTag(key: Uint8Array, data: Uint8Array): Uint8Array {
  checkBytes(key, 'key');
  checkBytes(data, 'data');
  return createHmac('sha256', key).update(data).digest().subarray(0, TAG_BYTES);
}

let zeros = Buffer.alloc(0);

/**
 * The AES-256-CTR keystream (NIST SP 800-38A §6.5): `numBytes` bytes of
 * AES_key(iv), AES_key(iv+1), … with a 128-bit big-endian counter.
 */
export function aesCtrKeystream(key: Uint8Array, iv: Uint8Array, numBytes: number): Uint8Array {
  checkBytes(key, 'key', KEY_BYTES);
  checkBytes(iv, 'iv', 16);
  if (!Number.isInteger(numBytes) || numBytes < 0 || numBytes > 2 ** 31) {
    throw new RangeError(`numBytes: expected an integer in [0, 2^31], got ${numBytes}`);
  }
  return new Uint8Array(keystream(key, iv, numBytes));
}

/** `numBytes` zero bytes: encrypting zeros yields the keystream. The buffer is shared and never written. */
function zeroBytes(numBytes: number): Buffer {
  if (zeros.length < numBytes) zeros = Buffer.alloc(Math.max(numBytes, 2 * zeros.length));
  return zeros.subarray(0, numBytes);
}

function keystream(key: Uint8Array, iv: Uint8Array, numBytes: number): Buffer {
  return createCipheriv('aes-256-ctr', key, iv).update(zeroBytes(numBytes));
}

const ZERO_IV = new Uint8Array(16);
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function checkModulusBits(modulusBits: number): void {
  if (!Number.isInteger(modulusBits) || modulusBits < 1 || modulusBits > 32) {
    throw new RangeError(`modulusBits: expected an integer in [1, 32], got ${modulusBits}`);
  }
}

/**
 * Expand a 256-bit seed into `length` uniform elements of Z_{2^modulusBits}: word k is the
 * little-endian uint32 at bytes 4k..4k+3 of the AES-256-CTR keystream under key `seed` and an
 * all-zero initial counter, reduced by masking to the low `modulusBits` bits (uniform because
 * 2^modulusBits divides 2^32). Each seed is used for exactly one vector, so the fixed IV is safe.
 *
 * @example expandMask(seed, 10_000)  // Uint32Array of 10,000 uniform words
 */
export function expandMask(seed: Uint8Array, length: number, modulusBits = 32): Uint32Array {
  checkBytes(seed, 'seed', KEY_BYTES);
  if (!Number.isInteger(length) || length < 0 || length > 2 ** 29) {
    throw new RangeError(`length: expected an integer in [0, 2^29], got ${length}`);
  }
  checkModulusBits(modulusBits);
  const stream = keystream(seed, ZERO_IV, 4 * length);
  let words: Uint32Array;
  if (LITTLE_ENDIAN && stream.byteOffset % 4 === 0) {
    words = new Uint32Array(stream.buffer, stream.byteOffset, length);
  } else {
    words = new Uint32Array(length);
    const view = new DataView(stream.buffer, stream.byteOffset, stream.byteLength);
    for (let k = 0; k < length; k++) words[k] = view.getUint32(4 * k, true);
  }
  if (modulusBits < 32) {
    const mask = 2 ** modulusBits - 1;
    for (let k = 0; k < length; k++) words[k] &= mask;
  }
  return words;
}

/**
 * acc ← acc + sign · expandMask(seed) (mod 2^modulusBits), in place: the one hot loop of secure
 * aggregation. `acc` must already hold ring elements (< 2^modulusBits).
 */
export function addMask(acc: Uint32Array, seed: Uint8Array, sign: 1 | -1, modulusBits = 32): void {
  addMasks(acc, [{ seed, sign }], modulusBits);
}

/** One mask of {@link addMasks}: the seed to expand and whether to add or subtract it. */
export interface SignedSeed {
  readonly seed: Uint8Array;
  readonly sign: 1 | -1;
}

/**
 * acc ← acc + Σ sign · expandMask(seed) (mod 2^modulusBits), in place: the same as
 * {@link addMask} for each mask in turn. Each mask's keystream is made a chunk at a time and
 * added by the WebAssembly SIMD kernel (ringKernel.ts), two masks per pass; without
 * WebAssembly SIMD (or on a big-endian machine), by {@link addMasksPortable}.
 */
export function addMasks(acc: Uint32Array, masks: readonly SignedSeed[], modulusBits = 32): void {
  checkMasks(acc, masks, modulusBits);
  const kernel = LITTLE_ENDIAN ? ringKernel() : undefined;
  if (kernel === undefined) {
    addMasksPortable(acc, masks, modulusBits);
    return;
  }
  const ciphers = masks.map(({ seed }) => createCipheriv('aes-256-ctr', seed, ZERO_IV));
  const bytes = new Uint8Array(acc.buffer, acc.byteOffset, acc.byteLength);
  const used = Math.min(RING_CHUNK_BYTES, bytes.length);
  try {
    for (let start = 0; start < bytes.length; start += RING_CHUNK_BYTES) {
      const length = Math.min(RING_CHUNK_BYTES, bytes.length - start);
      const zeroChunk = zeroBytes(length);
      kernel.acc.set(bytes.subarray(start, start + length));
      let i = 0;
      for (; i + 1 < masks.length; i += 2) {
        // the ciphers keep their counters, so chunk after chunk is one keystream per mask
        const a = ciphers[i].update(zeroChunk);
        const b = ciphers[i + 1].update(zeroChunk);
        kernel.a.set(a);
        kernel.b.set(b);
        a.fill(0);
        b.fill(0);
        kernel.combine2(masks[i].sign, masks[i + 1].sign, length);
      }
      if (i < masks.length) {
        const a = ciphers[i].update(zeroChunk);
        kernel.a.set(a);
        a.fill(0);
        kernel.combine1(masks[i].sign, length);
      }
      bytes.set(kernel.acc.subarray(0, length), start);
    }
  } finally {
    kernel.wipe(used);
  }
  // the kernel works mod 2^32; 2^modulusBits divides it, so reducing once at the end is the same
  if (modulusBits < 32) {
    const m = 2 ** modulusBits - 1;
    for (let k = 0; k < acc.length; k++) acc[k] &= m;
  }
}

function checkMasks(acc: Uint32Array, masks: readonly SignedSeed[], modulusBits: number): void {
  if (!(acc instanceof Uint32Array)) throw new TypeError('acc: expected a Uint32Array');
  checkModulusBits(modulusBits);
  for (const [k, mask] of masks.entries()) {
    checkBytes(mask?.seed, `masks[${k}].seed`, KEY_BYTES);
    if (mask.sign !== 1 && mask.sign !== -1) throw new RangeError(`masks[${k}].sign: expected 1 or -1, got ${String(mask.sign)}`);
  }
}

/**
 * {@link addMasks} in plain JavaScript (whole keystreams, two masks per pass): the fallback
 * where WebAssembly SIMD is missing, and the reference the kernel is tested against.
 */
export function addMasksPortable(acc: Uint32Array, masks: readonly SignedSeed[], modulusBits = 32): void {
  checkMasks(acc, masks, modulusBits);
  const n = acc.length;
  let i = 0;
  if (modulusBits === 32) {
    for (; i + 1 < masks.length; i += 2) {
      const a = masks[i];
      const b = masks[i + 1];
      const m = expandMask(a.seed, n);
      const p = expandMask(b.seed, n);
      // Uint32Array stores reduce mod 2^32 (ToUint32), so plain + and - are ring operations
      if (a.sign === 1 && b.sign === 1) for (let k = 0; k < n; k++) acc[k] += m[k] + p[k];
      else if (a.sign === 1) for (let k = 0; k < n; k++) acc[k] += m[k] - p[k];
      else if (b.sign === 1) for (let k = 0; k < n; k++) acc[k] += p[k] - m[k];
      else for (let k = 0; k < n; k++) acc[k] -= m[k] + p[k];
      m.fill(0);
      p.fill(0);
    }
  }
  for (; i < masks.length; i++) {
    const mask = expandMask(masks[i].seed, n, modulusBits);
    if (modulusBits === 32) {
      if (masks[i].sign === 1) for (let k = 0; k < n; k++) acc[k] += mask[k];
      else for (let k = 0; k < n; k++) acc[k] -= mask[k];
    } else {
      // below 32 bits the int32 `&` of a possibly negative difference is its residue
      const m = 2 ** modulusBits - 1;
      if (masks[i].sign === 1) for (let k = 0; k < n; k++) acc[k] = (acc[k] + mask[k]) & m;
      else for (let k = 0; k < n; k++) acc[k] = (acc[k] - mask[k]) & m;
    }
    mask.fill(0);
  }
}

/** Overwrite secret bytes with zeros once they are no longer needed (noble's `clean`). */
export function wipe(...buffers: (Uint8Array | Uint32Array | undefined)[]): void {
  for (const b of buffers) {
    if (b instanceof Uint8Array) privateHandles.delete(b);
    b?.fill(0);
  }
}
