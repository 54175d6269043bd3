/** Conformance: migrations, closing, and durability across a SIGKILL. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditHead } from '../../../src/store/audit.js';
import { openStore } from '../../../src/store/open.js';
import { errorCode, makeFixture } from './harness.js';
import type { Fixture, FreshDatabase } from './harness.js';
import { paramBytes } from './jobs.js';
import { exited, firstLine, spawnFixture } from './process.js';

/** Register the migration, close and SIGKILL-durability tests against fresh databases from `fresh`. */
export function lifecycleSuite(fresh: FreshDatabase): void {
  describe('lifecycle', () => {
    let fx: Fixture;
    beforeEach(async () => {
      fx = await makeFixture(() => fresh({ unmigrated: true }));
    });
    afterEach(async () => fx.close());

    describe('lifecycle', () => {
      it('migrates once: opening again, even concurrently, keeps schema and data', async () => {
        const [a, b] = await Promise.all([fx.open(), fx.open()]);
        const inst = await a.createInstitution({ name: 'Bank A' });
        await a.close();
        const c = await fx.open();
        expect(await c.getInstitution(inst.id)).toEqual(inst);
        expect((await b.listInstitutions()).map((i) => i.id)).toEqual([inst.id]);
        const applied = await fx.db.query('select name from kysely_migration order by name');
        expect(applied.map((r) => r.name)).toEqual(['0001_initial', '0002_audit_append_only', '0003_web_accounts']);
      });

      it('refuses use after close, and closing twice is harmless', async () => {
        const store = await fx.open();
        await store.close();
        await store.close();
        expect(await errorCode(store.listJobs())).toBe('STORE_CLOSED');
      });

      it('keeps every committed round and audit entry when the process is SIGKILLed', async () => {
        const child = spawnFixture('commit-then-hang.ts', [fx.db.url]);
        const done = exited(child, 'SIGKILL');
        const report = JSON.parse(await firstLine(child)) as { jobId: string; head: AuditHead };
        child.kill('SIGKILL');
        await done;

        const store = await fx.open();
        const job = await store.getJob(report.jobId);
        expect(job).toMatchObject({ status: 'running', currentRound: 2 });
        expect((await store.listJobs({ status: 'running' })).map((j) => j.id)).toEqual([report.jobId]);
        const last = await store.getLastCommittedRound(report.jobId);
        expect(last).toMatchObject({ round: 2, status: 'committed', metrics: { round: 2 } });
        expect(last?.parameters).toEqual(paramBytes([2, -2]));
        expect(await store.verifyAudit({ expectedHead: report.head })).toMatchObject({ ok: true, count: 1 });
        // Resume: a replay of round 2 counts nothing, round 3 continues.
        expect((await store.commitRound(report.jobId, 2, { parameters: paramBytes([0]), metrics: {}, participants: [] })).created).toBe(false);
        expect((await store.commitRound(report.jobId, 3, { parameters: paramBytes([3]), metrics: {}, participants: [] })).created).toBe(true);
        expect((await store.getJob(report.jobId)).currentRound).toBe(3);
      });

      it('opens through the URL the harness reports', async () => {
        const store = await openStore(fx.db.url);
        try {
          expect(await store.listJobs()).toEqual([]);
        } finally {
          await store.close();
        }
      });
    });
  });
}
