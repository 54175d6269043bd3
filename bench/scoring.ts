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
import { mkdirSync, writeFileSync } from 'node:fs';
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
import { scoringRoutes } from '../src/scoring/routes.js';
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

/** Child: serve the routes and report the port. */
async function serve(): Promise<void> {
  const { scorer } = buildScorer();
  const app = Fastify({ logger: false });
  await app.register(scoringRoutes, { getScorer: () => scorer });
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
  process.on('disconnect', () => void app.close().then(() => process.exit(0)));
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
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--serve'], { execArgv: ['--import', 'tsx'] });
  const port = await new Promise<number>((resolve) => child.once('message', (m: { port: number }) => resolve(m.port)));
  const serverCpuMicros = () =>
    new Promise<number>((resolve) => {
      child.once('message', (m: { cpuMicros: number }) => resolve(m.cpuMicros));
      child.send('cpu');
    });
  /** One measured round: requests/s seen by the clients and server CPU µs per request. */
  const measure = async (path: string, body: string, numRequests: number, concurrency: number) => {
    const cpuBefore = await serverCpuMicros();
    const reqPerSec = await load(agent, port, path, body, numRequests, concurrency);
    return { reqPerSec, cpuMicrosPerRequest: ((await serverCpuMicros()) - cpuBefore) / numRequests };
  };
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const { scorer, table } = buildScorer();
  try {
    const single = JSON.stringify([recordOf(table, 0)]);
    await load(agent, port, '/noop', single, 1000, concurrency); // warm-up (JIT, sockets)
    await load(agent, port, '/predictCreditRisk', single, 1000, concurrency);
    const noop: number[] = [];
    const predict: number[] = [];
    const noopCpu: number[] = [];
    const predictCpu: number[] = [];
    for (let r = 0; r < rounds; r++) {
      // Alternate which route goes first so neither always runs after a pause.
      const order = r % 2 === 0 ? ['noop', 'predict'] : ['predict', 'noop'];
      for (const which of order) {
        const path = which === 'noop' ? '/noop' : '/predictCreditRisk';
        const { reqPerSec, cpuMicrosPerRequest } = await measure(path, single, numRequests, concurrency);
        (which === 'noop' ? noop : predict).push(reqPerSec);
        (which === 'noop' ? noopCpu : predictCpu).push(cpuMicrosPerRequest);
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
    const result = {
      benchmark: 'scoring',
      node: process.version,
      setting: `Fastify server in a child process on 127.0.0.1; ${concurrency} keep-alive clients; ${rounds} alternating rounds of ${numRequests} requests per route; logistic regression on German credit`,
      singleRecord: {
        noopReqPerSecMedian: Math.round(median(noop)),
        predictCreditRiskReqPerSecMedian: Math.round(median(predict)),
        ratio: Math.round(ratio * 100) / 100,
        rounds: { noop: noop.map(Math.round), predictCreditRisk: predict.map(Math.round) },
        // Robust to a saturated load generator: what one request costs the server.
        serverCpuMicrosPerRequestMedian: { noop: round1(median(noopCpu)), predictCreditRisk: round1(median(predictCpu)) },
        cpuRatio: Math.round((median(noopCpu) / median(predictCpu)) * 100) / 100,
        target: { ratio: '≥ 0.5', met: ratio >= 0.5 },
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
    child.disconnect();
  }
}

if (process.argv.includes('--serve')) await serve();
else await main();
