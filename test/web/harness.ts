/**
 * Test harness of the dashboard API: the real coordinator app (buildCoordinatorApp with the
 * web layer) on a real SQLite store in a temp dir, an injected clock shared by the app and the
 * store, every log line captured, and a tiny "browser" that keeps the session cookie and the
 * CSRF token the way the dashboard does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import pino from 'pino';
import { buildCoordinatorApp } from '../../src/coordinator/server/app.js';
import type { CoordinatorApp } from '../../src/coordinator/server/app.js';
import { openStore } from '../../src/store/index.js';
import type { Store, UserRole } from '../../src/store/index.js';
import { hashPassword } from '../../src/web/passwords.js';
import { ensureSetupToken } from '../../src/web/setup.js';
import { base32Decode } from '../../src/web/base32.js';
import { totp } from '../../src/web/totp.js';

export const ADMIN_TOKEN = 'fcat_test-admin-token-for-the-web-tests';
/** A clock start well past the Unix epoch (2023-11-14T22:13:20Z). */
export const T0_MS = 1_700_000_000_000;

/** One running test server. */
export interface WebFixture {
  readonly app: FastifyInstance;
  readonly coordinator: CoordinatorApp;
  readonly store: Store;
  readonly dataDir: string;
  /** Shared clock of app and store; tests move it. */
  clock: { nowMs: number };
  /** Every log line written so far. */
  readonly logs: string[];
  close(): Promise<void>;
}

/** Start the coordinator app with the web layer on a fresh SQLite database. */
export async function startWeb(options: { authRateLimit?: { max: number; timeWindowMs: number } | false; secureCookies?: boolean } = {}): Promise<WebFixture> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fedcredit-web-'));
  const clock = { nowMs: T0_MS };
  const now = () => clock.nowMs;
  const store = await openStore(`sqlite:${join(dataDir, 'fedcredit.db')}`, { now });
  const logs: string[] = [];
  const sink = new Writable({ write(chunk, _enc, done) { logs.push(String(chunk)); done(); } });
  const logger = pino({ level: 'trace' }, sink);
  const coordinator = await buildCoordinatorApp({
    store, adminToken: ADMIN_TOKEN, logger,
    web: { dataDir, now, authRateLimit: options.authRateLimit ?? false, ...(options.secureCookies !== undefined ? { secureCookies: options.secureCookies } : {}) },
  });
  await coordinator.app.ready();
  return {
    app: coordinator.app, coordinator, store, dataDir, clock, logs,
    async close() {
      await coordinator.app.close();
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A browser tab: keeps the fc_session cookie and the CSRF token from sign-in. */
export class Browser {
  cookie: string | undefined;
  csrf: string | undefined;
  constructor(private readonly fx: WebFixture) {}

  async call(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const unsafe = !['GET', 'HEAD'].includes(method);
    const response = await this.fx.app.inject({
      method: method as 'GET', url,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(this.cookie !== undefined ? { cookie: `fc_session=${this.cookie}` } : {}),
        ...(unsafe && this.csrf !== undefined ? { 'x-csrf-token': this.csrf } : {}),
        ...headers,
      },
      ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
    });
    const setCookie = response.cookies.find((c) => c.name === 'fc_session');
    if (setCookie !== undefined) this.cookie = setCookie.value === '' ? undefined : setCookie.value;
    const json = safeJson(response);
    if (json !== undefined && typeof json === 'object' && json !== null && typeof (json as { csrfToken?: unknown }).csrfToken === 'string') this.csrf = (json as { csrfToken: string }).csrfToken;
    return response;
  }

  /** Sign in; returns the response (the cookie and CSRF token are kept on success). */
  signIn(email: string, password: string, extra: { totp?: string; recoveryCode?: string } = {}): Promise<LightMyRequestResponse> {
    return this.call('POST', '/api/v1/session', { email, password, ...extra });
  }
}

/** The JSON body of a response, or undefined. */
export function safeJson(response: LightMyRequestResponse): unknown {
  try {
    return response.json();
  } catch {
    return undefined;
  }
}

/** The TOTP code for a base32 secret at the fixture's clock (optionally `stepOffset` steps away). */
export function codeAt(fx: WebFixture, secretBase32: string, stepOffset = 0): string {
  return totp(base32Decode(secretBase32), fx.clock.nowMs + stepOffset * 30_000);
}

export const PASSWORD = 'correct horse battery staple';

/** Run the first-admin setup and TOTP enrolment; returns the signed-in admin browser and secret. */
export async function setupAdmin(fx: WebFixture, email = 'root@coordinator.example'): Promise<{ browser: Browser; secret: string; recoveryCodes: string[]; userId: string }> {
  const token = await ensureSetupToken(fx.store, fx.dataDir);
  const browser = new Browser(fx);
  const setup = await browser.call('POST', '/api/v1/setup', { setupToken: token, email, password: PASSWORD, displayName: 'Root' });
  if (setup.statusCode !== 201) throw new Error(`setup failed: ${setup.body}`);
  await browser.signIn(email, PASSWORD);
  const enrol = (await browser.call('POST', '/api/v1/totp/enrol')).json() as { secret: string };
  const confirm = await browser.call('POST', '/api/v1/totp/confirm', { code: codeAt(fx, enrol.secret) });
  if (confirm.statusCode !== 200) throw new Error(`confirm failed: ${confirm.body}`);
  fx.clock.nowMs += 30_000; // the next code belongs to a new step
  return { browser, secret: enrol.secret, recoveryCodes: (confirm.json() as { recoveryCodes: string[] }).recoveryCodes, userId: (setup.json() as { user: { id: string } }).user.id };
}

/** Create an active account with a role directly in the store (no TOTP) and sign it in. */
export async function signedInAs(fx: WebFixture, role: UserRole, email = `${role}@bank.example`): Promise<Browser> {
  await fx.store.createUser({ email, displayName: role, passwordHash: await hashPassword(PASSWORD), role, status: 'active' });
  const browser = new Browser(fx);
  const response = await browser.signIn(email, PASSWORD);
  if (response.statusCode !== 200) throw new Error(`sign-in as ${role} failed: ${response.body}`);
  return browser;
}
