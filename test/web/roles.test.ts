/**
 * Each role against each protected route of the permissions table, on the real coordinator
 * app: allowed calls get past authorization (any answer but 401/403), refused ones get exactly
 * 403 `forbidden` and nothing else; nobody signed in gets 401; the CLI's bearer token acts as
 * admin. Also: the table and the server's routes match one to one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserRole } from '../../src/store/index.js';
import { ROUTE_PERMISSIONS, accessFor, roleMayCall, routesForRole } from '../../src/web/permissions.js';
import { ADMIN_TOKEN, Browser, setupAdmin, signedInAs, startWeb } from './harness.js';
import type { WebFixture } from './harness.js';

let fx: WebFixture;
const browsers = {} as Record<UserRole, Browser>;
beforeAll(async () => {
  fx = await startWeb();
  browsers.admin = (await setupAdmin(fx)).browser;
  for (const role of ['risk_officer', 'ml_engineer', 'auditor'] as const) browsers[role] = await signedInAs(fx, role);
});
afterAll(async () => fx.close());

const FORBIDDEN = { error: 'forbidden', message: 'forbidden' };
/** Routes whose call would end the caller's session, and the websocket (tested in live.test.ts). */
const NOT_IN_MATRIX = new Set(['DELETE /api/v1/session', 'POST /api/v1/session/revoke-all', 'GET /api/v1/live']);
const protectedRoutes = Object.entries(ROUTE_PERMISSIONS).filter(([key, a]) => (a.kind === 'roles' || a.kind === 'user') && !NOT_IN_MATRIX.has(key));

function request(key: string): { method: string; url: string; body?: unknown } {
  const [method, pattern] = key.split(' ');
  return { method, url: pattern.replaceAll(':id', 'no-such-id'), ...(method === 'GET' ? {} : { body: {} }) };
}

describe('role × route matrix', () => {
  for (const role of ['admin', 'risk_officer', 'ml_engineer', 'auditor'] as const) {
    it(`${role}: allowed routes work, the others answer 403 forbidden and nothing more`, async () => {
      const outcomes: string[] = [];
      for (const [key, access] of protectedRoutes) {
        const { method, url, body } = request(key);
        const response = await browsers[role].call(method, url, body);
        if (roleMayCall(role, access)) {
          if ([401, 403].includes(response.statusCode)) outcomes.push(`${key}: expected allowed, got ${response.statusCode} ${response.body}`);
        } else if (response.statusCode !== 403 || response.body !== JSON.stringify(FORBIDDEN)) {
          outcomes.push(`${key}: expected 403 forbidden, got ${response.statusCode} ${response.body}`);
        }
      }
      expect(outcomes).toEqual([]);
      // the session is still alive and its permissions list matches the table
      const session = (await browsers[role].call('GET', '/api/v1/session')).json() as { role: string; permissions: string[] };
      expect(session.role).toBe(role);
      expect(session.permissions).toEqual(routesForRole(role));
    });
  }

  it('spot checks of the issue’s roles', () => {
    const may = (role: UserRole, key: string) => roleMayCall(role, ROUTE_PERMISSIONS[key]);
    expect(may('auditor', 'GET /api/v1/audit')).toBe(true);
    expect(may('auditor', 'GET /api/v1/audit/verify')).toBe(true);
    expect(may('auditor', 'POST /api/v1/jobs')).toBe(false);
    expect(may('auditor', 'POST /api/v1/models/:id/approve')).toBe(false);
    expect(may('ml_engineer', 'POST /api/v1/jobs')).toBe(true);
    expect(may('ml_engineer', 'GET /api/v1/audit')).toBe(false);
    expect(may('ml_engineer', 'GET /api/v1/users')).toBe(false);
    expect(may('risk_officer', 'GET /api/v1/models')).toBe(true);
    expect(may('risk_officer', 'GET /api/v1/jobs')).toBe(false);
    for (const key of Object.keys(ROUTE_PERMISSIONS).filter((k) => ROUTE_PERMISSIONS[k].kind === 'roles')) expect(may('admin', key)).toBe(true);
    expect(accessFor('HEAD', '/api/v1/jobs')).toBe(ROUTE_PERMISSIONS['GET /api/v1/jobs']);
    expect(accessFor('GET', '/api/v1/not-in-table')).toBeUndefined();
    expect(() => roleMayCall('root' as UserRole, ROUTE_PERMISSIONS['GET /api/v1/jobs'])).toThrow(RangeError);
  });
});

describe('without a session', () => {
  it('answers 401 on every protected route, and the bearer token acts as admin only', async () => {
    const problems: string[] = [];
    for (const [key, access] of protectedRoutes) {
      const { method, url, body } = request(key);
      const anonymous = await new Browser(fx).call(method, url, body);
      if (anonymous.statusCode !== 401) problems.push(`${key} anonymous: ${anonymous.statusCode}`);
      const cli = await new Browser(fx).call(method, url, body, { authorization: `Bearer ${ADMIN_TOKEN}` });
      const expected = access.kind === 'roles' ? 'allowed' : 403;
      if (expected === 'allowed' ? [401, 403].includes(cli.statusCode) : cli.statusCode !== 403) problems.push(`${key} bearer: ${cli.statusCode}`);
      const wrongToken = await new Browser(fx).call(method, url, body, { authorization: 'Bearer fcat_wrong' });
      if (wrongToken.statusCode !== 401) problems.push(`${key} wrong bearer: ${wrongToken.statusCode}`);
    }
    expect(problems).toEqual([]);
  });
});

describe('the table and the server agree', () => {
  it('every /api/v1 route of the coordinator has an entry, and every entry a route', async () => {
    const spec = fx.app.swagger() as { paths: Record<string, Record<string, unknown>> };
    const served = new Set<string>();
    for (const [path, methods] of Object.entries(spec.paths)) {
      if (!path.startsWith('/api/')) continue;
      for (const method of Object.keys(methods)) if (method !== 'head') served.add(`${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`);
    }
    expect([...served].filter((key) => !(key in ROUTE_PERMISSIONS)).sort()).toEqual([]);
    // websocket routes are not in the OpenAPI document; ask the router for every entry
    const missing = Object.keys(ROUTE_PERMISSIONS).filter((key) => {
      const [method, url] = key.split(' ');
      return !fx.app.hasRoute({ method: method as 'GET', url });
    });
    expect(missing).toEqual([]);
  });
});
