/**
 * End to end over real processes: a full job across a coordinator and three lender nodes, a
 * node SIGKILLed mid-round, the coordinator SIGKILLed mid-job and restarted, and scoring with
 * the seed system's payload on the trained model.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FEDCREDIT_BIN } from '../../src/demo/processes.js';
import { SEED_PAYLOAD, startFederation, waitForJob, type Federation } from './harness.js';

let fed: Federation;
beforeAll(async () => {
  fed = await startFederation({ numLenders: 3 });
}, 120_000);
afterAll(async () => {
  await fed?.stop();
});

const submit = (body: Record<string, unknown>) => fed.admin.call<{ id: string }>('POST', '/api/v1/jobs', { datasetKey: 'german-credit', model: 'logreg', strategy: 'fedavg', seed: 7, options: { approveModel: true }, ...body });

describe('networked federation (real processes over loopback)', () => {
  it('runs a full job across three lender processes, registers and serves the approved model', async () => {
    const job = await submit({ rounds: 20, minNodes: 3, roundTimeoutMs: 20_000 });
    const done = await waitForJob(fed, job.id, () => false);
    expect(done.status, done.error).toBe('completed');
    expect(done.rounds.map((r) => r.round)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(done.rounds.every((r) => r.participants.length === 3)).toBe(true);
    const lastAuc = done.rounds[19].metrics.auc as number;
    expect(lastAuc).toBeGreaterThan(0.72);
    expect(done.models).toHaveLength(1);
    expect(done.models[0].status).toBe('approved');
    expect(done.models[0].lineage.nodes).toHaveLength(3);

    // the first lender picks the approved model up and answers the seed system's request
    const port = fed.lenders[0].port;
    let body: unknown;
    for (let i = 0; i < 100; i++) {
      const res = await fetch(`http://127.0.0.1:${port}/predictCreditRisk`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(SEED_PAYLOAD) });
      if (res.status === 200) {
        body = await res.json();
        break;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(body).toSatisfy((b: unknown) => JSON.stringify(b) === '[[1]]' || JSON.stringify(b) === '[[2]]');
    const scored = await (await fetch(`http://127.0.0.1:${port}/api/v1/score`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ records: SEED_PAYLOAD }) })).json() as { results: { probabilityOfDefault: number; decision: string; reasons: { description: string }[] }[] };
    expect(scored.results[0].probabilityOfDefault).toBeGreaterThan(0);
    expect(['approve', 'review', 'decline']).toContain(scored.results[0].decision);

    // operations: Prometheus metrics on both sides, OpenAPI documents, health
    const metrics = await (await fetch(`${fed.url}/metrics`)).text();
    expect(metrics).toMatch(/fedcredit_rounds_committed_total\{job="[^"]+"\} 20/);
    expect(metrics).toMatch(/fedcredit_round_duration_seconds_count \d+/);
    expect(metrics).toMatch(/fedcredit_bytes_received_total\{route="(replies|ws)",type="train"\} \d+/);
    const nodeMetrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(nodeMetrics).toMatch(/fedcredit_scoring_latency_seconds_count\{route="\/predictCreditRisk"\} [1-9]/);
    const openapi = await (await fetch(`${fed.url}/docs/json`)).json() as { openapi: string; paths: Record<string, unknown> };
    expect(openapi.openapi).toMatch(/^3\./);
    expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/api/v1/enroll', '/api/v1/node/tasks', '/api/v1/jobs', '/api/v1/models/{id}/approve']));
    // the model report: HTML with the federated ROC / KS from the final evaluation histograms
    const token = readFileSync(join(fed.coordinatorDataDir, 'admin-token'), 'utf8').trim();
    const reportRes = await fetch(`${fed.url}/api/v1/models/${done.models[0].id}/report`, { headers: { authorization: `Bearer ${token}` } });
    expect(reportRes.headers.get('content-type')).toMatch(/text\/html/);
    const html = await reportRes.text();
    expect(html).toContain('ROC curve');
    expect(html).toContain('Calibration by score band');
    expect(html).toMatch(/<td>0\.[6-9]\d\d<\/td>/); // the AUC cell
    expect(html).not.toContain('<script');
    expect([...html.matchAll(/<h2>([^<]+)<\/h2>/g)].map((m) => m[1])).toEqual(['Federated evaluation of the final model', 'Scorecard', 'Fairness', 'Training, round by round', 'Privacy and aggregation', 'Lineage']);
    expect(html).toContain('Points table from the logistic regression’s coefficients');
    expect(html).toContain('checking account &lt; 0 DM');
    // fairness from counts summed over the three lenders' test rows: every German attribute, every age band
    for (const attribute of ['sex', 'marital status', 'age band', 'foreign worker']) expect(html).toContain(`aria-label="Fairness by ${attribute}"`);
    const ageRows = [...html.slice(html.indexOf('aria-label="Fairness by age band"')).matchAll(/<tr><th>([^<(]+)/g)].slice(1, 4).map((m) => m[1].trim());
    expect(ageRows).toEqual(['&lt; 25', '25–39', '40+']);
    expect(html).toMatch(/Disparate impact \d\.\d{3}: <strong>(ok|FLAGGED)<\/strong>/);
    expect(html).toContain('<h3>Privacy spent</h3><p>No differential privacy');
    const out = join(fed.dir, 'report.html');
    const cli = spawnSync(process.execPath, [FEDCREDIT_BIN, 'report', '--model', done.models[0].id, '--data-dir', fed.coordinatorDataDir, '--out', out], { encoding: 'utf8' });
    expect(cli.status, cli.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain('Lineage');
    const nodeApi = await (await fetch(`http://127.0.0.1:${port}/docs/json`)).json() as { paths: Record<string, unknown> };
    expect(Object.keys(nodeApi.paths)).toEqual(expect.arrayContaining(['/predictCreditRisk', '/api/v1/score']));
  });

  it('runs a job with secure aggregation over the network: the coordinator only sums masked vectors', async () => {
    const job = await submit({ rounds: 5, minNodes: 3, roundTimeoutMs: 20_000, seed: 11, options: { approveModel: false, secureAggregation: true } });
    const done = await waitForJob(fed, job.id, () => false);
    expect(done.status, done.error).toBe('completed');
    expect(done.rounds).toHaveLength(5);
    expect(done.rounds[4].participants.length).toBe(3);
    expect(done.rounds[4].metrics.auc as number).toBeGreaterThan(0.65);
    const metrics = await (await fetch(`${fed.url}/metrics`)).text();
    expect(metrics).toMatch(/fedcredit_replies_received_total\{type="secagg"\} [1-9]/);
    // the fairness counts went through secure aggregation with the histograms: whole numbers
    const token = readFileSync(join(fed.coordinatorDataDir, 'admin-token'), 'utf8').trim();
    const html = await (await fetch(`${fed.url}/api/v1/models/${done.models[0].id}/report`, { headers: { authorization: `Bearer ${token}` } })).text();
    const applicants = [...html.slice(html.indexOf('aria-label="Fairness by sex"')).matchAll(/<\/th><td>([\d.]+)<\/td>/g)].slice(0, 2).map((m) => Number(m[1]));
    expect(applicants.every((n) => Number.isInteger(n) && n > 0)).toBe(true);
    expect(html).toContain('masked updates and histograms');
  });

  it('grows federated boosted trees as a job; lenders score with the ensemble and explain with TreeSHAP', async () => {
    const job = await submit({ model: 'gbdt', rounds: 15, minNodes: 3, roundTimeoutMs: 20_000, seed: 12, hyperparameters: { depth: 3, learningRate: 0.1 } });
    const done = await waitForJob(fed, job.id, () => false);
    expect(done.status, done.error).toBe('completed');
    expect(done.rounds).toHaveLength(15);
    expect(done.rounds[14].metrics.auc as number).toBeGreaterThan(0.7);
    expect(done.models[0].status).toBe('approved');
    const port = fed.lenders[1].port;
    let scored: { results: { probabilityOfDefault: number; reasons: { field: string; description: string }[] }[]; modelVersion: string } | undefined;
    for (let i = 0; i < 100; i++) {
      const health = await (await fetch(`http://127.0.0.1:${port}/healthz`)).json() as { model?: { jobId?: string } };
      if (health.model?.jobId === job.id) {
        scored = await (await fetch(`http://127.0.0.1:${port}/api/v1/score`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ records: SEED_PAYLOAD }) })).json() as typeof scored;
        break;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(scored?.modelVersion).toContain(job.id);
    expect(scored!.results[0].probabilityOfDefault).toBeGreaterThan(0);
    expect(scored!.results[0].reasons.length).toBeGreaterThan(0);
    const legacy = await (await fetch(`http://127.0.0.1:${port}/predictCreditRisk`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(SEED_PAYLOAD) })).json();
    expect(JSON.stringify(legacy)).toMatch(/^\[\[[12]\]\]$/);
  });

  it('completes a job when a node is SIGKILLed mid-round; later rounds go on without it', async () => {
    const job = await submit({ rounds: 40, minNodes: 2, roundTimeoutMs: 3_000, seed: 8 });
    await waitForJob(fed, job.id, (j) => j.currentRound >= 3);
    const victim = fed.nodes.get('bank-c')!;
    victim.child.kill('SIGKILL');
    await victim.exited;
    const done = await waitForJob(fed, job.id, () => false);
    expect(done.status, done.error).toBe('completed');
    expect(done.rounds).toHaveLength(40);
    const last = done.rounds[done.rounds.length - 1];
    expect(last.participants).toHaveLength(2);
    expect(done.rounds[0].participants).toHaveLength(3);
  });

  it('resumes a job after the coordinator is SIGKILLed mid-job; no round is counted twice', async () => {
    const job = await submit({ rounds: 120, minNodes: 2, roundTimeoutMs: 5_000, seed: 9 });
    const before = await waitForJob(fed, job.id, (j) => j.currentRound >= 5);
    expect(before.status).toBe('running');
    await fed.restartCoordinator({ kill: true });
    const done = await waitForJob(fed, job.id, () => false, 180_000);
    expect(done.status, done.error).toBe('completed');
    expect(done.rounds.map((r) => r.round)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    expect(done.models).toHaveLength(1);
    const audit = await fed.admin.call<{ action: string; subject: string; details: { round?: number } }[]>('GET', '/api/v1/audit?limit=10000');
    const commits = audit.filter((e) => e.action === 'round.committed' && e.subject === job.id).map((e) => e.details.round);
    expect(new Set(commits).size).toBe(commits.length);
    expect(audit.some((e) => e.action === 'job.resumed' && e.subject === job.id)).toBe(true);
    const verify = await fed.admin.call<{ ok: boolean }>('GET', '/api/v1/audit/verify');
    expect(verify.ok).toBe(true);
  });

});
