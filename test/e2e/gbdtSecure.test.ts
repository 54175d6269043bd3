/**
 * End to end over real processes: federated boosted trees with secure aggregation. The same
 * GBDT job runs plain and with `options.secureAggregation` across four lender processes (each
 * behind its owner's policy, which admits the job at the sketch's key stages); both complete
 * with the same bins, base margin and tree shapes and AUCs within 0.002, and the secure job's
 * sums reach the coordinator through SecAgg sessions (its secagg reply counter grows by at
 * least the key stages of every sum). Both models' reports (GET /api/v1/models/:id/report) show
 * the final ensemble's federated evaluation (ROC, KS) and the fairness section, with whole-number
 * applicant counts after secure aggregation. A lender SIGKILLed in the middle of a secure job is left
 * out (the tree it was in is grown again without it) and the job completes with the others,
 * whose sums make the final evaluation.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TreeEnsembleJson } from '../../src/model/gbdt/ensemble.js';
import { startFederation, waitForJob, type Federation } from './harness.js';

let fed: Federation;
beforeAll(async () => {
  fed = await startFederation({ numLenders: 4 });
}, 120_000);
afterAll(async () => {
  await fed?.stop();
});

const TREES = 8;
const submit = (options: Record<string, unknown>, job: Record<string, unknown> = {}) => fed.admin.call<{ id: string }>('POST', '/api/v1/jobs', {
  datasetKey: 'german-credit', model: 'gbdt', rounds: TREES, minNodes: 3, roundTimeoutMs: 20_000, seed: 21,
  hyperparameters: { depth: 3, learningRate: 0.1 }, options: { approveModel: false, ...options }, ...job,
});
const ensembleOf = async (modelId: string) => (await fed.admin.call<{ meta: { ensemble: TreeEnsembleJson } }>('GET', `/api/v1/models/${modelId}`)).meta.ensemble;
const secaggReplies = async () => Number(/fedcredit_replies_received_total\{type="secagg"\} (\d+)/.exec(await (await fetch(`${fed.url}/metrics`)).text())?.[1] ?? 0);
const report = async (modelId: string) => {
  const token = readFileSync(join(fed.coordinatorDataDir, 'admin-token'), 'utf8').trim();
  const response = await fetch(`${fed.url}/api/v1/models/${modelId}/report`, { headers: { authorization: `Bearer ${token}` } });
  expect(response.status).toBe(200);
  return response.text();
};
/** The report's AUC and KS of the final model, and the applicant counts of the first two groups by sex. */
const reportNumbers = (html: string) => {
  const row = /<tr><th>AUC<\/th><th>KS<\/th>.*?<\/tr>\s*<tr><td>([\d.]+)<\/td><td>([\d.]+)<\/td>/s.exec(html);
  const applicants = [...html.slice(html.indexOf('aria-label="Fairness by sex"')).matchAll(/<\/th><td>([\d.]+)<\/td>/g)].slice(0, 2).map((m) => Number(m[1]));
  return { auc: Number(row?.[1]), ks: Number(row?.[2]), applicants };
};
const shape = (e: TreeEnsembleJson) => e.trees.map((t) => t.nodes.map((n) => (n.kind === 'leaf' ? { kind: 'leaf', count: n.count } : { ...n, gain: 0 })));

describe('federated GBDT with secure aggregation over the network', () => {
  it('grows the trees the plain job grows, every sum through SecAgg sessions', async () => {
    const plainJob = await submit({});
    const plain = await waitForJob(fed, plainJob.id, () => false);
    expect(plain.status, plain.error).toBe('completed');
    const before = await secaggReplies();

    const secureJob = await submit({ secureAggregation: true });
    const secure = await waitForJob(fed, secureJob.id, () => false);
    expect(secure.status, secure.error).toBe('completed');
    expect(secure.rounds).toHaveLength(TREES);
    expect(secure.rounds.every((r) => r.participants.length === 4)).toBe(true);
    const [p, s] = [plain.rounds[TREES - 1].metrics, secure.rounds[TREES - 1].metrics];
    expect(s.auc as number).toBeGreaterThan(0.7);
    expect(Math.abs((s.auc as number) - (p.auc as number))).toBeLessThan(0.002);
    expect(s.numExamples).toBe(p.numExamples);

    const [a, b] = [await ensembleOf(plain.models[0].id), await ensembleOf(secure.models[0].id)];
    expect(b.features).toEqual(a.features);
    expect(b.baseMargin).toBe(a.baseMargin);
    expect(shape(b)).toEqual(shape(a));

    // the reports: the final ensemble's federated evaluation and fairness, as for a logistic regression
    const [plainReport, secureReport] = [await report(plain.models[0].id), await report(secure.models[0].id)];
    for (const html of [plainReport, secureReport]) {
      expect(html).toContain('ROC curve');
      expect(html).toContain('KS chart (KS ');
      expect(html).toContain('aria-label="Fairness by sex"');
      expect(html).not.toContain('carries no evaluation histograms');
      expect(html).not.toContain('carries no fairness counts');
    }
    const [pr, sr] = [reportNumbers(plainReport), reportNumbers(secureReport)];
    expect(sr.auc).toBeGreaterThan(0.7);
    expect(Math.abs(sr.auc - pr.auc)).toBeLessThanOrEqual(0.002);
    expect(Math.abs(sr.auc - (s.auc as number))).toBeLessThan(0.01); // 100 bins vs the last round's 1000
    expect(sr.applicants).toHaveLength(2);
    expect(sr.applicants.every((n) => Number.isInteger(n) && n > 0)).toBe(true);
    expect(sr.applicants).toEqual(pr.applicants);
    expect(secureReport).toContain('masked updates and histograms');

    // sketch + setup + per tree (≥ 1 level, the tree with its evaluation) + the final evaluation: 3 secagg stages per node each
    const sums = 2 + TREES * 2 + 1;
    expect((await secaggReplies()) - before).toBeGreaterThanOrEqual(3 * 4 * sums);
  }, 240_000);

  it('completes a secure job when a lender is SIGKILLed mid-job; the others go on without it', async () => {
    const job = await submit({ secureAggregation: true }, { rounds: 30, roundTimeoutMs: 3_000, seed: 22 });
    await waitForJob(fed, job.id, (j) => j.currentRound >= 3);
    const victim = fed.nodes.get('bank-d')!;
    victim.child.kill('SIGKILL');
    await victim.exited;
    const done = await waitForJob(fed, job.id, () => false, 180_000);
    expect(done.status, done.error).toBe('completed');
    expect(done.rounds).toHaveLength(30);
    expect(done.rounds[0].participants).toHaveLength(4);
    const last = done.rounds[29].participants;
    expect(last).toHaveLength(3);
    expect(done.rounds[0].participants).toEqual(expect.arrayContaining(last));
    expect(done.rounds[29].metrics.auc as number).toBeGreaterThan(0.7);
    // the final evaluation ran on the lenders that hold the whole ensemble
    const model = await fed.admin.call<{ meta: { evaluation?: { participants: string[] }; fairness?: { counts: number[] } } }>('GET', `/api/v1/models/${done.models[0].id}`);
    expect(model.meta.evaluation?.participants).toEqual([...last].sort());
    expect(model.meta.fairness?.counts.length).toBeGreaterThan(0);
  }, 240_000);
});
