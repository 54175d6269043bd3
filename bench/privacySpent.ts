/**
 * Privacy-spent benchmark (GET /api/v1/privacy/spent, src/coordinator/server/privacyRoutes.ts):
 * a coordinator on a temp SQLite store holding N differentially private jobs of 20 committed
 * rounds with 3 lenders each (round parameters of a 61-weight logistic regression), every job
 * with its own target ε, so σ must be calibrated per job. Times the route through the app
 * (bearer token): the first call (cold, as after a coordinator restart: σ calibrated for every
 * job), the median / p95 of further calls (the route keeps each unchanged job's spends), and
 * privacyTotals over every job without that cache (σ comes from resolvePrivacy's memo of 200
 * settings: beyond 200 distinct jobs it is calibrated again on every call). Prints JSON and
 * writes bench/results/privacySpent.json.
 *
 * Usage: node --import tsx bench/privacySpent.ts [--jobs 10,50,150,300] [--repeat 10]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { parseJobSubmission } from '../src/coordinator/jobSpec.js';
import { privacyTotals } from '../src/coordinator/privacyTotals.js';
import { buildCoordinatorApp } from '../src/coordinator/server/app.js';
import { openStore } from '../src/store/index.js';

const arg = (name: string, fallback: string) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : fallback;
};
const sizes = arg('jobs', '10,50,150,300').split(',').map(Number);
const repeat = Number(arg('repeat', '10'));
const ROUNDS = 20;
const NODES = ['node-a', 'node-b', 'node-c'];
const TOKEN = 'fcat_bench-privacy-spent';
const round3 = (x: number) => Math.round(x * 1000) / 1000;
const quantile = (ms: number[], q: number) => [...ms].sort((a, b) => a - b)[Math.min(ms.length - 1, Math.floor(q * ms.length))];

async function measure(numJobs: number) {
  const dir = mkdtempSync(join(tmpdir(), 'fedcredit-bench-privacy-'));
  const store = await openStore(`sqlite:${join(dir, 'fedcredit.db')}`);
  try {
    const template = parseJobSubmission({ datasetKey: 'german-credit', model: 'logreg', rounds: ROUNDS, minNodes: 3, seed: 1, privacy: { targetEpsilon: 1 } });
    if (!template.ok) throw new Error(JSON.stringify(template.issues));
    const privacy = template.spec.options!.privacy as Record<string, unknown>;
    for (let j = 0; j < numJobs; j++) {
      // a distinct target per job (and a smaller δ for every tenth), as real jobs would have;
      // written without parseJobSubmission, which would calibrate (and memoise) σ here
      const spec = {
        ...template.spec, datasetKey: j % 2 === 0 ? 'german-credit' : 'credit-data', seed: j,
        options: { ...template.spec.options, privacy: { ...privacy, targetEpsilon: round3(0.5 + numJobs * 0.001 + j * 0.013), ...(j % 10 === 0 ? { delta: 1e-6 } : {}) } },
      };
      const job = await store.createJob({ spec, createdBy: 'bench' });
      await store.updateJobStatus(job.id, 'running');
      for (let r = 1; r <= ROUNDS; r++) {
        await store.startRound(job.id, r);
        await store.commitRound(job.id, r, { parameters: new Uint8Array(61 * 8), metrics: { auc: 0.7 }, participants: r % 5 === 0 ? NODES.slice(0, 2) : NODES });
      }
      await store.updateJobStatus(job.id, 'completed');
    }
    const { app } = await buildCoordinatorApp({ store, adminToken: TOKEN, logger: pino({ level: 'silent' }) });
    await app.ready();
    const call = async () => {
      const started = performance.now();
      const response = await app.inject({ method: 'GET', url: '/api/v1/privacy/spent', headers: { authorization: `Bearer ${TOKEN}` } });
      const ms = performance.now() - started;
      if (response.statusCode !== 200) throw new Error(`${response.statusCode} ${response.body}`);
      return { ms, bytes: response.body.length };
    };
    const cold = await call();
    const warm: number[] = [];
    for (let i = 0; i < repeat; i++) warm.push((await call()).ms);
    const jobs = await Promise.all((await store.listJobs()).map(async (job) => ({ job, rounds: await store.listRounds(job.id) })));
    const pure: number[] = [];
    for (let i = 0; i < repeat; i++) {
      const started = performance.now();
      privacyTotals(jobs);
      pure.push(performance.now() - started);
    }
    await app.close();
    return {
      jobs: numJobs, roundsPerJob: ROUNDS, lenders: NODES.length, answerBytes: cold.bytes,
      coldMs: round3(cold.ms), warmMedianMs: round3(quantile(warm, 0.5)), warmP95Ms: round3(quantile(warm, 0.95)),
      uncachedTotalsMedianMs: round3(quantile(pure, 0.5)),
    };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const results = [];
for (const n of sizes) results.push(await measure(n));
const out = { bench: 'privacySpent', node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model, repeat, results };
console.log(JSON.stringify(out, null, 2));
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/privacySpent.json', import.meta.url), `${JSON.stringify(out, null, 2)}\n`);
