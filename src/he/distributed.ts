/**
 * n-of-n distributed Paillier decryption: the decryption exponent is split into one additive
 * share per node, so a ciphertext opens only when every share holder applies its share to it.
 * This is `threshold.ts` (2-of-2) generalised to any number of holders, plus the AEAD that
 * carries each share from the dealer to its holder through an untrusted relay (the coordinator).
 *
 * Math: with `d = λ · (λ⁻¹ mod n)` (d ≡ 0 mod λ, d ≡ 1 mod n), `c^d = 1 + m·n (mod n²)` for
 * `c = (1 + n)^m · r^n`. Split `d = d₁ + … + d_k` over the integers: `d₁ … d_{k−1}` uniform in
 * `[0, 2^(bits(d) + 128))`, `d_k = d − Σ` (usually negative). Any k − 1 shares are within
 * statistical distance (k − 1)·2^−128 of values independent of `d`. Partial decryptions
 * `c_i = c^(d_i)` combine as `m = L(Π c_i mod n²)`; a missing or wrong share leaves
 * `Π c_i ≢ 1 (mod n)` with overwhelming probability, which {@link combinePartials} detects.
 * Cost: every share is ≈ 2·bits(n) + 128 bits, so a partial decryption costs about twice a
 * textbook decryption without CRT (≈ 85 ms per ciphertext at 2048 bits, 13 ms at 1024).
 *
 * Trust model (honest-but-curious): the dealer — a node, never the coordinator — generates the
 * key, deals the shares and drops `p, q, λ` at once; after that no coalition short of all
 * holders (coordinator included) can decrypt. A holder must partially decrypt only the
 * aggregate of a sum it took part in, once (the node side enforces one decryption per sum).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { bigintToHex, bitLength, hexToBigint, modInverse, modPow, randomBits } from './bigint.js';
import type { PaillierPrivateKey, PaillierPublicKey } from './keys.js';
import { checkEncryptedVector, decodeSlots, type EncryptedVector } from './packing.js';
import { checkCiphertext } from './paillier.js';

const SHARE_SLACK_BITS = 128;

/**
 * Dealer step: split the decryption exponent of `privateKey` into `holders` additive shares
 * (fresh randomness every call). The dealer must then drop `privateKey`.
 */
export function splitDecryptionExponent(privateKey: PaillierPrivateKey, holders: number): bigint[] {
  if (typeof privateKey?.lambda !== 'bigint') throw new TypeError('privateKey: expected a PaillierPrivateKey');
  if (!Number.isInteger(holders) || holders < 2 || holders > 10_000) throw new RangeError(`holders: expected an integer in [2, 10000], got ${holders}`);
  const { publicKey, lambda } = privateKey;
  const d = lambda * modInverse(lambda, publicKey.n);
  const bits = bitLength(d) + SHARE_SLACK_BITS;
  const shares: bigint[] = [];
  let rest = d;
  for (let i = 0; i < holders - 1; i++) {
    const s = randomBits(bits);
    shares.push(s);
    rest -= s;
  }
  shares.push(rest);
  return shares;
}

/** A holder's partial decryption `c^share mod n²` of one ciphertext. */
export function partialDecryptWith(publicKey: PaillierPublicKey, share: bigint, ciphertext: bigint): bigint {
  checkCiphertext(publicKey, ciphertext);
  const { nSquared } = publicKey;
  if (share >= 0n) return modPow(ciphertext, share, nSquared);
  return modPow(modInverse(ciphertext, nSquared), -share, nSquared);
}

/** Combine every holder's partial decryption of one ciphertext into its plaintext. */
export function combinePartials(publicKey: PaillierPublicKey, partials: readonly bigint[]): bigint {
  if (!Array.isArray(partials) || partials.length < 2) throw new RangeError('partials: expected one partial decryption per holder (at least 2)');
  let u = 1n;
  partials.forEach((p, i) => {
    checkCiphertext(publicKey, p, `partials[${i}]`);
    u = (u * p) % publicKey.nSquared;
  });
  if (u % publicKey.n !== 1n) throw new RangeError('partials: they do not combine (a share is missing or wrong, or they are of another ciphertext)');
  return (u - 1n) / publicKey.n;
}

/** Combine the holders' partial decryptions of an aggregate (one list per holder) and decode the sums. */
export function combineAggregate(publicKey: PaillierPublicKey, aggregate: EncryptedVector, partialsByHolder: readonly (readonly bigint[])[]): Float64Array {
  const layout = checkEncryptedVector(publicKey, aggregate);
  for (const [h, list] of partialsByHolder.entries()) {
    if (list.length !== aggregate.ciphertexts.length) throw new RangeError(`partialsByHolder[${h}]: expected ${aggregate.ciphertexts.length} partial decryptions, got ${list.length}`);
  }
  const plaintexts = aggregate.ciphertexts.map((_, k) => combinePartials(publicKey, partialsByHolder.map((list) => list[k])));
  return decodeSlots(plaintexts, layout, aggregate.numValues, aggregate.numParties);
}

/** A share as text: hex with an optional leading '-'. */
export function shareToText(share: bigint): string {
  return share < 0n ? '-' + bigintToHex(-share) : bigintToHex(share);
}

/** Inverse of {@link shareToText}; RangeError on anything else. */
export function shareFromText(text: string): bigint {
  if (typeof text !== 'string' || !/^-?[0-9a-f]{1,5000}$/.test(text)) throw new RangeError('share: expected hex with an optional leading "-"');
  const negative = text.startsWith('-');
  const magnitude = hexToBigint(negative ? text.slice(1) : text);
  return negative ? -magnitude : magnitude;
}

/** Seal a share for its holder: AES-256-GCM under `key` (32 bytes), bound to `associatedData`. Returns nonce ‖ ciphertext ‖ tag. */
export function sealShare(key: Uint8Array, share: bigint, associatedData: Uint8Array): Uint8Array {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(associatedData);
  const body = Buffer.concat([cipher.update(Buffer.from(shareToText(share), 'utf8')), cipher.final()]);
  return new Uint8Array(Buffer.concat([nonce, body, cipher.getAuthTag()]));
}

/** Open a sealed share; throws RangeError if it was tampered with or sealed for someone else. */
export function openShare(key: Uint8Array, box: Uint8Array, associatedData: Uint8Array): bigint {
  if (!(box instanceof Uint8Array) || box.length < 12 + 16 + 1 || box.length > 4096) throw new RangeError('box: expected a sealed share');
  const decipher = createDecipheriv('aes-256-gcm', key, box.subarray(0, 12));
  decipher.setAAD(associatedData);
  decipher.setAuthTag(box.subarray(box.length - 16));
  let text: string;
  try {
    text = Buffer.concat([decipher.update(box.subarray(12, box.length - 16)), decipher.final()]).toString('utf8');
  } catch {
    throw new RangeError('box: the share failed authentication');
  }
  return shareFromText(text);
}
