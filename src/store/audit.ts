/**
 * The hash-chained audit log. Entry n stores
 *
 *   hash_n = SHA-256( prev_hash_n ‖ JCS({ seq, at, actor, action, subject, details }) )
 *
 * hex-encoded, where prev_hash_n = hash_{n−1}, the genesis prev_hash is 64 zeros, ‖ is
 * concatenation of the 64 ASCII hex characters with the UTF-8 bytes of the RFC 8785 canonical
 * JSON. Seq numbers run 1, 2, 3, … without gaps. Editing an entry breaks its own hash;
 * deleting one leaves a seq gap or a dangling prev_hash; moving one changes the seq inside its
 * hash. Truncating the tail leaves a valid shorter chain, so it is detected only against an
 * external anchor (`expectedHead`, e.g. a head published to participants or printed in a
 * report), as for any hash chain.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';
import type { JsonObject } from './store.js';

/** prev_hash of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/** What a caller appends; the store adds seq, time and hashes. */
export interface AuditEntryInput {
  readonly actor: string;
  readonly action: string;
  readonly subject: string;
  readonly details?: JsonObject;
}

/** One stored audit entry. */
export interface AuditEntry {
  readonly seq: number;
  readonly at: number;
  readonly actor: string;
  readonly action: string;
  readonly subject: string;
  readonly details: JsonObject;
  readonly prevHash: string;
  readonly hash: string;
}

/** Which entries {@link Store.listAudit} returns: exact matches, seq ≥ fromSeq, at most `limit`. */
export interface AuditFilter {
  readonly actor?: string;
  readonly action?: string;
  readonly subject?: string;
  readonly fromSeq?: number;
  readonly limit?: number;
}

/** The last entry of a chain; `{ seq: 0, hash: GENESIS_HASH }` for an empty log. */
export interface AuditHead {
  readonly seq: number;
  readonly hash: string;
}

/**
 * Outcome of verification. `firstBadSeq` is the first position where the chain is wrong:
 * 'edited' — the entry at that seq no longer matches its hash (or, for a re-hashed forgery, the
 * next entry no longer links to it); 'deleted' — the entry with that seq is missing;
 * 'reordered' — the entry there is intact but belongs at another position.
 */
export type AuditVerification =
  | { readonly ok: true; readonly count: number; readonly head: AuditHead }
  | { readonly ok: false; readonly firstBadSeq: number; readonly reason: 'edited' | 'deleted' | 'reordered' };

/**
 * Compute an entry's hash from its predecessor's hash and its content.
 *
 * @example auditHash(GENESIS_HASH, { seq: 1, at: 0, actor: 'a', action: 'b', subject: 'c', details: {} })
 */
export function auditHash(prevHash: string, entry: Omit<AuditEntry, 'prevHash' | 'hash'>): string {
  const content = canonicalJson({ seq: entry.seq, at: entry.at, actor: entry.actor, action: entry.action, subject: entry.subject, details: entry.details }, 'entry');
  return createHash('sha256').update(prevHash, 'utf8').update(content, 'utf8').digest('hex');
}

/** Whether `entry` hashes to its stored hash when placed at `seq`; false for malformed content. */
function hashMatches(entry: AuditEntry, seq: number): boolean {
  try {
    return auditHash(entry.prevHash, { ...entry, seq }) === entry.hash;
  } catch {
    return false; // tampered content that is not even valid JSON (NaN time, broken details)
  }
}

/** Where {@link verifyAuditChain} reads entries from. */
export interface AuditSource {
  /** All entries in ascending seq order, in pages; malformed stored values are passed through as read. */
  pages(): AsyncIterable<readonly AuditEntry[]>;
  /** The entry currently stored with this hash, if any. */
  findByHash(hash: string): Promise<AuditEntry | undefined>;
}

/** Longest chain of moved entries followed back when classifying a bad entry. */
const MAX_REORDER_DEPTH = 32;

/**
 * The seq an entry with hash `hash` was created at, judged by the chain: the genesis is 0, an
 * intact entry is at its stored seq, a moved entry is one after its predecessor's original seq.
 */
async function originalSeq(source: AuditSource, hash: string, depth: number): Promise<number | undefined> {
  if (hash === GENESIS_HASH) return 0;
  if (depth > MAX_REORDER_DEPTH) return undefined;
  const entry = await source.findByHash(hash);
  if (entry === undefined) return undefined;
  if (hashMatches(entry, entry.seq)) return entry.seq;
  const before = await originalSeq(source, entry.prevHash, depth + 1);
  if (before === undefined) return undefined;
  return hashMatches(entry, before + 1) ? before + 1 : undefined;
}

/** Classify an entry whose stored hash does not match its content at its current seq. */
async function classifyBrokenEntry(source: AuditSource, entry: AuditEntry): Promise<AuditVerification> {
  if (entry.prevHash !== GENESIS_HASH && (await source.findByHash(entry.prevHash)) === undefined) {
    // Its predecessor is gone and later entries were renumbered into the hole.
    return { ok: false, firstBadSeq: entry.seq, reason: 'deleted' };
  }
  const before = await originalSeq(source, entry.prevHash, 0);
  if (before !== undefined && before + 1 !== entry.seq && hashMatches(entry, before + 1)) {
    return { ok: false, firstBadSeq: entry.seq, reason: 'reordered' };
  }
  return { ok: false, firstBadSeq: entry.seq, reason: 'edited' };
}

/**
 * Walk the chain once, in constant memory per page, and report the first defect. With
 * `expectedHead`, also require the chain to reach `expectedHead.seq` with that exact hash
 * (entries appended after the anchor are fine); a mismatch there means the chain up to the
 * anchor was rewritten and re-hashed, reported as 'edited' at the anchor's seq.
 */
export async function verifyAuditChain(source: AuditSource, expectedHead?: AuditHead): Promise<AuditVerification> {
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  for await (const page of source.pages()) {
    for (const entry of page) {
      if (entry.seq !== expectedSeq) return { ok: false, firstBadSeq: expectedSeq, reason: 'deleted' };
      if (!hashMatches(entry, entry.seq)) return classifyBrokenEntry(source, entry);
      if (entry.prevHash !== prevHash) {
        // A self-consistent entry that does not link: either it was moved here (its
        // predecessor exists elsewhere) or its predecessor was rewritten and re-hashed.
        if (entry.prevHash === GENESIS_HASH || (await source.findByHash(entry.prevHash)) !== undefined) {
          return { ok: false, firstBadSeq: entry.seq, reason: 'reordered' };
        }
        return { ok: false, firstBadSeq: Math.max(1, entry.seq - 1), reason: 'edited' };
      }
      if (expectedHead !== undefined && entry.seq === expectedHead.seq && entry.hash !== expectedHead.hash) {
        return { ok: false, firstBadSeq: entry.seq, reason: 'edited' };
      }
      prevHash = entry.hash;
      expectedSeq += 1;
    }
  }
  const count = expectedSeq - 1;
  if (expectedHead !== undefined && expectedHead.seq > count) return { ok: false, firstBadSeq: count + 1, reason: 'deleted' };
  return { ok: true, count, head: { seq: count, hash: prevHash } };
}
