/**
 * End to end over real processes: lenders whose owners set a privacy budget on their dataset.
 * A private job whose plan exceeds the budget is refused by every node before any computation
 * (the job fails with the nodes' message, quoting the remaining budget); a non-private job is
 * refused; a private job within budget completes, each node's ledger file records its spend,
 * which later admissions take into account, and the model report states the same spend.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeEpsilon, type PrivacyCost } from '../../src/privacy/cost.js';
import { startFederation, waitForJob, type Federation, type JobView } from './harness.js';
import type { EncoderSpec } from '../../src/preprocess/encoder.js';

/** The same features, with means and standard deviations equal within the fixed-point step. */
function expectSameEncoder(encoder: EncoderSpec, plain: EncoderSpec): void {
  expect(encoder.features.map((f) => `${f.kind}:${f.column}`)).toEqual(plain.features.map((f) => `${f.kind}:${f.column}`));
  encoder.features.forEach((f, i) => {
    const p = plain.features[i];
    if (f.kind !== 'numeric' || p.kind !== 'numeric') return;
    expect(Math.abs(f.mean - p.mean)).toBeLessThanOrEqual(1e-7 * Math.abs(p.mean) + 1e-12);
    expect(Math.abs(f.std - p.std)).toBeLessThanOrEqual(1e-6 * p.std);
    expect(f.impute).toBe(p.impute);
  });
}

let fed: Federation;
/** The encoder the plain private job fitted: protected jobs over the same lenders must fit the same. */
let plainEncoder: EncoderSpec | undefined;
beforeAll(async () => {
  fed = await startFederation({ numLenders: 3, privacyBudget: { epsilon: 3, delta: 1e-5 } });
}, 120_000);
afterAll(async () => {
  await fed?.stop();
});

const submit = (body: Record<string, unknown>) => fed.admin.call<{ id: string }>('POST', '/api/v1/jobs', { datasetKey: 'german-credit', model: 'logreg', seed: 7, rounds: 5, minNodes: 3, roundTimeoutMs: 20_000, ...body });
/** The encoder a completed job fitted, from its model version. */
const encoderOf = async (job: JobView) => (await fed.admin.call<{ meta: { encoder: EncoderSpec } }>('GET', `/api/v1/models/${job.models[0].id}`)).meta.encoder;
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
    plainEncoder = await encoderOf(done);
    expect(done.rounds.map((r) => r.round)).toEqual([1, 2, 3, 4, 5]);
    for (const lender of fed.lenders) {
      const ledger = ledgerOf(lender.name);
      const own = ledger.entries.filter((e) => e.jobId === job.id);
      expect(own.map((e) => e.key)).toEqual([1, 2, 3, 4, 5].map((r) => `${job.id}:${r}`));
      expect(own.every((e) => e.kind === 'dpsgd' && e.cost.steps === 10 && e.epsilon > 0)).toBe(true);
      expect(ledger.reservations).toEqual([]); // the whole plan was charged
    }
    // the model report states what each lender spent: the ε its own ledger composes to
    const token = readFileSync(join(fed.coordinatorDataDir, 'admin-token'), 'utf8').trim();
    const html = await (await fetch(`${fed.url}/api/v1/models/${done.models[0].id}/report`, { headers: { authorization: `Bearer ${token}` } })).text();
    const spent = [...html.matchAll(/<tr><th>([^<]+)<\/th><td>german-credit<\/td><td>5<\/td><td>50<\/td><td>([\d.]+)<\/td><td>1e-5<\/td><\/tr>/g)];
    expect(spent.map((m) => m[1]).sort()).toEqual([...done.models[0].lineage.nodes].sort());
    for (const lender of fed.lenders) {
      const own = ledgerOf(lender.name).entries.filter((e) => e.jobId === job.id);
      const composed = composeEpsilon(own.map((e) => ({ cost: e.cost as PrivacyCost, epsilon: e.epsilon, delta: 1e-5 })), 1e-5);
      for (const m of spent) expect(Number(m[2])).toBeCloseTo(composed, 3);
      expect(composed).toBeLessThanOrEqual(1);
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
  it('sends every sum of a private job with secure aggregation through SecAgg: statistics too, and the encoder matches', async () => {
    const secaggReplies = async () => Number((await (await fetch(`${fed.url}/metrics`)).text()).match(/fedcredit_replies_received_total\{type="secagg"\} (\d+)/)?.[1] ?? 0);
    const before = await secaggReplies();
    const job = await submit({ privacy: { targetEpsilon: 0.4 }, rounds: 2, seed: 9, options: { secureAggregation: true } });
    const done = await waitForJob(fed, job.id, () => false);
    expect(done.status, done.error).toBe('completed');
    expectSameEncoder(await encoderOf(done), plainEncoder!);
    // SecAgg key stages (3 per session and node), 6 sessions: 2 statistics sums, round 1's training,
    // round 1's evaluation with round 2's training (one session), round 2's evaluation, the final evaluation
    expect((await secaggReplies()) - before).toBe(3 * 3 * 6);
    for (const lender of fed.lenders) {
      // two statistics sums (counts, moments) answered inside SecAgg sessions
      expect(fed.log(lender.name).match(new RegExp(`"type":"stats","jobId":"${job.id}","round":0`, 'g'))).toHaveLength(2);
    }
    // the coordinator's log and store hold no per-node statistics: only the aggregate encoder
    expect(fed.log('coordinator')).not.toMatch(/"stats":\[/);
  }, 180_000);

  it('runs a private job with Paillier aggregation: a lender deals the key, every sum is decrypted by all lenders together', async () => {
    const job = await submit({ privacy: { targetEpsilon: 0.4 }, rounds: 2, seed: 10, roundTimeoutMs: 120_000, options: { aggregation: 'paillier', paillierKeyBits: 1024 } });
    const done = await waitForJob(fed, job.id, () => false, 300_000);
    expect(done.status, done.error).toBe('completed');
    expect(done.rounds.map((r) => r.participants.length)).toEqual([3, 3]);
    expectSameEncoder(await encoderOf(done), plainEncoder!);
    for (const lender of fed.lenders) {
      const log = fed.log(lender.name);
      expect(log.match(new RegExp(`"type":"stats","jobId":"${job.id}","round":0`, 'g'))).toHaveLength(2);
      // key set-up, then one partial decryption per sum: 2 statistics sums + 2 rounds × (train + evaluate) + the final evaluation
      expect(log.match(new RegExp(`"type":"paillier","jobId":"${job.id}"`, 'g'))!.length).toBeGreaterThanOrEqual(2 + 2 + 4 + 1);
      expect(log).not.toMatch(new RegExp(`"type":"paillier","jobId":"${job.id}"[^\n]*"error"`));
    }
  }, 360_000);
});
