/**
 * SMOTE-NC (Chawla et al. 2002, §6.1) on a hand example. Four bad rows over x, y ∈ {0.5, 2.5}
 * (mean 1.5, population σ 1 in the whole table because the goods repeat the same numbers, so the
 * standardised values are ±1 and Med = 1) and a category c:
 *   r0 (−1, −1) A    r1 (+1, −1) B    r2 (−1, +1) A    r3 (+1, +1) A
 * Squared NC distances (numeric part + Med² per differing category):
 *   r0–r1 = 4 + 1 = 5, r0–r2 = 4, r0–r3 = 8, r1–r2 = 8 + 1 = 9, r1–r3 = 4 + 1 = 5, r2–r3 = 4.
 * Nearest neighbours (ties to the earlier row): r0 → r2, r1; r1 → r0, r3; r2 → r0, r3; r3 → r2, r1.
 */
import { describe, expect, it } from 'vitest';
import type { Schema, Table } from '../../src/data/schema.js';
import { deriveRandom } from '../../src/math/random.js';
import { SmoteNc } from '../../src/synth/smotenc.js';

const schema: Schema = {
  name: 'hand',
  columns: [
    { name: 'x', kind: 'numeric' },
    { name: 'y', kind: 'numeric' },
    { name: 'c', kind: 'categorical', categories: ['A', 'B'] },
  ],
  target: { name: 't', bad: '1', good: '0' },
  missingTokens: ['NA'],
};
const X = [0.5, 2.5, 0.5, 2.5];
const Y = [0.5, 0.5, 2.5, 2.5];
const C = ['A', 'B', 'A', 'A'];
const table: Table = {
  schema,
  numRows: 8,
  numeric: { x: Float64Array.from([...X, ...X]), y: Float64Array.from([...Y, ...Y]) },
  categorical: { c: [...C, 'B', 'B', 'B', 'B'] },
  label: Uint8Array.of(1, 1, 1, 1, 0, 0, 0, 0),
};

describe('SmoteNc', () => {
  it('computes Med and the NC distance by hand', () => {
    const smote = SmoteNc.fit(table);
    expect(smote.medianStd(1)).toBeCloseTo(1, 12);
    const d = (a: number, b: number) => smote.distanceSquared(a, b, 1);
    expect([d(0, 1), d(0, 2), d(0, 3), d(1, 2), d(1, 3), d(2, 3)].map((v) => Number(v.toFixed(12)))).toEqual([5, 4, 8, 9, 5, 4]);
  });

  it('finds the nearest neighbours within the class', () => {
    const smote = SmoteNc.fit(table, { k: 2 });
    expect([0, 1, 2, 3].map((r) => smote.nearestNeighbours(r))).toEqual([[2, 1], [0, 3], [0, 3], [2, 1]]);
    // goods are neighbours of goods only
    expect(smote.nearestNeighbours(4).every((r) => r >= 4)).toBe(true);
  });

  it('interpolates numbers on a segment to a neighbour and votes the category', () => {
    // k = 2: the vote for r0 is A (r2) vs B (r1), a tie resolved to r0's own A; for r1 it is
    // A, A → A although r1 is B; r2: A, A → A; r3: A (r2), B (r1) → tie → r3's own A.
    const smote = SmoteNc.fit(table, { k: 2 });
    const out = smote.sample(400, 1, deriveRandom(1, 'smote'));
    const neighbours = [[2, 1], [0, 3], [0, 3], [2, 1]];
    for (let s = 0; s < out.numRows; s++) {
      const x = out.numeric.x[s];
      const y = out.numeric.y[s];
      const onSegment = neighbours.some((nn, b) => nn.some((o) => {
        const t = X[o] !== X[b] ? (x - X[b]) / (X[o] - X[b]) : (y - Y[b]) / (Y[o] - Y[b]);
        return t >= 0 && t <= 1 && Math.abs(X[b] + t * (X[o] - X[b]) - x) < 1e-12 && Math.abs(Y[b] + t * (Y[o] - Y[b]) - y) < 1e-12;
      }));
      expect(onSegment).toBe(true);
      expect(out.categorical.c[s]).toBe('A');
      expect(out.label[s]).toBe(1);
    }
  });

  it('keeps a missing base value and uses the base value when the neighbour is missing', () => {
    const x = Float64Array.from([NaN, 2.5, 0.5, 2.5, ...X]);
    const smote = SmoteNc.fit({ ...table, numeric: { ...table.numeric, x } }, { k: 3 });
    const out = smote.sample(300, 1, deriveRandom(2, 'smote'));
    let missing = 0;
    for (let s = 0; s < out.numRows; s++) if (Number.isNaN(out.numeric.x[s])) missing++;
    // only base r0 (drawn with probability 1/4) gives a missing x
    expect(missing / out.numRows).toBeGreaterThan(0.15);
    expect(missing / out.numRows).toBeLessThan(0.35);
  });

  it('rounds integer columns, is deterministic for a seed, and refuses a class of one row', () => {
    const ints: Table = { ...table, numeric: { x: Float64Array.from([1, 3, 1, 3, 1, 3, 1, 3]), y: Float64Array.from([1, 1, 3, 3, 1, 1, 3, 3]) } };
    const smote = SmoteNc.fit(ints);
    const out = smote.sample(50, 1, deriveRandom(3));
    for (const v of out.numeric.x) expect(Number.isInteger(v)).toBe(true);
    expect(smote.sample(20, 0, deriveRandom(4))).toEqual(smote.sample(20, 0, deriveRandom(4)));
    const lonely = SmoteNc.fit({ ...table, label: Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 0) });
    expect(() => lonely.sample(1, 1, deriveRandom(1))).toThrow(/at least 2 rows/);
    expect(() => SmoteNc.fit(table, { k: 0 })).toThrow(RangeError);
    expect(() => smote.sample(-1, 1, deriveRandom(1))).toThrow(RangeError);
    expect(() => smote.sample(1, 2 as 1, deriveRandom(1))).toThrow(/label/);
  });
});
