/**
 * Networked federation benchmark (`npm run bench:network`): the same German job (3 lenders by
 * age band, FedAvg, 30 rounds, evaluation every round) run twice in one session:
 *  - in-process: the coordinator's JobRunner over the in-process transport, same store type
 *    (SQLite file, rounds committed durably), the same lender app as a node process runs
 *    (createLenderApp: handlers behind the message log, policy, privacy-budget and SecAgg mods,
 *    with its own approvals, ledger and workspace files) and the same data splits, so that the
 *    two sides differ only in transport;
 *  - networked: a coordinator process and three node processes over loopback HTTP (signed
 *    long-poll, binary wire format).
 * Time is the job's wall time from submission to completion as recorded by the store. Bytes
 * are what nodes sent the coordinator per node per round, read from the coordinator's
 * /metrics (reply bodies plus request line and headers), for train replies (the model update)
 * and evaluation replies separately. Writes bench/results/network.json.
 *
 * Usage: node --import tsx bench/network.ts [--rounds 30] [--repeats 7]
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { JobRunner } from '../src/coordinator/jobRunner.js';
import { parseJobSubmission } from '../src/coordinator/jobSpec.js';
import { writeLenders } from '../src/demo/slices.js';
import { createApprovals } from '../src/node/approvals.js';
import { loadNodeConfig, loadNodeDatasets, privacyBudgetsOf, privacyLedgerFile } from '../src/node/config.js';
import { createLenderApp } from '../src/node/lenderApp.js';
import { openWorkspaceStores } from '../src/node/workspace/index.js';
import { PrivacyLedger } from '../src/privacy/ledger.js';
import { openStore } from '../src/store/index.js';
import { InProcessTransport } from '../src/transport/inProcess.js';
import { simulate } from '../src/simulation/simulate.js';
import { simulationOptions } from '../src/simulation/options.js';
import { startFederation, waitForJob } from '../test/e2e/harness.js';

const roundsArg = process.argv.indexOf('--rounds');
const rounds = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 30;
const repeatsArg = process.argv.indexOf('--repeats');
const repeats = repeatsArg > 0 ? Number(process.argv[repeatsArg + 1]) : 7;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

interface Row { model: string; numParameters: number; inProcessMs: number; networkedMs: number; ratio: number; inProcessRunsMs: number[]; networkedRunsMs: number[]; coldInProcessMs: number; coldNetworkedMs: number; trainBytesPerNodeRound: number; boundBytes: number; withinBound: boolean; evaluateBytesPerNodeRound: number }

async function inProcessJob(spec: Record<string, unknown>): Promise<{ ms: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'fedcredit-bench-inproc-'));
  const lenders = writeLenders(dir, { numLenders: 3, basePort: 0, coordinator: 'http://unused' });
  const nodes = await Promise.all(lenders.map(async (l) => {
    const config = loadNodeConfig(l.config);
    const workspace = await openWorkspaceStores(config.dataDir);
    // a node process logs to its log file; so does this one
    const log = pino.destination({ dest: join(dir, `${l.name}.log`), sync: true });
    const app = createLenderApp({
      nodeId: l.name, config, datasets: loadNodeDatasets(config, 'holdout'),
      logger: pino({ level: 'info' }, log),
      approvals: createApprovals({ mode: config.policy.approval, file: join(config.dataDir, 'approvals.json') }),
      ledger: PrivacyLedger.open({ file: privacyLedgerFile(config.dataDir), budgets: privacyBudgetsOf(config), releaseReservations: true }),
      applications: workspace.applications,
    });
    return { name: l.name, app, workspace, log };
  }));
  const transport = new InProcessTransport(nodes.map((n) => [n.name, n.app] as const));
  const store = await openStore(join(dir, 'fedcredit.db'));
  const parsed = parseJobSubmission(spec);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  const job = await store.createJob({ spec: parsed.spec, createdBy: 'bench' });
  const runner = new JobRunner({ store, transport, logger: pino({ level: 'silent' }), pollIntervalMs: 5 });
  const done = new Promise<void>((resolve) => runner.on('status', (e: { status: string }) => { if (e.status !== 'running') resolve(); }));
  runner.start();
  await done;
  await runner.stop();
  const finished = await store.getJob(job.id);
  await store.close();
  for (const n of nodes) {
    await n.workspace.close();
    n.log.end();
  }
  if (finished.status !== 'completed') throw new Error(`in-process job ${finished.status}: ${finished.error}`);
  return { ms: finished.updatedAt - finished.createdAt };
}

function metricValue(text: string, name: string, labels: Record<string, string>): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.split(' ').pop());
  }
  return 0;
}

const fed = await startFederation({ numLenders: 3 });
const rows: Row[] = [];
try {
  for (const [label, model, hyperparameters] of [['logreg', 'logreg', {}], ['mlp [32]', 'mlp', { hidden: [32] }]] as const) {
    const spec = { datasetKey: 'german-credit', model, strategy: 'fedavg', rounds, minNodes: 3, roundTimeoutMs: 30_000, seed: 42, hyperparameters };
    // cold: the first job after the processes started (JIT warm-up included); warm: the median
    // of the next `repeats` jobs, alternating the two sides so that a noisy moment on this
    // 2-core machine hits both, as for long-running lender services. Both sides get the same
    // treatment.
    const inProcCold = await inProcessJob(spec);
    const cold = await fed.admin.call<{ id: string }>('POST', '/api/v1/jobs', spec);
    await waitForJob(fed, cold.id, () => false, 300_000);
    const coldRecord = await fed.admin.call<{ createdAt: number; updatedAt: number }>('GET', `/api/v1/jobs/${cold.id}`);
    const inProcMs: number[] = [];
    const networkedRuns: number[] = [];
    let before = '';
    let job: { id: string } = cold;
    for (let k = 0; k < repeats; k++) {
      inProcMs.push((await inProcessJob(spec)).ms);
      before = await (await fetch(`${fed.url}/metrics`)).text();
      job = await fed.admin.call<{ id: string }>('POST', '/api/v1/jobs', spec);
      await waitForJob(fed, job.id, () => false, 300_000);
      const done = await fed.admin.call<{ createdAt: number; updatedAt: number }>('GET', `/api/v1/jobs/${job.id}`);
      networkedRuns.push(done.updatedAt - done.createdAt);
    }
    const inProc = { ms: median(inProcMs) };
    const record = await fed.admin.call<{ status: string; createdAt: number; updatedAt: number; models: { meta: { numFeatures: number } }[]; error?: string }>('GET', `/api/v1/jobs/${job.id}`);
    if (record.status !== 'completed') throw new Error(`networked job ${record.status}: ${record.error}`);
    const after = await (await fetch(`${fed.url}/metrics`)).text();
    const delta = (type: string) => ['replies', 'ws'].reduce((s, route) => s + metricValue(after, 'fedcredit_bytes_received_total', { route, type }) - metricValue(before, 'fedcredit_bytes_received_total', { route, type }), 0);
    const d = record.models[0].meta.numFeatures;
    const numParameters = model === 'logreg' ? d + 1 : d * 32 + 32 + 32 + 1;
    const trainBytes = delta('train') / (3 * rounds);
    const fixedHeader = 1024; // wire header (~150 B) + HTTP request line and signature headers (~700 B)
    const bound = 1.05 * 4 * numParameters + fixedHeader;
    const networkedMs = median(networkedRuns);
    rows.push({
      model: label, numParameters, inProcessMs: inProc.ms, networkedMs, ratio: Math.round((networkedMs / inProc.ms) * 100) / 100, inProcessRunsMs: inProcMs, networkedRunsMs: networkedRuns,
      coldInProcessMs: inProcCold.ms, coldNetworkedMs: coldRecord.updatedAt - coldRecord.createdAt,
      trainBytesPerNodeRound: Math.round(trainBytes), boundBytes: Math.round(bound), withinBound: trainBytes <= bound,
      evaluateBytesPerNodeRound: Math.round(delta('evaluate') / (3 * rounds)),
    });
    process.stderr.write(`${JSON.stringify(rows[rows.length - 1])}\n`);
  }
} finally {
  await fed.stop();
}
const sim = await simulate(simulationOptions({ dataset: { builtin: 'german' }, numNodes: 3, rounds, partition: { scheme: 'attr', column: 'age' }, seed: 42, baselines: false }));
const result = {
  benchmark: 'network', setting: `German credit, 3 lenders by age band, FedAvg, ${rounds} rounds, evaluation every round, loopback`,
  node: process.version, rows, pureSimulationFederatedMs: Math.round(sim.federatedMs),
  note: `ratio compares warm runs: medians of ${repeats} jobs per side after a first (cold) one, alternating in-process and networked; cold* fields are the first job after start. Evaluation of round r is pipelined with round r + 1's training on both sides (same job runner)`,
  targets: { 'networked ≤ 2 × in-process (same job runner and store)': rows.every((r) => r.ratio <= 2), 'train bytes per node per round ≤ 1.05 × 4 × P + fixed header (1024 B)': rows.every((r) => r.withinBound) },
};
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/network.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
