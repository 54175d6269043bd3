/**
 * Big-integer number theory for Paillier: modular exponentiation, inverses, gcd/lcm, the
 * Chinese remainder theorem, byte/hex conversion and cryptographic random integers.
 *
 * Everything is plain `bigint` (no native code). V8 multiplies and divides bigints fast, so the
 * cost that matters is the *number* of modular multiplications; {@link modPow} therefore uses
 * left-to-right sliding windows (Menezes, van Oorschot, Vanstone, "Handbook of Applied
 * Cryptography", Algorithm 14.85), which needs about `bits + bits / (w + 1)` multiplications
 * instead of the `1.5 · bits` of square-and-multiply.
 *
 * Randomness comes only from `node:crypto` `randomBytes`; bigints cannot be wiped from memory,
 * which is a known limit of any JavaScript bigint cryptography.
 */
import { randomBytes } from 'node:crypto';

function assertBigint(value: unknown, name: string): asserts value is bigint {
  if (typeof value !== 'bigint') throw new TypeError(`${name}: expected a bigint, got ${typeof value}`);
}

function assertModulus(modulus: unknown, name: string): asserts modulus is bigint {
  assertBigint(modulus, name);
  if (modulus <= 0n) throw new RangeError(`${name}: expected a positive modulus, got ${modulus}`);
}

/** Non-negative residue of `value` modulo `modulus` (JavaScript `%` keeps the dividend's sign). */
export function mod(value: bigint, modulus: bigint): bigint {
  assertBigint(value, 'value');
  assertModulus(modulus, 'modulus');
  const r = value % modulus;
  return r < 0n ? r + modulus : r;
}

/** Number of bits of `|value|` (0 for 0), e.g. `bitLength(255n) === 8`. */
export function bitLength(value: bigint): number {
  assertBigint(value, 'value');
  if (value === 0n) return 0;
  return (value < 0n ? -value : value).toString(2).length;
}

/** Window width for sliding-window exponentiation: wider windows pay off on longer exponents. */
function windowBitsFor(exponentBits: number): number {
  if (exponentBits > 1536) return 6;
  if (exponentBits > 512) return 5;
  if (exponentBits > 128) return 4;
  if (exponentBits > 24) return 3;
  return 1;
}

/**
 * `base^exponent mod modulus` by left-to-right sliding windows (HAC Algorithm 14.85). A
 * negative exponent inverts the base first (throws RangeError if it is not invertible).
 *
 * Example: `modPow(4n, 13n, 497n) === 445n` (the worked example of Wikipedia's "Modular
 * exponentiation").
 */
export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  assertBigint(base, 'base');
  assertBigint(exponent, 'exponent');
  assertModulus(modulus, 'modulus');
  if (modulus === 1n) return 0n;
  let b = mod(base, modulus);
  let e = exponent;
  if (e < 0n) {
    b = modInverse(b, modulus);
    e = -e;
  }
  if (e === 0n) return 1n;
  if (b === 0n) return 0n;
  const bits = e.toString(2);
  const numBits = bits.length;
  const w = windowBitsFor(numBits);
  // Odd powers b, b^3, …, b^(2^w − 1): every window is an odd number once trailing zeros move out.
  const oddPowers: bigint[] = [b];
  if (w > 1) {
    const b2 = (b * b) % modulus;
    for (let i = 1; i < 1 << (w - 1); i++) oddPowers.push((oddPowers[i - 1] * b2) % modulus);
  }
  let result = 1n;
  let started = false;
  let i = 0;
  while (i < numBits) {
    if (bits.charCodeAt(i) === 48) {
      if (started) result = (result * result) % modulus;
      i++;
      continue;
    }
    let j = Math.min(i + w, numBits);
    while (bits.charCodeAt(j - 1) === 48) j--;
    let windowValue = 0;
    for (let k = i; k < j; k++) windowValue = windowValue * 2 + (bits.charCodeAt(k) - 48);
    const power = oddPowers[(windowValue - 1) >> 1];
    if (started) {
      for (let k = i; k < j; k++) result = (result * result) % modulus;
      result = (result * power) % modulus;
    } else {
      result = power;
      started = true;
    }
    i = j;
  }
  return result;
}

/** Greatest common divisor of `|a|` and `|b|` (Euclid); `gcd(0n, 0n) === 0n`. */
export function gcd(a: bigint, b: bigint): bigint {
  assertBigint(a, 'a');
  assertBigint(b, 'b');
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) {
    const t = x % y;
    x = y;
    y = t;
  }
  return x;
}

/** Least common multiple of `|a|` and `|b|`; 0 if either is 0. */
export function lcm(a: bigint, b: bigint): bigint {
  if (a === 0n || b === 0n) return 0n;
  const l = (a / gcd(a, b)) * b;
  return l < 0n ? -l : l;
}

/**
 * Inverse of `value` modulo `modulus` by the extended Euclidean algorithm (HAC Algorithm 2.142).
 * Throws RangeError when `gcd(value, modulus) ≠ 1`. Example: `modInverse(3n, 11n) === 4n`.
 */
export function modInverse(value: bigint, modulus: bigint): bigint {
  assertBigint(value, 'value');
  assertModulus(modulus, 'modulus');
  let r0 = modulus;
  let r1 = mod(value, modulus);
  let t0 = 0n;
  let t1 = 1n;
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [t0, t1] = [t1, t0 - q * t1];
  }
  if (r0 !== 1n) throw new RangeError(`value: not invertible modulo the given modulus (gcd ${r0})`);
  return mod(t0, modulus);
}

/**
 * Chinese remainder theorem for two coprime moduli by Garner's formula (HAC Algorithm 14.71):
 * the unique `x` in `[0, p·q)` with `x ≡ residueP (mod p)` and `x ≡ residueQ (mod q)`.
 * `pInverseModQ` is `p⁻¹ mod q`, precomputed by callers that combine many times (decryption).
 */
export function crtPair(residueP: bigint, residueQ: bigint, p: bigint, q: bigint, pInverseModQ: bigint): bigint {
  const h = mod((residueQ - residueP) * pInverseModQ, q);
  return mod(residueP, p) + p * h;
}

/**
 * Chinese remainder theorem for any number of pairwise coprime moduli: the unique `x` in
 * `[0, ∏ moduli)` with `x ≡ residues[i] (mod moduli[i])`. Example: `crt([2n, 3n, 2n], [3n, 5n,
 * 7n]) === 23n` (Sunzi's problem).
 */
export function crt(residues: readonly bigint[], moduli: readonly bigint[]): bigint {
  if (residues.length !== moduli.length || moduli.length === 0) {
    throw new RangeError(`residues: expected as many residues as moduli (≥ 1), got ${residues.length} and ${moduli.length}`);
  }
  let x = mod(residues[0], moduli[0]);
  let m = moduli[0];
  for (let i = 1; i < moduli.length; i++) {
    x = crtPair(x, residues[i], m, moduli[i], modInverse(m, moduli[i]));
    m *= moduli[i];
  }
  return x;
}

/** Big-endian unsigned bytes of `value`, left-padded to `byteLength` when given. */
export function bigintToBytes(value: bigint, byteLength?: number): Uint8Array {
  assertBigint(value, 'value');
  if (value < 0n) throw new RangeError('value: expected a non-negative bigint');
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = '0' + hex;
  const minLength = value === 0n ? 1 : hex.length / 2;
  const length = byteLength ?? minLength;
  if (!Number.isInteger(length) || length < minLength) {
    throw new RangeError(`byteLength: ${value === 0n ? 0 : minLength} bytes needed, got ${byteLength}`);
  }
  return new Uint8Array(Buffer.from(hex.padStart(length * 2, '0'), 'hex'));
}

/** The non-negative bigint whose big-endian bytes are `bytes` (0 for an empty array). */
export function bytesToBigint(bytes: Uint8Array): bigint {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes: expected a Uint8Array');
  if (bytes.length === 0) return 0n;
  return BigInt('0x' + Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex'));
}

/** Lower-case hex of a non-negative bigint, left-padded with zeros to `numHexDigits` if given. */
export function bigintToHex(value: bigint, numHexDigits = 0): string {
  assertBigint(value, 'value');
  if (value < 0n) throw new RangeError('value: expected a non-negative bigint');
  return value.toString(16).padStart(numHexDigits, '0');
}

/** Parse a non-empty string of hex digits (no prefix, no sign) as a bigint. */
export function hexToBigint(hex: string): bigint {
  if (typeof hex !== 'string') throw new TypeError(`hex: expected a string, got ${typeof hex}`);
  if (!/^[0-9a-fA-F]+$/.test(hex)) throw new RangeError('hex: expected hexadecimal digits only');
  return BigInt('0x' + hex);
}

/** Uniform random integer in `[0, 2^numBits)` from `node:crypto`. */
export function randomBits(numBits: number): bigint {
  if (!Number.isInteger(numBits) || numBits < 1) throw new RangeError(`numBits: expected a positive integer, got ${numBits}`);
  const bytes = randomBytes(Math.ceil(numBits / 8));
  const excess = bytes.length * 8 - numBits;
  bytes[0] &= 0xff >> excess;
  return BigInt('0x' + bytes.toString('hex'));
}

/** Uniform random integer in `[0, upperExclusive)` by rejection sampling (no modulo bias). */
export function randomBelow(upperExclusive: bigint): bigint {
  assertModulus(upperExclusive, 'upperExclusive');
  if (upperExclusive === 1n) return 0n;
  const numBits = bitLength(upperExclusive - 1n);
  for (;;) {
    const candidate = randomBits(numBits);
    if (candidate < upperExclusive) return candidate;
  }
}
