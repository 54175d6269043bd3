/**
 * Key schedule of a session: how a pair's shared secret becomes its mask seed and share key,
 * how a client seals its pair seeds for dropout recovery, what a commitment covers and what a
 * ciphertext is bound to. Client and server must derive exactly the same bytes, so these live
 * in one place.
 *
 * - Pair keys: PRK_ij = HKDF-Extract(fixed salt, X25519(c_i^SK, c_j^PK)) and the pair's share
 *   key HKDF-Expand(PRK_ij, "share-key", 32), the AES-256-GCM key of the share bundles between
 *   i and j, for as long as the two key pairs live (a node keeps its key pair for a job). Every
 *   bundle has a fresh random nonce and its session and direction as associated data, so a box
 *   cannot be replayed into another session or sent back.
 * - Pair seed of a session: s_ij = HKDF-Expand(PRK_ij, info, 32) with `info` naming the
 *   unordered pair, the session and both clients' fresh session nonces. HKDF-Expand is HMAC
 *   keyed by PRK (a PRF), so the seeds of different sessions are independent: revealing s_ij of
 *   one session (dropout recovery) says nothing about another. The nonces make each session's
 *   seeds fresh even if a server reused a session id, as long as one of the two clients is
 *   honest.
 * - Sealed pair seeds: client i publishes, for each neighbour j, s_ij ⊕ AES-256-CTR_{σ_i}(2j)
 *   under a recovery key σ_i drawn fresh for the session and Shamir-shared like the self-mask
 *   seed. When i drops after masking, the server rebuilds σ_i from t shares and unseals exactly
 *   i's seeds of this session, which is what Bonawitz et al. recover from s_i^SK; the pair keys
 *   themselves are never revealed. This is the multi-round construction of Flamingo (Ma et al.,
 *   IEEE S&P 2023): agree pairwise secrets once, derive per-round masks by a PRF.
 */
import { createHash } from 'node:crypto';
import { KEY_BYTES, aesCtrKeystream, hkdfExpand, hkdfExtract } from './crypto.js';

const encoder = new TextEncoder();
const PREFIX = 'fedcredit/secagg/v1';

/** The fixed HKDF-Extract salt of every pair secret (RFC 5869 §3.1 allows a constant salt). */
const PAIR_SALT = encoder.encode(`${PREFIX}/pair-secret`);

/** Bytes of a client's session nonce. */
export const SESSION_NONCE_BYTES = 32;

/** What a pair of clients derives once from its X25519 secret (see the file comment). */
export interface PairKeys {
  /** PRK_ij: the HKDF key every session's pair seed is expanded from. */
  readonly prk: Uint8Array;
  /** AES-256-GCM key of the share bundles between i and j. */
  readonly shareKey: Uint8Array;
}

/** The pair keys of i and j from their X25519 secret X25519(c_i^SK, c_j^PK). */
export function pairKeys(sharedSecret: Uint8Array): PairKeys {
  const prk = hkdfExtract(PAIR_SALT, sharedSecret);
  return { prk, shareKey: hkdfExpand(prk, SHARE_KEY_INFO, KEY_BYTES) };
}

const SHARE_KEY_INFO = encoder.encode(`${PREFIX}/share-key`);

/**
 * s_ij of clients i and j in a session, from their PRK and both session nonces; symmetric in
 * (i, nonce_i) ↔ (j, nonce_j).
 */
export function sessionPairSeed(prk: Uint8Array, sessionId: string, i: number, nonceI: Uint8Array, j: number, nonceJ: Uint8Array): Uint8Array {
  const [lo, loNonce, hi, hiNonce] = i < j ? [i, nonceI, j, nonceJ] : [j, nonceJ, i, nonceI];
  const label = Buffer.from(`${PREFIX}/pair-seed/${lo}/${hi}/${sessionId}`);
  const info = new Uint8Array(label.length + 1 + 2 * SESSION_NONCE_BYTES);
  info.set(label, 0);
  // a zero byte ends the text; the nonces have a fixed length, so the encoding is unambiguous
  info.set(loNonce, label.length + 1);
  info.set(hiNonce, label.length + 1 + SESSION_NONCE_BYTES);
  return hkdfExpand(prk, info, KEY_BYTES);
}

/** One pair seed to seal or unseal: client i's seed with neighbour `peer`. */
export interface PairSeedEntry {
  readonly peer: number;
  readonly seed: Uint8Array;
}

/** Above this many keystream bytes, pads come from one cipher per peer instead of one stream. */
const MAX_SHARED_PAD_STREAM = 64 * 1024;

/**
 * Seal (or unseal: the map is an involution) client i's pair seeds under i's session recovery
 * key σ_i: the seed with `peer` is XORed with blocks 2·peer and 2·peer + 1 of the AES-256-CTR
 * keystream of σ_i (all-zero initial counter). One keystream serves every peer of a session.
 */
export function sealPairSeeds(recoveryKey: Uint8Array, entries: readonly PairSeedEntry[]): Uint8Array[] {
  let maxPeer = -1;
  for (const { peer, seed } of entries) {
    if (!Number.isInteger(peer) || peer < 0 || peer >= 2 ** 31) throw new RangeError(`peer: expected a client index, got ${peer}`);
    if (!(seed instanceof Uint8Array) || seed.length !== KEY_BYTES) throw new RangeError(`seed: expected ${KEY_BYTES} bytes`);
    if (peer > maxPeer) maxPeer = peer;
  }
  const streamBytes = KEY_BYTES * (maxPeer + 1);
  const shared = streamBytes <= MAX_SHARED_PAD_STREAM ? aesCtrKeystream(recoveryKey, new Uint8Array(16), streamBytes) : undefined;
  const out = entries.map(({ peer, seed }) => {
    let pad: Uint8Array;
    if (shared) {
      pad = shared.slice(KEY_BYTES * peer, KEY_BYTES * (peer + 1));
    } else {
      // a session of very many clients: start the counter at this peer's blocks
      const iv = new Uint8Array(16);
      new DataView(iv.buffer).setUint32(12, 2 * peer, false);
      pad = aesCtrKeystream(recoveryKey, iv, KEY_BYTES);
    }
    for (let k = 0; k < KEY_BYTES; k++) pad[k] ^= seed[k];
    return pad;
  });
  shared?.fill(0);
  return out;
}

/** The session part of the associated data, for the session seen last (32 boxes per client). */
let lastShareSession: { sessionId: string; prefix: Buffer } | undefined;

/** Associated data of the bundle sent from `sender` to `recipient`: a re-routed box fails. */
export function shareAssociatedData(sessionId: string, sender: number, recipient: number): Uint8Array {
  if (lastShareSession?.sessionId !== sessionId) lastShareSession = { sessionId, prefix: Buffer.from(`${PREFIX}/share/${sessionId}/`) };
  return Buffer.concat([lastShareSession.prefix, Buffer.from(`${sender}->${recipient}`)]);
}

function commitment(purpose: string, secret: Uint8Array, sessionId: string, clientIndex: number): Uint8Array {
  const h = createHash('sha256');
  h.update(`${PREFIX}/${purpose}/${sessionId}/${clientIndex}\n`);
  h.update(secret);
  return new Uint8Array(h.digest());
}

/**
 * Commitment SHA-256(label ‖ b_i) to client i's self-mask seed. b_i is 256 uniform bits, so the
 * hash hides it; it lets the server detect a wrong reconstruction instead of returning a wrong
 * sum.
 */
export function maskSeedCommitment(maskSeed: Uint8Array, sessionId: string, clientIndex: number): Uint8Array {
  return commitment('mask-seed', maskSeed, sessionId, clientIndex);
}

/** Commitment to client i's recovery key σ_i, the same way (another label). */
export function recoveryKeyCommitment(recoveryKey: Uint8Array, sessionId: string, clientIndex: number): Uint8Array {
  return commitment('recovery-key', recoveryKey, sessionId, clientIndex);
}
