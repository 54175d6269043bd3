/**
 * Lender workspace benchmark: a node server with its workspace (in this process, on real
 * SQLite files in a temp directory) holding 10,000 scored applications, stored the way a node
 * stores them (the machine scoring API, batches of 1,000 German-credit applicants with jittered
 * amounts and durations). Measures
 * - the server time (Fastify's reply.elapsedTime when the response is ready to send, in a Server-Timing header) of the first
 *   list page (50 rows, newest first) and of a filtered and sorted page (decision=review,
 *   flag=near_threshold, 0.2 ≤ PD ≤ 0.6, sorted by PD), and of the detail view (with the
 *   counterfactual search), median and p95 over repeated requests;
 * - the browser page load of the list page in Debian's Chromium (playwright-core): navigation
 *   start to the 50 rows rendered (performance.now() when they are in the DOM), cold (fresh
 *   profile, nothing cached) and warm (assets cached), and of the filtered page.
 * Target: page loads < 1 s. Prints JSON and writes bench/results/workspace.json. Needs the built
 * dashboard (web/dist: `npm run build:web`, which `npm run bench:workspace` runs first).
 *
 * Usage: node --import tsx bench/workspace.ts [--applications N] [--repeats R]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { chromium } from 'playwright-core';
import { germanSchema } from '../src/data/builtin/german.js';
import { loadBuiltin } from '../src/data/builtin/index.js';
import { featureColumns, type Table } from '../src/data/schema.js';
import { deriveRandom } from '../src/math/random.js';
import { LogisticRegression } from '../src/model/logistic.js';
import { trainLocal } from '../src/model/train.js';
import { createApprovals } from '../src/node/approvals.js';
import { buildNodeServer } from '../src/node/server.js';
import { ApplicationFiler, inputRangesOf, openWorkspaceStores } from '../src/node/workspace/index.js';
import { encodeTable, fitEncoder, labelsOf } from '../src/preprocess/encoder.js';
import { localStats, statsLayout } from '../src/preprocess/stats.js';
import { baselineFromStats } from '../src/scoring/baseline.js';
import { Scorer } from '../src/scoring/scorer.js';
import { hashPassword } from '../src/web/passwords.js';

const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const NUM_APPLICATIONS = arg('applications', 10_000);
const REPEATS = arg('repeats', 30);
const CHROMIUM = process.env.FEDCREDIT_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const OWNER_TOKEN = 'fcat_bench-owner-token';
const PASSWORD = 'correct horse battery staple';
const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { n: s.length, medianMs: round2(at(0.5)), p95Ms: round2(at(0.95)), maxMs: round2(s[s.length - 1]) };
};
const round2 = (x: number) => Math.round(x * 100) / 100;

function buildScorer(): { scorer: Scorer; table: Table } {
  const table = loadBuiltin('german');
  const layout = statsLayout(featureColumns(germanSchema));
  const s = localStats(table, layout);
  const encoder = fitEncoder(layout.slots.map((slot) => slot.column), s, layout);
  const x = encodeTable(encoder, table);
  const model = new LogisticRegression(x.cols);
  trainLocal(model, { x, y: labelsOf(table) }, { epochs: 30, lr: 0.05, l2: 1e-3, rng: deriveRandom(1, 'bench-workspace') });
  return { scorer: new Scorer({ schema: germanSchema, encoder, model, modelVersion: 'job-bench/v1', baseline: baselineFromStats(encoder, s, layout), thresholds: { review: 0.3, decline: 0.5 } }), table };
}

/** Applicant `i`: a German row with jittered duration and amount (seeded). */
function applicant(table: Table, i: number, rng: ReturnType<typeof deriveRandom>): Record<string, string | number> {
  const row = i % table.numRows;
  const out: Record<string, string | number> = {};
  for (const c of table.schema.columns) out[c.name] = c.kind === 'numeric' ? table.numeric[c.name][row] : table.categorical[c.name][row]!;
  out.duration = Math.max(4, Math.min(72, Math.round(Number(out.duration) * (0.7 + 0.6 * rng.next()))));
  out.creditamount = Math.max(250, Math.round(Number(out.creditamount) * (0.7 + 0.6 * rng.next())));
  return out;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fedcredit-bench-workspace-'));
  const { scorer, table } = buildScorer();
  const stores = await openWorkspaceStores(dataDir);
  const logger = pino({ level: 'silent' });
  const filed = { store: stores.store, applications: stores.applications, datasetKey: 'german-credit', ranges: inputRangesOf(table), modelId: () => 'model-bench' };
  const filer = await ApplicationFiler.start(filed);
  const app = await buildNodeServer({
    logger, getScorer: () => scorer, hasDataset: (d) => d === 'german-credit', approvals: createApprovals({ mode: 'auto', file: join(dataDir, 'approvals.json') }),
    ownerToken: OWNER_TOKEN, status: () => ({}), keepScored: filer.keep,
    workspace: { ...filed, dataDir, ownerToken: OWNER_TOKEN, logger, secureCookies: false, getScorer: () => scorer, schema: germanSchema, authRateLimit: false, node: () => ({ nodeId: 'bench', institution: 'Bench Bank', nodeName: 'bench' }) },
  });
  // the server's own time for each request (received → response ready), in a Server-Timing header
  app.addHook('onSend', async (_request, reply, payload) => {
    void reply.header('server-timing', `app;dur=${reply.elapsedTime.toFixed(3)}`);
    return payload;
  });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const url = new URL(address).origin;
  const auth = { authorization: `Bearer ${OWNER_TOKEN}` };

  // 10,000 applications through the machine scoring API (stored as a node stores them)
  const rng = deriveRandom(7, 'bench-workspace', 'applicants');
  const fillStarted = performance.now();
  for (let i = 0; i < NUM_APPLICATIONS; i += 1000) {
    const records = Array.from({ length: Math.min(1000, NUM_APPLICATIONS - i) }, (_, k) => applicant(table, i + k, rng));
    const response = await fetch(`${url}/api/v1/score`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ records }) });
    if (response.status !== 200) throw new Error(`scoring failed: ${response.status} ${await response.text()}`);
  }
  // batches over 100 records are answered first and filed right after: wait until all are in
  while (filer.pendingRecords > 0) await new Promise((resolve) => setTimeout(resolve, 5));
  const fillMs = performance.now() - fillStarted;
  const stored = await stores.applications.count();
  if (stored !== NUM_APPLICATIONS) throw new Error(`stored ${stored} applications, expected ${NUM_APPLICATIONS}`);

  // server time of list pages (and the detail view), timed by Fastify
  const timed = async (path: string): Promise<{ serverMs: number; roundTripMs: number; body: unknown }> => {
    const started = performance.now();
    const response = await fetch(`${url}${path}`, { headers: auth });
    const body: unknown = await response.json();
    const roundTripMs = performance.now() - started;
    if (response.status !== 200) throw new Error(`${path}: ${response.status}`);
    const timing = /dur=([\d.]+)/.exec(response.headers.get('server-timing') ?? '');
    if (!timing) throw new Error(`${path}: no Server-Timing header`);
    return { serverMs: Number(timing[1]), roundTripMs, body };
  };
  const pages = {
    first: '/api/v1/applications',
    filteredSorted: '/api/v1/applications?decision=review&flag=near_threshold&pdMin=0.2&pdMax=0.6&sort=pd&order=desc&pageSize=50',
    deepPage: '/api/v1/applications?page=150&pageSize=50&sort=score&order=asc',
  } as const;
  const server: Record<string, unknown> = {};
  for (const [name, path] of Object.entries(pages)) {
    await timed(path); // warm the statement cache
    const runs = [];
    for (let r = 0; r < REPEATS; r++) runs.push(await timed(path));
    const total = (runs[0].body as { total: number }).total;
    server[name] = { path, matching: total, server: stats(runs.map((r) => r.serverMs)), roundTrip: stats(runs.map((r) => r.roundTripMs)) };
  }
  const firstId = ((await timed(pages.filteredSorted)).body as { items: { id: string }[] }).items[0].id;
  const detailRuns = [];
  for (let r = 0; r < REPEATS; r++) detailRuns.push(await timed(`/api/v1/applications/${firstId}`));
  server.detail = { path: '/api/v1/applications/:id (a review near the threshold, with what would change the decision)', server: stats(detailRuns.map((r) => r.serverMs)), roundTrip: stats(detailRuns.map((r) => r.roundTripMs)) };

  // browser page loads: navigation start → the list's rows rendered
  await stores.store.createUser({ email: 'officer@bench.example', displayName: 'Bench officer', passwordHash: await hashPassword(PASSWORD), role: 'risk_officer', status: 'active' });
  const profile = mkdtempSync(join(tmpdir(), 'fedcredit-bench-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, viewport: { width: 1280, height: 900 } });
  const page = context.pages()[0] ?? (await context.newPage());
  // runs in the page (this file is compiled without the DOM library, hence the cast; the page's CSP forbids string evaluation)
  type Doc = { querySelectorAll(selector: string): { length: number } };
  const rowsRendered = (expected: number) => page.waitForFunction((n: number) => (globalThis as unknown as { document: Doc }).document.querySelectorAll('.applications-table tbody tr').length >= n && performance.now(), expected, { polling: 'raf', timeout: 30_000 }).then((h) => h.jsonValue() as Promise<number>);
  // sign in through the page (the session cookie is what the list needs)
  await page.goto(`${url}/signin`);
  await page.getByLabel('Email', { exact: true }).fill('officer@bench.example');
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => u.pathname === '/applications');
  await rowsRendered(50);
  const loads = async (path: string, rows: number, n: number, cold: boolean) => {
    const out: number[] = [];
    for (let r = 0; r < n; r++) {
      if (cold) {
        const cdp = await context.newCDPSession(page);
        await cdp.send('Network.clearBrowserCache');
        await cdp.detach();
      }
      await page.goto(`${url}${path}`, { waitUntil: 'commit' });
      out.push(await rowsRendered(rows));
    }
    return stats(out);
  };
  const filteredRows = Math.min(50, (server.filteredSorted as { matching: number }).matching);
  const browser = {
    listCold: await loads('/applications', 50, 10, true),
    listWarm: await loads('/applications', 50, REPEATS, false),
    filteredSortedWarm: await loads(`/applications?decision=review&flag=near_threshold&pdMin=0.2&pdMax=0.6&sort=pd&order=desc`, filteredRows, REPEATS, false),
  };
  await context.close();
  rmSync(profile, { recursive: true, force: true });
  await app.close();
  await filer.close();
  await stores.close();
  rmSync(dataDir, { recursive: true, force: true });

  const worstLoad = Math.max(browser.listCold.p95Ms, browser.listWarm.p95Ms, browser.filteredSortedWarm.p95Ms);
  const out = {
    benchmark: 'workspace',
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', node: process.version },
    setup: { applications: stored, storedThrough: 'POST /api/v1/score, batches of 1,000 (scoring + storing)', fillSeconds: round2(fillMs / 1000), repeats: REPEATS },
    serverTime: server,
    browserPageLoad: { measure: 'navigation start → 50 rows of the list in the DOM (Chromium, headless)', ...browser },
    target: { pageLoadMs: 1000, met: worstLoad < 1000 },
  };
  const text = JSON.stringify(out, null, 2);
  console.log(text);
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(new URL('./results/workspace.json', import.meta.url), `${text}\n`);
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
