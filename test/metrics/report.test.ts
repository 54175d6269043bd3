import { describe, expect, it } from 'vitest';
import { calibrationTable, expectedCalibrationError } from '../../src/metrics/calibration.js';
import { brier, logLoss } from '../../src/metrics/probabilistic.js';
import { auc, gini, ks } from '../../src/metrics/ranking.js';
import { evaluateScores } from '../../src/metrics/report.js';
import { confusionAt, expectedCost, optimalThreshold } from '../../src/metrics/threshold.js';
import { logisticScores } from './helpers.js';

describe('evaluateScores', () => {
  it('hand table with defaults (threshold 0.5, German costs, 10 uniform bins)', () => {
    // scores [0.1, 0.4, 0.35, 0.8], labels [0, 0, 1, 1]: AUC 3/4, KS 1/2 (see ranking.test.ts).
    // At 0.5 only 0.8 is predicted bad: tp 1, fp 0, tn 2, fn 1 → cost 5/4.
    // Bayes threshold 1/6: 0.4, 0.35, 0.8 predicted bad → fp 1 → cost 1/4.
    // Optimum 0.35 at 1/4 (see threshold.test.ts); the higher-threshold tie rule keeps 0.35.
    const r = evaluateScores(Float64Array.of(0.1, 0.4, 0.35, 0.8), Uint8Array.of(0, 0, 1, 1));
    expect(r).toMatchObject({ numExamples: 4, numBad: 2, auc: 0.75, ks: 0.5, gini: 0.5, threshold: 0.5 });
    expect(r.confusion).toMatchObject({ tp: 1, fp: 0, tn: 2, fn: 1, precision: 1, recall: 0.5 });
    expect(r.expectedCost).toBe(1.25);
    expect(r.optimal).toEqual({ threshold: 0.35, cost: 0.25 });
    expect(r.bayes.threshold).toBeCloseTo(1 / 6, 15);
    expect(r.bayes.cost).toBe(0.25);
    // Calibration: 0.1, 0.35, 0.4, 0.8 fall in bins 1, 3, 4, 8, one example each.
    expect(r.calibration.map((row) => [row.lower, row.count, row.observedRate])).toEqual([
      [0.1, 1, 0],
      [0.3, 1, 1],
      [0.4, 1, 0],
      [0.8, 1, 1],
    ]);
  });

  it('agrees with every individual metric on realistic scores', () => {
    const { scores, labels } = logisticScores(21, 2000);
    const costs = { badAsGood: 3, goodAsBad: 1 };
    const r = evaluateScores(scores, labels, {
      threshold: 0.3,
      costs,
      calibrationBins: 5,
      calibrationStrategy: 'quantile',
    });
    expect(r.auc).toBe(auc(scores, labels));
    expect(r.ks).toBe(ks(scores, labels));
    expect(r.gini).toBeCloseTo(gini(scores, labels), 15);
    expect(r.brier).toBe(brier(scores, labels));
    expect(r.logLoss).toBe(logLoss(scores, labels));
    expect(r.confusion).toEqual(confusionAt(scores, labels, 0.3));
    expect(r.expectedCost).toBe(expectedCost(scores, labels, 0.3, costs));
    expect(r.optimal).toEqual(optimalThreshold(scores, labels, costs));
    expect(r.bayes.threshold).toBe(0.25);
    expect(r.calibration).toEqual(calibrationTable(scores, labels, { numBins: 5, strategy: 'quantile' }));
    expect(r.calibrationError).toBeCloseTo(
      expectedCalibrationError(scores, labels, { numBins: 5, strategy: 'quantile' }),
      15,
    );
    expect(r.costs).toBe(costs);
  });

  it('rejects bad options naming them', () => {
    const s = Float64Array.of(0.2, 0.7);
    const y = Uint8Array.of(0, 1);
    expect(() => evaluateScores(s, y, { threshold: NaN })).toThrow(/^options.threshold:/);
    expect(() => evaluateScores(s, y, { threshold: '0.5' as never })).toThrow(TypeError);
    expect(() => evaluateScores(s, y, { costs: { badAsGood: 0, goodAsBad: 0 } })).toThrow(/^options.costs:/);
    expect(() => evaluateScores(s, y, { calibrationBins: -1 })).toThrow(/^options.calibrationBins:/);
    expect(() => evaluateScores(s, y, { calibrationStrategy: 'x' as never })).toThrow(/^options.calibrationStrategy:/);
    expect(() => evaluateScores(s, y, null as never)).toThrow(TypeError);
    expect(() => evaluateScores(s, Uint8Array.of(1, 1))).toThrow(/^labels: AUC and KS needs/);
  });
});
