import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { getBuiltinSchema, builtinDataPath } from '../../src/data/builtin/index.js';
import { loadCsv } from '../../src/data/csv.js';
import { selectRows, featureColumns, type Schema, type Table } from '../../src/data/schema.js';
import { encodeTable, featureNames, fitEncoder, parseEncoderSpec } from '../../src/preprocess/encoder.js';
import { addStats, gridBin, gridValue, histogramQuantile, localStats, statsLayout, HISTOGRAM_BINS } from '../../src/preprocess/stats.js';

const schema: Schema = {
  name: 'tiny',
  columns: [
    { name: 'income', kind: 'numeric' },
    { name: 'home', kind: 'categorical', categories: ['rent', 'own', 'other'] },
    { name: 'sex', kind: 'categorical', categories: ['f', 'm'], protected: true },
  ],
  target: { name: 'y', bad: '1' },
  missingTokens: ['NA'],
};

const tiny: Table = {
  schema,
  numRows: 5,
  numeric: { income: new Float64Array([10, 20, NaN, 40, 30]) },
  categorical: { home: ['rent', 'own', 'rent', null, 'own'], sex: ['f', 'm', 'f', 'm', 'f'] },
  label: new Uint8Array([0, 1, 0, 1, 0]),
};

describe('federated preprocessing', () => {
  it('computes mean, std, histogram median, missing and category indicators from sums (hand-checked)', () => {
    const columns = featureColumns(schema);
    expect(columns.map((c) => c.name)).toEqual(['income', 'home']); // protected excluded
    const spec = fitEncoder(columns, localStats(tiny, statsLayout(columns)));
    expect(featureNames(spec)).toEqual(['income', 'income:missing', 'home=rent', 'home=own', 'home:missing']); // 'other' never seen: dropped
    const income = spec.features[0] as { mean: number; std: number; impute: number };
    expect(income.mean).toBeCloseTo(25, 12); // (10+20+40+30)/4
    expect(income.std).toBeCloseTo(Math.sqrt(125), 10); // population variance: (225+25+225+25)/4
    expect(Math.abs(income.impute - 25) / 25).toBeLessThan(0.03); // median of 10,20,30,40 is 25, within a grid bin
    const x = encodeTable(spec, tiny);
    expect(x.rows).toBe(5);
    expect(x.cols).toBe(5);
    // row 2 (income missing, home rent): imputed income, missing flag 1, home=rent 1
    expect(x.data[2 * 5 + 1]).toBe(1);
    expect(x.data[2 * 5 + 2]).toBe(1);
    // row 3 (home missing)
    expect(Array.from(x.data.subarray(3 * 5 + 2, 3 * 5 + 5))).toEqual([0, 0, 1]);
  });

  it('summed node statistics give exactly the encoder of the pooled rows (no row needed)', () => {
    const s = getBuiltinSchema('credit_data');
    const table = loadCsv(builtinDataPath('credit_data'), s);
    const layout = statsLayout(featureColumns(s));
    const parts = [0, 1, 2].map((k) => selectRows(table, Array.from({ length: table.numRows }, (_, i) => i).filter((i) => i % 3 === k)));
    const federated = fitEncoder(layout.slots.map((x) => x.column), addStats(parts.map((p) => localStats(p, layout))), layout);
    const pooled = fitEncoder(layout.slots.map((x) => x.column), localStats(table, layout), layout);
    expect(federated.features.length).toBe(pooled.features.length);
    federated.features.forEach((f, i) => {
      const p = pooled.features[i];
      expect(f.kind).toBe(p.kind);
      if (f.kind === 'numeric' && p.kind === 'numeric') {
        expect(f.mean).toBeCloseTo(p.mean, 9);
        expect(f.std).toBeCloseTo(p.std, 9);
        expect(f.impute).toBe(p.impute);
      }
    });
    // Income has NAs in credit_data: a missing indicator must exist
    expect(featureNames(federated)).toContain('Income:missing');
    // standardized columns have mean ≈ 0 and std ≈ 1 on the pooled rows
    const x = encodeTable(pooled, table);
    const j = featureNames(pooled).indexOf('Amount');
    let m = 0, v = 0;
    for (let i = 0; i < x.rows; i++) m += x.data[i * x.cols + j];
    m /= x.rows;
    for (let i = 0; i < x.rows; i++) v += (x.data[i * x.cols + j] - m) ** 2;
    expect(m).toBeCloseTo(0, 9);
    expect(Math.sqrt(v / x.rows)).toBeCloseTo(1, 9);
  });

  it('histogram quantiles stay within one grid bin of the exact quantile', () => {
    fc.assert(fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 300 }), (values) => {
      const h = new Float64Array(HISTOGRAM_BINS);
      for (const v of values) h[gridBin(v)]++;
      const sorted = [...values].sort((a, b) => a - b);
      const r = 0.5 * (sorted.length - 1);
      const lo = sorted[Math.floor(r)], hi = sorted[Math.ceil(r)];
      const est = histogramQuantile(h, 0.5);
      // the estimate lies between the bins holding the two order statistics the exact median interpolates
      const slack = 1e-9 * Math.max(1, Math.abs(lo), Math.abs(hi));
      return est >= gridValue(gridBin(lo)) - slack && est <= gridValue(gridBin(hi) + 1) + slack;
    }));
  });

  it('rejects malformed encoder specs from the network', () => {
    for (const bad of [null, 3, {}, { format: 'fedcredit-encoder', version: 2, features: [] }, { format: 'fedcredit-encoder', version: 1, features: [{ kind: 'numeric', column: 'a', mean: NaN, std: 1, impute: 0 }] }, { format: 'fedcredit-encoder', version: 1, features: [{ kind: 'numeric', column: 'a', mean: 0, std: 0, impute: 0 }] }, { format: 'fedcredit-encoder', version: 1, features: [{ kind: 'evil', column: 'a' }] }]) {
      expect(() => parseEncoderSpec(bad)).toThrow(TypeError);
    }
  });

  it('rejects statistics of the wrong length', () => {
    const columns = featureColumns(schema);
    expect(() => fitEncoder(columns, new Float64Array(3))).toThrow(RangeError);
    expect(() => addStats([new Float64Array(2), new Float64Array(3)])).toThrow(RangeError);
  });
});
