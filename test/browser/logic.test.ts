/**
 * The dashboard's pure logic, in node (no browser): expiry timing, which pages each role sees
 * (checked against the server's own permissions table), error messages, the applicant form's
 * record (checked against the server's request parser), and the chart series (hand-computed).
 */
import { describe, expect, it } from 'vitest';
import { germanSchema } from '../../src/data/builtin/german.js';
import { parseRecords } from '../../src/scoring/validate.js';
import { routesForRole } from '../../src/web/permissions.js';
import { describeError, waitInWords } from '../../web/src/api/messages.js';
import type { FormColumn, NodeInfo, Round } from '../../web/src/api/types.js';
import { participationByInstitution, roundSeries } from '../../web/src/pages/federation/series.js';
import { exampleValues, recordFromForm } from '../../web/src/pages/risk/record.js';
import { landingPath, pagesFor } from '../../web/src/session/access.js';
import { countdown, expiryPhase, msUntilNextPhase } from '../../web/src/session/timing.js';

describe('session timing', () => {
  // timeout 15 min → warning 2 min before (docs/web-api.md §3): deadlines at t = 780 s and 900 s
  const deadlines = { warningAt: 780_000, expiresAt: 900_000 };

  it('phases at, just before and just after each deadline', () => {
    expect(expiryPhase(779_999, deadlines)).toBe('active');
    expect(expiryPhase(780_000, deadlines)).toBe('warning');
    expect(expiryPhase(899_999, deadlines)).toBe('warning');
    expect(expiryPhase(900_000, deadlines)).toBe('expired');
  });

  it('wakes at the next deadline, never in a tight loop, and not at all once expired', () => {
    expect(msUntilNextPhase(0, deadlines)).toBe(780_000);
    expect(msUntilNextPhase(780_000, deadlines)).toBe(120_000);
    expect(msUntilNextPhase(899_900, deadlines)).toBe(250); // 100 ms left: wait the minimum
    expect(msUntilNextPhase(900_000, deadlines)).toBeUndefined();
  });

  it('counts down in m:ss, rounding up and never negative', () => {
    expect(countdown(65_000)).toBe('1:05');
    expect(countdown(9_001)).toBe('0:10');
    expect(countdown(0)).toBe('0:00');
    expect(countdown(-5_000)).toBe('0:00');
  });
});

describe('pages per role, from the server’s permissions table', () => {
  const pages = (role: Parameters<typeof routesForRole>[0]) => pagesFor(routesForRole(role)).map((p) => p.path);

  it('each role sees the pages of the issue', () => {
    expect(pages('admin')).toEqual(['/federation', '/risk', '/audit', '/users', '/profile', '/settings']);
    expect(pages('ml_engineer')).toEqual(['/federation', '/profile', '/settings']);
    expect(pages('risk_officer')).toEqual(['/risk', '/profile', '/settings']);
    expect(pages('auditor')).toEqual(['/federation', '/audit', '/profile', '/settings']);
  });

  it('lands on the first page the role may use; a session during TOTP enrolment (no permissions) on the profile', () => {
    expect(landingPath(routesForRole('risk_officer'))).toBe('/risk');
    expect(landingPath(routesForRole('auditor'))).toBe('/federation');
    expect(landingPath([])).toBe('/profile');
    expect(pagesFor([])).toEqual([]);
  });
});

describe('error messages', () => {
  it('says how long a lock or a rate limit lasts, from Retry-After', () => {
    expect(describeError({ status: 429, code: 'locked', message: '', retryAfterSeconds: 900 })).toBe('Too many failed attempts: this account is locked. Try again in 15 minutes, or ask an administrator to unlock it.');
    expect(describeError({ status: 429, code: 'locked', message: '', retryAfterSeconds: 61 })).toMatch(/Try again in 2 minutes/);
    expect(describeError({ status: 429, code: 'rate_limited', message: '', retryAfterSeconds: 42 })).toBe('Too many attempts from this address. Wait 42 seconds and try again.');
    expect(waitInWords(1)).toBe('1 second');
    expect(waitInWords(60)).toBe('1 minute');
    expect(waitInWords(Number.NaN)).toBe('a moment');
  });

  it('lists the weak-password reasons and falls back to the server’s message', () => {
    expect(describeError({ status: 400, code: 'weak_password', message: 'x', issues: [{ code: 'too_short' }, { code: 'common' }] })).toBe('Choose a stronger password: use at least 12 characters; it is on the list of common passwords.');
    expect(describeError({ status: 409, code: 'conflict', message: 'the last active admin cannot be disabled' })).toBe('the last active admin cannot be disabled');
    expect(describeError({ status: 500, code: 'internal', message: '' })).toBe('The coordinator answered 500.');
  });
});

describe('the applicant form', () => {
  const columns: FormColumn[] = germanSchema.columns.map((c) => ({ ...c, usedByModel: !c.protected }));

  it('the example applicant is a record the server’s parser accepts (UCI German row 1)', () => {
    const form = recordFromForm(columns, exampleValues('german', columns));
    expect(form.ok).toBe(true);
    if (!form.ok) return;
    expect(form.record).toMatchObject({ existingchecking: 'A11', duration: 6, creditamount: 1169, age: 67, foreignworker: 'A201' });
    expect(parseRecords([form.record], germanSchema).ok).toBe(true);
  });

  it('names every missing or malformed field in the form’s words', () => {
    const values = { ...exampleValues('german', columns), duration: '', creditamount: '1e3', purpose: 'A99' };
    const form = recordFromForm(columns, values);
    expect(form.ok).toBe(false);
    if (form.ok) return;
    expect(form.problems).toEqual([
      { field: 'duration', message: 'Duration of the credit: required' },
      { field: 'purpose', message: 'Purpose of the credit: choose one of the listed values' },
      { field: 'creditamount', message: 'Credit amount: expected a number, got “1e3”' },
    ]);
  });

  it('other schemas start from the first code and the lower bound', () => {
    const cols: FormColumn[] = [
      { name: 'income', kind: 'numeric', min: 100, usedByModel: true },
      { name: 'region', kind: 'categorical', categories: ['north', 'south'], usedByModel: true },
    ];
    expect(exampleValues('custom', cols)).toEqual({ income: '100', region: 'north' });
  });
});

describe('chart series', () => {
  const round = (n: number, participants: string[], metrics: Round['metrics']): Round => ({ round: n, status: 'committed', startedAt: 0, participants, metrics });
  const nodes: NodeInfo[] = [
    { id: 'node-a1', institutionId: 'i-a', institution: 'Bank A', online: true, createdAt: 0 },
    { id: 'node-a2', institutionId: 'i-a', institution: 'Bank A', online: true, createdAt: 0 },
    { id: 'node-b1', institutionId: 'i-b', institution: 'Bank B', online: false, createdAt: 0 },
  ];

  it('orders rounds, keeps gaps as null', () => {
    const points = roundSeries([round(2, ['node-a1'], { auc: 0.8, trainLoss: 0.5 }), round(1, ['node-a1', 'node-b1'], { auc: 0.7, ks: 0.3, trainLoss: null })]);
    expect(points).toEqual([
      { round: 1, auc: 0.7, ks: 0.3, trainLoss: null, logLoss: null, numExamples: null, participants: 2 },
      { round: 2, auc: 0.8, ks: null, trainLoss: 0.5, logLoss: null, numExamples: null, participants: 1 },
    ]);
  });

  it('counts participants per institution per round (hand-counted), labelling unknown nodes', () => {
    const result = participationByInstitution([round(1, ['node-a1', 'node-a2', 'node-b1'], {}), round(2, ['node-a2', 'node-x9999999999'], {})], nodes);
    expect(result.institutions).toEqual(['Bank A', 'Bank B', 'node node-x99']);
    expect(result.rows).toEqual([
      { round: 1, 'Bank A': 2, 'Bank B': 1, 'node node-x99': 0 },
      { round: 2, 'Bank A': 1, 'Bank B': 0, 'node node-x99': 1 },
    ]);
    // a role that may not list nodes sees node labels only
    expect(participationByInstitution([round(1, ['node-a1'], {})], undefined).institutions).toEqual(['node node-a1']);
  });
});
