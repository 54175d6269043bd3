import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { indicesByClass, stratifiedKFold, stratifiedSplit } from '../../src/data/index.js';
import { deriveRandom } from '../../src/math/random.js';

const labelsArb = fc.uint8Array({ minLength: 2, maxLength: 400, min: 0, max: 1 });

function count(labels: Uint8Array, rows: Uint32Array, y: number): number {
  let n = 0;
  for (const i of rows) if (labels[i] === y) n++;
  return n;
}

function expectPartitionOf(n: number, parts: Uint32Array[]): void {
  const seen = new Uint8Array(n);
  for (const part of parts) for (const i of part) seen[i]++;
  expect(Array.from(seen).every((s) => s === 1)).toBe(true);
}

describe('indicesByClass', () => {
  it('groups rows by label in ascending label order (hand-checked)', () => {
    const groups = indicesByClass(Uint8Array.from([1, 0, 2, 1, 0]));
    expect(groups.map((g) => Array.from(g))).toEqual([[1, 4], [0, 3], [2]]);
  });
});

describe('stratifiedSplit', () => {
  it('is disjoint, covers every row, sorted, and keeps round(n_c · f) test rows per class', () => {
    fc.assert(
      fc.property(labelsArb, fc.double({ min: 0.05, max: 0.95, noNaN: true }), fc.integer(), (labels, fraction, seed) => {
        const { train, test } = stratifiedSplit(labels, fraction, deriveRandom(seed, 'split'));
        expectPartitionOf(labels.length, [train, test]);
        for (const part of [train, test]) for (let i = 1; i < part.length; i++) expect(part[i]).toBeGreaterThan(part[i - 1]);
        for (const y of [0, 1]) {
          const n = labels.filter((l) => l === y).length;
          let expected = Math.round(n * fraction);
          if (n >= 2) expected = Math.min(Math.max(expected, 1), n - 1);
          expect(count(labels, test, y)).toBe(expected);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const labels = Uint8Array.from({ length: 1000 }, (_, i) => (i % 10 < 3 ? 1 : 0));
    const a = stratifiedSplit(labels, 0.2, deriveRandom(7, 'split'));
    const b = stratifiedSplit(labels, 0.2, deriveRandom(7, 'split'));
    const c = stratifiedSplit(labels, 0.2, deriveRandom(8, 'split'));
    expect(a).toEqual(b);
    expect(Array.from(a.test)).not.toEqual(Array.from(c.test));
    // 300 bad, 700 good → 60 and 140 in test.
    expect([count(labels, a.test, 1), count(labels, a.test, 0)]).toEqual([60, 140]);
  });

  it.each([0, 1, -0.1, 1.5, NaN, '0.2'])('rejects testFraction %j', (fraction) => {
    expect(() => stratifiedSplit(new Uint8Array(10), fraction as number, deriveRandom(1))).toThrow(RangeError);
  });

  it('rejects non-Uint8Array labels and a missing generator', () => {
    expect(() => stratifiedSplit([0, 1] as unknown as Uint8Array, 0.5, deriveRandom(1))).toThrow(TypeError);
    expect(() => stratifiedSplit(new Uint8Array(4), 0.5, undefined as never)).toThrow(TypeError);
  });
});

describe('stratifiedKFold', () => {
  it('puts every row in exactly one test fold, balances classes within ±1 and sizes within ±1', () => {
    fc.assert(
      fc.property(labelsArb, fc.integer({ min: 2, max: 10 }), fc.integer(), (labels, k, seed) => {
        fc.pre(k <= labels.length);
        const folds = stratifiedKFold(labels, k, deriveRandom(seed, 'cv'));
        expect(folds).toHaveLength(k);
        expectPartitionOf(
          labels.length,
          folds.map((f) => f.test),
        );
        for (const { train, test } of folds) expectPartitionOf(labels.length, [train, test]);
        for (const y of [0, 1]) {
          const perFold = folds.map((f) => count(labels, f.test, y));
          expect(Math.max(...perFold) - Math.min(...perFold)).toBeLessThanOrEqual(1);
        }
        const sizes = folds.map((f) => f.test.length);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      }),
      { numRuns: 200 },
    );
  });

  it('deals 7 good and 3 bad over 3 folds as 3/2/2 good and 1/1/1 bad (hand-computed)', () => {
    const labels = Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 1, 1, 1]);
    const folds = stratifiedKFold(labels, 3, deriveRandom(3, 'cv'));
    // Class 0 deals folds 0,1,2,0,1,2,0 → 3,2,2; class 1 continues at fold 1: 1,2,0 → 1,1,1.
    expect(folds.map((f) => count(labels, f.test, 0))).toEqual([3, 2, 2]);
    expect(folds.map((f) => count(labels, f.test, 1))).toEqual([1, 1, 1]);
  });

  it('is deterministic for a seed', () => {
    const labels = Uint8Array.from({ length: 200 }, (_, i) => i % 3 === 0 ? 1 : 0);
    expect(stratifiedKFold(labels, 5, deriveRandom(1, 'cv'))).toEqual(stratifiedKFold(labels, 5, deriveRandom(1, 'cv')));
  });

  it.each([1, 2.5, 0, 11])('rejects k = %j for 10 rows', (k) => {
    expect(() => stratifiedKFold(new Uint8Array(10), k, deriveRandom(1))).toThrow(RangeError);
  });
});
