/**
 * Paillier key pairs (P. Paillier, "Public-Key Cryptosystems Based on Composite Degree
 * Residuosity Classes", EUROCRYPT '99) with the generator fixed to `g = n + 1`, which makes
 * `g^m = 1 + m·n (mod n²)` by the binomial theorem and lets encryption skip one exponentiation.
 *
 * The private key keeps `p` and `q` and precomputes everything CRT decryption needs (see
 * Paillier's "Decryption using Chinese-remaindering"): `p²`, `q²`, `hp = L_p(g^(p−1) mod p²)⁻¹
 * mod p`, `hq` likewise and `p⁻¹ mod q`. It also keeps `λ = lcm(p − 1, q − 1)` and `μ = λ⁻¹ mod
 * n` for the textbook decryption used to cross-check and for threshold sharing.
 */
import { createHash } from 'node:crypto';
import { bigintToBytes, bitLength, gcd, lcm, modInverse, modPow } from './bigint.js';
import { randomPrime } from './prime.js';

/** Smallest modulus size {@link generateKeyPair} accepts; 2048 bits is the production minimum. */
export const MIN_GENERATED_KEY_BITS = 512;
/** Largest modulus size {@link generateKeyPair} accepts (keeps accidental huge requests bounded). */
export const MAX_GENERATED_KEY_BITS = 8192;

/**
 * A Paillier public key `n` (with `g = n + 1` implied). `keyId` is a short SHA-256 fingerprint of
 * `n` so that ciphertexts under different keys are never mixed by mistake.
 */
export class PaillierPublicKey {
  readonly n: bigint;
  readonly nSquared: bigint;
  /** Bit length of `n`. */
  readonly numBits: number;
  /** First 16 bytes of SHA-256 over the big-endian bytes of `n`, hex. */
  readonly keyId: string;

  /** @param n an odd modulus ≥ 15; normally the product of two large primes. */
  constructor(n: bigint) {
    if (typeof n !== 'bigint') throw new TypeError(`n: expected a bigint, got ${typeof n}`);
    if (n < 15n || n % 2n === 0n) throw new RangeError('n: expected an odd modulus ≥ 15');
    this.n = n;
    this.nSquared = n * n;
    this.numBits = bitLength(n);
    this.keyId = createHash('sha256').update(bigintToBytes(n)).digest('hex').slice(0, 32);
  }
}

/** `L_d(x) = (x − 1) / d`, Paillier's function on `{x : x ≡ 1 mod d}`. */
function lFunction(x: bigint, d: bigint): bigint {
  return (x - 1n) / d;
}

/**
 * A Paillier private key built from its primes; `publicKey` is derived. Construct it with
 * {@link PaillierPrivateKey.fromPrimes}, {@link generateKeyPair} or the JSON parser.
 */
export class PaillierPrivateKey {
  readonly publicKey: PaillierPublicKey;
  readonly p: bigint;
  readonly q: bigint;
  readonly pSquared: bigint;
  readonly qSquared: bigint;
  /** `L_p(g^(p−1) mod p²)⁻¹ mod p`. */
  readonly hp: bigint;
  /** `L_q(g^(q−1) mod q²)⁻¹ mod q`. */
  readonly hq: bigint;
  /** `p⁻¹ mod q` for Garner recombination. */
  readonly pInverseModQ: bigint;
  /** Carmichael's `λ(n) = lcm(p − 1, q − 1)`. */
  readonly lambda: bigint;
  /** `μ = L(g^λ mod n²)⁻¹ mod n`, which is `λ⁻¹ mod n` when `g = n + 1`. */
  readonly mu: bigint;

  private constructor(p: bigint, q: bigint) {
    // Order p < q so that a key has one canonical form (serialisation, equality).
    if (p > q) [p, q] = [q, p];
    const n = p * q;
    this.publicKey = new PaillierPublicKey(n);
    this.p = p;
    this.q = q;
    this.pSquared = p * p;
    this.qSquared = q * q;
    const g = n + 1n;
    this.hp = modInverse(lFunction(modPow(g, p - 1n, this.pSquared), p), p);
    this.hq = modInverse(lFunction(modPow(g, q - 1n, this.qSquared), q), q);
    this.pInverseModQ = modInverse(p, q);
    this.lambda = lcm(p - 1n, q - 1n);
    this.mu = modInverse(lFunction(modPow(g, this.lambda, this.publicKey.nSquared), n), n);
  }

  /**
   * The key for primes `p` and `q`. Checks that they are distinct odd integers > 2 with
   * `gcd(pq, (p−1)(q−1)) = 1` (Paillier's condition); primality is the caller's responsibility
   * (the JSON parser tests it). Example: `PaillierPrivateKey.fromPrimes(17n, 19n)`.
   */
  static fromPrimes(p: bigint, q: bigint): PaillierPrivateKey {
    if (typeof p !== 'bigint') throw new TypeError(`p: expected a bigint, got ${typeof p}`);
    if (typeof q !== 'bigint') throw new TypeError(`q: expected a bigint, got ${typeof q}`);
    if (p < 3n || p % 2n === 0n) throw new RangeError('p: expected an odd prime > 2');
    if (q < 3n || q % 2n === 0n) throw new RangeError('q: expected an odd prime > 2');
    if (p === q) throw new RangeError('q: must differ from p');
    if (gcd(p * q, (p - 1n) * (q - 1n)) !== 1n) throw new RangeError('q: gcd(pq, (p−1)(q−1)) must be 1');
    return new PaillierPrivateKey(p, q);
  }
}

/** A freshly generated key pair. */
export interface PaillierKeyPair {
  readonly publicKey: PaillierPublicKey;
  readonly privateKey: PaillierPrivateKey;
}

/** Options of {@link generateKeyPair}. */
export interface KeyGenerationOptions {
  /** Bit length of `n`: an even integer in [512, 8192]; use ≥ 2048 outside tests. */
  readonly numBits: number;
}

/**
 * Generate a key pair whose modulus `n = pq` has exactly `numBits` bits, from two random
 * probable primes of `numBits / 2` bits (`node:crypto` randomness, 32 Miller–Rabin rounds).
 * Synchronous: typically 0.2–1 s for 2048 bits on one core (the prime search is random).
 */
export function generateKeyPair(options: KeyGenerationOptions): PaillierKeyPair {
  const { numBits } = options;
  if (!Number.isInteger(numBits) || numBits % 2 !== 0 || numBits < MIN_GENERATED_KEY_BITS || numBits > MAX_GENERATED_KEY_BITS) {
    throw new RangeError(
      `numBits: expected an even integer in [${MIN_GENERATED_KEY_BITS}, ${MAX_GENERATED_KEY_BITS}], got ${numBits}`,
    );
  }
  for (;;) {
    const p = randomPrime(numBits / 2);
    const q = randomPrime(numBits / 2);
    // Equal-size primes make gcd(pq, (p−1)(q−1)) = 1 automatic unless p = q; check anyway.
    if (p === q || gcd(p * q, (p - 1n) * (q - 1n)) !== 1n) continue;
    const privateKey = PaillierPrivateKey.fromPrimes(p, q);
    return { publicKey: privateKey.publicKey, privateKey };
  }
}
