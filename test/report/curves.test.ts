import { describe, expect, it } from 'vitest';
import { countsFromSums, ksCurves, regroup, rocCurve } from '../../src/report/curves.js';

// 4 bins; bad counts [0, 1, 1, 2], good counts [3, 2, 1, 0] (hand example)
const sums = [0, 1, 1, 2, 3, 2, 1, 0, 10, 0, 0];

describe('report curves from summed histograms', () => {
  it('ROC walks thresholds from the top bin down (hand-computed)', () => {
    const h = countsFromSums(sums, 4);
    // totals: bad 4, good 6; top bin: tp 2/4, fp 0/6; next: tp 3/4, fp 1/6; next: 4/4, 3/6; last: 4/4, 6/6
    expect(rocCurve(h)).toEqual([[0, 0], [0, 0.5], [1 / 6, 0.75], [0.5, 1], [1, 1]]);
  });

  it('KS curves are the cumulative shares below each threshold', () => {
    const k = ksCurves(countsFromSums(sums, 4));
    expect(k[2]).toEqual({ threshold: 0.5, bad: 0.25, good: 5 / 6 });
    expect(k[4]).toEqual({ threshold: 1, bad: 1, good: 1 });
  });

  it('regroups bins into bands and rejects bad input', () => {
    expect(regroup(countsFromSums(sums, 4), 2)).toEqual([{ lower: 0, upper: 0.5, bad: 1, good: 5 }, { lower: 0.5, upper: 1, bad: 3, good: 1 }]);
    expect(() => countsFromSums([1, 2, 3], 4)).toThrow(RangeError);
    expect(() => regroup(countsFromSums(sums, 4), 3)).toThrow(RangeError);
  });
});
