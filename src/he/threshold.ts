/**
 * 2-of-2 threshold decryption by additive sharing of the decryption exponent, so that no single
 * party can decrypt: both share holders must each apply their share to the same aggregate.
 *
 * Math (as in Damgård–Jurik, PKC 2001, §4, specialised to two parties and a trusted dealer):
 * let `d = λ · (λ⁻¹ mod n)`, so `d ≡ 0 (mod λ)` and `d ≡ 1 (mod n)`. For a ciphertext
 * `c = (1 + m·n)·r^n`, `c^d = r^(n·d) · (1 + n)^(m·d) = 1 + m·n (mod n²)`, because `r^(n·λ) ≡ 1`.
 * Split `d = d₁ + d₂` over the integers with `d₁` uniform in `[0, 2^(bits(d) + 128))` and
 * `d₂ = d − d₁` (usually negative): each share alone is within statistical distance 2^−128 of a
 * value independent of `d`. Partial decryptions `c₁ = c^d₁`, `c₂ = c^d₂` combine as
 * `m = L(c₁·c₂ mod n²)`.
 *
 * Trust model: the dealer that generates the key (e.g. `generateKeyPair` run by an auditor)
 * sees `p, q` and must delete them after handing out the two shares; the two holders must not
 * collude with each other, and each must partially decrypt only aggregates the protocol expects
 * (a holder that decrypts anything it is sent is a decryption oracle). Distributed key
 * generation without a dealer is left out.
 */
import { bigintToHex, bitLength, hexToBigint, modInverse, modPow, randomBits } from './bigint.js';
import { PaillierPublicKey, type PaillierPrivateKey } from './keys.js';
import { checkEncryptedVector, decodeSlots, type EncryptedVector } from './packing.js';
import { checkCiphertext } from './paillier.js';

/** Statistical hiding of each share: 2^−128. */
const SHARE_SLACK_BITS = 128;

/** One holder's additive share `d_i` of the decryption exponent (may be negative). */
export interface DecryptionKeyShare {
  readonly publicKey: PaillierPublicKey;
  /** 1 or 2. */
  readonly index: 1 | 2;
  readonly exponent: bigint;
}

/** JSON form of a {@link DecryptionKeyShare}; `exponent` is hex with an optional leading '-'. */
export interface DecryptionKeyShareJson {
  readonly kind: 'paillier-key-share';
  readonly version: 1;
  readonly n: string;
  readonly index: 1 | 2;
  readonly exponent: string;
}

/**
 * Dealer step: split `privateKey` into two shares (fresh randomness every call). The dealer
 * must then drop `privateKey`.
 */
export function splitPrivateKey(privateKey: PaillierPrivateKey): [DecryptionKeyShare, DecryptionKeyShare] {
  if (typeof privateKey?.lambda !== 'bigint') throw new TypeError('privateKey: expected a PaillierPrivateKey');
  const { publicKey, lambda } = privateKey;
  const d = lambda * modInverse(lambda, publicKey.n);
  const d1 = randomBits(bitLength(d) + SHARE_SLACK_BITS);
  return [
    { publicKey, index: 1, exponent: d1 },
    { publicKey, index: 2, exponent: d - d1 },
  ];
}

/** A holder's partial decryption `c^(d_i) mod n²` of one ciphertext. */
export function partialDecrypt(share: DecryptionKeyShare, ciphertext: bigint): bigint {
  checkCiphertext(share.publicKey, ciphertext);
  const { nSquared } = share.publicKey;
  if (share.exponent >= 0n) return modPow(ciphertext, share.exponent, nSquared);
  // A negative share needs c⁻¹; modInverse throws RangeError if c is not a unit.
  return modPow(modInverse(ciphertext, nSquared), -share.exponent, nSquared);
}

/** Combine the two partial decryptions of one ciphertext into its plaintext `L(c₁·c₂ mod n²)`. */
export function combinePartialDecryptions(publicKey: PaillierPublicKey, partial1: bigint, partial2: bigint): bigint {
  checkCiphertext(publicKey, partial1, 'partial1');
  checkCiphertext(publicKey, partial2, 'partial2');
  const u = (partial1 * partial2) % publicKey.nSquared;
  if (u % publicKey.n !== 1n) throw new RangeError('partial2: partial decryptions do not combine (wrong shares or ciphertext)');
  return (u - 1n) / publicKey.n;
}

/** A holder's partial decryptions of every ciphertext of an aggregate vector. */
export function partialDecryptVector(share: DecryptionKeyShare, aggregate: EncryptedVector): bigint[] {
  checkEncryptedVector(share.publicKey, aggregate);
  return aggregate.ciphertexts.map((c) => partialDecrypt(share, c));
}

/** Combine both holders' partial decryptions of an aggregate and decode the per-value sums. */
export function combineVectorPartials(
  publicKey: PaillierPublicKey,
  aggregate: EncryptedVector,
  partials: { readonly first: readonly bigint[]; readonly second: readonly bigint[] },
  options: { readonly numParties: number },
): Float64Array {
  const layout = checkEncryptedVector(publicKey, aggregate);
  const { first, second } = partials;
  if (first.length !== aggregate.ciphertexts.length || second.length !== aggregate.ciphertexts.length) {
    throw new RangeError(`partials: expected ${aggregate.ciphertexts.length} partial decryptions from each holder`);
  }
  if (options.numParties !== aggregate.numParties) {
    throw new RangeError(`numParties: ${options.numParties} but the vector sums ${aggregate.numParties}`);
  }
  const plaintexts = first.map((p1, i) => combinePartialDecryptions(publicKey, p1, second[i]));
  return decodeSlots(plaintexts, layout, aggregate.numValues, options.numParties);
}

/** Serialise a share (to hand it to its holder over a confidential channel). */
export function keyShareToJson(share: DecryptionKeyShare): DecryptionKeyShareJson {
  const e = share.exponent;
  return {
    kind: 'paillier-key-share',
    version: 1,
    n: bigintToHex(share.publicKey.n),
    index: share.index,
    exponent: e < 0n ? '-' + bigintToHex(-e) : bigintToHex(e),
  };
}

/** Read a share written by {@link keyShareToJson}; throws TypeError/RangeError on malformed input. */
export function keyShareFromJson(json: DecryptionKeyShareJson): DecryptionKeyShare {
  if (json === null || typeof json !== 'object' || json.kind !== 'paillier-key-share' || json.version !== 1) {
    throw new TypeError('json: expected a paillier-key-share version 1');
  }
  if (json.index !== 1 && json.index !== 2) throw new RangeError(`json.index: expected 1 or 2, got ${String(json.index)}`);
  if (typeof json.exponent !== 'string') throw new TypeError('json.exponent: expected a hex string');
  const negative = json.exponent.startsWith('-');
  const magnitude = hexToBigint(negative ? json.exponent.slice(1) : json.exponent);
  return { publicKey: new PaillierPublicKey(hexToBigint(json.n)), index: json.index, exponent: negative ? -magnitude : magnitude };
}
