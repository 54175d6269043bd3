import { describe, expect, it } from 'vitest';
import { parseJobSubmission, privacyConfigOf } from '../../src/coordinator/jobSpec.js';

const base = { datasetKey: 'german-credit', rounds: 20, minNodes: 3 };

describe('job submissions with a privacy section', () => {
  it('completes DP-SGD settings with defaults and the job\'s rounds and epochs; nodes receive them as JSON', () => {
    const parsed = parseJobSubmission({ ...base, hyperparameters: { epochs: 2 }, privacy: { targetEpsilon: 3 } });
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const settings = { delta: 1e-5, maxGradNorm: 1, sampleRate: 0.1, targetEpsilon: 3, mechanism: 'dpsgd', rounds: 20, epochs: 2 };
    expect(parsed.spec.options?.privacy).toEqual(settings);
    expect(JSON.parse(privacyConfigOf(parsed.spec)!)).toEqual(settings);
  });

  it('completes DP-FedAvg settings: noise shared over minNodes, node sampling at fractionFit', () => {
    const parsed = parseJobSubmission({ ...base, hyperparameters: { fractionFit: 0.5 }, privacy: { mechanism: 'dp-fedavg', noiseMultiplier: 1, clipNorm: 0.2 } });
    expect(parsed.ok && parsed.spec.options?.privacy).toEqual({ delta: 1e-5, clipNorm: 0.2, nodeSampleRate: 0.5, numNodes: 3, mechanism: 'dp-fedavg', noiseMultiplier: 1, rounds: 20 });
  });

  it('leaves a non-private job without privacy settings', () => {
    const parsed = parseJobSubmission(base);
    expect(parsed.ok && privacyConfigOf(parsed.spec)).toBeUndefined();
  });

  it.each([
    [{ privacy: 3 }, 'privacy', 'wrong_type'],
    [{ privacy: { mechanism: 'local', targetEpsilon: 1 } }, 'privacy.mechanism', 'unknown_value'],
    [{ privacy: { targetEpsilon: 1, rounds: 5 } }, 'privacy.rounds', 'unknown_field'],
    [{ privacy: { targetEpsilon: 1, clipNorm: 1 } }, 'privacy.clipNorm', 'unknown_field'],
    [{ privacy: {} }, 'privacy.noiseMultiplier', 'out_of_range'],
    [{ privacy: { targetEpsilon: 1, noiseMultiplier: 1 } }, 'privacy.noiseMultiplier', 'out_of_range'],
    [{ privacy: { targetEpsilon: 1, sampleRate: 2 } }, 'privacy.sampleRate', 'out_of_range'],
    [{ privacy: { targetEpsilon: 0.01 } }, 'privacy.targetEpsilon', 'out_of_range'],
    [{ strategy: 'fedprox', privacy: { targetEpsilon: 1 } }, 'privacy', 'out_of_range'],
    [{ hyperparameters: { classWeights: 'balanced' }, privacy: { targetEpsilon: 1 } }, 'privacy', 'out_of_range'],
  ])('reports %j', (patch, field, code) => {
    const parsed = parseJobSubmission({ ...base, ...patch });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.issues).toContainEqual(expect.objectContaining({ field, code }));
  });
});
