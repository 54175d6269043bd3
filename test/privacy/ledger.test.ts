import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { epsilonOfCost } from '../../src/privacy/cost.js';
import { PrivacyBudgetError, PrivacyLedger, formatDelta } from '../../src/privacy/ledger.js';
import { calibrateForBudget } from '../../src/privacy/plan.js';

const dir = mkdtempSync(join(tmpdir(), 'fedcredit-ledger-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileCounter = 0;
const freshFile = () => join(dir, `ledger-${++fileCounter}.json`);

const budgets = { 'german-credit': { epsilon: 3, delta: 1e-5 } };
/** A DP-SGD plan of `rounds` rounds × 10 steps at q = 0.1 whose total ε is `epsilon`. */
const plan = (jobId: string, epsilon: number, rounds = 10) => {
  const noiseMultiplier = calibrateForBudget({ targetEpsilon: epsilon, delta: 1e-5, sampleRate: 0.1, steps: rounds * 10 });
  const cost = { mechanism: 'sgm' as const, noiseMultiplier, sampleRate: 0.1, steps: rounds * 10 };
  return { datasetKey: 'german-credit', jobId, kind: 'dpsgd' as const, cost, epsilon: epsilonOfCost(cost, 1e-5), delta: 1e-5 };
};
const roundCharge = (p: ReturnType<typeof plan>, round: number) => {
  const cost = { ...p.cost, steps: 10 };
  return { key: `${p.jobId}:${round}`, datasetKey: p.datasetKey, jobId: p.jobId, kind: p.kind, cost, epsilon: epsilonOfCost(cost, 1e-5), delta: 1e-5, details: { round } };
};

describe('PrivacyLedger', () => {
  it('reserves a plan that fits and refuses one that does not, saying what is left', () => {
    const ledger = PrivacyLedger.open({ budgets });
    ledger.reserve(plan('job-a', 2));
    expect(ledger.remaining('german-credit')).toBeCloseTo(3 - plan('job-a', 2).epsilon, 10);
    let error: unknown;
    try {
      ledger.reserve(plan('job-b', 2.5));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(PrivacyBudgetError);
    expect((error as PrivacyBudgetError).code).toBe('PRIVACY_BUDGET_EXCEEDED');
    expect((error as Error).message).toMatch(/^dataset german-credit: job needs ε=2\.\d\d, δ=1e-5; remaining ε=1\.0\d of 3\.00$/);
    expect(ledger.reservation('job-b')).toBeUndefined();
  });

  it('composes jobs through RDP: three plans of ε = 1.6 fit a budget of 3 (4.8 by adding ε), a fourth does not', () => {
    const ledger = PrivacyLedger.open({ budgets });
    for (const jobId of ['job-a', 'job-b', 'job-c']) ledger.reserve(plan(jobId, 1.6));
    expect(ledger.remaining('german-credit')).toBeGreaterThan(0);
    expect(() => ledger.reserve(plan('job-d', 1.6))).toThrow(/remaining ε=0\.\d\d of 3\.00/);
  });

  it('refuses a δ above the budget\'s δ', () => {
    const ledger = PrivacyLedger.open({ budgets });
    expect(() => ledger.reserve({ ...plan('job-a', 1), delta: 1e-4 })).toThrow(/needs δ=1e-4; the owner's budget allows δ=1e-5/);
  });

  it('charges rounds against the reservation, releases it once the plan is spent, and never goes past the plan', () => {
    const ledger = PrivacyLedger.open({ budgets });
    const p = plan('job-a', 1.5, 3);
    ledger.reserve(p);
    for (let r = 1; r <= 3; r++) expect(ledger.charge(roundCharge(p, r)).created).toBe(true);
    expect(ledger.reservation('job-a')).toBeUndefined();
    expect(ledger.spent('german-credit')).toBeCloseTo(p.epsilon, 10);
    ledger.reserve(plan('job-b', 0.5, 3)); // job-b holds budget; job-a has no reservation left
    expect(() => ledger.charge({ ...roundCharge(p, 4) })).not.toThrow(); // outside a plan: must fit the budget, which it does
    const bigger = { ...roundCharge(plan('job-b', 0.5, 3), 1), cost: { ...plan('job-b', 0.5, 3).cost, steps: 31 } };
    expect(() => ledger.charge(bigger)).toThrow(expect.objectContaining({ code: 'PRIVACY_PLAN_EXCEEDED' }));
  });

  it('is idempotent: replaying a charge key charges once; the same key with other values is a conflict', () => {
    const ledger = PrivacyLedger.open({ budgets });
    const p = plan('job-a', 2, 5);
    ledger.reserve(p);
    const first = ledger.charge(roundCharge(p, 1));
    const again = ledger.charge(roundCharge(p, 1));
    expect(again.created).toBe(false);
    expect(again.entry).toEqual(first.entry);
    expect(ledger.list('german-credit')).toHaveLength(1);
    expect(() => ledger.charge({ ...roundCharge(p, 1), cost: { ...p.cost, steps: 20 } })).toThrow(expect.objectContaining({ code: 'PRIVACY_CONFLICT' }));
  });

  it('dry runs check without recording', () => {
    const ledger = PrivacyLedger.open({ budgets });
    const p = plan('job-a', 2, 5);
    ledger.reserve(p);
    ledger.charge(roundCharge(p, 1), { dryRun: true });
    expect(ledger.list()).toHaveLength(0);
  });

  it('charges analytics outside any plan only while they fit', () => {
    const ledger = PrivacyLedger.open({ budgets });
    const query = (id: string, epsilon: number) => ({ key: `analytics:q:${id}`, datasetKey: 'german-credit', jobId: 'q', kind: 'analytics' as const, cost: { mechanism: 'laplace' as const, epsilon, parts: 1 }, epsilon, delta: 0 });
    ledger.charge(query('1', 1));
    ledger.charge(query('2', 1.5));
    expect(ledger.spent('german-credit')).toBeCloseTo(2.5, 12); // pure ε adds up exactly
    expect(() => ledger.charge(query('3', 0.6))).toThrow(/query needs ε=0\.60, δ=0e\+0; remaining ε=0\.50 of 3\.00/);
    expect(ledger.remaining('german-credit')).toBeCloseTo(0.5, 12);
  });

  it('survives a restart: charges persist, reservations are released (or kept when asked), and the file is written atomically', () => {
    const file = freshFile();
    const ledger = PrivacyLedger.open({ file, budgets, now: () => 1234 });
    const p = plan('job-a', 2, 4);
    ledger.reserve(p);
    ledger.charge(roundCharge(p, 1));
    const body = JSON.parse(readFileSync(file, 'utf8'));
    expect(body.format).toBe('fedcredit-privacy-ledger');
    expect(body.entries).toHaveLength(1);
    expect(body.entries[0]).toMatchObject({ key: 'job-a:1', jobId: 'job-a', datasetKey: 'german-credit', kind: 'dpsgd', at: 1234, details: { round: 1 } });
    expect(body.reservations).toHaveLength(1);

    const kept = PrivacyLedger.open({ file, budgets });
    expect(kept.reservation('job-a')).toBeDefined();
    const restarted = PrivacyLedger.open({ file, budgets, releaseReservations: true });
    expect(restarted.reservation('job-a')).toBeUndefined();
    expect(restarted.list()).toHaveLength(1);
    expect(restarted.spent('german-credit')).toBeCloseTo(ledger.spent('german-credit'), 12);
    expect(JSON.parse(readFileSync(file, 'utf8')).reservations).toHaveLength(0);
    // the resumed job reserves what is left of its plan: 3 rounds, not 4
    restarted.reserve(p);
    const left = 3 - restarted.spent('german-credit');
    expect(restarted.remaining('german-credit')).toBeLessThan(left);
    for (let r = 2; r <= 4; r++) restarted.charge(roundCharge(p, r));
    expect(restarted.reservation('job-a')).toBeUndefined();
    expect(restarted.spent('german-credit')).toBeCloseTo(p.epsilon, 10);
  });

  it('refuses to start over a damaged file rather than forget spends', () => {
    const file = freshFile();
    writeFileSync(file, '{ not json');
    expect(() => PrivacyLedger.open({ file, budgets })).toThrow(ConfigError);
    writeFileSync(file, JSON.stringify({ format: 'fedcredit-privacy-ledger', version: 1, entries: [{ key: 'k', jobId: 'j', datasetKey: 'd', kind: 'dpsgd', cost: { mechanism: 'sgm', noiseMultiplier: -1, sampleRate: 0.1, steps: 1 }, epsilon: 1, delta: 0, at: 1, details: {} }], reservations: [] }));
    expect(() => PrivacyLedger.open({ file, budgets })).toThrow(/entries\[0\]\.cost\.noiseMultiplier/);
    writeFileSync(file, JSON.stringify({ format: 'other', version: 1, entries: [], reservations: [] }));
    expect(() => PrivacyLedger.open({ file, budgets })).toThrow(/expected \{ "format"/);
  });

  it('summarises per dataset and per job', () => {
    const ledger = PrivacyLedger.open({ budgets: { ...budgets, retail: { epsilon: 1, delta: 1e-6 } } });
    const p = plan('job-a', 2, 4);
    ledger.reserve(p);
    ledger.charge(roundCharge(p, 1));
    const [german, retail] = ledger.summary();
    expect(german.datasetKey).toBe('german-credit');
    expect(german.jobs).toEqual([{ jobId: 'job-a', kind: 'dpsgd', charges: 1, epsilon: german.spentEpsilon, reserved: true }]);
    expect(german.committedEpsilon).toBeCloseTo(p.epsilon, 10);
    expect(german.remainingEpsilon).toBeCloseTo(3 - p.epsilon, 10);
    expect(retail).toEqual({ datasetKey: 'retail', budget: { epsilon: 1, delta: 1e-6 }, spentEpsilon: 0, committedEpsilon: 0, remainingEpsilon: 1, jobs: [] });
  });

  it('records spends on a dataset without a budget but never refuses them', () => {
    const ledger = PrivacyLedger.open({});
    const p = { ...plan('job-a', 50), datasetKey: 'open' };
    expect(() => ledger.charge({ ...roundCharge(p, 1) })).not.toThrow();
    expect(ledger.remaining('open')).toBeUndefined();
    expect(ledger.spent('open')).toBeGreaterThan(0);
  });

  it('rejects bad budgets and arguments', () => {
    expect(() => PrivacyLedger.open({ budgets: { x: { epsilon: 0, delta: 1e-5 } } })).toThrow(/budgets.x.epsilon/);
    expect(() => PrivacyLedger.open({ budgets: { x: { epsilon: 1, delta: 1 } } })).toThrow(/budgets.x.delta/);
    expect(() => PrivacyLedger.open({ file: '' })).toThrow(TypeError);
    const ledger = PrivacyLedger.open({ budgets });
    expect(() => ledger.reserve({ ...plan('j', 1), jobId: '' })).toThrow(/jobId/);
    expect(() => ledger.reserve({ ...plan('j', 1), kind: 'x' as never })).toThrow(/kind/);
    expect(() => ledger.charge({ ...roundCharge(plan('j', 1), 1), epsilon: Number.NaN })).toThrow(/epsilon/);
  });

  it('formats δ in short scientific notation', () => {
    expect(formatDelta(1e-5)).toBe('1e-5');
    expect(formatDelta(2.5e-7)).toBe('2.5e-7');
  });
});
