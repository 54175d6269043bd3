/**
 * Privacy spent per lender in the model report: a lender in every round spent the whole plan
 * (the ε a node admits the job with); fewer rounds spend less under DP-SGD; under DP-FedAvg
 * every round up to the lender's last counts; no privacy section, no spend.
 */
import { describe, expect, it } from 'vitest';
import { resolvePrivacy, type PrivacySettings } from '../../src/privacy/plan.js';
import { privacySpent } from '../../src/report/privacySpent.js';
import type { JobRecord, RoundRecord } from '../../src/store/index.js';

const job = (privacy?: PrivacySettings): JobRecord => ({
  id: 'job-1', status: 'completed', createdBy: 'mel', createdAt: 0, updatedAt: 0, currentRound: 4,
  spec: { datasetKey: 'german-credit', model: 'logreg', strategy: 'fedavg', hyperparameters: { epochs: 1 }, rounds: 4, minNodes: 2, roundTimeoutMs: 60_000, seed: 1, options: privacy ? { privacy: { ...privacy } } : {} },
});
const round = (r: number, participants: string[], status: RoundRecord['status'] = 'committed'): RoundRecord => ({ jobId: 'job-1', round: r, status, startedAt: 0, participants, metrics: {} });
const rounds = [round(1, ['a', 'b']), round(2, ['a', 'b']), round(3, ['a']), round(4, ['a', 'b']), round(5, ['a', 'b'], 'running')];

describe('privacy spent per lender', () => {
  it('DP-SGD: the whole plan for a lender in every round, less for one that missed a round', () => {
    const settings: PrivacySettings = { mechanism: 'dpsgd', targetEpsilon: 3, delta: 1e-5, maxGradNorm: 1, sampleRate: 0.1, rounds: 4, epochs: 1 };
    const spent = privacySpent(job(settings), rounds)!;
    const plan = resolvePrivacy(settings);
    expect(spent.mechanism).toBe('dpsgd');
    expect(spent.plannedEpsilon).toBeCloseTo(plan.plannedEpsilon, 12);
    expect(spent.plannedEpsilon).toBeLessThanOrEqual(3);
    const [a, b] = spent.nodes;
    expect([a.nodeId, a.rounds, a.steps]).toEqual(['a', 4, 4 * plan.stepsPerRound]);
    expect(a.epsilon).toBeCloseTo(plan.plannedEpsilon, 9);
    expect([b.nodeId, b.rounds, b.steps]).toEqual(['b', 3, 3 * plan.stepsPerRound]);
    expect(b.epsilon).toBeLessThan(a.epsilon);
    expect(b.epsilon).toBeGreaterThan(0);
    expect(a.delta).toBe(1e-5);
  });

  it('DP-FedAvg: every round up to the lender’s last one counts, sampled or not', () => {
    const settings: PrivacySettings = { mechanism: 'dp-fedavg', noiseMultiplier: 1.2, delta: 1e-5, clipNorm: 1, nodeSampleRate: 1, numNodes: 2, rounds: 4 };
    // b is left out of round 2 and is not in round 4: charged rounds 1–3
    const spent = privacySpent(job(settings), [round(1, ['a', 'b']), round(2, ['a']), round(3, ['a', 'b']), round(4, ['a'])])!;
    const [a, b] = spent.nodes;
    expect([a.rounds, a.steps, b.rounds, b.steps]).toEqual([4, 4, 2, 3]);
    expect(a.epsilon).toBeCloseTo(spent.plannedEpsilon, 9);
    expect(b.epsilon).toBeLessThan(a.epsilon);
  });

  it('no privacy section: nothing spent; corrupt settings: an error, not a number', () => {
    expect(privacySpent(job(), rounds)).toBeUndefined();
    const broken = job();
    expect(() => privacySpent({ ...broken, spec: { ...broken.spec, options: { privacy: { mechanism: 'dpsgd' } } } }, rounds)).toThrow(RangeError);
  });
});
