/**
 * Harness of the browser tests: the real coordinator (buildCoordinatorApp with the dashboard)
 * in-process on a temp SQLite store, listening on 127.0.0.1:0 and serving the built bundle;
 * Debian's Chromium driven by playwright-core with a fresh profile directory; a server clock
 * that tests can move forward (real time + offset, shared by the app and the store, so TOTP
 * codes and session deadlines follow it); and screenshots under test-artifacts/browser/.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { chromium } from 'playwright-core';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { buildCoordinatorApp } from '../../src/coordinator/server/app.js';
import { writeLenders } from '../../src/demo/slices.js';
import { loadNodeConfig, type NodeConfig } from '../../src/node/config.js';
import { NodeRuntime } from '../../src/node/runtime.js';
import type { CoordinatorApp } from '../../src/coordinator/server/app.js';
import { openStore } from '../../src/store/index.js';
import type { Store, UserRole } from '../../src/store/index.js';
import { base32Decode } from '../../src/web/base32.js';
import { hashPassword } from '../../src/web/passwords.js';
import { ensureSetupToken } from '../../src/web/setup.js';
import { totp } from '../../src/web/totp.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
/** Debian's Chromium (.ci/run installs it); FEDCREDIT_CHROMIUM overrides. */
export const CHROMIUM = process.env.FEDCREDIT_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
/** Where screenshots go (gitignored). */
export const ARTIFACTS = join(REPO, 'test-artifacts', 'browser');
export const ADMIN_TOKEN = 'fcat_browser-test-admin-token';
export const PASSWORD = 'correct horse battery staple';

/** Newest modification time (ms) of the files under `path`. */
function newestMtimeMs(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newestMtimeMs(join(path, name))));
}

/**
 * Build the dashboard (`npm run build:web`) unless web/dist is newer than its sources. Test
 * files run in parallel processes, so the build holds a lock directory.
 */
export async function ensureWebBuilt(): Promise<void> {
  const web = join(REPO, 'web');
  const index = join(web, 'dist', 'index.html');
  const fresh = () => existsSync(index) && statSync(index).mtimeMs >= Math.max(newestMtimeMs(join(web, 'src')), newestMtimeMs(join(web, 'index.html')), newestMtimeMs(join(web, 'vite.config.ts')), newestMtimeMs(join(web, 'public')));
  if (fresh()) return;
  const lock = join(tmpdir(), 'fedcredit-web-build.lock');
  for (let waitedMs = 0; ; waitedMs += 200) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (waitedMs > 120_000 || Date.now() - statSync(lock, { throwIfNoEntry: false })!.mtimeMs > 120_000) rmSync(lock, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    if (fresh()) return; // another test file built it while we waited
    const built = spawnSync(process.execPath, [join(REPO, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', join(web, 'vite.config.ts'), '--logLevel', 'warn'], { cwd: REPO, encoding: 'utf8' });
    if (built.status !== 0) throw new Error(`vite build failed:\n${built.stdout}\n${built.stderr}`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** One running coordinator with the dashboard. */
export interface Dashboard {
  readonly url: string;
  readonly store: Store;
  readonly dataDir: string;
  readonly coordinator: CoordinatorApp;
  /** Server clock: real time plus `offsetMs`. */
  readonly clock: { offsetMs: number };
  now(): number;
  /** Move the server clock forward. */
  advance(ms: number): void;
  /** The one-time setup token (while no account exists). */
  setupToken(): Promise<string>;
  close(): Promise<void>;
}

/** Start the coordinator with the dashboard on a fresh SQLite store. */
export async function startDashboard(options: { authRateLimit?: { max: number; timeWindowMs: number } | false } = {}): Promise<Dashboard> {
  await ensureWebBuilt();
  const dataDir = mkdtempSync(join(tmpdir(), 'fedcredit-browser-'));
  const clock = { offsetMs: 0 };
  const now = () => Date.now() + clock.offsetMs;
  const store = await openStore(`sqlite:${join(dataDir, 'fedcredit.db')}`, { now });
  const coordinator = await buildCoordinatorApp({
    store, adminToken: ADMIN_TOKEN, logger: pino({ level: process.env.FEDCREDIT_TEST_LOG ?? 'silent' }), onlineWindowMs: 5000, startTimeoutMs: 30_000,
    web: { dataDir, now, authRateLimit: options.authRateLimit ?? { max: 1000, timeWindowMs: 60_000 } },
  });
  await coordinator.app.listen({ host: '127.0.0.1', port: 0 });
  coordinator.runner.start();
  const address = coordinator.app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    url, store, dataDir, coordinator, clock, now,
    advance(ms: number) {
      clock.offsetMs += ms;
    },
    async setupToken() {
      const token = await ensureSetupToken(store, dataDir);
      if (token === undefined) throw new Error('setup is closed: an account exists');
      return token;
    },
    async close() {
      await coordinator.app.close();
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The TOTP code of `secretBase32` at the server clock (optionally steps away). */
export function codeAt(dash: Dashboard, secretBase32: string, stepOffset = 0): string {
  return totp(base32Decode(secretBase32.replace(/\s+/g, '')), dash.now() + stepOffset * 30_000);
}

/** A code the server has not seen yet: move its clock to the next 30-second step first. */
export function freshCode(dash: Dashboard, secretBase32: string): string {
  dash.advance(30_000);
  return codeAt(dash, secretBase32);
}

/** Create an active account with `role` directly in the store (no second factor). */
export async function createAccount(dash: Dashboard, role: UserRole, email = `${role.replace('_', '-')}@bank.example`, displayName = `Test ${role}`): Promise<{ email: string; id: string }> {
  const user = await dash.store.createUser({ email, displayName, passwordHash: await hashPassword(PASSWORD), role, status: 'active' });
  return { email, id: user.id };
}

/**
 * The first administrator, with TOTP, through the API (auth.test.ts covers the same in the
 * browser). Returns the base32 TOTP secret.
 */
export async function createAdmin(dash: Dashboard, email: string, displayName = 'Ada Admin'): Promise<string> {
  const post = async (path: string, body: unknown, session?: { cookie: string; csrf: string }) => {
    const response = await fetch(`${dash.url}${path}`, {
      method: 'POST', body: JSON.stringify(body),
      headers: { 'content-type': 'application/json', ...(session ? { cookie: session.cookie, 'x-csrf-token': session.csrf } : {}) },
    });
    if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return response;
  };
  await post('/api/v1/setup', { setupToken: await dash.setupToken(), email, password: PASSWORD, displayName });
  const signedIn = await post('/api/v1/session', { email, password: PASSWORD });
  const session = { cookie: signedIn.headers.getSetCookie()[0].split(';')[0], csrf: ((await signedIn.json()) as { csrfToken: string }).csrfToken };
  const { secret } = (await (await post('/api/v1/totp/enrol', {}, session)).json()) as { secret: string };
  await post('/api/v1/totp/confirm', { code: codeAt(dash, secret) }, session);
  return secret;
}

/** Call the management API with the CLI's bearer token. */
export async function asCli<T>(dash: Dashboard, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${dash.url}${path}`, {
    method, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** A Chromium with a fresh profile, one page, and what went wrong on it. */
export interface TestBrowser {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Console errors and uncaught page errors (other than failed fetches the app handles). */
  readonly pageErrors: string[];
  /** Every API answer as "STATUS METHOD path". */
  readonly apiCalls: string[];
  close(): Promise<void>;
}

/** Launch Chromium (headless, fresh user-data-dir). */
export async function openBrowser(): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'fedcredit-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, viewport: { width: 1280, height: 900 }, locale: 'en-GB', timezoneId: 'UTC',
  });
  context.setDefaultTimeout(15_000);
  const page = context.pages()[0] ?? (await context.newPage());
  const pageErrors: string[] = [];
  const apiCalls: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    // the browser logs every non-2xx fetch as a console error; those are checked through apiCalls
    if (message.type() === 'error' && !/Failed to load resource/.test(message.text())) pageErrors.push(`console: ${message.text()}`);
  });
  page.on('response', (response) => {
    const path = new URL(response.url()).pathname;
    if (path.startsWith('/api/')) apiCalls.push(`${response.status()} ${response.request().method()} ${path}`);
  });
  return {
    context, page, pageErrors, apiCalls,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Save a full-page screenshot as test-artifacts/browser/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Sign in through the page (the code is asked for when the account has a second factor). */
export async function signIn(page: Page, url: string, email: string, options: { code?: () => string } = {}): Promise<void> {
  await page.goto(`${url}/signin`);
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  if (options.code !== undefined) {
    await page.getByLabel('Authentication code', { exact: true }).fill(options.code());
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
  }
  await page.waitForURL((u) => !u.pathname.startsWith('/signin'));
}

/** Sign out with the header's button and wait for the sign-in page. */
export async function signOut(page: Page): Promise<void> {
  await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL((u) => u.pathname === '/signin');
}

/** Poll `read` until `ok` holds (at most `timeoutMs`); throws with the last value otherwise. */
export async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastError: unknown;
  for (;;) {
    try {
      last = await read();
      if (ok(last)) return last;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${timeoutMs} ms; last value ${JSON.stringify(last)}${lastError ? ` (${String(lastError)})` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const normalize = (text: string | null) => (text ?? '').replace(/\s+/g, ' ').trim();
const matches = (text: string, expected: string | RegExp) => (typeof expected === 'string' ? text === expected : expected.test(text));

/** Wait until the one element of `locator` is visible and its text (spaces collapsed) matches. */
export async function seeText(locator: Locator, expected: string | RegExp, timeoutMs = 10_000): Promise<string> {
  await locator.waitFor({ state: 'visible', timeout: timeoutMs });
  return eventually(async () => normalize(await locator.textContent()), (t) => matches(t, expected), `text of ${String(locator)} ≟ ${String(expected)}`, timeoutMs);
}

/** Wait until the one element of `locator` is visible and its text contains `part`. */
export async function seeContains(locator: Locator, part: string | RegExp, timeoutMs = 10_000): Promise<string> {
  await locator.waitFor({ state: 'visible', timeout: timeoutMs });
  return eventually(async () => normalize(await locator.textContent()), (t) => (typeof part === 'string' ? t.includes(part) : part.test(t)), `text of ${String(locator)} ∋ ${String(part)}`, timeoutMs);
}

/** Wait until the elements of `locator` have exactly these texts, in order. */
export async function seeTexts(locator: Locator, expected: readonly string[], timeoutMs = 10_000): Promise<void> {
  await eventually(async () => (await locator.allTextContents()).map(normalize), (t) => JSON.stringify(t) === JSON.stringify(expected), `texts of ${String(locator)}`, timeoutMs);
}

/** Wait until `locator` matches exactly `count` elements. */
export async function seeCount(locator: Locator, count: number, timeoutMs = 10_000): Promise<void> {
  await eventually(() => locator.count(), (n) => n === count, `count of ${String(locator)} = ${count}`, timeoutMs);
}

/** Wait until the one element of `locator` is visible. */
export async function see(locator: Locator, timeoutMs = 10_000): Promise<void> {
  await locator.waitFor({ state: 'visible', timeout: timeoutMs });
}

/** In-process lender nodes enrolled with a dashboard's coordinator. */
export interface Lenders {
  readonly nodes: readonly NodeRuntime[];
  /** Each node's configuration, as started (after `configure`). */
  readonly configs: readonly NodeConfig[];
  stop(): Promise<void>;
}

/**
 * Start `numLenders` lender nodes (the demo's German slices) enrolled with `dash`, and wait
 * until all are online. `configure` may change a node's configuration before it starts.
 */
export async function startLenders(dash: Dashboard, options: { numLenders?: number; configure?: (config: NodeConfig) => NodeConfig } = {}): Promise<Lenders> {
  const numLenders = options.numLenders ?? 2;
  const dir = mkdtempSync(join(tmpdir(), 'fedcredit-browser-lenders-'));
  const nodes: NodeRuntime[] = [];
  const configs: NodeConfig[] = [];
  const stop = async () => {
    await Promise.allSettled(nodes.map((n) => n.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const lender of writeLenders(dir, { numLenders, basePort: 0, coordinator: dash.url, ports: Array.from({ length: numLenders }, () => 0) })) {
      const config = (options.configure ?? ((c) => c))(loadNodeConfig(lender.config));
      configs.push(config);
      const { token } = await asCli<{ token: string }>(dash, 'POST', '/api/v1/invitations', { institution: lender.institution });
      const node = new NodeRuntime({ config, coordinator: dash.url, token, apiPort: 0, modelRefreshMs: 300, logger: pino({ level: 'silent' }) });
      await node.start();
      nodes.push(node);
    }
    await eventually(() => asCli<{ online: boolean }[]>(dash, 'GET', '/api/v1/nodes'), (list) => list.filter((n) => n.online).length === numLenders, 'every node online', 20_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { nodes, configs, stop };
}
