/** Recall at a flag rate on hand examples, and the utility classifier on a separable toy table. */
import { describe, expect, it } from 'vitest';
import { selectRows } from '../../src/data/schema.js';
import { deriveRandom } from '../../src/math/random.js';
import { recallAtFlagRate, trainAndScore } from '../../src/synth/utility.js';
import { toyTable } from './tables.js';

describe('recallAtFlagRate', () => {
  it('counts the bads among the top round(rate·n) scores', () => {
    const scores = Float64Array.of(0.9, 0.8, 0.1, 0.7);
    const labels = Uint8Array.of(1, 0, 1, 0);
    expect(recallAtFlagRate(scores, labels, 0.25)).toBe(0.5); // flags row 0
    expect(recallAtFlagRate(scores, labels, 0.5)).toBe(0.5); // rows 0, 1
    expect(recallAtFlagRate(scores, labels, 1)).toBe(1);
    // ten rows, top 10 % = one row; ties broken by row order
    const tied = new Float64Array(10).fill(0.5);
    const y = Uint8Array.of(0, 1, 0, 0, 0, 0, 0, 0, 0, 1);
    expect(recallAtFlagRate(tied, y, 0.1)).toBe(0);
  });

  it.each([
    ['no bads', Float64Array.of(0.1), Uint8Array.of(0), 0.1, RangeError],
    ['rate 0', Float64Array.of(0.1), Uint8Array.of(1), 0, RangeError],
    ['length mismatch', Float64Array.of(0.1, 0.2), Uint8Array.of(1), 0.1, TypeError],
    ['plain arrays', [0.1] as unknown as Float64Array, Uint8Array.of(1), 0.1, TypeError],
  ])('rejects %s', (_name, scores, labels, rate, error) => {
    expect(() => recallAtFlagRate(scores, labels, rate)).toThrow(error);
  });
});

describe('trainAndScore', () => {
  it('ranks the toy table well (amount separates the classes) and is deterministic', () => {
    const all = toyTable(600, 4);
    const order = deriveRandom(1).permutation(600);
    const train = selectRows(all, order.subarray(0, 450));
    const test = selectRows(all, order.subarray(450));
    const a = trainAndScore(train, train, test, { seed: 1 });
    expect(a.auc).toBeGreaterThan(0.9);
    expect(a).toEqual(trainAndScore(train, train, test, { seed: 1 }));
  });
});
