import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/simulation/simulate.js';
import { simulationOptions } from '../../src/simulation/options.js';
import { ConfigError } from '../../src/errors.js';

describe('simulate', () => {
  it('federates German credit over 5 IID nodes to the pooled quality, beating each node alone', async () => {
    const report = await simulate(simulationOptions({ dataset: { builtin: 'german' }, numNodes: 5, rounds: 30, seed: 7, cvFolds: 0 }));
    expect(report.rounds).toHaveLength(30);
    expect(report.federated.auc).toBeGreaterThan(0.7);
    // the federation reaches the pooled reference on the same rows (one split is noisy: 0.03 slack)
    expect(report.federated.auc).toBeGreaterThan(report.pooled!.auc - 0.03);
    expect(report.federated.auc).toBeGreaterThan(report.localOnly!.meanAuc);
    expect(report.localOnly!.perNode).toHaveLength(5);
    // histogram-based federated AUC (no score leaves a node) matches the exact one
    expect(Math.abs(report.federated.aucFromHistograms! - report.federated.auc)).toBeLessThanOrEqual(0.002);
    // training improves on the first round
    expect(report.rounds[29].auc!).toBeGreaterThan(report.rounds[0].auc! - 0.01);
  });

  it('is deterministic: the same seed gives the same model bit for bit, another seed another model', async () => {
    const opts = { dataset: { builtin: 'german' as const }, numNodes: 4, rounds: 5, partition: { scheme: 'dirichlet' as const, alpha: 0.5 }, model: { kind: 'mlp' as const, config: { hidden: [8] } }, baselines: false };
    const a = await simulate(simulationOptions({ ...opts, seed: 3 }));
    const b = await simulate(simulationOptions({ ...opts, seed: 3 }));
    const c = await simulate(simulationOptions({ ...opts, seed: 4 }));
    expect(Buffer.from(Float64Array.from(a.model.parameters).buffer).equals(Buffer.from(Float64Array.from(b.model.parameters).buffer))).toBe(true);
    expect(a.federated).toEqual(b.federated);
    expect(a.model.parameters).not.toEqual(c.model.parameters);
  });

  it('runs K-fold cross-validation and averages the folds', async () => {
    const report = await simulate(simulationOptions({ dataset: { builtin: 'credit_data' }, numNodes: 3, rounds: 3, cvFolds: 3, seed: 1, strategy: 'fedprox', strategyOptions: { proximalMu: 0.1 } }));
    expect(report.folds).toBe(3);
    expect(report.perFold).toHaveLength(3);
    const meanAuc = report.perFold.reduce((s, f) => s + f.federated.auc, 0) / 3;
    expect(report.federated.auc).toBeCloseTo(meanAuc, 12);
    expect(report.numRows).toBe(4454);
  });

  it('every strategy trains a usable model', async () => {
    for (const strategy of ['fedavg', 'fedprox', 'fedadam', 'fedyogi', 'trimmed', 'median', 'krum'] as const) {
      const report = await simulate(simulationOptions({ dataset: { builtin: 'german' }, numNodes: 5, rounds: 10, strategy, seed: 2, baselines: false, evaluateEveryRound: false }));
      expect(report.federated.auc, strategy).toBeGreaterThan(0.68);
    }
  });

  it('rejects bad options with a ConfigError naming the option', () => {
    expect(() => simulationOptions({ dataset: { builtin: 'german' }, numNodes: 0 })).toThrow(ConfigError);
    expect(() => simulationOptions({ dataset: { builtin: 'german' }, rounds: 1.5 })).toThrow(/rounds/);
    expect(() => simulationOptions({ dataset: { builtin: 'german' }, fractionFit: 2 })).toThrow(/fraction-fit/);
  });
});
