/**
 * The accuracy target, on the benchmark's setup (5 nodes, IID, 5-fold CV, 30 rounds):
 * the federated scorecard's AUC is within 0.01 of the plain federated logistic regression's.
 * Slow-ish (about 8 s for both datasets), hence its own file.
 */
import { describe, expect, it } from 'vitest';
import { simulateScorecard } from '../../src/scorecard/simulate.js';
import { simulationOptions } from '../../src/simulation/options.js';

describe('scorecard accuracy (bench/scorecard.ts setup)', () => {
  it.each(['german', 'credit_data'] as const)('%s: scorecard AUC ≥ plain logistic regression AUC − 0.01', async (dataset) => {
    const report = await simulateScorecard({
      simulation: simulationOptions({ dataset: { builtin: dataset }, numNodes: 5, rounds: 30, cvFolds: 5, seed: 42, evaluateEveryRound: false }),
    });
    expect(report.folds).toBe(5);
    expect(report.aucGap!).toBeGreaterThanOrEqual(-0.01);
    expect(report.scorecard.auc).toBeGreaterThan(dataset === 'german' ? 0.77 : 0.82);
    // the federated scorecard is as good as the same scorecard trained on the pooled rows
    expect(Math.abs(report.scorecard.auc - report.pooledScorecard.auc)).toBeLessThan(0.01);
  });
});
