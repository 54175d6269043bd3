import { describe, expect, it } from 'vitest';
import { featureColumns } from '../../../src/data/schema.js';
import { binningFromStats } from '../../../src/model/gbdt/features.js';
import { binningFromSketch, localSketch, sketchLength } from '../../../src/model/gbdt/sketch.js';
import { HISTOGRAM_BINS, localStats, statsLayout } from '../../../src/preprocess/stats.js';
import { syntheticTable } from './synthetic.js';

describe('quantile sketches for tree bins', () => {
  it('summed sketches give the features the summed preprocessing statistics give, from counts only', () => {
    const a = syntheticTable(300, 4, 'a');
    const b = syntheticTable(450, 4, 'b');
    const columns = featureColumns(a.schema);
    const layout = statsLayout(columns);
    const [sa, sb] = [localSketch(columns, a), localSketch(columns, b)];
    expect(sa).toHaveLength(sketchLength(columns));
    expect(sketchLength(columns)).toBe(1 + 2 * HISTOGRAM_BINS); // two numeric columns
    expect(sa[0]).toBe(300);
    // every entry is a count of the node's rows: the bound secure aggregation clips with
    expect(sa.every((v) => Number.isInteger(v) && v >= 0 && v <= 300)).toBe(true);
    // income has no missing values: its grid counts every row; debt's misses the missing ones
    const income = sa.subarray(1, 1 + HISTOGRAM_BINS).reduce((s, v) => s + v, 0);
    const debt = sa.subarray(1 + HISTOGRAM_BINS).reduce((s, v) => s + v, 0);
    expect(income).toBe(300 - a.numeric.income.filter(Number.isNaN).length);
    expect(debt).toBe(300 - a.numeric.debt.filter(Number.isNaN).length);
    const summedSketch = sa.map((v, i) => v + sb[i]);
    const statsB = localStats(b, layout);
    const summedStats = localStats(a, layout).map((v, i) => v + statsB[i]);
    for (const maxBins of [4, 16, 64]) expect(binningFromSketch(columns, summedSketch, maxBins)).toEqual(binningFromStats(columns, summedStats, maxBins, layout));
    expect(() => binningFromSketch(columns, summedSketch.subarray(1), 16)).toThrow(/summed/);
    expect(() => binningFromSketch(columns, summedSketch, 1)).toThrow(/maxBins/);
  });
});
