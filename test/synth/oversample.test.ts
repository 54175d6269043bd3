/** Counting synthetic rows for a target bad share, appending tables, and oversampling end to end with SMOTE-NC. */
import { describe, expect, it } from 'vitest';
import { deriveRandom } from '../../src/math/random.js';
import { appendTables, oversampleBad, syntheticRowsForShare } from '../../src/synth/oversample.js';
import { SmoteNc } from '../../src/synth/smotenc.js';
import { toyTable } from './tables.js';

describe('syntheticRowsForShare', () => {
  it.each([
    // (0.3·1000 − 50)/0.7 = 357.14… → 358, and (50 + 358)/(1000 + 358) = 0.3004 ≥ 0.3
    [950, 50, 0.3, 358],
    // already 50 %: nothing to add
    [10, 10, 0.3, 0],
    // exactly reachable: (0.5·10 − 0)/0.5 = 10
    [10, 0, 0.5, 10],
    [0, 0, 0.3, 0],
  ])('G = %i, B = %i, t = %d → %i', (good, bad, share, expected) => {
    expect(syntheticRowsForShare(good, bad, share)).toBe(expected);
  });

  it('rejects impossible inputs', () => {
    expect(() => syntheticRowsForShare(10, 1, 1)).toThrow(RangeError);
    expect(() => syntheticRowsForShare(-1, 1, 0.3)).toThrow(/numGood/);
    expect(() => syntheticRowsForShare(10, 1.5, 0.3)).toThrow(/numBad/);
    expect(() => syntheticRowsForShare(10, 1, NaN)).toThrow(RangeError);
  });
});

describe('oversampleBad', () => {
  it('appends synthetic bads after the real rows until the share is reached', () => {
    const table = toyTable(300, 5, 0.1);
    const numBad = table.label.reduce((s, y) => s + y, 0);
    const { table: out, synthetic } = oversampleBad(table, SmoteNc.fit(table), 0.3, deriveRandom(1));
    expect(synthetic.numRows).toBe(syntheticRowsForShare(300 - numBad, numBad, 0.3));
    expect(out.numRows).toBe(300 + synthetic.numRows);
    expect(Array.from(out.numeric.age.subarray(0, 300))).toEqual(Array.from(table.numeric.age));
    expect(out.categorical.home.slice(300)).toEqual(synthetic.categorical.home);
    expect((numBad + synthetic.numRows) / out.numRows).toBeGreaterThanOrEqual(0.3);
    expect(() => appendTables(table, { ...table, schema: { ...table.schema, name: 'other' } })).toThrow(TypeError);
  });
});
