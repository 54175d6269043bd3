/**
 * Scoring benchmark: a real Fastify server on 127.0.0.1 (in a child process, so the load
 * generator does not share its event loop) serving the scoring routes next to a no-op POST route
 * that parses a JSON body of the same size and answers `[[1]]`. The parent process drives both
 * routes with the same number of concurrent keep-alive clients, alternating rounds so that
 * background load hits both alike, and reports requests/s and their ratio (target: the
 * single-record /predictCreditRisk ≥ 0.5 × the no-op), plus the server's CPU time per request
 * (noop / predict: the ratio the server alone would reach if the clients were never the limit). It then times 10,000 records in one batch
 * over HTTP and in-process (target < 100 ms). Prints JSON and writes bench/results/scoring.json.
 *
 * Usage: node --import tsx bench/scoring.ts [--requests N] [--rounds R] [--concurrency C]
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { germanSchema } from '../src/data/builtin/german.js';
import { loadBuiltin } from '../src/data/builtin/index.js';
import { featureColumns, type Table } from '../src/data/schema.js';
import { deriveRandom } from '../src/math/random.js';
import { LogisticRegression } from '../src/model/logistic.js';
import { trainLocal } from '../src/model/train.js';
import { encodeTable, fitEncoder, labelsOf } from '../src/preprocess/encoder.js';
import { localStats, statsLayout } from '../src/preprocess/stats.js';
import { baselineFromStats } from '../src/scoring/baseline.js';
import { legacyResponseJsonSchema } from '../src/scoring/routeSchemas.js';
import { scoringRoutes, type ScoredBatch } from '../src/scoring/routes.js';
import { ApplicationFiler, inputRangesOf, openWorkspaceStores, type WorkspaceStores } from '../src/node/workspace/index.js';
import { Scorer } from '../src/scoring/scorer.js';
import { parseRecords } from '../src/scoring/validate.js';

const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round1 = (x: number) => Math.round(x * 10) / 10;

/** The German file, a logistic regression trained on it, and its scorer (as a node would have). */
function buildScorer(): { scorer: Scorer; table: Table } {
  const table = loadBuiltin('german');
  const layout = statsLayout(featureColumns(germanSchema));
  const stats = localStats(table, layout);
  const encoder = fitEncoder(layout.slots.map((s) => s.column), stats, layout);
  const x = encodeTable(encoder, table);
  const model = new LogisticRegression(x.cols);
  trainLocal(model, { x, y: labelsOf(table) }, { epochs: 30, lr: 0.05, l2: 1e-3, rng: deriveRandom(1, 'bench-scoring') });
  const baseline = baselineFromStats(encoder, stats, layout);
  return { scorer: new Scorer({ schema: germanSchema, encoder, model, modelVersion: 'bench', baseline }), table };
}

function recordOf(table: Table, i: number): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const c of table.schema.columns) out[c.name] = c.kind === 'numeric' ? table.numeric[c.name][i] : table.categorical[c.name][i]!;
  return out;
}

/**
 * Child: serve the routes and report the port. With `--keep`, every scored record is also
 * filed in the lender workspace, as a node does by default (scoring.keepScored): the
 * applications database and the audit entry, in a fresh data directory.
 */
async function serve(keep: boolean): Promise<void> {
  const { scorer, table } = buildScorer();
  const app = Fastify({ logger: false });
  let onResults: ((batch: ScoredBatch) => Promise<void>) | undefined;
  let workspace: WorkspaceStores | undefined;
  let filer: ApplicationFiler | undefined;
  if (keep) {
    workspace = await openWorkspaceStores(mkdtempSync(join(tmpdir(), 'fedcredit-bench-scoring-')));
    filer = await ApplicationFiler.start({ store: workspace.store, applications: workspace.applications, datasetKey: 'german', ranges: inputRangesOf(table), modelId: () => 'bench' });
    onResults = filer.keep;
  }
  await app.register(scoringRoutes, { getScorer: () => scorer, ...(onResults ? { onResults } : {}) });
  // Same JSON parser and same response serializer as /predictCreditRisk: the difference between
  // the two routes is exactly validation and scoring.
  app.post('/noop', { schema: { response: { 200: legacyResponseJsonSchema } } }, async () => [[1]]);
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  process.send!({ port: Number(new URL(address).port) });
  // The parent asks for the server's CPU time around each round (user + system, µs).
  process.on('message', () => {
    const { user, system } = process.cpuUsage();
    process.send!({ cpuMicros: user + system });
  });
  process.on('disconnect', () => void app.close().then(() => filer?.close()).then(() => workspace?.close()).then(() => process.exit(0)));
}

function post(agent: Agent, port: number, path: string, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { agent, host: '127.0.0.1', port, path, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** `numRequests` POSTs by `concurrency` clients on one keep-alive agent; requests per second. */
async function load(agent: Agent, port: number, path: string, body: string, numRequests: number, concurrency: number): Promise<number> {
  let sent = 0;
  const client = async () => {
    while (sent < numRequests) {
      sent++;
      const res = await post(agent, port, path, body);
      if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status} ${res.text.slice(0, 200)}`);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, client));
  return numRequests / ((performance.now() - started) / 1000);
}

async function main(): Promise<void> {
  const numRequests = arg('requests', 3000);
  const rounds = arg('rounds', 6);
  const concurrency = arg('concurrency', 16);
  const startChild = async (keep: boolean) => {
    const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--serve', ...(keep ? ['--keep'] : [])], { execArgv: ['--import', 'tsx'] });
    const port = await new Promise<number>((resolve) => child.once('message', (m: { port: number }) => resolve(m.port)));
    const cpu = () =>
      new Promise<number>((resolve) => {
        child.once('message', (m: { cpuMicros: number }) => resolve(m.cpuMicros));
        child.send('cpu');
      });
    return { child, port, cpu };
  };
  const plain = await startChild(false);
  const kept = await startChild(true);
  const port = plain.port;
  /** One measured round: requests/s seen by the clients and server CPU µs per request. */
  const measure = async (server: typeof plain, path: string, body: string, numRequests: number, concurrency: number) => {
    const cpuBefore = await server.cpu();
    const reqPerSec = await load(agent, server.port, path, body, numRequests, concurrency);
    return { reqPerSec, cpuMicrosPerRequest: ((await server.cpu()) - cpuBefore) / numRequests };
  };
  const agent = new Agent({ keepAlive: true, maxSockets: 2 * concurrency });
  const { scorer, table } = buildScorer();
  try {
    const single = JSON.stringify([recordOf(table, 0)]);
    await load(agent, port, '/noop', single, 1000, concurrency); // warm-up (JIT, sockets)
    await load(agent, port, '/predictCreditRisk', single, 1000, concurrency);
    await load(agent, kept.port, '/predictCreditRisk', single, 1000, concurrency);
    const noop: number[] = [];
    const predict: number[] = [];
    const predictKept: number[] = [];
    const noopCpu: number[] = [];
    const predictCpu: number[] = [];
    const predictKeptCpu: number[] = [];
    for (let r = 0; r < rounds; r++) {
      // Rotate which route goes first so none always runs after a pause.
      const order = (['noop', 'predict', 'kept'] as const).map((_, i, all) => all[(i + r) % all.length]);
      for (const which of order) {
        const server = which === 'kept' ? kept : plain;
        const path = which === 'noop' ? '/noop' : '/predictCreditRisk';
        const { reqPerSec, cpuMicrosPerRequest } = await measure(server, path, single, numRequests, concurrency);
        ({ noop, predict, kept: predictKept } as const)[which].push(reqPerSec);
        ({ noop: noopCpu, predict: predictCpu, kept: predictKeptCpu } as const)[which].push(cpuMicrosPerRequest);
      }
    }

    const records = Array.from({ length: 10_000 }, (_, i) => recordOf(table, i % table.numRows));
    const batch = JSON.stringify(records);
    const envelope = JSON.stringify({ records });
    const httpLegacyMs: number[] = [];
    const httpScoreMs: number[] = [];
    for (let r = 0; r < 8; r++) {
      let t = performance.now();
      const a = await post(agent, port, '/predictCreditRisk', batch);
      httpLegacyMs.push(performance.now() - t);
      t = performance.now();
      const b = await post(agent, port, '/api/v1/score', envelope);
      httpScoreMs.push(performance.now() - t);
      if (a.status !== 200 || b.status !== 200) throw new Error(`batch: HTTP ${a.status}/${b.status}`);
    }
    const inProcessClassifyMs: number[] = [];
    const inProcessScoreMs: number[] = [];
    for (let r = 0; r < 8; r++) {
      const body = JSON.parse(batch);
      let t = performance.now();
      const parsed = parseRecords(body, germanSchema);
      if (!parsed.ok) throw new Error('batch: invalid');
      scorer.classify(parsed.table);
      inProcessClassifyMs.push(performance.now() - t);
      t = performance.now();
      const again = parseRecords(body, germanSchema);
      if (again.ok) scorer.score(again.table);
      inProcessScoreMs.push(performance.now() - t);
    }

    const ratio = median(predict) / median(noop);
    const keptRatio = median(predictKept) / median(noop);
    const result = {
      benchmark: 'scoring',
      node: process.version,
      setting: `Fastify servers in child processes on 127.0.0.1; ${concurrency} keep-alive clients; ${rounds} rotating rounds of ${numRequests} requests per route; logistic regression on German credit. "kept": the node's default, every scored record filed in the lender workspace (applications database + audit)`,
      singleRecord: {
        noopReqPerSecMedian: Math.round(median(noop)),
        predictCreditRiskReqPerSecMedian: Math.round(median(predict)),
        predictCreditRiskKeptReqPerSecMedian: Math.round(median(predictKept)),
        ratio: Math.round(ratio * 100) / 100,
        keptRatio: Math.round(keptRatio * 100) / 100,
        rounds: { noop: noop.map(Math.round), predictCreditRisk: predict.map(Math.round), predictCreditRiskKept: predictKept.map(Math.round) },
        // Robust to a saturated load generator: what one request costs the server.
        serverCpuMicrosPerRequestMedian: { noop: round1(median(noopCpu)), predictCreditRisk: round1(median(predictCpu)), predictCreditRiskKept: round1(median(predictKeptCpu)) },
        cpuRatio: Math.round((median(noopCpu) / median(predictCpu)) * 100) / 100,
        keptCpuRatio: Math.round((median(noopCpu) / median(predictKeptCpu)) * 100) / 100,
        target: { ratio: '≥ 0.5', met: ratio >= 0.5, metWithWorkspace: keptRatio >= 0.5 },
      },
      batchOf10000: {
        requestBytes: Buffer.byteLength(batch),
        httpPredictCreditRiskMsMedian: round1(median(httpLegacyMs)),
        httpScoreWithReasonsMsMedian: round1(median(httpScoreMs)),
        inProcessValidateAndClassifyMsMedian: round1(median(inProcessClassifyMs)),
        inProcessValidateAndScoreWithReasonsMsMedian: round1(median(inProcessScoreMs)),
        target: {
          ms: '< 100',
          metHttpPredictCreditRisk: median(httpLegacyMs) < 100,
          metInProcessScoreWithReasons: median(inProcessScoreMs) < 100,
        },
      },
    };
    mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
    writeFileSync(new URL('./results/scoring.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    agent.destroy();
    plain.child.disconnect();
    kept.child.disconnect();
  }
}

if (process.argv.includes('--serve')) await serve(process.argv.includes('--keep'));
else await main();
