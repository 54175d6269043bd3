/**
 * Key schedule of a session: how a pair's shared secret becomes its mask seed and the keys of
 * its share bundles, how a client seals its pair seeds for dropout recovery and what a
 * commitment covers. Client and server must derive exactly the same bytes, so these live in
 * one place.
 *
 * - Pair key: K_ij = HKDF-SHA256(X25519(c_i^SK, c_j^PK), fixed salt, "pair-stream-key"), for as
 *   long as the two key pairs live (a node keeps its key pair for a job).
 * - Pair stream of a session: the AES-256-CTR keystream under K_ij from the initial counter
 *   block IV = SHA-256("pair-stream/lo/hi/session" ‖ 0 ‖ nonce_lo ‖ nonce_hi)[0..16], which
 *   names the unordered pair, the session and both clients' fresh session nonces. Its 228
 *   bytes are, in order:
 *     s_ij (32) ‖ MAC key (32) ‖ pad (66) of the bundle lo → hi ‖ MAC key (32) ‖ pad (66) of hi → lo.
 *   AES under K_ij is a PRF of the counter blocks, so the streams of different sessions are
 *   independent (two IVs would have to fall within 15 blocks of each other: 2^-123 per pair of
 *   sessions), and revealing s_ij (dropout recovery) says nothing about another session, nor
 *   about this session's pads and MAC keys. The nonces make each session's stream fresh even
 *   if a server reused a session id, as long as one of the two clients is honest. One cipher
 *   call per pair and session gives the seed and both bundles' keys (an HKDF seed and two
 *   AES-GCM boxes took three times as long).
 * - Share bundle from i to j (b_i's and σ_i's shares for j): c = pad ⊕ plaintext, then
 *   tag = HMAC-SHA256(MAC key, c) truncated to 16 bytes: encrypt-then-MAC with one-time keys,
 *   the stream cipher + one-time MAC construction of ChaCha20-Poly1305 (RFC 8439 §2.8) with
 *   AES-CTR and HMAC. Each direction of each session has its own pad and MAC key, so a bundle
 *   cannot be replayed into another session, sent back, or routed to another client.
 * - Sealed pair seeds: client i publishes, for each neighbour j, s_ij ⊕ AES-256-CTR_{σ_i}(2j)
 *   under a recovery key σ_i drawn fresh for the session and Shamir-shared like the self-mask
 *   seed. When i drops after masking, the server rebuilds σ_i from t shares and unseals exactly
 *   i's seeds of this session, which is what Bonawitz et al. recover from s_i^SK; the pair keys
 *   themselves are never revealed. This is the multi-round construction of Flamingo (Ma et al.,
 *   IEEE S&P 2023): agree pairwise secrets once, derive per-round masks by a PRF.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { KEY_BYTES, TAG_BYTES, aesCtrKeystream, hkdfSha256, hmacTag } from './crypto.js';
import { SecAggError } from './errors.js';

const encoder = new TextEncoder();
const PREFIX = 'fedcredit/secagg/v1';

/** The fixed HKDF-Extract salt of every pair secret (RFC 5869 §3.1 allows a constant salt). */
const PAIR_SALT = encoder.encode(`${PREFIX}/pair-secret`);
const STREAM_KEY_INFO = encoder.encode(`${PREFIX}/pair-stream-key`);

/** Bytes of a client's session nonce. */
export const SESSION_NONCE_BYTES = 32;

/** Bytes of a share bundle's plaintext: a 33-byte Shamir share of b_i and one of σ_i. */
export const BUNDLE_PLAINTEXT_BYTES = 2 * (KEY_BYTES + 1);
/** Bytes of a sealed share bundle: ciphertext ‖ 16-byte tag. */
export const BUNDLE_BYTES = BUNDLE_PLAINTEXT_BYTES + TAG_BYTES;
/** Bytes of a session's pair stream (see the file comment). */
const PAIR_STREAM_BYTES = KEY_BYTES + 2 * (KEY_BYTES + BUNDLE_PLAINTEXT_BYTES);

/** What a pair of clients derives once from its X25519 secret (see the file comment). */
export interface PairKeys {
  /** K_ij: the AES-256 key of the pair's session streams. */
  readonly streamKey: Uint8Array;
}

/** The pair key of i and j from their X25519 secret X25519(c_i^SK, c_j^PK). */
export function pairKeys(sharedSecret: Uint8Array): PairKeys {
  return { streamKey: hkdfSha256(sharedSecret, PAIR_SALT, STREAM_KEY_INFO, KEY_BYTES) };
}

/** One direction's one-time keys for a share bundle. */
export interface BundleKeys {
  readonly macKey: Uint8Array;
  readonly pad: Uint8Array;
}

/** What client i derives with peer j for one session, from i's side. */
export interface SessionPairKeys {
  /** s_ij: the seed of the pair's mask this session. */
  readonly pairSeed: Uint8Array;
  /** Keys of the bundle i sends to j. */
  readonly outgoing: BundleKeys;
  /** Keys of the bundle j sends to i. */
  readonly incoming: BundleKeys;
}

/**
 * Client i's keys with peer j in a session, from their pair key and both session nonces; both
 * ends get the same seed, and each one's `outgoing` is the other's `incoming`. The three are
 * views of one 228-byte stream: wipe each when done ({@link wipeSessionPairKeys}).
 */
export function sessionPairKeys(streamKey: Uint8Array, sessionId: string, i: number, nonceI: Uint8Array, j: number, nonceJ: Uint8Array): SessionPairKeys {
  const [lo, loNonce, hi, hiNonce] = i < j ? [i, nonceI, j, nonceJ] : [j, nonceJ, i, nonceI];
  // a zero byte ends the text; the nonces have a fixed length, so the encoding is unambiguous
  const iv = createHash('sha256').update(`${PREFIX}/pair-stream/${lo}/${hi}/${sessionId}\0`).update(loNonce).update(hiNonce).digest().subarray(0, 16);
  const stream = aesCtrKeystream(streamKey, iv, PAIR_STREAM_BYTES);
  const direction = (at: number): BundleKeys => ({ macKey: stream.subarray(at, at + KEY_BYTES), pad: stream.subarray(at + KEY_BYTES, at + KEY_BYTES + BUNDLE_PLAINTEXT_BYTES) });
  const loToHi = direction(KEY_BYTES);
  const hiToLo = direction(2 * KEY_BYTES + BUNDLE_PLAINTEXT_BYTES);
  return { pairSeed: stream.subarray(0, KEY_BYTES), outgoing: i < j ? loToHi : hiToLo, incoming: i < j ? hiToLo : loToHi };
}

/** Zero a {@link SessionPairKeys} (its seed and both directions' keys). */
export function wipeSessionPairKeys(keys: Pick<SessionPairKeys, 'pairSeed'> & Partial<SessionPairKeys>): void {
  for (const b of [keys.pairSeed, keys.outgoing?.macKey, keys.outgoing?.pad, keys.incoming?.macKey, keys.incoming?.pad]) b?.fill(0);
}


/** Seal a share bundle under one direction's keys: (pad ⊕ plaintext) ‖ tag. Use the keys once. */
export function sealBundle(keys: BundleKeys, plaintext: Uint8Array): Uint8Array {
  if (!(plaintext instanceof Uint8Array) || plaintext.length !== keys.pad.length) throw new RangeError(`plaintext: expected ${keys.pad.length} bytes`);
  const box = new Uint8Array(plaintext.length + TAG_BYTES);
  for (let k = 0; k < plaintext.length; k++) box[k] = plaintext[k] ^ keys.pad[k];
  box.set(hmacTag(keys.macKey, box.subarray(0, plaintext.length)), plaintext.length);
  return box;
}

/**
 * Open a bundle sealed by {@link sealBundle} under the same keys.
 * @throws SecAggError `SECAGG_DECRYPT_FAILED` if the tag does not match (tampered, replayed or misrouted).
 */
export function openBundle(keys: BundleKeys, box: Uint8Array): Uint8Array {
  const n = keys.pad.length;
  if (!(box instanceof Uint8Array) || box.length !== n + TAG_BYTES) throw new SecAggError('SECAGG_DECRYPT_FAILED', `share bundle: expected ${n + TAG_BYTES} bytes`);
  const ciphertext = box.subarray(0, n);
  if (!timingSafeEqual(hmacTag(keys.macKey, ciphertext), box.subarray(n))) throw new SecAggError('SECAGG_DECRYPT_FAILED', 'share bundle failed authentication');
  const plaintext = new Uint8Array(n);
  for (let k = 0; k < n; k++) plaintext[k] = ciphertext[k] ^ keys.pad[k];
  return plaintext;
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
