import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { featureColumns } from '../../../src/data/schema.js';
import { concatTables } from '../../../src/simulation/dataset.js';
import { binLayout, binMatrix, binningFromStats, numericBin, parseFeatures, quantileEdges, rawMatrix, type GbdtFeature } from '../../../src/model/gbdt/features.js';
import { deriveRandom } from '../../../src/math/random.js';
import { gridBin, HISTOGRAM_BINS, localStats, statsLayout } from '../../../src/preprocess/stats.js';
import { syntheticTable } from './synthetic.js';

/** The asinh-grid histogram of `values`, as the preprocessing statistics hold it. */
function grid(values: readonly number[]): Float64Array {
  const h = new Float64Array(HISTOGRAM_BINS);
  for (const v of values) h[gridBin(v)]++;
  return h;
}

/** Rows per value bin of `values` under `edges`. */
function binCounts(edges: readonly number[], values: readonly number[]): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (const v of values) counts[numericBin(edges, v)]++;
  return counts;
}

describe('numeric bins', () => {
  it('a low-cardinality integer column gets one bin per distinct value, whatever the ties', () => {
    // 1…4 with heavy ties (like German's installment rate): 3 edges, each bin one value.
    const values = [...Array(500).fill(4), ...Array(120).fill(1), ...Array(230).fill(2), ...Array(150).fill(3)];
    const edges = quantileEdges(grid(values), 32);
    expect(edges).toHaveLength(3);
    expect(binCounts(edges, values)).toEqual([120, 230, 150, 500]);
  });

  it('continuous values get near-equal-frequency bins, every bin non-empty', () => {
    const rng = deriveRandom(5, 'lognormal');
    const values = Array.from({ length: 4000 }, () => Math.exp(5 + 1.5 * rng.normal()));
    for (const maxBins of [2, 8, 32]) {
      const edges = quantileEdges(grid(values), maxBins);
      expect(edges.length).toBeLessThanOrEqual(maxBins - 1);
      expect(edges.every((e, k) => k === 0 || e > edges[k - 1])).toBe(true);
      const counts = binCounts(edges, values);
      // quantiles are exact to one grid cell (≈2.3 % in asinh units): allow ±50 % of the target share
      for (const c of counts) {
        expect(c).toBeGreaterThan(0.5 * (values.length / maxBins));
        expect(c).toBeLessThan(1.5 * (values.length / maxBins));
      }
    }
  });

  it('an empty column has no edge; a constant one has no edge either', () => {
    expect(quantileEdges(new Float64Array(HISTOGRAM_BINS), 32)).toEqual([]);
    expect(quantileEdges(grid(Array(50).fill(7)), 32)).toEqual([]);
  });

  it('bin ≤ t exactly when value < edges[t]; NaN goes to the missing bin (property)', () => {
    fc.assert(fc.property(
      fc.uniqueArray(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }), { minLength: 0, maxLength: 40 }),
      fc.array(fc.double({ noDefaultInfinity: true, min: -1e6, max: 1e6 }), { maxLength: 30 }),
      (rawEdges, values) => {
        const edges = [...new Set(rawEdges.map((e) => (Object.is(e, -0) ? 0 : e)))].sort((a, b) => a - b);
        for (const v of values) {
          const b = numericBin(edges, v);
          if (Number.isNaN(v)) { expect(b).toBe(edges.length + 1); continue; }
          for (let t = 0; t < edges.length; t++) expect(b <= t).toBe(v < edges[t]);
        }
      },
    ));
  });
});

describe('features from summed statistics', () => {
  it('numeric edges from federated stats equal those of the pooled rows; categories come from the schema', () => {
    const a = syntheticTable(300, 1, 'a');
    const b = syntheticTable(500, 1, 'b');
    const columns = featureColumns(a.schema);
    const layout = statsLayout(columns);
    const statsB = localStats(b, layout);
    const summed = localStats(a, layout).map((v, i) => v + statsB[i]);
    const features = binningFromStats(columns, summed, 16, layout);
    expect(binningFromStats(columns, localStats(concatTables([a, b]), layout), 16, layout)).toEqual(features);
    expect(features.map((f) => f.kind)).toEqual(['numeric', 'numeric', 'categorical', 'categorical']);
    expect(features[2]).toEqual({ kind: 'categorical', column: 'home', categories: ['rent', 'own', 'parents', 'other'] });
    const incomes = [...a.numeric.income, ...b.numeric.income];
    expect(features[0].kind === 'numeric' && binCounts(features[0].edges, incomes).every((c) => c > 0)).toBe(true);
    expect(() => binningFromStats(columns, summed, 1, layout)).toThrow(RangeError);
    expect(() => binningFromStats(columns, summed.subarray(1), 16, layout)).toThrow(/summedStats/);
  });

  it('raw and binned matrices: values, category indices, NaN and missing bins', () => {
    const features: GbdtFeature[] = [
      { kind: 'numeric', column: 'debt', edges: [100, 1000] },
      { kind: 'categorical', column: 'home', categories: ['rent', 'own', 'parents', 'other'] },
    ];
    const table = { ...syntheticTable(3, 9), numeric: { debt: Float64Array.of(50, NaN, 1000) }, categorical: { home: ['own', null, 'other'] } };
    const raw = rawMatrix(features, table);
    expect(Array.from(raw.data)).toEqual([50, 1, NaN, NaN, 1000, 3]);
    expect(Array.from(binMatrix(features, raw))).toEqual([0, 1, 3, 4, 2, 3]);
    const layout = binLayout(features);
    expect(Array.from(layout.numBins)).toEqual([4, 5]);
    expect(Array.from(layout.offsets)).toEqual([0, 4]);
    expect(layout.totalBins).toBe(9);
    expect(() => binMatrix(features, { data: new Float64Array(3), rows: 1, cols: 3 })).toThrow(/2 columns/);
  });

  it('parseFeatures rejects hostile input, naming the entry', () => {
    const ok = [{ kind: 'numeric', column: 'x', edges: [1, 2] }, { kind: 'categorical', column: 'c', categories: ['a', 'b'] }];
    expect(parseFeatures(ok)).toEqual(ok);
    const bad: [unknown, RegExp][] = [
      [null, /features/], [[], /features/], ['x', /features/],
      [[{ kind: 'numeric', column: 'x', edges: [2, 1] }], /edges\[1\]/],
      [[{ kind: 'numeric', column: 'x', edges: [1, NaN] }], /edges\[1\]/],
      [[{ kind: 'numeric', column: 'x', edges: ['1'] }], /edges\[0\]/],
      [[{ kind: 'numeric', column: 'x', edges: Array.from({ length: 300 }, (_, i) => i) }], /edges/],
      [[{ kind: 'categorical', column: 'c', categories: ['a', 'a'] }], /unique/],
      [[{ kind: 'categorical', column: 'c', categories: [1] }], /unique strings/],
      [[{ kind: 'tree', column: 'c' }], /kind/],
      [[{ kind: 'numeric', edges: [] }], /column name/],
      [[{ kind: 'numeric', column: 'x', edges: [] }, { kind: 'numeric', column: 'x', edges: [] }], /twice/],
    ];
    for (const [value, message] of bad) expect(() => parseFeatures(value), JSON.stringify(value)?.slice(0, 60)).toThrow(message);
  });
});
