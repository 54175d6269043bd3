/**
 * Paillier aggregation as a protocol between the coordinator and the nodes: the one vocabulary
 * both sides use (stages, payloads, how a sum is encoded, how a key share is sealed).
 *
 * Key set-up, once per job and node set (messages of type `paillier`, payload in
 * `config.paillier` as JSON):
 *   'keys'     every node draws an X25519 key pair and returns its public key;
 *   'deal'     the dealer (the first node by id — a lender, never the coordinator) generates the
 *              Paillier key, splits its decryption exponent into one additive share per node
 *              (distributed.ts), seals each share for its holder under
 *              HKDF(X25519(dealer, holder)) with AES-GCM bound to (session, holder), keeps its
 *              own, drops the private key and returns the public key with the sealed shares;
 *   'share'    every other node opens its share.
 * Each sum: the summed message (train, evaluate, stats) carries `paillierSession` and
 * `paillierEncoding`; the node answers with its contribution encrypted and packed
 * (`config.paillier`, an encrypted-vector JSON) instead of in the clear. The coordinator
 * multiplies the ciphertexts, then
 *   'decrypt'  every holder returns its partial decryptions of the aggregate (once per sum);
 * the coordinator combines them into the sum. It never holds a key share.
 */
import { hkdfSha256, x25519Agreement } from '../secagg/crypto.js';
import type { EncryptedVectorJson } from './serialize.js';

export const PAILLIER_STAGES = ['keys', 'deal', 'share', 'decrypt'] as const;
export type PaillierStage = (typeof PAILLIER_STAGES)[number];

/** Modulus sizes a node accepts at most. */
export const MAX_PAILLIER_KEY_BITS = 4096;

export interface KeysRequest { readonly stage: 'keys'; readonly holders: readonly string[]; readonly dealer: string; readonly keyBits: number }
export interface KeysReply { readonly stage: 'keys'; readonly publicKey: string }
export interface DealRequest { readonly stage: 'deal'; readonly publicKeys: Readonly<Record<string, string>> }
export interface DealReply { readonly stage: 'deal'; readonly n: string; readonly dealerKey: string; readonly boxes: Readonly<Record<string, string>> }
export interface ShareRequest { readonly stage: 'share'; readonly n: string; readonly dealerKey: string; readonly box: string }
export interface ShareReply { readonly stage: 'share'; readonly keyId: string }
export interface DecryptRequest { readonly stage: 'decrypt'; readonly sumId: string; readonly aggregate: EncryptedVectorJson }
export interface DecryptReply { readonly stage: 'decrypt'; readonly partials: readonly string[] }

/** How one sum is encoded (chosen by the coordinator, sent with the summed message). */
export interface PaillierEncoding {
  /** Each (scaled) entry is clipped to [−clip, clip]. */
  readonly clip: number;
  /** Fractional bits of the fixed point: the step is 2^−scaleBits. */
  readonly scaleBits: number;
  /** Most contributions the sum may hold: the slot width is sized for it (packing.ts). */
  readonly maxParties: number;
  /** Train contributions use w = numExamples / weightScale. */
  readonly weightScale: number;
}

/**
 * The encoding of a sum: integers exactly (scaleBits 0, at most 2³¹ − 1 per node), bounded
 * entries as value / bound with 32 fractional bits, anything else with about 32 significant bits
 * (scaleBits = 32 − ⌈log2 clip⌉, kept so that clip·2^scaleBits ≤ 2⁵²).
 */
export function chooseEncoding(options: { clip: number; integers?: boolean; bounded?: boolean; maxParties: number; weightScale?: number }): PaillierEncoding {
  const { maxParties } = options;
  const weightScale = options.weightScale ?? 1;
  if (options.integers) return { clip: Math.min(options.clip, 2 ** 31 - 1), scaleBits: 0, maxParties, weightScale };
  if (options.bounded) return { clip: 1, scaleBits: 32, maxParties, weightScale };
  const clip = options.clip;
  if (!(clip > 0) || !Number.isFinite(clip) || clip >= 2 ** 52) throw new RangeError(`clip: expected a number in (0, 2^52), got ${clip}`);
  const magnitude = Math.ceil(Math.log2(clip));
  const scaleBits = Math.max(0, Math.min(32 - magnitude, 52 - magnitude));
  return { clip, scaleBits, maxParties, weightScale };
}

/** The key that seals `holder`'s share in `session`, from either end's X25519 agreement. */
export function shareSealingKey(privateKey: Uint8Array, peerPublicKey: Uint8Array, session: string, holder: string): Uint8Array {
  const shared = x25519Agreement(privateKey)(peerPublicKey);
  const key = hkdfSha256(shared, new TextEncoder().encode(session), new TextEncoder().encode(`fedcredit/paillier/v1/share/${holder}`), 32);
  shared.fill(0);
  return key;
}

/** Associated data of a sealed share: the session and its holder. */
export function shareAssociatedData(session: string, holder: string): Uint8Array {
  return new TextEncoder().encode(`fedcredit/paillier/v1/${session}/${holder}`);
}
