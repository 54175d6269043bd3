/**
 * GET /api/v1/privacy/spent on the real coordinator app and a real SQLite store: jobs submitted
 * in the coordinator's own job format, rounds committed as the round loop commits them. Per
 * dataset key and lender the answer composes every DP job (completed, failed, running) the way
 * the accountant does (checked against src/privacy/cost.ts), names the institution, keeps the
 * per-job breakdown, follows a running job's new rounds, leaves non-private jobs out and says
 * where the budgets are; ML engineers, auditors and administrators (session or CLI token) read
 * it, a risk officer gets 403.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJobSubmission } from '../../../src/coordinator/jobSpec.js';
import { epsilonOfCost } from '../../../src/privacy/cost.js';
import { resolvePrivacy, type PrivacySettings } from '../../../src/privacy/plan.js';
import type { JobSpec } from '../../../src/store/index.js';
import { ADMIN_TOKEN, Browser, setupAdmin, signedInAs, startWeb } from '../../web/harness.js';
import type { WebFixture } from '../../web/harness.js';
import type { PrivacySpentAnswer } from '../../../src/coordinator/server/privacyRoutes.js';

let fx: WebFixture;
let admin: Browser;
let engineer: Browser;
let auditor: Browser;
let officer: Browser;
const nodeIds: string[] = [];
const jobIds: Record<string, string> = {};

function spec(body: Record<string, unknown>): JobSpec {
  const parsed = parseJobSubmission({ model: 'logreg', strategy: 'fedavg', rounds: 3, minNodes: 2, seed: 3, ...body });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.spec;
}

/** Create a job, run `committed` rounds with these participants, then leave it in `status`. */
async function runJob(name: string, jobSpec: JobSpec, committed: string[][], status: 'completed' | 'failed' | 'running', startedExtra = false): Promise<void> {
  fx.clock.nowMs += 60_000; // jobs are listed oldest first
  const job = await fx.store.createJob({ spec: jobSpec, createdBy: 'mel' });
  jobIds[name] = job.id;
  await fx.store.updateJobStatus(job.id, 'running');
  for (const [i, participants] of committed.entries()) {
    await fx.store.startRound(job.id, i + 1);
    await fx.store.commitRound(job.id, i + 1, { parameters: new Uint8Array(8), metrics: { auc: 0.7 }, participants });
  }
  if (startedExtra) await fx.store.startRound(job.id, committed.length + 1);
  if (status !== 'running') await fx.store.updateJobStatus(job.id, status, status === 'failed' ? { error: 'ROUND_TIMEOUT' } : undefined);
}

beforeAll(async () => {
  fx = await startWeb();
  admin = (await setupAdmin(fx)).browser;
  engineer = await signedInAs(fx, 'ml_engineer');
  auditor = await signedInAs(fx, 'auditor');
  officer = await signedInAs(fx, 'risk_officer');
  for (const [n, name] of ['Bank A Sparkasse', 'Credit Union B'].entries()) {
    const institution = await fx.store.createInstitution({ name });
    const key = Buffer.alloc(32);
    key.writeUInt32BE(n + 1, 0);
    nodeIds.push((await fx.store.registerNode({ institutionId: institution.id, publicKey: key.toString('base64') })).id);
  }
  const [a, b] = nodeIds;
  const private1 = spec({ datasetKey: 'german-credit', privacy: { targetEpsilon: 1 } });
  await runJob('completed', private1, [[a, b], [a, b], [a, b]], 'completed');
  // a second job with the same settings failed after one round: that round was charged too
  await runJob('failed', { ...private1, seed: 4 }, [[a]], 'failed');
  await runJob('plain', spec({ datasetKey: 'german-credit' }), [[a, b]], 'completed');
  await runJob('running', spec({ datasetKey: 'credit-data', privacy: { targetEpsilon: 2, delta: 1e-6 } }), [[b]], 'running', true);
});
afterAll(async () => fx?.close());

describe('GET /api/v1/privacy/spent', () => {
  it('composes every DP job per dataset key and lender, with the breakdown and the institution', async () => {
    const response = await engineer.call('GET', '/api/v1/privacy/spent');
    expect(response.statusCode).toBe(200);
    const answer = response.json() as PrivacySpentAnswer;
    expect(answer.unreadable).toEqual([]);
    expect(answer.datasets.map((d) => [d.datasetKey, d.jobs])).toEqual([['credit-data', 1], ['german-credit', 2]]);

    const plan = resolvePrivacy((await fx.store.getJob(jobIds.completed)).spec.options!.privacy as unknown as PrivacySettings);
    const sgm = (steps: number) => ({ mechanism: 'sgm' as const, noiseMultiplier: plan.noiseMultiplier, sampleRate: plan.stepSampleRate, steps });
    const german = answer.datasets[1];
    const byNode = new Map(german.lenders.map((l) => [l.nodeId, l]));
    const [a, b] = [byNode.get(nodeIds[0])!, byNode.get(nodeIds[1])!];
    // a: 3 rounds + 1 round of the same plan = one job of 4 rounds' steps
    expect([a.institution, a.jobs, a.rounds, a.delta, a.mixedDelta]).toEqual(['Bank A Sparkasse', 2, 4, 1e-5, false]);
    expect(a.epsilon).toBeCloseTo(epsilonOfCost(sgm(4 * plan.stepsPerRound), 1e-5), 9);
    expect(a.breakdown.map((l) => [l.jobId, l.status, l.mechanism, l.rounds])).toEqual([[jobIds.completed, 'completed', 'dpsgd', 3], [jobIds.failed, 'failed', 'dpsgd', 1]]);
    expect(a.breakdown[0].epsilon).toBeCloseTo(plan.plannedEpsilon, 9);
    expect(a.breakdown[0].epsilon).toBeLessThanOrEqual(1);
    expect(a.epsilon).toBeLessThan(a.breakdown[0].epsilon + a.breakdown[1].epsilon);
    expect([b.institution, b.jobs, b.rounds]).toEqual(['Credit Union B', 1, 3]);
    expect(b.epsilon).toBeCloseTo(plan.plannedEpsilon, 9);
    expect(JSON.stringify(answer)).not.toContain(jobIds.plain);

    // the running job counts its committed round, not the one still running
    const [running] = answer.datasets[0].lenders;
    expect([running.nodeId, running.rounds, running.delta, running.breakdown[0].status]).toEqual([nodeIds[1], 1, 1e-6, 'running']);
    expect(running.epsilon).toBeGreaterThan(0);
    expect(running.epsilon).toBeLessThan(2);

    expect(answer.budget).toEqual({ reportedByNodes: true, note: expect.stringMatching(/node’s configuration/), command: 'fedcredit privacy ledger' });
    expect(answer.datasets.flatMap((d) => d.lenders.map((l) => l.budget))).toEqual(answer.datasets.flatMap((d) => d.lenders.map(() => null))); // nothing reported yet
  });

  it('shows each lender’s newest budget report for the dataset', async () => {
    const lender = ((await engineer.call('GET', '/api/v1/privacy/spent')).json() as PrivacySpentAnswer).datasets[0].lenders[0];
    const datasetKey = ((await engineer.call('GET', '/api/v1/privacy/spent')).json() as PrivacySpentAnswer).datasets[0].datasetKey;
    await fx.store.appendAudit({ actor: lender.nodeId, action: 'privacy.budget.reported', subject: lender.nodeId, details: { jobId: 'j-old', datasetKey, epsilon: 8, delta: 1e-5, remainingEpsilon: 8 } });
    await fx.store.appendAudit({ actor: lender.nodeId, action: 'privacy.budget.reported', subject: lender.nodeId, details: { jobId: 'j-new', datasetKey, epsilon: 8, delta: 1e-5, remainingEpsilon: 5.5 } });
    await fx.store.appendAudit({ actor: lender.nodeId, action: 'privacy.budget.reported', subject: lender.nodeId, details: { jobId: 'j-other', datasetKey: 'another-key', epsilon: 1, delta: 1e-5, remainingEpsilon: 0 } });
    const after = ((await engineer.call('GET', '/api/v1/privacy/spent')).json() as PrivacySpentAnswer).datasets[0].lenders.find((l) => l.nodeId === lender.nodeId)!;
    expect(after.budget).toMatchObject({ epsilon: 8, delta: 1e-5, remainingEpsilon: 5.5 });
    expect(after.budget!.reportedAt).toBeGreaterThan(0);
  });

  it('follows a running job: a newly committed round is counted at the next read', async () => {
    const read = async () => ((await engineer.call('GET', '/api/v1/privacy/spent')).json() as PrivacySpentAnswer).datasets[0].lenders[0];
    const before = await read();
    expect(await read()).toEqual(before); // unchanged job, same answer
    await fx.store.commitRound(jobIds.running, 2, { parameters: new Uint8Array(8), metrics: { auc: 0.7 }, participants: [nodeIds[1]] });
    const after = await read();
    expect([after.rounds, after.breakdown[0].rounds]).toEqual([2, 2]);
    expect(after.epsilon).toBeGreaterThan(before.epsilon);
    await fx.store.updateJobStatus(jobIds.running, 'cancelled');
    expect((await read()).breakdown[0]).toMatchObject({ status: 'cancelled', rounds: 2, epsilon: after.epsilon });
  });

  it('a job whose stored privacy settings are unreadable is listed, not guessed at and not a 500', async () => {
    const broken = spec({ datasetKey: 'german-credit', privacy: { targetEpsilon: 1 } });
    await runJob('broken', { ...broken, options: { privacy: { mechanism: 'dpsgd', delta: 5 } } }, [[nodeIds[0]]], 'completed');
    const answer = (await admin.call('GET', '/api/v1/privacy/spent')).json() as PrivacySpentAnswer;
    expect(answer.unreadable).toEqual([{ jobId: jobIds.broken, reason: expect.stringMatching(/stored privacy settings are invalid: .*delta/) }]);
    expect(answer.datasets.find((d) => d.datasetKey === 'german-credit')!.jobs).toBe(2);
  });

  it('auditors, administrators and the CLI token read it; a risk officer is refused; nobody signed in gets 401', async () => {
    expect((await auditor.call('GET', '/api/v1/privacy/spent')).statusCode).toBe(200);
    expect((await admin.call('GET', '/api/v1/privacy/spent')).statusCode).toBe(200);
    expect((await new Browser(fx).call('GET', '/api/v1/privacy/spent', undefined, { authorization: `Bearer ${ADMIN_TOKEN}` })).statusCode).toBe(200);
    const refused = await officer.call('GET', '/api/v1/privacy/spent');
    expect([refused.statusCode, refused.body]).toEqual([403, JSON.stringify({ error: 'forbidden', message: 'forbidden' })]);
    expect((await new Browser(fx).call('GET', '/api/v1/privacy/spent')).statusCode).toBe(401);
  });

  it('answers 400 with the issues to any query parameter', async () => {
    const response = await engineer.call('GET', '/api/v1/privacy/spent?datasetKey=german-credit&x=1&x=2');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      error: 'invalid_request', message: '2 problem(s) in the query',
      issues: [
        { field: 'datasetKey', code: 'unknown_field', expected: 'no query parameters', got: '"german-credit"' },
        { field: 'x', code: 'unknown_field', expected: 'no query parameters', got: '["1","2"]' },
      ],
    });
  });
});
