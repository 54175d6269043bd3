import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bestMonotoneGroups, mergeSmall, mergeToMaxBins, monotoneGroups, poolAdjacentViolators, prebin, type CountGroup, type FineCount } from '../../src/scorecard/monotone.js';

const group = (start: number, good: number, bad: number): CountGroup => ({ start, end: start + 1, good, bad });
const rate = (g: CountGroup) => g.bad / (g.good + g.bad);

/** Fine bins with integer counts, some empty, at least one applicant of each class overall. */
const fineCounts = fc.array(fc.record({ good: fc.nat({ max: 40 }), bad: fc.nat({ max: 20 }) }), { minLength: 1, maxLength: 60 })
  .filter((items) => items.some((i) => i.good > 0) && items.some((i) => i.bad > 0));

function totals(items: readonly FineCount[]) {
  return { totalGood: items.reduce((s, i) => s + i.good, 0), totalBad: items.reduce((s, i) => s + i.bad, 0) };
}

describe('coarse classing', () => {
  it('pool-adjacent-violators merges a hand-made sequence into strictly increasing bad rates', () => {
    // rates 0.1, 0.3, 0.2, 0.5, 0.5: (0.3, 0.2) pool to 0.25; the equal 0.5s pool too
    const groups = [group(0, 9, 1), group(1, 7, 3), group(2, 8, 2), group(3, 5, 5), group(4, 5, 5)];
    const merged = poolAdjacentViolators(groups, 'increasing');
    expect(merged.map((g) => [g.start, g.end, g.good, g.bad])).toEqual([[0, 1, 9, 1], [1, 3, 15, 5], [3, 5, 10, 10]]);
    const down = poolAdjacentViolators(groups, 'decreasing');
    expect(down).toHaveLength(1); // no decreasing pair at all except inside pooled blocks
    expect(down[0]).toEqual({ start: 0, end: 5, good: 34, bad: 16 });
  });

  it('pre-bins into about equal-size groups without splitting a fine bin', () => {
    const items = Array.from({ length: 10 }, () => ({ good: 9, bad: 1 }));
    expect(prebin(items, 5).map((g) => [g.start, g.end])).toEqual([[0, 2], [2, 4], [4, 6], [6, 8], [8, 10]]);
    const heavy = [{ good: 1, bad: 0 }, { good: 80, bad: 10 }, { good: 5, bad: 4 }];
    // 1 applicant does not reach a tenth of 100: it joins the heavy bin, which crosses several tenths at once
    expect(prebin(heavy, 10).map((g) => [g.start, g.end])).toEqual([[0, 2], [2, 3]]);
    expect(prebin([{ good: 0, bad: 0 }, { good: 2, bad: 1 }, { good: 0, bad: 0 }], Infinity)).toEqual([{ start: 0, end: 3, good: 2, bad: 1 }]);
  });

  it('merges a small group into the neighbour with the closer bad rate', () => {
    const groups = [group(0, 40, 10), group(1, 2, 1), group(2, 30, 20)]; // rates 0.2, 0.33, 0.4
    expect(mergeSmall(groups, 5).map((g) => [g.start, g.end])).toEqual([[0, 1], [1, 3]]);
  });

  it('merges the neighbouring pair that loses the least information value', () => {
    const groups = [group(0, 50, 5), group(1, 48, 6), group(2, 20, 30)]; // the first two are nearly alike
    expect(mergeToMaxBins(groups, 2, 118, 41).map((g) => [g.start, g.end])).toEqual([[0, 2], [2, 3]]);
  });

  it('property: groups tile the fine bins, keep the counts, and are strictly monotone, large enough and few enough', () => {
    fc.assert(fc.property(fineCounts, fc.integer({ min: 1, max: 8 }), fc.double({ min: 0, max: 0.3, noNaN: true }), fc.constantFrom<'increasing' | 'decreasing'>('increasing', 'decreasing'), (items, maxBins, minShare, trend) => {
      const t = totals(items);
      const minCount = minShare * (t.totalGood + t.totalBad);
      const groups = monotoneGroups(items, { trend, maxBins, minCount, prebins: 20, ...t });
      expect(groups[0].start).toBe(0);
      expect(groups[groups.length - 1].end).toBe(items.length);
      for (let k = 1; k < groups.length; k++) expect(groups[k].start).toBe(groups[k - 1].end);
      for (const g of groups) {
        const slice = items.slice(g.start, g.end);
        expect(g.good).toBe(slice.reduce((s, i) => s + i.good, 0));
        expect(g.bad).toBe(slice.reduce((s, i) => s + i.bad, 0));
        expect(g.good + g.bad).toBeGreaterThan(0);
        if (groups.length > 1) expect(g.good + g.bad).toBeGreaterThanOrEqual(minCount);
      }
      expect(groups.length).toBeLessThanOrEqual(maxBins);
      for (let k = 1; k < groups.length; k++) {
        if (trend === 'increasing') expect(rate(groups[k])).toBeGreaterThan(rate(groups[k - 1]));
        else expect(rate(groups[k])).toBeLessThan(rate(groups[k - 1]));
      }
    }), { numRuns: 300, seed: 7 });
  });

  it('keeps the trend with the larger information value', () => {
    const rising = [group(0, 90, 10), group(1, 80, 20), group(2, 60, 40)].map((g) => ({ good: g.good, bad: g.bad }));
    const options = { maxBins: 5, minCount: 1, prebins: Infinity, totalGood: 230, totalBad: 70 };
    expect(bestMonotoneGroups(rising, options).trend).toBe('increasing');
    expect(bestMonotoneGroups([...rising].reverse(), options)).toMatchObject({ trend: 'decreasing' });
    expect(bestMonotoneGroups([...rising].reverse(), options).groups).toHaveLength(3);
  });

  it('returns one empty group for a column nobody has a value in', () => {
    expect(monotoneGroups([{ good: 0, bad: 0 }, { good: 0, bad: 0 }], { trend: 'increasing', maxBins: 3, minCount: 0, prebins: 20, totalGood: 1, totalBad: 1 }))
      .toEqual([{ start: 0, end: 2, good: 0, bad: 0 }]);
    expect(monotoneGroups([], { trend: 'increasing', maxBins: 3, minCount: 0, prebins: 20, totalGood: 1, totalBad: 1 })).toEqual([]);
  });
});
