import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApplicationFiler, openWorkspaceStores } from '../../../src/node/workspace/index.js';
import { startNodeWorkspace } from './harness.js';
import { SEED_RECORD } from '../../scoring/fixture.js';

const scoredAudit = async (store: { listAudit(): Promise<{ action: string; details: unknown }[]> }) =>
  (await store.listAudit()).filter((e) => e.action === 'applications.scored').map((e) => e.details as Record<string, unknown>);

describe('application filer', () => {
  it('files concurrent requests in one transaction before answering, and audits them in one entry per interval', async () => {
    const ws = await startNodeWorkspace({ auditIntervalMs: 60_000 });
    try {
      const answers = await Promise.all([
        ...Array.from({ length: 20 }, () => ws.app.inject({ method: 'POST', url: '/predictCreditRisk', payload: [SEED_RECORD] })),
        ws.app.inject({ method: 'POST', url: '/api/v1/score', payload: { records: [SEED_RECORD, SEED_RECORD, SEED_RECORD] } }),
      ]);
      expect(answers.every((a) => a.statusCode === 200)).toBe(true);
      // answered means committed
      expect(await ws.stores.applications.count()).toBe(23);
      expect(await scoredAudit(ws.stores.store)).toEqual([]);
      await ws.filer!.audit();
      const [entry] = await scoredAudit(ws.stores.store);
      expect(entry).toMatchObject({ numRecords: 23, batches: 21, bySource: { legacy: 20, api: 3 }, byModel: { 'job-1/v1': 23 }, fromRowId: 1, throughRowId: 23 });
      // no record value in the audit log (the clock's digits left out: they may hold '1169')
      const { firstScoredAt: _first, lastScoredAt: _last, ...counts } = entry as Record<string, unknown>;
      expect(JSON.stringify(counts)).not.toMatch(/A11|A34|1169/);
      await ws.filer!.audit(); // nothing new: no entry
      expect(await scoredAudit(ws.stores.store)).toHaveLength(1);
      await ws.app.inject({ method: 'POST', url: '/predictCreditRisk', payload: [SEED_RECORD] });
      await ws.filer!.audit();
      expect((await scoredAudit(ws.stores.store))[1]).toMatchObject({ numRecords: 1, fromRowId: 24, throughRowId: 24 });
      expect((await ws.stores.store.verifyAudit()).ok).toBe(true);
    } finally {
      await ws.close();
    }
  });

  it('answers a large batch before filing it, then files all of it in chunks', async () => {
    const ws = await startNodeWorkspace({ auditIntervalMs: 60_000 });
    try {
      const answer = await ws.app.inject({ method: 'POST', url: '/predictCreditRisk', payload: Array.from({ length: 620 }, () => SEED_RECORD) });
      expect(answer.statusCode).toBe(200);
      expect(JSON.parse(answer.body)).toHaveLength(620);
      expect(ws.filer!.pendingRecords).toBeGreaterThan(0); // answered first
      for (let i = 0; i < 200 && ws.filer!.pendingRecords > 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(ws.filer!.pendingRecords).toBe(0);
      expect(await ws.stores.applications.count()).toBe(620);
      await ws.filer!.audit();
      expect((await scoredAudit(ws.stores.store))[0]).toMatchObject({ numRecords: 620, batches: 1, bySource: { legacy: 620 } });
    } finally {
      await ws.close();
    }
  });

  it('a process killed after answering lost no application; the next start audits them as recovered', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'fedcredit-filer-kill-'));
    // a real process: file 5 requests, say so, then wait to be killed (SIGKILL: no close, no flush)
    const script = `
      import { startNodeWorkspace } from ${JSON.stringify(new URL('./harness.ts', import.meta.url).pathname)};
      const ws = await startNodeWorkspace({ dataDir: ${JSON.stringify(dataDir)}, auditIntervalMs: 600000 });
      for (let i = 0; i < 5; i++) {
        const r = await ws.app.inject({ method: 'POST', url: '/predictCreditRisk', payload: [${JSON.stringify(SEED_RECORD)}] });
        if (r.statusCode !== 200) process.exit(3);
      }
      process.stdout.write('answered\\n');
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => { if (d.toString().includes('answered')) resolve(); });
      child.once('exit', (code) => reject(new Error(`child exited early: ${code}`)));
    });
    child.removeAllListeners('exit');
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;

    const stores = await openWorkspaceStores(dataDir);
    try {
      expect(await stores.applications.count()).toBe(5);
      expect(await scoredAudit(stores.store)).toEqual([]); // killed before its audit interval
      const filer = await ApplicationFiler.start({ store: stores.store, applications: stores.applications, datasetKey: 'german-credit', modelId: () => undefined, auditIntervalMs: 60_000 });
      expect(await scoredAudit(stores.store)).toEqual([expect.objectContaining({ numRecords: 5, recovered: true, bySource: { legacy: 5 }, throughRowId: 5 })]);
      await filer.close();
      expect(await scoredAudit(stores.store)).toHaveLength(1); // nothing audited twice
    } finally {
      await stores.close();
    }
  }, 60_000);
});
