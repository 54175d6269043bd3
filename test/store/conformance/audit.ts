/** Conformance: the hash-chained audit log, its append-only guard, tamper detection, concurrency. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditHash, GENESIS_HASH } from '../../../src/store/audit.js';
import type { Store } from '../../../src/store/store.js';
import { openFixture } from './harness.js';
import type { Fixture, FreshDatabase } from './harness.js';
import { exited, spawnFixture } from './process.js';

/** SQL that removes the append-only triggers, as an attacker with DDL rights could. */
const DROP_GUARD: Record<Store['dialect'], string[]> = {
  sqlite: ['drop trigger audit_log_no_update', 'drop trigger audit_log_no_delete'],
  postgres: ['drop trigger audit_log_append_only on audit_log'],
};

/** Register the audit-log tests (chain, guard, tampering, concurrency) against fresh databases from `fresh`. */
export function auditSuite(fresh: FreshDatabase): void {
  describe('audit', () => {
    let fx: Fixture;
    let store: Store;
    beforeEach(async () => {
      ({ fx, store } = await openFixture(fresh));
    });
    afterEach(async () => fx.close());

    async function appendMany(n: number): Promise<void> {
      for (let i = 1; i <= n; i++) await store.appendAudit({ actor: i % 2 === 0 ? 'admin' : 'coordinator', action: 'round.commit', subject: `job-${i % 3}`, details: { round: i } });
    }

    async function tamper(...statements: string[]): Promise<void> {
      for (const statement of [...DROP_GUARD[store.dialect], ...statements]) await fx.db.query(statement);
    }

    describe('audit log', () => {
      it('appends a hash chain, lists with filters and reports its head', async () => {
        expect(await store.getAuditHead()).toEqual({ seq: 0, hash: GENESIS_HASH });
        const first = await store.appendAudit({ actor: 'admin', action: 'job.create', subject: 'job-1', details: { b: 1, a: [true, null] } });
        expect(first).toMatchObject({ seq: 1, prevHash: GENESIS_HASH, details: { a: [true, null], b: 1 } });
        expect(first.hash).toBe(auditHash(GENESIS_HASH, first));
        const second = await store.appendAudit({ actor: 'coordinator', action: 'round.commit', subject: 'job-1' });
        expect(second).toMatchObject({ seq: 2, prevHash: first.hash, details: {} });
        await appendMany(4);
        expect((await store.listAudit()).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
        expect((await store.listAudit({ actor: 'admin' })).map((e) => e.seq)).toEqual([1, 4, 6]);
        expect((await store.listAudit({ subject: 'job-1', action: 'round.commit' })).map((e) => e.seq)).toEqual([2, 3, 6]);
        expect((await store.listAudit({ fromSeq: 3, limit: 2 })).map((e) => e.seq)).toEqual([3, 4]);
        expect((await store.listAudit())[0]).toEqual(first);
        const head = await store.getAuditHead();
        expect(head.seq).toBe(6);
        expect(await store.verifyAudit()).toEqual({ ok: true, count: 6, head });
        expect(await store.verifyAudit({ expectedHead: head })).toMatchObject({ ok: true });
        await expect(store.appendAudit({ actor: '', action: 'x', subject: 'y' })).rejects.toThrow(RangeError);
        await expect(store.appendAudit({ actor: 'a', action: 'x', subject: 'y', details: { at: new Date() } as never })).rejects.toThrow(TypeError);
        await expect(store.listAudit({ limit: 0 })).rejects.toThrow(RangeError);
        await expect(store.verifyAudit({ expectedHead: { seq: 1, hash: 'xyz' } })).rejects.toThrow(TypeError);
      });

      it('refuses UPDATE and DELETE on the log inside the database', async () => {
        await appendMany(2);
        await expect(fx.db.query(`update audit_log set actor = 'mallory' where seq = 1`)).rejects.toThrow(/append-only/);
        await expect(fx.db.query('delete from audit_log where seq = 2')).rejects.toThrow(/append-only/);
        expect(await store.verifyAudit()).toMatchObject({ ok: true, count: 2 });
      });

      it('reports an entry edited in the database at its seq', async () => {
        await appendMany(6);
        await tamper(`update audit_log set details = '{"round":99}' where seq = 3`);
        expect(await store.verifyAudit()).toEqual({ ok: false, firstBadSeq: 3, reason: 'edited' });
      });

      it('reports an entry deleted in the database at its seq', async () => {
        await appendMany(6);
        await tamper('delete from audit_log where seq = 4');
        expect(await store.verifyAudit()).toEqual({ ok: false, firstBadSeq: 4, reason: 'deleted' });
      });

      it('reports swapped entries as reordered and a re-hashed forgery as edited', async () => {
        await appendMany(6);
        await tamper('update audit_log set seq = -1 where seq = 2', 'update audit_log set seq = 2 where seq = 3', 'update audit_log set seq = 3 where seq = -1');
        expect(await store.verifyAudit()).toEqual({ ok: false, firstBadSeq: 2, reason: 'reordered' });
        await fx.db.query('update audit_log set seq = -1 where seq = 2');
        await fx.db.query('update audit_log set seq = 2 where seq = 3');
        await fx.db.query('update audit_log set seq = 3 where seq = -1');
        expect(await store.verifyAudit()).toMatchObject({ ok: true, count: 6 });
        const [entry] = await store.listAudit({ fromSeq: 5, limit: 1 });
        const forgedHash = auditHash(entry.prevHash, { ...entry, actor: 'mallory' });
        await fx.db.query(`update audit_log set actor = 'mallory', hash = '${forgedHash}' where seq = 5`);
        expect(await store.verifyAudit()).toEqual({ ok: false, firstBadSeq: 5, reason: 'edited' });
      });

      it('detects a truncated tail only against an external anchor', async () => {
        await appendMany(5);
        const anchor = await store.getAuditHead();
        await tamper('delete from audit_log where seq >= 4');
        expect(await store.verifyAudit()).toMatchObject({ ok: true, count: 3 });
        expect(await store.verifyAudit({ expectedHead: anchor })).toEqual({ ok: false, firstBadSeq: 4, reason: 'deleted' });
      });

      it('never forks the chain under concurrent appends from one process', async () => {
        const other = await fx.open();
        await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? store : other).appendAudit({ actor: `a${i}`, action: 'concurrent', subject: 's' })));
        expect((await store.listAudit()).map((e) => e.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
        expect(await store.verifyAudit()).toMatchObject({ ok: true, count: 30 });
      });

      it('never forks the chain under concurrent appends from two processes', async () => {
        // Both children start appending at the same instant, well after their start-up, so their
        // transactions contend (with a deferred BEGIN, SQLite fails this with SQLITE_BUSY).
        const startAtMs = String(Date.now() + 2500);
        const children = ['left', 'right'].map((actor) => exited(spawnFixture('append-audit.ts', [fx.db.url, '40', actor, startAtMs])));
        await Promise.all(children);
        expect(await store.verifyAudit()).toMatchObject({ ok: true, count: 80 });
        expect(await store.listAudit({ actor: 'left' })).toHaveLength(40);
        expect(await store.listAudit({ actor: 'right' })).toHaveLength(40);
      });
    });
  });
}
