import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { auc, gini, ks } from '../../src/metrics/ranking.js';
import vectors from '../vectors/metrics.json' with { type: 'json' };
import { bruteAuc, bruteKs } from './helpers.js';

describe('auc / ks / gini known answers (test/vectors/metrics.json)', () => {
  for (const v of vectors.ranking) {
    it(v.name, () => {
      const scores = Float64Array.from(v.scores);
      const labels = Uint8Array.from(v.labels);
      expect(auc(scores, labels)).toBeCloseTo(v.auc, 14);
      expect(ks(scores, labels)).toBeCloseTo(v.ks, 14);
      expect(gini(scores, labels)).toBeCloseTo(v.gini, 14);
    });
  }

  it('four examples by hand', () => {
    // Bad scores {0.35, 0.8}, good scores {0.1, 0.4}. Pairs: 0.35>0.1 ✓, 0.35>0.4 ✗,
    // 0.8>0.1 ✓, 0.8>0.4 ✓ → AUC 3/4.
    // Ascending: 0.1(g) 0.35(b) 0.4(g) 0.8(b); after each: |F_b−F_g| = |0−½|, |½−½|, |½−1|, 0
    // → KS ½.
    const scores = Float64Array.of(0.1, 0.4, 0.35, 0.8);
    const labels = Uint8Array.of(0, 0, 1, 1);
    expect(auc(scores, labels)).toBe(0.75);
    expect(ks(scores, labels)).toBe(0.5);
  });

  it('ties by hand: a bad and a good at the same score count 1/2', () => {
    // Bad {0.2, 0.5, 0.9}, good {0.2, 0.5}: 0.2 vs 0.2 → ½, 0.2 vs 0.5 → 0, 0.5 vs 0.2 → 1,
    // 0.5 vs 0.5 → ½, 0.9 vs both → 2; total 4 of 6 pairs → 2/3.
    // KS groups: 0.2 → |1/3 − 1/2| = 1/6; 0.5 → |2/3 − 1| = 1/3; 0.9 → 0. KS = 1/3.
    const scores = Float64Array.of(0.2, 0.2, 0.5, 0.5, 0.9);
    const labels = Float64Array.of(0, 1, 0, 1, 1);
    expect(auc(scores, labels)).toBeCloseTo(2 / 3, 15);
    expect(ks(scores, labels)).toBeCloseTo(1 / 3, 15);
  });

  it('KS never splits tied scores', () => {
    // One tie group holding one bad and one good: any threshold keeps both on the same side,
    // so F_bad = F_good everywhere and KS = 0 (a split tie would report 1).
    expect(ks(Float64Array.of(0.5, 0.5), Uint8Array.of(1, 0))).toBe(0);
  });

  it('accepts any finite real scores (only the order matters)', () => {
    const labels = Uint8Array.of(0, 1, 0, 1);
    expect(auc(Float64Array.of(-3, 7, -0, 1e300), labels)).toBe(1);
    expect(auc(Float64Array.of(0, -0, 0, 0), labels)).toBe(0.5);
  });
});

describe('auc / ks against brute force', () => {
  // Scores drawn from 6 values so that ties are everywhere.
  const tiedData = fc
    .array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 1 })), { minLength: 2, maxLength: 60 })
    .filter((rows) => rows.some(([, y]) => y === 1) && rows.some(([, y]) => y === 0));

  it('auc equals the O(n²) pair count with ties counted 1/2', () => {
    fc.assert(
      fc.property(tiedData, (rows) => {
        const scores = Float64Array.from(rows, ([s]) => s / 5);
        const labels = Uint8Array.from(rows, ([, y]) => y);
        expect(auc(scores, labels)).toBeCloseTo(bruteAuc(scores, labels), 12);
        expect(gini(scores, labels)).toBeCloseTo(2 * bruteAuc(scores, labels) - 1, 12);
      }),
      { numRuns: 300, seed: 101 },
    );
  });

  it('ks equals the maximum over every observed threshold', () => {
    fc.assert(
      fc.property(tiedData, (rows) => {
        const scores = Float64Array.from(rows, ([s]) => s / 5);
        const labels = Uint8Array.from(rows, ([, y]) => y);
        expect(ks(scores, labels)).toBeCloseTo(bruteKs(scores, labels), 12);
      }),
      { numRuns: 300, seed: 102 },
    );
  });

  it('auc of reversed scores is 1 − auc, and ks is unchanged', () => {
    fc.assert(
      fc.property(tiedData, (rows) => {
        const scores = Float64Array.from(rows, ([s]) => s / 5);
        const reversed = Float64Array.from(scores, (s) => 1 - s);
        const labels = Uint8Array.from(rows, ([, y]) => y);
        expect(auc(reversed, labels)).toBeCloseTo(1 - auc(scores, labels), 12);
        expect(ks(reversed, labels)).toBeCloseTo(ks(scores, labels), 12);
      }),
      { numRuns: 200, seed: 103 },
    );
  });
});

describe('one class only', () => {
  it.each([
    ['auc', auc],
    ['ks', ks],
    ['gini', gini],
  ])('%s throws a RangeError naming labels', (_name, metric) => {
    expect(() => metric(Float64Array.of(0.1, 0.9), Uint8Array.of(1, 1))).toThrow(RangeError);
    expect(() => metric(Float64Array.of(0.1, 0.9), Uint8Array.of(0, 0))).toThrow(/^labels: .*0 bad and 2 good/);
  });
});
