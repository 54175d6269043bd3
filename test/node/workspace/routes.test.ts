/**
 * The lender workspace at a node, over HTTP on the real node server: records scored by the
 * machine API and by the page are stored; the list is paginated, filtered and sorted on the
 * server; the detail explains in words; feedback is validated, stored and audited at the node;
 * roles are enforced by the server (risk officer writes, auditor reads, others 403, nobody 401).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserRole } from '../../../src/store/index.js';
import { hashPassword } from '../../../src/web/passwords.js';
import { WORKSPACE_ROUTE_PERMISSIONS, roleMayCall } from '../../../src/web/permissions.js';
import { Browser, PASSWORD, type WebFixture } from '../../web/harness.js';
import { recordOf, SEED_RECORD, trained } from '../../scoring/fixture.js';
import { OWNER_TOKEN, startNodeWorkspace, type NodeWorkspace } from './harness.js';

let ws: NodeWorkspace;
const as = {} as Record<UserRole | 'nobody', Browser>;

interface Summary { id: string; probabilityOfDefault: number; score: number; decision: string; flags: string[]; scoredAt: number; source: string; feedbackOutcome: string | null }
interface Page { total: number; page: number; pageSize: number; items: Summary[] }

beforeAll(async () => {
  ws = await startNodeWorkspace();
  const fx = { app: ws.app } as unknown as WebFixture;
  for (const role of ['risk_officer', 'auditor', 'ml_engineer'] as const) {
    await ws.stores.store.createUser({ email: `${role}@bank-a.example`, displayName: role, passwordHash: await hashPassword(PASSWORD), role, status: 'active' });
    as[role] = new Browser(fx);
    const signedIn = await as[role].signIn(`${role}@bank-a.example`, PASSWORD);
    expect(signedIn.statusCode).toBe(200);
  }
  as.nobody = new Browser(fx);
  // 60 applicants through the machine API (one batch) and the seed record through the old API
  const table = trained().table;
  const records = Array.from({ length: 60 }, (_, i) => recordOf(table, i));
  const scored = await ws.app.inject({ method: 'POST', url: '/api/v1/score', payload: { records } });
  expect(scored.statusCode).toBe(200);
  const legacy = await ws.app.inject({ method: 'POST', url: '/predictCreditRisk', payload: [SEED_RECORD] });
  expect(legacy.json()).toHaveLength(1);
});
afterAll(async () => ws?.close());

const list = async (query: string, who: Browser = as.risk_officer) => {
  const response = await who.call('GET', `/api/v1/applications${query}`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as Page;
};

describe('scored applications', () => {
  it('stores every record the machine APIs score, with the answer they gave', async () => {
    const page = await list('?pageSize=200');
    expect(page.total).toBe(61);
    expect(page.items.filter((a) => a.source === 'api')).toHaveLength(60);
    expect(page.items.filter((a) => a.source === 'legacy')).toHaveLength(1);
    // the stored probability is the one the scorer answers for that record
    const answer = await ws.app.inject({ method: 'POST', url: '/api/v1/score', payload: { records: [SEED_RECORD] } });
    const pd = (answer.json() as { results: { probabilityOfDefault: number }[] }).results[0].probabilityOfDefault;
    const legacy = page.items.find((a) => a.source === 'legacy')!;
    expect(legacy.probabilityOfDefault).toBeCloseTo(pd, 12);
  });

  it('paginates, filters and sorts on the server', async () => {
    const all = (await list('?pageSize=200')).items;
    const first = await list('?page=1&pageSize=25&sort=pd&order=desc');
    const second = await list('?page=2&pageSize=25&sort=pd&order=desc');
    expect(first.items).toHaveLength(25);
    expect(first.total).toBe(all.length);
    const pds = [...first.items, ...second.items].map((a) => a.probabilityOfDefault);
    expect(pds).toEqual([...pds].sort((a, b) => b - a));
    expect(new Set([...first.items, ...second.items].map((a) => a.id)).size).toBe(50);

    const declined = await list('?decision=decline&pageSize=200');
    expect(declined.total).toBeGreaterThan(0);
    expect(declined.items.every((a) => a.decision === 'decline' && a.flags.includes('decline') && a.probabilityOfDefault >= 0.5)).toBe(true);
    const near = await list('?flag=near_threshold&pageSize=200');
    expect(near.items.every((a) => Math.abs(a.probabilityOfDefault - 0.3) < 0.025 || Math.abs(a.probabilityOfDefault - 0.5) < 0.025)).toBe(true);
    const band = await list('?pdMin=0.2&pdMax=0.4&sort=score&order=asc&pageSize=200');
    expect(band.items.every((a) => a.probabilityOfDefault >= 0.2 && a.probabilityOfDefault <= 0.4)).toBe(true);
    expect(band.items.map((a) => a.score)).toEqual(band.items.map((a) => a.score).sort((a, b) => a - b));
    const target = all[7];
    const found = await list(`?q=${target.id.slice(-12)}`);
    expect(found.items.map((a) => a.id)).toContain(target.id);
    expect(found.total).toBe(1);
  });

  it('answers 400 listing every problem of a hostile query, never 500', async () => {
    const response = await as.risk_officer.call('GET', '/api/v1/applications?pageSize=500&page=0&decision=maybe&flag=x&pdMin=2&q=%25%27--&sort=name&extra=1');
    expect(response.statusCode).toBe(400);
    const fields = (response.json() as { issues: { field: string; expected: string; got: string }[] }).issues.map((i) => i.field).sort();
    expect(fields).toEqual(['decision', 'extra', 'flag', 'page', 'pageSize', 'pdMin', 'q', 'sort']);
    expect((await as.risk_officer.call('GET', '/api/v1/applications?pdMin=0.6&pdMax=0.1')).statusCode).toBe(400);
    expect((await as.risk_officer.call('GET', '/api/v1/applications?page=1&page=2')).statusCode).toBe(400);
  });

  it('explains one application in words: reasons, every contribution, the record, the model version', async () => {
    const { items } = await list('?decision=decline&sort=pd&order=desc&pageSize=1');
    const response = await as.auditor.call('GET', `/api/v1/applications/${items[0].id}`);
    expect(response.statusCode).toBe(200);
    const detail = response.json() as { modelVersion: string; modelId: string; reasons: { description: string; contribution: number }[]; contributions: { field: string; title: string; description: string; contribution: number }[]; record: { field: string; description: string }[]; flags: string[]; whatWouldChangeNote: string };
    expect(detail.modelVersion).toBe('job-1/v1');
    expect(detail.modelId).toBe('model-1');
    expect(detail.reasons.length).toBeGreaterThan(0);
    expect(detail.reasons[0].description).not.toMatch(/^A\d+$/);
    expect(detail.contributions).toHaveLength(ws.scorer.columns.length);
    const checking = detail.contributions.find((c) => c.field === 'existingchecking')!;
    expect(checking.title).toBe('Status of existing checking account');
    expect(detail.record).toHaveLength(20);
    // the top reason is the largest positive contribution
    expect(detail.reasons[0].contribution).toBeCloseTo(Math.max(...detail.contributions.map((c) => c.contribution)), 12);
    expect((await as.auditor.call('GET', '/api/v1/applications/no-such-id')).statusCode).toBe(404);
    // what would change the decision: changes that reach a better decision under the model that decided
    const whatIf = (detail as unknown as { whatWouldChange: { decision: string; suggestions: { changes: { field: string; text: string }[]; decision: string; probabilityOfDefault: number }[] } }).whatWouldChange;
    expect(whatIf.decision).toBe('decline');
    expect(whatIf.suggestions.length).toBeGreaterThan(0);
    for (const s of whatIf.suggestions) {
      expect(s.decision).not.toBe('decline');
      expect(s.changes.length).toBeGreaterThanOrEqual(1);
      expect(s.changes.length).toBeLessThanOrEqual(2);
      // re-scoring the changed record gives the promised probability
      const changed = { ...Object.fromEntries(detail.record.map((f) => [f.field, (f as unknown as { value: string | number }).value])), ...Object.fromEntries(s.changes.map((c) => [c.field, (c as unknown as { to: string | number }).to])) };
      const rescored = await ws.app.inject({ method: 'POST', url: '/api/v1/score', payload: { records: [changed] } });
      expect((rescored.json() as { results: { probabilityOfDefault: number }[] }).results[0].probabilityOfDefault).toBeCloseTo(s.probabilityOfDefault, 9);
    }
  });

  it('flags inputs outside the training data', async () => {
    const outlier = { ...SEED_RECORD, creditamount: 19_000 }; // allowed by the schema, beyond German credit's largest (18,424 DM)
    const scored = await as.risk_officer.call('POST', '/api/v1/applications', { records: [outlier] });
    expect(scored.statusCode, scored.body).toBe(200);
    const id = (scored.json() as { items: { id: string }[] }).items[0].id;
    const detail = (await as.risk_officer.call('GET', `/api/v1/applications/${id}`)).json() as { flags: string[]; outOfRange: { field: string }[]; source: string; scoredBy: string };
    expect(detail.flags).toContain('out_of_range');
    expect(detail.outOfRange.map((f) => f.field).sort()).toEqual(['creditamount']);
    expect(detail.source).toBe('workspace');
  });
});

describe('feedback', () => {
  it('is validated, stored at the node only, audited without the note, and becomes a labelled row', async () => {
    const { items } = await list('?decision=decline&pageSize=1');
    const id = items[0].id;
    const bad = await as.risk_officer.call('POST', `/api/v1/applications/${id}/feedback`, { outcome: 'excellent', note: 'x'.repeat(2001), extra: true });
    expect(bad.statusCode).toBe(400);
    expect((bad.json() as { issues: { field: string }[] }).issues.map((i) => i.field).sort()).toEqual(['extra', 'note', 'outcome']);
    expect((await as.risk_officer.call('POST', `/api/v1/applications/${id}/feedback`, [1, 2])).statusCode).toBe(400);
    expect((await as.risk_officer.call('POST', '/api/v1/applications/no-such-id/feedback', { outcome: 'bad' })).statusCode).toBe(404);

    const given = await as.risk_officer.call('POST', `/api/v1/applications/${id}/feedback`, { outcome: 'false-positive', note: 'income verified by phone' });
    expect(given.statusCode).toBe(201);
    const feedback = given.json() as { id: string; outcome: string; note: string };
    expect(feedback).toMatchObject({ outcome: 'false-positive', note: 'income verified by phone' });
    const detail = (await as.auditor.call('GET', `/api/v1/applications/${id}`)).json() as { feedbackOutcome: string; feedback: { id: string }[] };
    expect(detail.feedbackOutcome).toBe('false-positive');
    expect(detail.feedback.map((f) => f.id)).toEqual([feedback.id]);
    expect((await list('?feedback=with')).items.map((a) => a.id)).toEqual([id]);

    const audit = await ws.stores.store.listAudit({ action: 'application.feedback' });
    expect(audit).toHaveLength(1);
    expect(audit[0].subject).toBe(id);
    expect(JSON.stringify(audit[0].details)).not.toContain('income verified');
    expect((await ws.stores.store.verifyAudit()).ok).toBe(true);

    const labelled = await ws.stores.applications.labelledFeedback('german-credit', 100);
    expect(labelled).toEqual([expect.objectContaining({ applicationId: id, feedbackId: feedback.id, label: 0 })]);
    expect(Object.keys(labelled[0].record)).toHaveLength(20);
  });
});

describe('roles, enforced by the server', () => {
  it('risk officers score and give feedback, auditors read, ML engineers get 403, nobody 401', async () => {
    const { items } = await list('?pageSize=1');
    const id = items[0].id;
    const calls: [string, string, unknown?][] = [
      ['GET', '/api/v1/workspace'], ['GET', '/api/v1/applications'], ['GET', `/api/v1/applications/${id}`],
      ['POST', '/api/v1/applications', { records: [SEED_RECORD] }], ['POST', `/api/v1/applications/${id}/feedback`, { outcome: 'good' }],
      ['GET', '/api/v1/audit'], ['GET', '/api/v1/audit/verify'],
    ];
    const problems: string[] = [];
    for (const role of ['risk_officer', 'auditor', 'ml_engineer'] as const) {
      for (const [method, url, body] of calls) {
        const key = `${method} ${url.replace(id, ':id')}`;
        const response = await as[role].call(method, url, body);
        const allowed = roleMayCall(role, WORKSPACE_ROUTE_PERMISSIONS[key]);
        if (allowed ? response.statusCode >= 300 : response.statusCode !== 403) problems.push(`${role} ${key}: ${response.statusCode}`);
      }
    }
    for (const [method, url, body] of calls) {
      const response = await as.nobody.call(method, url, body);
      if (response.statusCode !== 401) problems.push(`anonymous ${method} ${url}: ${response.statusCode}`);
    }
    expect(problems).toEqual([]);
    expect(roleMayCall('auditor', WORKSPACE_ROUTE_PERMISSIONS['POST /api/v1/applications/:id/feedback'])).toBe(false);
    // the owner's bearer token acts as admin
    const owner = await ws.app.inject({ method: 'GET', url: '/api/v1/applications?pageSize=1', headers: { authorization: `Bearer ${OWNER_TOKEN}` } });
    expect(owner.statusCode).toBe(200);
  });

  it('the session lists the workspace routes of the role; every table entry is a route of the node and back', async () => {
    const session = (await as.auditor.call('GET', '/api/v1/session')).json() as { permissions: string[] };
    expect(session.permissions).toContain('GET /api/v1/applications');
    expect(session.permissions).not.toContain('POST /api/v1/applications/:id/feedback');
    expect(session.permissions).not.toContain('GET /api/v1/jobs');
    const missing = Object.keys(WORKSPACE_ROUTE_PERMISSIONS).filter((key) => {
      const [method, url] = key.split(' ');
      return !ws.app.hasRoute({ method: method as 'GET', url });
    });
    expect(missing).toEqual([]);
    const spec = ws.app.swagger() as { paths: Record<string, Record<string, unknown>> };
    const unguarded = Object.entries(spec.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`))
      .filter((key) => key.includes('/api/v1/') && !key.startsWith('HEAD') && !(key in WORKSPACE_ROUTE_PERMISSIONS));
    // the machine scoring API and the owner's approvals keep their own rules
    expect(unguarded.sort()).toEqual(['GET /api/v1/approvals', 'POST /api/v1/approvals/:jobId/approve', 'POST /api/v1/approvals/:jobId/reject', 'POST /api/v1/score']);
  });

  it('offers a one-time setup token for the first admin at first start', async () => {
    expect(ws.stores.setupToken).toMatch(/^fcst_[A-Za-z0-9_-]{20,}$/);
    const setup = await ws.app.inject({ method: 'GET', url: '/api/v1/setup' });
    expect(setup.statusCode).toBe(200);
  });
});

describe('keepScored: false', () => {
  it('keeps nothing the machine API scores', async () => {
    const other = await startNodeWorkspace({ keepScored: false });
    try {
      const scored = await other.app.inject({ method: 'POST', url: '/api/v1/score', payload: { records: [SEED_RECORD] } });
      expect(scored.statusCode).toBe(200);
      expect(await other.stores.applications.count()).toBe(0);
    } finally {
      await other.close();
    }
  });
});
