import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { calibrateForBudget } from '../../src/privacy/plan.js';
import { simulate } from '../../src/simulation/simulate.js';
import { simulationOptions, simulationPrivacy } from '../../src/simulation/options.js';

describe('simulate with record-level DP-SGD', () => {
  const options = simulationOptions({ dataset: { builtin: 'german' }, numNodes: 3, rounds: 5, seed: 4, baselines: false, evaluateEveryRound: false, dp: { epsilon: 2, sampleRate: 0.2, maxGradNorm: 0.5 } });

  it('calibrates σ for rounds × epochs × round(1/q) steps and reports it', async () => {
    const privacy = simulationPrivacy(options)!;
    expect(privacy.noiseMultiplier).toBe(calibrateForBudget({ targetEpsilon: 2, delta: 1e-5, sampleRate: 0.2, steps: 25 }));
    const report = await simulate(options);
    expect(report.config.privacy).toEqual({ mechanism: 'dpsgd', targetEpsilon: 2, delta: 1e-5, maxGradNorm: 0.5, sampleRate: 0.2, noiseMultiplier: privacy.noiseMultiplier, stepsPerRound: 5, plannedEpsilon: privacy.plannedEpsilon });
    expect(privacy.plannedEpsilon).toBeLessThanOrEqual(2);
    expect(report.federated.auc).toBeGreaterThan(0.55);
    // the local loss is not released by private nodes
    expect(Number.isNaN(report.rounds[0].trainLoss)).toBe(true);
  });

  it('is deterministic (seeded DP randomness) and differs from the non-private run', async () => {
    const a = await simulate(options);
    const b = await simulate(options);
    const plain = await simulate({ ...options, dp: undefined });
    expect(a.model.parameters).toEqual(b.model.parameters);
    expect(a.model.parameters).not.toEqual(plain.model.parameters);
  });

  it('rejects impossible DP options with a ConfigError naming the flag', () => {
    const base = { dataset: { builtin: 'german' as const } };
    expect(() => simulationOptions({ ...base, dp: { epsilon: 0 } })).toThrow(/dp-epsilon/);
    expect(() => simulationOptions({ ...base, dp: { epsilon: 1, delta: 0.5 } })).toThrow(/dp-delta/);
    expect(() => simulationOptions({ ...base, dp: { epsilon: 1, sampleRate: 0 } })).toThrow(/dp-sample-rate/);
    expect(() => simulationOptions({ ...base, dp: { epsilon: 1, maxGradNorm: -1 } })).toThrow(/dp-max-grad-norm/);
    expect(() => simulationOptions({ ...base, strategy: 'fedprox', dp: { epsilon: 1 } })).toThrow(ConfigError);
    expect(() => simulationOptions({ ...base, dp: { epsilon: 0.001 } })).toThrow(/dp: targetEpsilon/);
  });
});
