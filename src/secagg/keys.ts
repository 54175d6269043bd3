/**
 * Key schedule of a session: how shared secrets become mask seeds and encryption keys, what a
 * commitment covers and what a ciphertext is bound to. Client and server must derive exactly
 * the same bytes, so these live in one place.
 *
 * Every derivation is HKDF-SHA256 (RFC 5869) of an X25519 secret with a fixed salt and an `info`
 * naming the purpose, the session and the unordered pair {i, j}. The session sits in `info`, the
 * input of HKDF-Expand, which is HMAC keyed by the extracted secret (a PRF): keys that one shared
 * secret yields for different sessions are independent, which is what reusing a key pair across
 * sessions (the share-encryption keys a node keeps for a job) relies on; the purpose keeps the
 * mask seed and the share key of a pair apart.
 */
import { createHash } from 'node:crypto';
import { KEY_BYTES, hkdfSha256 } from './crypto.js';

const encoder = new TextEncoder();
const PREFIX = 'fedcredit/secagg/v1';

/** The fixed HKDF-Extract salt of every pair secret (RFC 5869 §3.1 allows a constant salt). */
const PAIR_SALT = encoder.encode(`${PREFIX}/pair-secret`);

function pairInfo(purpose: string, sessionId: string, a: number, b: number): Uint8Array {
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  return encoder.encode(`${PREFIX}/${purpose}/${lo}/${hi}/${sessionId}`);
}

/** Seed s_ij of the pairwise mask of clients i and j in a session, from X25519(s_i^SK, s_j^PK). */
export function pairwiseMaskSeed(sharedSecret: Uint8Array, sessionId: string, i: number, j: number): Uint8Array {
  return hkdfSha256(sharedSecret, PAIR_SALT, pairInfo('pairwise-mask', sessionId, i, j), KEY_BYTES);
}

/** AES-256-GCM key c_ij for share bundles between i and j in a session, from X25519(c_i^SK, c_j^PK). */
export function shareEncryptionKey(sharedSecret: Uint8Array, sessionId: string, i: number, j: number): Uint8Array {
  return hkdfSha256(sharedSecret, PAIR_SALT, pairInfo('share-key', sessionId, i, j), KEY_BYTES);
}

/** Associated data of the bundle sent from `sender` to `recipient`: a re-routed box fails. */
export function shareAssociatedData(sessionId: string, sender: number, recipient: number): Uint8Array {
  return encoder.encode(`${PREFIX}/share/${sessionId}/${sender}->${recipient}`);
}

/**
 * Commitment SHA-256(label ‖ b_i) to client i's self-mask seed. b_i is 256 uniform bits, so the
 * hash hides it; it lets the server detect a wrong reconstruction instead of returning a wrong
 * sum.
 */
export function maskSeedCommitment(maskSeed: Uint8Array, sessionId: string, clientIndex: number): Uint8Array {
  const h = createHash('sha256');
  h.update(`${PREFIX}/mask-seed/${sessionId}/${clientIndex}\n`);
  h.update(maskSeed);
  return new Uint8Array(h.digest());
}
