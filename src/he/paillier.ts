/**
 * Paillier encryption, decryption and the additive homomorphism (P. Paillier, EUROCRYPT '99),
 * with `g = n + 1`:
 *
 * - encrypt `m ∈ [0, n)`: `c = (1 + m·n) · r^n mod n²` for a random unit `r`;
 * - decrypt (CRT, Paillier's "Decryption using Chinese-remaindering"):
 *   `m_p = L_p(c^(p−1) mod p²) · hp mod p`, `m_q` likewise, `m = CRT(m_p, m_q)` — two
 *   half-size exponentiations with half-size exponents, about 4× cheaper than the textbook
 *   `m = L(c^λ mod n²) · μ mod n`, which {@link decryptWithoutCrt} keeps for cross-checks;
 * - `E(a) · E(b) = E(a + b mod n)` and `E(a)^k = E(k·a mod n)`.
 *
 * Ciphertexts are plain bigints in `[1, n²)`; plaintexts are bigints in `[0, n)`. Signed and
 * fractional values are the job of the packing layer (`packing.ts`).
 */
import { crtPair, mod, modPow } from './bigint.js';
import type { PaillierPrivateKey, PaillierPublicKey } from './keys.js';
import { randomUnit, type RandomnessPool } from './randomness.js';

function checkPublicKey(publicKey: PaillierPublicKey): void {
  if (typeof publicKey?.n !== 'bigint' || typeof publicKey.nSquared !== 'bigint') {
    throw new TypeError('publicKey: expected a PaillierPublicKey');
  }
}

function checkPlaintext(publicKey: PaillierPublicKey, plaintext: bigint, name = 'plaintext'): void {
  if (typeof plaintext !== 'bigint') throw new TypeError(`${name}: expected a bigint, got ${typeof plaintext}`);
  if (plaintext < 0n || plaintext >= publicKey.n) throw new RangeError(`${name}: expected in [0, n)`);
}

/** Throw unless `ciphertext` is a bigint in `[1, n²)` (the range of valid ciphertexts). */
export function checkCiphertext(publicKey: PaillierPublicKey, ciphertext: bigint, name = 'ciphertext'): void {
  if (typeof ciphertext !== 'bigint') throw new TypeError(`${name}: expected a bigint, got ${typeof ciphertext}`);
  if (ciphertext <= 0n || ciphertext >= publicKey.nSquared) throw new RangeError(`${name}: expected in [1, n²)`);
}

/** Options of {@link encrypt}. */
export interface EncryptOptions {
  /** Source of precomputed `r^n` values for this key; without it `r^n` is computed now. */
  readonly pool?: RandomnessPool;
}

/**
 * Encrypt `plaintext ∈ [0, n)` under `publicKey`. With a filled {@link RandomnessPool} this is
 * one multiplication mod n²; without, one exponentiation (≈ 40 ms at 2048 bits).
 */
export function encrypt(publicKey: PaillierPublicKey, plaintext: bigint, options: EncryptOptions = {}): bigint {
  checkPublicKey(publicKey);
  checkPlaintext(publicKey, plaintext);
  const { pool } = options;
  if (pool !== undefined && pool.publicKey.n !== publicKey.n) throw new RangeError('pool: belongs to a different public key');
  const rToN = pool ? pool.take() : modPow(randomUnit(publicKey), publicKey.n, publicKey.nSquared);
  return ((1n + plaintext * publicKey.n) * rToN) % publicKey.nSquared;
}

/**
 * Encrypt with a caller-chosen nonce `r ∈ Z_n*`: deterministic, for known-answer tests and
 * proofs only — never reuse `r` across messages. Example (n = 17·19 = 323, see the tests):
 * `encryptWithNonce(pub323, 42n, 5n) === 84326n`.
 */
export function encryptWithNonce(publicKey: PaillierPublicKey, plaintext: bigint, nonce: bigint): bigint {
  checkPublicKey(publicKey);
  checkPlaintext(publicKey, plaintext);
  if (typeof nonce !== 'bigint') throw new TypeError(`nonce: expected a bigint, got ${typeof nonce}`);
  if (nonce <= 0n || nonce >= publicKey.n) throw new RangeError('nonce: expected in [1, n)');
  const { n, nSquared } = publicKey;
  return ((1n + plaintext * n) * modPow(nonce, n, nSquared)) % nSquared;
}

/** One CRT half: `L_d(c^(d−1) mod d²) · h_d mod d` for prime `d`. */
function decryptModPrime(ciphertext: bigint, d: bigint, dSquared: bigint, hd: bigint): bigint {
  const reduced = ciphertext % dSquared;
  if (reduced % d === 0n) throw new RangeError('ciphertext: not a unit modulo n² (not a valid ciphertext)');
  const u = modPow(reduced, d - 1n, dSquared);
  return (((u - 1n) / d) * hd) % d;
}

/** Decrypt `ciphertext` with CRT (see the module comment); returns the plaintext in `[0, n)`. */
export function decrypt(privateKey: PaillierPrivateKey, ciphertext: bigint): bigint {
  const { publicKey, p, q, pSquared, qSquared, hp, hq, pInverseModQ } = privateKey;
  checkCiphertext(publicKey, ciphertext);
  const mp = decryptModPrime(ciphertext, p, pSquared, hp);
  const mq = decryptModPrime(ciphertext, q, qSquared, hq);
  return crtPair(mp, mq, p, q, pInverseModQ);
}

/** Textbook decryption `L(c^λ mod n²) · μ mod n`, about 4× slower; kept as a cross-check of CRT. */
export function decryptWithoutCrt(privateKey: PaillierPrivateKey, ciphertext: bigint): bigint {
  const { publicKey, lambda, mu } = privateKey;
  checkCiphertext(publicKey, ciphertext);
  const u = modPow(ciphertext, lambda, publicKey.nSquared);
  return (((u - 1n) / publicKey.n) * mu) % publicKey.n;
}

/** `E(a + b mod n)` from `E(a)` and `E(b)`: one multiplication mod n². */
export function addCiphertexts(publicKey: PaillierPublicKey, a: bigint, b: bigint): bigint {
  checkPublicKey(publicKey);
  checkCiphertext(publicKey, a, 'a');
  checkCiphertext(publicKey, b, 'b');
  return (a * b) % publicKey.nSquared;
}

/** `E(a + plaintext mod n)` from `E(a)` and a public `plaintext ∈ [0, n)`, keeping a's randomness. */
export function addPlaintext(publicKey: PaillierPublicKey, ciphertext: bigint, plaintext: bigint): bigint {
  checkPublicKey(publicKey);
  checkCiphertext(publicKey, ciphertext);
  checkPlaintext(publicKey, plaintext);
  return (ciphertext * (1n + plaintext * publicKey.n)) % publicKey.nSquared;
}

/**
 * `E(k·a mod n)` from `E(a)` and a public integer `scalar` (any sign; reduced mod n, so −1 gives
 * `E(−a mod n)`). The result keeps `r^k` as randomness, which is a function of a's: rerandomise
 * (add an encryption of 0) before sending it to anyone who saw `E(a)`.
 */
export function multiplyByScalar(publicKey: PaillierPublicKey, ciphertext: bigint, scalar: bigint): bigint {
  checkPublicKey(publicKey);
  checkCiphertext(publicKey, ciphertext);
  if (typeof scalar !== 'bigint') throw new TypeError(`scalar: expected a bigint, got ${typeof scalar}`);
  return modPow(ciphertext, mod(scalar, publicKey.n), publicKey.nSquared);
}
