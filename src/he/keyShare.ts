/**
 * The key-holder role: Paillier aggregation in which the coordinator never holds the private key.
 *
 * Trust model (honest-but-curious, no collusion between the key holder and the coordinator):
 * 1. One designated node — the key holder, e.g. a participating lender or an auditor — generates
 *    the key pair and publishes only the public key (via the coordinator, which cannot alter it
 *    unnoticed if nodes compare {@link PaillierPublicKey.keyId} out of band).
 * 2. Nodes encrypt their packed vectors under that key; the coordinator multiplies ciphertexts
 *    (`addCiphertextVectors`) and sees nothing but ciphertexts.
 * 3. The coordinator sends the *aggregate* to the key holder, who decrypts it and returns only
 *    the decoded sum.
 * What this does not protect against: a key holder that colludes with the coordinator (it could
 * decrypt a single node's ciphertext), or a coordinator that forwards one node's vector as an
 * "aggregate". The key holder refuses aggregates that claim fewer than `minParties` contributors,
 * which stops the naive version of the latter only when party counts are checked end to end;
 * the 2-of-2 variant in `threshold.ts` removes the single key holder altogether.
 *
 * The private key lives in an ES private field, so code that receives a {@link KeyHolder} (or
 * serialises it) cannot read the key by accident.
 */
import { generateKeyPair, type PaillierPublicKey } from './keys.js';
import type { PaillierPrivateKey } from './keys.js';
import { decryptSum, type EncryptedVector } from './packing.js';
import { privateKeyToJson, publicKeyToJson, type PrivateKeyJson, type PublicKeyJson } from './serialize.js';

/** Options of {@link createKeyHolder}. */
export interface KeyHolderOptions {
  /** Modulus size in bits (default 2048). */
  readonly numBits?: number;
  /** Smallest number of contributors an aggregate must have to be decrypted (default 2). */
  readonly minParties?: number;
}

/** A node holding a Paillier private key and decrypting only aggregates. */
export class KeyHolder {
  readonly publicKey: PaillierPublicKey;
  readonly minParties: number;
  readonly #privateKey: PaillierPrivateKey;

  /** Wrap an existing private key (e.g. loaded from the key holder's own storage). */
  constructor(privateKey: PaillierPrivateKey, options: { minParties?: number } = {}) {
    if (typeof privateKey?.p !== 'bigint') throw new TypeError('privateKey: expected a PaillierPrivateKey');
    const minParties = options.minParties ?? 2;
    if (!Number.isInteger(minParties) || minParties < 1) throw new RangeError(`minParties: expected a positive integer, got ${minParties}`);
    this.#privateKey = privateKey;
    this.publicKey = privateKey.publicKey;
    this.minParties = minParties;
  }

  /** The public key to hand to the coordinator and the nodes. */
  publicKeyJson(): PublicKeyJson {
    return publicKeyToJson(this.publicKey);
  }

  /** The private key, for the key holder's own encrypted storage only; never send it anywhere. */
  privateKeyJsonForStorage(): PrivateKeyJson {
    return privateKeyToJson(this.#privateKey);
  }

  /**
   * Decrypt an aggregate of `numParties ≥ minParties` encrypted vectors and return only the
   * decoded per-value sums (see `decryptSum` for the error bound).
   */
  decryptAggregate(aggregate: EncryptedVector, options: { numParties: number }): Float64Array {
    const { numParties } = options;
    if (!Number.isInteger(numParties) || numParties < this.minParties) {
      throw new RangeError(`numParties: the key holder decrypts only sums of ≥ ${this.minParties} parties, got ${numParties}`);
    }
    return decryptSum(this.#privateKey, aggregate, { numParties });
  }

  /** Keep JSON.stringify / console.log from ever showing more than the public part. */
  toJSON(): { publicKey: PublicKeyJson; minParties: number } {
    return { publicKey: this.publicKeyJson(), minParties: this.minParties };
  }
}

/** Generate a fresh key pair inside a new {@link KeyHolder}; only the public key leaves it. */
export function createKeyHolder(options: KeyHolderOptions = {}): KeyHolder {
  const { privateKey } = generateKeyPair({ numBits: options.numBits ?? 2048 });
  return new KeyHolder(privateKey, { minParties: options.minParties });
}
