import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { auditHash, GENESIS_HASH, verifyAuditChain } from '../../src/store/audit.js';
import type { AuditEntry, AuditHead, AuditSource } from '../../src/store/audit.js';
import { canonicalJson } from '../../src/store/canonical-json.js';

const vector = JSON.parse(readFileSync(new URL('../vectors/audit-chain.json', import.meta.url), 'utf8')) as {
  genesisHash: string;
  entries: (AuditEntry & { canonicalJson: string })[];
};

/** An in-memory source returning pages of 3 entries, so paging is exercised. */
function source(entries: readonly AuditEntry[]): AuditSource {
  const sorted = [...entries].sort((a, b) => a.seq - b.seq);
  return {
    async *pages() {
      for (let i = 0; i < sorted.length; i += 3) yield sorted.slice(i, i + 3);
    },
    async findByHash(hash) {
      return sorted.find((e) => e.hash === hash);
    },
  };
}

/** A valid chain of `n` entries with deterministic content. */
function chain(n: number): AuditEntry[] {
  const entries: AuditEntry[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const content = { seq, at: 1_700_000_000_000 + 1000 * seq, actor: `actor-${seq % 3}`, action: 'round.commit', subject: `job-${seq % 2}`, details: { round: seq } };
    const hash = auditHash(prevHash, content);
    entries.push({ ...content, prevHash, hash });
    prevHash = hash;
  }
  return entries;
}

function rehash(entry: AuditEntry): AuditEntry {
  return { ...entry, hash: auditHash(entry.prevHash, entry) };
}

describe('auditHash', () => {
  it('matches the independently computed two-entry vector', () => {
    expect(GENESIS_HASH).toBe(vector.genesisHash);
    for (const entry of vector.entries) {
      expect(canonicalJson({ seq: entry.seq, at: entry.at, actor: entry.actor, action: entry.action, subject: entry.subject, details: entry.details })).toBe(entry.canonicalJson);
      expect(auditHash(entry.prevHash, entry)).toBe(entry.hash);
    }
  });
});

describe('verifyAuditChain', () => {
  it('accepts the vector chain and reports its head', async () => {
    const result = await verifyAuditChain(source(vector.entries));
    expect(result).toEqual({ ok: true, count: 2, head: { seq: 2, hash: vector.entries[1].hash } });
  });

  it('accepts an empty log, with the genesis head', async () => {
    expect(await verifyAuditChain(source([]))).toEqual({ ok: true, count: 0, head: { seq: 0, hash: GENESIS_HASH } });
  });

  it('reports an edited entry at its seq', async () => {
    const entries = chain(7);
    entries[3] = { ...entries[3], details: { round: 999 } };
    expect(await verifyAuditChain(source(entries))).toEqual({ ok: false, firstBadSeq: 4, reason: 'edited' });
  });

  it('reports a deleted first, middle entry at its seq; a deleted tail only with an anchor', async () => {
    const entries = chain(7);
    expect(await verifyAuditChain(source(entries.slice(1)))).toEqual({ ok: false, firstBadSeq: 1, reason: 'deleted' });
    expect(await verifyAuditChain(source(entries.filter((e) => e.seq !== 5)))).toEqual({ ok: false, firstBadSeq: 5, reason: 'deleted' });
    const anchor: AuditHead = { seq: 7, hash: entries[6].hash };
    expect(await verifyAuditChain(source(entries.slice(0, 5)))).toMatchObject({ ok: true, count: 5 });
    expect(await verifyAuditChain(source(entries.slice(0, 5)), anchor)).toEqual({ ok: false, firstBadSeq: 6, reason: 'deleted' });
    expect(await verifyAuditChain(source(entries), anchor)).toMatchObject({ ok: true, count: 7 });
  });

  it('reports a deletion hidden by renumbering the later entries as deleted', async () => {
    const entries = chain(6).filter((e) => e.seq !== 3).map((e) => (e.seq > 3 ? { ...e, seq: e.seq - 1 } : e));
    expect(await verifyAuditChain(source(entries))).toEqual({ ok: false, firstBadSeq: 3, reason: 'deleted' });
  });

  it('reports two swapped entries as reordered at the first of them', async () => {
    const entries = chain(6);
    const swapped = entries.map((e) => (e.seq === 3 ? { ...e, seq: 4 } : e.seq === 4 ? { ...e, seq: 3 } : e));
    expect(await verifyAuditChain(source(swapped))).toEqual({ ok: false, firstBadSeq: 3, reason: 'reordered' });
  });

  it('reports a re-hashed forgery as edited (the next entry no longer links to it)', async () => {
    const entries = chain(6);
    entries[2] = rehash({ ...entries[2], actor: 'mallory' });
    expect(await verifyAuditChain(source(entries))).toEqual({ ok: false, firstBadSeq: 3, reason: 'edited' });
  });

  it('detects a re-hashed last entry or a rewritten chain only against an anchor', async () => {
    const entries = chain(4);
    const anchor: AuditHead = { seq: 4, hash: entries[3].hash };
    const forged = [...entries.slice(0, 3), rehash({ ...entries[3], subject: 'other' })];
    expect(await verifyAuditChain(source(forged))).toMatchObject({ ok: true });
    expect(await verifyAuditChain(source(forged), anchor)).toEqual({ ok: false, firstBadSeq: 4, reason: 'edited' });
    // An anchor taken before the forged entry cannot vouch for it.
    expect(await verifyAuditChain(source(forged), { seq: 3, hash: entries[2].hash })).toMatchObject({ ok: true });
  });

  it('treats malformed stored values as edits instead of failing', async () => {
    const entries = chain(3);
    entries[1] = { ...entries[1], at: Number.NaN };
    expect(await verifyAuditChain(source(entries))).toEqual({ ok: false, firstBadSeq: 2, reason: 'edited' });
  });

  it('finds any single edit or deletion at the right seq (property)', async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 2, max: 25 }), fc.nat(), fc.boolean(), async (n, pick, remove) => {
      const entries = chain(n);
      const seq = 1 + (pick % (n - 1)); // never the last entry: a deleted tail needs an anchor
      const tampered = remove ? entries.filter((e) => e.seq !== seq) : entries.map((e) => (e.seq === seq ? { ...e, action: 'tampered' } : e));
      expect(await verifyAuditChain(source(tampered))).toEqual({ ok: false, firstBadSeq: seq, reason: remove ? 'deleted' : 'edited' });
    }), { numRuns: 100 });
  });
});
