/**
 * Privacy spent per dataset and lender across jobs, checked against the accountant itself
 * (src/privacy/cost.ts and rdp.ts): two equal jobs compose to one job with the summed steps
 * (not to the sum of their ε); failed, cancelled and running jobs count by their committed
 * rounds; different mechanisms add their RDP curves; different δ convert at the largest one;
 * other dataset keys, non-private jobs and unreadable settings stay apart.
 */
import { describe, expect, it } from 'vitest';
import { privacyTotals, type JobWithRounds } from '../../src/coordinator/privacyTotals.js';
import { epsilonOfCost, rdpOfCost } from '../../src/privacy/cost.js';
import { resolvePrivacy, type PrivacySettings } from '../../src/privacy/plan.js';
import { DEFAULT_ORDERS, getPrivacySpent } from '../../src/privacy/rdp.js';
import type { JobRecord, JobStatus, RoundRecord } from '../../src/store/index.js';

const DPSGD: PrivacySettings = { mechanism: 'dpsgd', noiseMultiplier: 1.1, delta: 1e-5, maxGradNorm: 1, sampleRate: 0.1, rounds: 4, epochs: 1 };
const FEDAVG: PrivacySettings = { mechanism: 'dp-fedavg', noiseMultiplier: 1.3, delta: 1e-5, clipNorm: 1, nodeSampleRate: 0.5, numNodes: 2, rounds: 4 };

let clock = 0;
function job(id: string, privacy: unknown, options: { status?: JobStatus; datasetKey?: string } = {}): JobRecord {
  return {
    id, status: options.status ?? 'completed', createdBy: 'mel', createdAt: ++clock, updatedAt: clock, currentRound: 4,
    spec: { datasetKey: options.datasetKey ?? 'german-credit', model: 'logreg', strategy: 'fedavg', hyperparameters: { epochs: 1 }, rounds: 4, minNodes: 2, roundTimeoutMs: 60_000, seed: 1, options: privacy === undefined ? {} : { privacy: privacy as Record<string, unknown> } },
  } as JobRecord;
}
const rounds = (jobId: string, participants: string[][], lastRunning = false): RoundRecord[] =>
  participants.map((p, i) => ({ jobId, round: i + 1, status: lastRunning && i === participants.length - 1 ? 'running' : 'committed', startedAt: 0, participants: p, metrics: {} }));
const all4 = (jobId: string, nodes = ['a', 'b']) => rounds(jobId, [nodes, nodes, nodes, nodes]);

describe('privacy spent across jobs', () => {
  it('two equal DP-SGD jobs compose to one job with the summed steps, not to the sum of their ε', () => {
    const plan = resolvePrivacy(DPSGD);
    const jobs: JobWithRounds[] = [
      { job: job('j1', DPSGD), rounds: all4('j1') },
      { job: job('j2', DPSGD), rounds: rounds('j2', [['a', 'b'], ['a', 'b'], ['a'], ['a']]) },
    ];
    const totals = privacyTotals(jobs);
    expect(totals.unreadable).toEqual([]);
    expect(totals.datasets.map((d) => [d.datasetKey, d.jobs])).toEqual([['german-credit', 2]]);
    const [a, b] = totals.datasets[0].lenders;
    expect([a.nodeId, a.jobs, a.rounds, b.nodeId, b.jobs, b.rounds]).toEqual(['a', 2, 8, 'b', 2, 6]);
    const cost = (steps: number) => ({ mechanism: 'sgm' as const, noiseMultiplier: 1.1, sampleRate: 0.1, steps });
    // a: 8 rounds of 10 steps in all = one job of 80 steps
    expect(plan.stepsPerRound).toBe(10);
    expect(a.epsilon).toBeCloseTo(epsilonOfCost(cost(80), 1e-5), 12);
    expect(b.epsilon).toBeCloseTo(epsilonOfCost(cost(60), 1e-5), 12);
    const [first, second] = a.breakdown;
    expect([first.jobId, first.mechanism, first.steps, second.jobId, second.steps]).toEqual(['j1', 'dpsgd', 40, 'j2', 40]);
    expect(first.epsilon).toBeCloseTo(epsilonOfCost(cost(40), 1e-5), 12);
    expect(first.epsilon).toBeCloseTo(plan.plannedEpsilon, 9);
    // composition is sublinear here: well under the sum of the two jobs' ε, above either alone
    expect(a.epsilon).toBeLessThan(first.epsilon + second.epsilon - 0.1);
    expect(a.epsilon).toBeGreaterThan(first.epsilon);
    expect([a.delta, a.mixedDelta]).toEqual([1e-5, false]);
  });

  it('failed, cancelled and running jobs count by their committed rounds; pending and refused jobs by none', () => {
    const totals = privacyTotals([
      { job: job('failed', DPSGD, { status: 'failed' }), rounds: rounds('failed', [['a', 'b'], ['a', 'b']]) },
      { job: job('running', DPSGD, { status: 'running' }), rounds: rounds('running', [['a'], ['a', 'b']], true) },
      { job: job('cancelled', DPSGD, { status: 'cancelled' }), rounds: rounds('cancelled', [['b']]) },
      { job: job('refused', DPSGD, { status: 'failed' }), rounds: [] },
      { job: job('pending', DPSGD, { status: 'pending' }), rounds: [] },
    ]);
    const [a, b] = totals.datasets[0].lenders;
    expect(totals.datasets[0].jobs).toBe(3);
    expect(a.breakdown.map((l) => [l.jobId, l.status, l.rounds])).toEqual([['failed', 'failed', 2], ['running', 'running', 1]]);
    expect(b.breakdown.map((l) => [l.jobId, l.rounds])).toEqual([['failed', 2], ['cancelled', 1]]);
    const sgm = (steps: number) => ({ mechanism: 'sgm' as const, noiseMultiplier: 1.1, sampleRate: 0.1, steps });
    expect(a.epsilon).toBeCloseTo(epsilonOfCost(sgm(30), 1e-5), 12);
    expect(b.epsilon).toBeCloseTo(epsilonOfCost(sgm(30), 1e-5), 12);
  });

  it('DP-SGD and DP-FedAvg on one dataset: their RDP curves add up before the one conversion', () => {
    // under DP-FedAvg b, absent from round 2 and 4, is charged every round up to its last (3)
    const totals = privacyTotals([
      { job: job('sgd', DPSGD), rounds: all4('sgd') },
      { job: job('avg', FEDAVG), rounds: rounds('avg', [['a', 'b'], ['a'], ['a', 'b'], ['a']]) },
    ]);
    const [a, b] = totals.datasets[0].lenders;
    expect(b.breakdown.map((l) => [l.mechanism, l.steps])).toEqual([['dpsgd', 40], ['dp-fedavg', 3]]);
    const curve = (steps: number) => {
      const sgd = rdpOfCost({ mechanism: 'sgm', noiseMultiplier: 1.1, sampleRate: 0.1, steps: 40 });
      const avg = rdpOfCost({ mechanism: 'sgm', noiseMultiplier: 1.3, sampleRate: 0.5, steps });
      return Float64Array.from(sgd, (r, k) => r + avg[k]);
    };
    expect(a.epsilon).toBeCloseTo(getPrivacySpent({ orders: DEFAULT_ORDERS, rdp: curve(4), delta: 1e-5 }).epsilon, 12);
    expect(b.epsilon).toBeCloseTo(getPrivacySpent({ orders: DEFAULT_ORDERS, rdp: curve(3), delta: 1e-5 }).epsilon, 12);
  });

  it('jobs at different δ: converted once at the largest δ, flagged, each job keeping its own (ε, δ)', () => {
    const small = { ...DPSGD, delta: 1e-7 } as PrivacySettings;
    const totals = privacyTotals([
      { job: job('strict', small), rounds: all4('strict', ['a']) },
      { job: job('usual', DPSGD), rounds: all4('usual', ['a']) },
    ]);
    const [a] = totals.datasets[0].lenders;
    expect([a.delta, a.mixedDelta]).toEqual([1e-5, true]);
    expect(a.breakdown.map((l) => l.delta)).toEqual([1e-7, 1e-5]);
    const sgm80 = { mechanism: 'sgm' as const, noiseMultiplier: 1.1, sampleRate: 0.1, steps: 80 };
    expect(a.epsilon).toBeCloseTo(epsilonOfCost(sgm80, 1e-5), 12);
    // a stricter δ for the whole would cost more ε: the figure is the guarantee at δ = 1e-5
    expect(epsilonOfCost(sgm80, 1e-7)).toBeGreaterThan(a.epsilon);
    expect(a.breakdown[0].epsilon).toBeGreaterThan(a.breakdown[1].epsilon);
  });

  it('keeps dataset keys apart, skips jobs without privacy, lists unreadable settings instead of guessing', () => {
    const totals = privacyTotals([
      { job: job('plain', undefined), rounds: all4('plain') },
      { job: job('other', DPSGD, { datasetKey: 'credit-data' }), rounds: all4('other', ['c']) },
      { job: job('gc', DPSGD), rounds: all4('gc', ['a']) },
      { job: job('broken', { mechanism: 'dpsgd', delta: 2 }), rounds: all4('broken') },
    ]);
    expect(totals.datasets.map((d) => [d.datasetKey, d.lenders.map((l) => l.nodeId)])).toEqual([['credit-data', ['c']], ['german-credit', ['a']]]);
    expect(totals.unreadable.map((u) => u.jobId)).toEqual(['broken']);
    expect(totals.unreadable[0].reason).toMatch(/delta/);
    expect(privacyTotals([])).toEqual({ datasets: [], unreadable: [] });
    expect(() => privacyTotals('jobs' as unknown as JobWithRounds[])).toThrow(TypeError);
  });
});
