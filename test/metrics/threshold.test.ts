import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bayesThreshold,
  confusionAt,
  expectedCost,
  GERMAN_COSTS,
  optimalThreshold,
} from '../../src/metrics/threshold.js';
import { bruteCost } from './helpers.js';

// Hand table: scores [0.1, 0.4, 0.35, 0.8], labels [0, 0, 1, 1].
const scores = Float64Array.of(0.1, 0.4, 0.35, 0.8);
const labels = Uint8Array.of(0, 0, 1, 1);

describe('confusionAt', () => {
  it('hand table at 0.4 (score ≥ threshold is predicted bad)', () => {
    // Predicted bad: 0.4 (good → fp) and 0.8 (bad → tp); 0.35 (bad → fn); 0.1 (good → tn).
    expect(confusionAt(scores, labels, 0.4)).toEqual({
      tp: 1,
      fp: 1,
      tn: 1,
      fn: 1,
      accuracy: 0.5,
      precision: 0.5,
      recall: 0.5,
      f1: 0.5,
    });
  });

  it('hand table at 0.35: all bad caught, one good rejected', () => {
    // tp 2, fp 1, tn 1, fn 0 → accuracy 3/4, precision 2/3, recall 1, F1 = 2·(2/3)/(5/3) = 4/5.
    const c = confusionAt(scores, labels, 0.35);
    expect([c.tp, c.fp, c.tn, c.fn]).toEqual([2, 1, 1, 0]);
    expect(c.accuracy).toBe(0.75);
    expect(c.precision).toBeCloseTo(2 / 3, 15);
    expect(c.recall).toBe(1);
    expect(c.f1).toBeCloseTo(0.8, 15);
  });

  it('0/0 conventions: nothing predicted bad → precision 0, F1 0', () => {
    const c = confusionAt(scores, labels, Infinity);
    expect(c).toMatchObject({ tp: 0, fp: 0, tn: 2, fn: 2, accuracy: 0.5, precision: 0, recall: 0, f1: 0 });
  });

  it('0/0 conventions: no bad examples → recall 0', () => {
    const c = confusionAt(Float64Array.of(0.2, 0.9), Uint8Array.of(0, 0), 0.5);
    expect(c).toMatchObject({ tp: 0, fp: 1, tn: 1, fn: 0, precision: 0, recall: 0, f1: 0, accuracy: 0.5 });
  });

  it('rejects a NaN threshold', () => {
    expect(() => confusionAt(scores, labels, NaN)).toThrow(/^threshold:/);
    expect(() => confusionAt(scores, labels, '0.5' as unknown as number)).toThrow(TypeError);
  });
});

describe('expectedCost / optimalThreshold / bayesThreshold', () => {
  it('German costs are 5 for a bad approved and 1 for a good rejected, and frozen', () => {
    expect(GERMAN_COSTS).toEqual({ badAsGood: 5, goodAsBad: 1 });
    expect(Object.isFrozen(GERMAN_COSTS)).toBe(true);
  });

  it('hand costs on the table', () => {
    // At 0.4: fn 1, fp 1 → (5 + 1)/4 = 1.5.
    expect(expectedCost(scores, labels, 0.4)).toBe(1.5);
    // Approve everyone: fn 2 → 10/4. Reject everyone: fp 2 → 2/4.
    expect(expectedCost(scores, labels, Infinity)).toBe(2.5);
    expect(expectedCost(scores, labels, -Infinity)).toBe(0.5);
    expect(expectedCost(scores, labels, 0.4, { badAsGood: 1, goodAsBad: 1 })).toBe(0.5);
  });

  it('optimal threshold on the hand table is 0.35 at cost 1/4', () => {
    // Candidates: ∞ → 10/4, 0.8 → 5/4, 0.4 → 6/4, 0.35 → 1/4, 0.1 → 2/4.
    expect(optimalThreshold(scores, labels)).toEqual({ threshold: 0.35, cost: 0.25 });
  });

  it('approves everyone (threshold Infinity) when that is cheapest, ties go to the higher threshold', () => {
    // All good: rejecting anyone costs; approving everyone costs 0.
    expect(optimalThreshold(Float64Array.of(0.3, 0.6), Uint8Array.of(0, 0))).toEqual({ threshold: Infinity, cost: 0 });
    // badAsGood 1, goodAsBad 1, scores [0.5 good, 0.5 bad]: ∞ → 1/2, 0.5 → 1/2; the tie picks ∞.
    expect(
      optimalThreshold(Float64Array.of(0.5, 0.5), Uint8Array.of(0, 1), { badAsGood: 1, goodAsBad: 1 }),
    ).toEqual({ threshold: Infinity, cost: 0.5 });
  });

  it('property: the optimal cost is ≤ the cost at any threshold and matches its own threshold', () => {
    const data = fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 1 })), {
      minLength: 1,
      maxLength: 60,
    });
    const costs = fc.record({
      badAsGood: fc.integer({ min: 0, max: 10 }),
      goodAsBad: fc.integer({ min: 1, max: 10 }),
    });
    fc.assert(
      fc.property(data, costs, fc.double({ min: -0.1, max: 1.1, noNaN: true }), (rows, c, t) => {
        const s = Float64Array.from(rows, ([v]) => v / 20);
        const y = Uint8Array.from(rows, ([, v]) => v);
        const best = optimalThreshold(s, y, c);
        expect(best.cost).toBeCloseTo(bruteCost(s, y, best.threshold, c), 12);
        expect(best.cost).toBeLessThanOrEqual(bruteCost(s, y, t, c) + 1e-12);
        for (const candidate of s) expect(best.cost).toBeLessThanOrEqual(bruteCost(s, y, candidate, c) + 1e-12);
      }),
      { numRuns: 300, seed: 301 },
    );
  });

  it('Bayes threshold is goodAsBad / (goodAsBad + badAsGood): 1/6 for German costs', () => {
    expect(bayesThreshold()).toBeCloseTo(1 / 6, 15);
    expect(bayesThreshold({ badAsGood: 1, goodAsBad: 1 })).toBe(0.5);
    expect(bayesThreshold({ badAsGood: 0, goodAsBad: 2 })).toBe(1);
  });

  it('rejects bad cost matrices', () => {
    expect(() => bayesThreshold({ badAsGood: 0, goodAsBad: 0 })).toThrow(/^costs: both costs are zero/);
    expect(() => bayesThreshold({ badAsGood: -1, goodAsBad: 1 })).toThrow(/^costs.badAsGood:/);
    expect(() => expectedCost(scores, labels, 0.5, { badAsGood: NaN, goodAsBad: 1 })).toThrow(RangeError);
    expect(() => optimalThreshold(scores, labels, { badAsGood: '5', goodAsBad: 1 } as never)).toThrow(TypeError);
  });
});
