/**
 * End to end over real processes: lenders whose owners set a privacy budget on their dataset.
 * A private job whose plan exceeds the budget is refused by every node before any computation
 * (the job fails with the nodes' message, quoting the remaining budget); a non-private job is
 * refused; a private job within budget completes, and each node's ledger file records its spend,
 * which later admissions take into account.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFederation, waitForJob, type Federation } from './harness.js';

let fed: Federation;
beforeAll(async () => {
  fed = await startFederation({ numLenders: 3, privacyBudget: { epsilon: 3, delta: 1e-5 } });
}, 120_000);
afterAll(async () => {
  await fed?.stop();
});

const submit = (body: Record<string, unknown>) => fed.admin.call<{ id: string }>('POST', '/api/v1/jobs', { datasetKey: 'german-credit', model: 'logreg', seed: 7, rounds: 5, minNodes: 3, roundTimeoutMs: 20_000, ...body });
const ledgerOf = (lender: string) => JSON.parse(readFileSync(join(fed.dir, 'state', lender, 'privacy-ledger.json'), 'utf8')) as {
  entries: { key: string; jobId: string; kind: string; epsilon: number; cost: { steps: number } }[];
  reservations: unknown[];
};

describe('privacy budgets over the network', () => {
  it('refuses an over-budget private job before any computation, quoting the remaining budget', async () => {
    const job = await submit({ privacy: { targetEpsilon: 5 } });
    const done = await waitForJob(fed, job.id, () => false);
    expect(done.status).toBe('failed');
    expect(done.error).toMatch(/PRIVACY_BUDGET_EXCEEDED dataset german-credit: job needs ε=4\.\d\d, δ=1e-5; remaining ε=3\.00 of 3\.00/);
    expect(done.rounds).toEqual([]);
    for (const lender of fed.lenders) {
      // the node's log is written by another process: give the last lines a moment to land
      const refusal = new RegExp(`"type":"describe","jobId":"${job.id}","round":0,"error":"PRIVACY_BUDGET_EXCEEDED"`);
      for (let i = 0; i < 50 && !refusal.test(fed.log(lender.name)); i++) await new Promise((r) => setTimeout(r, 50));
      const log = fed.log(lender.name);
      expect(log).toMatch(new RegExp(`"type":"describe","jobId":"${job.id}","round":0,"error":"PRIVACY_BUDGET_EXCEEDED"`));
      expect(log).not.toMatch(new RegExp(`"type":"(stats|setup|train)","jobId":"${job.id}"`));
    }
  });

  it('refuses a job without privacy on a budgeted dataset', async () => {
    const job = await submit({});
    const done = await waitForJob(fed, job.id, () => false);
    expect(done.status).toBe('failed');
    expect(done.error).toMatch(/PRIVACY_REQUIRED/);
  });

  it('runs a private job within budget; each ledger file shows its spend, and later plans are checked against it', async () => {
    const job = await submit({ privacy: { targetEpsilon: 1 }, hyperparameters: { lr: 0.05 } });
    const done = await waitForJob(fed, job.id, () => false);
    expect(done.status, done.error).toBe('completed');
    expect(done.rounds.map((r) => r.round)).toEqual([1, 2, 3, 4, 5]);
    for (const lender of fed.lenders) {
      const ledger = ledgerOf(lender.name);
      const own = ledger.entries.filter((e) => e.jobId === job.id);
      expect(own.map((e) => e.key)).toEqual([1, 2, 3, 4, 5].map((r) => `${job.id}:${r}`));
      expect(own.every((e) => e.kind === 'dpsgd' && e.cost.steps === 10 && e.epsilon > 0)).toBe(true);
      expect(ledger.reservations).toEqual([]); // the whole plan was charged
    }
    // 1.0 spent: a plan of 2.9 would compose to about 3.07 > 3
    const second = await submit({ privacy: { targetEpsilon: 2.9 }, seed: 8 });
    const refused = await waitForJob(fed, second.id, () => false);
    expect(refused.status).toBe('failed');
    expect(refused.error).toMatch(/job needs ε=2\.\d\d, δ=1e-5; remaining ε=2\.0\d of 3\.00/);
  });

  it('answers a DP count query across the lenders and charges each budget; an over-budget query is refused', async () => {
    const answer = await fed.admin.call<{ kind: string; value: number; nodes: string[] }>('POST', '/api/v1/analytics', {
      datasetKey: 'german-credit', queryId: 'q-count-bad', query: { kind: 'count', where: { column: 'classification', equals: '2' }, epsilon: 0.5, mechanism: 'laplace' },
    });
    expect(answer.kind).toBe('count');
    expect(answer.nodes).toHaveLength(3);
    // 300 bad applicants in German credit, split over the lenders' data (train rows only or all rows):
    // the noisy total is near a count of a few hundred (Laplace noise of scale 2 per node)
    expect(answer.value).toBeGreaterThan(150);
    expect(answer.value).toBeLessThan(350);
    await expect(fed.admin.call('POST', '/api/v1/analytics', {
      datasetKey: 'german-credit', queryId: 'q-too-much', query: { kind: 'count', epsilon: 50, mechanism: 'laplace' },
    })).rejects.toThrow(/409|budget|remaining/i);
    const audit = await fed.admin.call<{ action: string; subject: string }[]>('GET', '/api/v1/audit?limit=10000');
    expect(audit.some((e) => e.action === 'analytics.query' && e.subject === 'q-count-bad')).toBe(true);
  });
});
