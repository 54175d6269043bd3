/**
 * Probable primes for Paillier moduli: Miller–Rabin testing with random bases, and generation of
 * random primes of an exact bit length by an incremental sieve.
 *
 * Generation picks a random odd start with its top two bits set (so the product of two such
 * primes has exactly twice as many bits), keeps the residues of the start modulo the small
 * primes below 2000 as ordinary numbers, and walks `start, start + 2, …` skipping every
 * candidate a small prime divides — only survivors pay for Miller–Rabin. This is the sieve of
 * HAC Note 4.51 / OpenSSL's `probable_prime`; its slight bias towards primes after long prime
 * gaps costs under a bit of entropy and is accepted practice.
 */
import { bitLength, modPow, randomBelow, randomBits } from './bigint.js';

/** Odd primes below 2000 for trial division (the prime 2 is handled by keeping candidates odd). */
const SMALL_PRIMES: readonly number[] = (() => {
  const limit = 2000;
  const composite = new Uint8Array(limit);
  const primes: number[] = [];
  for (let i = 3; i < limit; i += 2) {
    if (composite[i]) continue;
    primes.push(i);
    for (let j = i * i; j < limit; j += 2 * i) composite[j] = 1;
  }
  return primes;
})();

const SMALL_PRIMES_BIGINT: readonly bigint[] = SMALL_PRIMES.map(BigInt);

/**
 * Default Miller–Rabin rounds. FIPS 186-4 Table C.2 asks for 5 rounds on 1024-bit and 4 on
 * 1536-bit random candidates; we always run 32, which bounds the error by 4^-32 = 2^-64 even for
 * adversarially chosen inputs (keys parsed from the network) and costs little because composites
 * almost always fail the first round.
 */
export const DEFAULT_MILLER_RABIN_ROUNDS = 32;

/** Options of {@link isProbablePrime} and {@link randomPrime}. */
export interface PrimalityOptions {
  /** Number of Miller–Rabin rounds with independent random bases (default 32). */
  readonly rounds?: number;
}

function checkRounds(rounds: number): void {
  if (!Number.isInteger(rounds) || rounds < 1) throw new RangeError(`rounds: expected a positive integer, got ${rounds}`);
}

/** One Miller–Rabin round (HAC Algorithm 4.24) for odd `n > 3` with `n − 1 = d·2^s`, d odd. */
function passesMillerRabinRound(n: bigint, d: bigint, s: number, base: bigint): boolean {
  let x = modPow(base, d, n);
  const nMinusOne = n - 1n;
  if (x === 1n || x === nMinusOne) return true;
  for (let i = 1; i < s; i++) {
    x = (x * x) % n;
    if (x === nMinusOne) return true;
    if (x === 1n) return false;
  }
  return false;
}

/**
 * Whether `n` is a probable prime: exact for `n` below 2000² (trial division), otherwise trial
 * division then Miller–Rabin with `rounds` random bases from `node:crypto`; a composite passes
 * with probability at most 4^-rounds. Example: `isProbablePrime(2n ** 127n - 1n) === true`,
 * `isProbablePrime(561n) === false` (the smallest Carmichael number).
 */
export function isProbablePrime(n: bigint, options: PrimalityOptions = {}): boolean {
  if (typeof n !== 'bigint') throw new TypeError(`n: expected a bigint, got ${typeof n}`);
  const rounds = options.rounds ?? DEFAULT_MILLER_RABIN_ROUNDS;
  checkRounds(rounds);
  if (n < 2n) return false;
  if (n === 2n) return true;
  if (n % 2n === 0n) return false;
  for (const p of SMALL_PRIMES_BIGINT) {
    if (n === p) return true;
    if (n % p === 0n) return false;
  }
  if (n < 2000n * 2000n) return true;
  let d = n - 1n;
  let s = 0;
  while ((d & 1n) === 0n) {
    d >>= 1n;
    s++;
  }
  for (let round = 0; round < rounds; round++) {
    const base = 2n + randomBelow(n - 3n); // uniform in [2, n − 2]
    if (!passesMillerRabinRound(n, d, s, base)) return false;
  }
  return true;
}

/**
 * A random probable prime of exactly `numBits` bits whose two top bits are set, so that the
 * product of two of them has exactly `2 · numBits` bits. `numBits` must be at least 16.
 */
export function randomPrime(numBits: number, options: PrimalityOptions = {}): bigint {
  if (!Number.isInteger(numBits) || numBits < 16) throw new RangeError(`numBits: expected an integer ≥ 16, got ${numBits}`);
  const rounds = options.rounds ?? DEFAULT_MILLER_RABIN_ROUNDS;
  checkRounds(rounds);
  const topBits = 3n << BigInt(numBits - 2);
  // Walk at most this many odd candidates from one start before drawing a fresh start; prime gaps
  // near 2^numBits average numBits·ln 2, so the walk almost never runs out.
  const maxSteps = 64 * numBits;
  for (;;) {
    const start = randomBits(numBits) | topBits | 1n;
    const residues = SMALL_PRIMES_BIGINT.map((p) => Number(start % p));
    for (let step = 0; step < maxSteps; step++) {
      const offset = 2 * step;
      let divisible = false;
      for (let i = 0; i < SMALL_PRIMES.length; i++) {
        if ((residues[i] + offset) % SMALL_PRIMES[i] === 0) {
          divisible = true;
          break;
        }
      }
      if (divisible) continue;
      const candidate = start + BigInt(offset);
      if (bitLength(candidate) !== numBits) break; // walked past 2^numBits: start again
      if (isProbablePrime(candidate, { rounds })) return candidate;
    }
  }
}
