/**
 * Shamir secret sharing (Shamir 1979, "How to share a secret") over GF(2^8), byte by byte, in
 * the field and share format of the audited `shamir-secret-sharing` package (Privy; polynomial
 * x⁸+x⁴+x³+x+1). Splitting is done here with log/exp tables and one CSPRNG draw for all
 * coefficients (the package draws per byte, which made splitting a visible cost of every
 * SecAgg session); combining goes through the package, so every test of a split made here is
 * also checked by the audited interpolation.
 *
 * A share is the secret's length plus one byte: the evaluations at a random non-zero point x,
 * with x stored in the last byte. Any `threshold` shares with distinct x rebuild the secret;
 * fewer reveal nothing (each byte of a (t−1)-subset is uniform and independent of the
 * secret). The package silently returns garbage for fewer than `threshold` shares, so callers
 * must count shares themselves (the server does, and checks a commitment afterwards).
 *
 * The package insists on plain `Uint8Array`s (it compares constructors), so Buffers are copied.
 */
import { randomBytes } from 'node:crypto';
import { combine } from 'shamir-secret-sharing';
import { SecAggError } from './errors.js';

/** Most shares one secret can be split into (x ranges over the 255 non-zero bytes). */
export const MAX_SHARES = 255;

/** exp and log of GF(2^8) to the generator 3 (EXP is doubled so sums of logs need no reduction). */
const EXP = new Uint8Array(510);
const LOG = new Uint8Array(256);
for (let i = 0, x = 1; i < 255; i++) {
  EXP[i] = x;
  EXP[i + 255] = x;
  LOG[x] = i;
  // x ← x · 3 = x ⊕ x·2, reduced by x⁸+x⁴+x³+x+1 (0x11b)
  x ^= ((x << 1) ^ (x & 0x80 ? 0x11b : 0)) & 0xff;
}

function plain(bytes: Uint8Array): Uint8Array {
  return bytes.constructor === Uint8Array ? bytes : new Uint8Array(bytes);
}

/**
 * Split `secret` into `numShares` shares of which any `threshold` rebuild it.
 *
 * @example const shares = await splitSecret(seed, 10, 6);  // 10 shares, any 6 suffice
 */
export async function splitSecret(secret: Uint8Array, numShares: number, threshold: number): Promise<Uint8Array[]> {
  if (!(secret instanceof Uint8Array)) throw new TypeError('secret: expected a Uint8Array');
  if (secret.length < 1) throw new RangeError('secret: must not be empty');
  if (!Number.isInteger(threshold) || threshold < 2 || threshold > MAX_SHARES) {
    throw new RangeError(`threshold: expected an integer in [2, ${MAX_SHARES}], got ${threshold}`);
  }
  if (!Number.isInteger(numShares) || numShares < threshold || numShares > MAX_SHARES) {
    throw new RangeError(`numShares: expected an integer in [threshold=${threshold}, ${MAX_SHARES}], got ${numShares}`);
  }
  const length = secret.length;
  const degree = threshold - 1;
  // coefficients a_1..a_{t−1} of each byte's polynomial, uniform in GF(2^8), from one draw
  const coefficients = randomBytes(length * degree);
  const shares: Uint8Array[] = [];
  // x = 1..numShares: any distinct non-zero points will do (they are public in every share)
  for (let x = 1; x <= numShares; x++) {
    const share = new Uint8Array(length + 1);
    share[length] = x;
    const logX = LOG[x];
    for (let b = 0; b < length; b++) {
      // Horner: y = (…(a_{t−1}·x + a_{t−2})·x + …)·x + secret[b]
      const base = b * degree;
      let y = coefficients[base + degree - 1];
      for (let i = degree - 2; i >= 0; i--) y = (y === 0 ? 0 : EXP[LOG[y] + logX]) ^ coefficients[base + i];
      share[b] = (y === 0 ? 0 : EXP[LOG[y] + logX]) ^ secret[b];
    }
    shares.push(share);
  }
  coefficients.fill(0);
  return shares;
}

/** The x-coordinate (last byte) of a share: distinct shares of one secret have distinct x. */
export function shareX(share: Uint8Array): number {
  if (!(share instanceof Uint8Array) || share.length < 2) throw new TypeError('share: expected a Uint8Array of at least 2 bytes');
  return share[share.length - 1];
}

/**
 * Rebuild a secret from shares (at least the threshold it was split with; the caller counts).
 *
 * @throws SecAggError `SECAGG_WRONG_LENGTH` when shares differ in length or are shorter than 2
 *   bytes, `SECAGG_DUPLICATE` when two shares have the same x, `SECAGG_OUT_OF_RANGE` when an x
 *   is 0 (not a valid evaluation point), `SECAGG_TOO_FEW_SHARES` when fewer than 2 are given.
 */
export async function combineShares(shares: readonly Uint8Array[], expectedSecretBytes?: number): Promise<Uint8Array> {
  if (!Array.isArray(shares)) throw new TypeError('shares: expected an array of Uint8Array');
  if (shares.length < 2) throw new SecAggError('SECAGG_TOO_FEW_SHARES', `need at least 2 shares, got ${shares.length}`);
  if (shares.length > MAX_SHARES) throw new SecAggError('SECAGG_OUT_OF_RANGE', `at most ${MAX_SHARES} shares, got ${shares.length}`);
  const length = expectedSecretBytes === undefined ? (shares[0] as Uint8Array | undefined)?.length : expectedSecretBytes + 1;
  const seen = new Set<number>();
  for (const [i, share] of shares.entries()) {
    if (!(share instanceof Uint8Array)) throw new SecAggError('SECAGG_MALFORMED', `shares[${i}]: expected a Uint8Array`);
    if (share.length < 2 || share.length !== length) {
      throw new SecAggError('SECAGG_WRONG_LENGTH', `shares[${i}]: expected ${length} bytes, got ${share.length}`);
    }
    const x = share[share.length - 1];
    if (x === 0) throw new SecAggError('SECAGG_OUT_OF_RANGE', `shares[${i}]: x-coordinate 0 is not a valid share`);
    if (seen.has(x)) throw new SecAggError('SECAGG_DUPLICATE', `shares[${i}]: duplicate x-coordinate ${x}`);
    seen.add(x);
  }
  return combine(shares.map(plain));
}
