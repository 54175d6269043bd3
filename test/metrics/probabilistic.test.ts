import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { brier, logLoss, logLossTerm, MAX_LOG_LOSS_TERM } from '../../src/metrics/probabilistic.js';
import vectors from '../vectors/metrics.json' with { type: 'json' };

describe('brier / logLoss known answers (test/vectors/metrics.json)', () => {
  for (const v of vectors.probabilistic) {
    it(v.name, () => {
      const scores = Float64Array.from(v.scores);
      const labels = Uint8Array.from(v.labels);
      if ('brier' in v) expect(brier(scores, labels)).toBeCloseTo(v.brier!, 15);
      if ('logLoss' in v) expect(logLoss(scores, labels)).toBeCloseTo(v.logLoss!, 14);
    });
  }

  it('a constant 0.5 scores Brier 1/4 and log loss ln 2, whatever the labels', () => {
    const scores = Float64Array.of(0.5, 0.5, 0.5);
    const labels = Uint8Array.of(1, 0, 0);
    expect(brier(scores, labels)).toBe(0.25);
    expect(logLoss(scores, labels)).toBeCloseTo(Math.LN2, 15);
  });

  it('works with one class only (proper scoring rules need no pairs)', () => {
    // (0.2² + 0.4²)/2 = 0.1; −(ln 0.8 + ln 0.6)/2.
    const scores = Float64Array.of(0.2, 0.4);
    const labels = Float64Array.of(0, 0);
    expect(brier(scores, labels)).toBeCloseTo(0.1, 15);
    expect(logLoss(scores, labels)).toBeCloseTo(-(Math.log(0.8) + Math.log(0.6)) / 2, 15);
  });
});

describe('log loss clipping at 1e-15', () => {
  it('a certain mistake costs −ln(1e-15) ≈ 34.5388, not Infinity', () => {
    expect(MAX_LOG_LOSS_TERM).toBeCloseTo(34.538776394910684, 12);
    expect(logLoss(Float64Array.of(0), Uint8Array.of(1))).toBeCloseTo(34.538776394910684, 12);
    expect(logLoss(Float64Array.of(1), Uint8Array.of(0))).toBeCloseTo(34.538776394910684, 1);
  });

  it('a certain correct answer costs about 1e-15', () => {
    expect(logLossTerm(1, 1)).toBeGreaterThan(0);
    expect(logLossTerm(1, 1)).toBeLessThan(2e-15);
    expect(logLossTerm(0, 0)).toBeLessThan(2e-15);
  });

  it('every term lies in [0, MAX_LOG_LOSS_TERM] and Brier in [0, 1]', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 1 })), {
          minLength: 1,
          maxLength: 50,
        }),
        (rows) => {
          const scores = Float64Array.from(rows, ([s]) => s);
          const labels = Uint8Array.from(rows, ([, y]) => y);
          const loss = logLoss(scores, labels);
          expect(loss).toBeGreaterThanOrEqual(0);
          expect(loss).toBeLessThanOrEqual(MAX_LOG_LOSS_TERM + 1e-9);
          const b = brier(scores, labels);
          expect(b).toBeGreaterThanOrEqual(0);
          expect(b).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 200, seed: 201 },
    );
  });
});

describe('probability checks', () => {
  it.each([
    ['brier', brier],
    ['logLoss', logLoss],
  ])('%s rejects scores outside [0, 1]', (_name, metric) => {
    expect(() => metric(Float64Array.of(0.5, 1.5), Uint8Array.of(0, 1))).toThrow(/^scores\[1\]: .*\[0, 1\]/);
    expect(() => metric(Float64Array.of(-0.1), Uint8Array.of(0))).toThrow(RangeError);
  });
});
