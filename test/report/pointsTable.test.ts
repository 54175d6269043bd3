/**
 * The scorecard section's points: for a logistic regression on German credit (real encoder
 * fitted from summed statistics), an applicant's points add up to the scaled score and give back
 * the model's probability exactly, and the table's rows are the points the applicants get; for
 * a tree ensemble, the gain ranking adds up the split gains by feature (hand example).
 */
import { describe, expect, it } from 'vitest';
import { builtinDataPath, getBuiltinSchema } from '../../src/data/builtin/index.js';
import { loadCsv } from '../../src/data/csv.js';
import { featureColumns } from '../../src/data/schema.js';
import { sigmoid } from '../../src/math/linalg.js';
import { LogisticRegression } from '../../src/model/logistic.js';
import type { TreeEnsembleJson } from '../../src/model/gbdt/ensemble.js';
import { encodeTable, fitEncoder } from '../../src/preprocess/encoder.js';
import { localStats, statsLayout } from '../../src/preprocess/stats.js';
import { applicantPoints, gbdtGainImportance, logregPointsTable } from '../../src/report/pointsTable.js';
import { pointsFromLogit } from '../../src/scoring/scale.js';

const schema = getBuiltinSchema('german');
const table = loadCsv(builtinDataPath('german'), schema);
const layout = statsLayout(featureColumns(schema));
const encoder = fitEncoder(layout.slots.map((s) => s.column), localStats(table, layout), layout);
const d = encoder.features.length;
const parameters = Float64Array.from({ length: d + 1 }, (_, i) => Math.sin(3 * i + 1) * 0.6);
const model = new LogisticRegression(d);
model.setParameters(parameters);
const x = encodeTable(encoder, table);
const p = model.predictProba(x);

describe('points table of a logistic regression', () => {
  it('points add up to the scaled score and reproduce the probability of every applicant', () => {
    const card = logregPointsTable(encoder, parameters, schema);
    expect(card.characteristics.length).toBe(featureColumns(schema).length); // protected columns left out
    for (let i = 0; i < table.numRows; i++) {
      const row = x.data.subarray(i * d, (i + 1) * d);
      const score = applicantPoints(encoder, parameters, row).reduce((s, v) => s + v, 0);
      const z = parameters[d] + row.reduce((s, v, j) => s + v * parameters[j], 0);
      expect(score).toBeCloseTo(pointsFromLogit(z), 9);
      expect(sigmoid((card.offset - score) / card.factor)).toBeCloseTo(p[i], 12);
    }
  });

  it('the table’s rows are the points applicants get: categories by code, numbers by a + b·value', () => {
    const card = logregPointsTable(encoder, parameters, schema);
    const columns = card.characteristics.map((c) => c.column);
    const checking = card.characteristics.find((c) => c.column === 'existingchecking')!;
    expect(checking.kind).toBe('categorical');
    expect(checking.rows.map((r) => r.words)).toContain('checking account < 0 DM');
    const duration = card.characteristics.find((c) => c.column === 'duration')!;
    expect(duration.kind).toBe('numeric');
    expect(duration.rows.length).toBeGreaterThanOrEqual(2);
    for (let i = 0; i < 50; i++) {
      const row = x.data.subarray(i * d, (i + 1) * d);
      const points = applicantPoints(encoder, parameters, row);
      const code = table.categorical.existingchecking[i]!;
      expect(points[columns.indexOf('existingchecking')]).toBeCloseTo(checking.rows.find((r) => r.attribute === code)!.points, 9);
      expect(points[columns.indexOf('duration')]).toBeCloseTo(duration.intercept! + duration.slope! * table.numeric.duration[i], 9);
    }
    // a longer loan with a positive duration weight costs points
    const beta = parameters[encoder.features.findIndex((f) => f.column === 'duration')];
    expect(Math.sign(duration.slope!)).toBe(-Math.sign(beta));
    // rows at illustrative values agree with the formula
    for (const r of duration.rows) expect(r.points).toBeCloseTo(duration.intercept! + duration.slope! * Number(r.attribute), 9);
    // integer columns are illustrated at whole numbers, within the schema's bounds
    const integers = card.characteristics.filter((c) => schema.columns.find((s) => s.name === c.column)?.integer);
    expect(integers.length).toBeGreaterThan(0);
    for (const c of integers) {
      const spec = schema.columns.find((s) => s.name === c.column)!;
      for (const r of c.rows.filter((x) => x.attribute !== 'missing')) {
        expect(Number.isInteger(Number(r.attribute))).toBe(true);
        expect(Number(r.attribute)).toBeGreaterThanOrEqual(spec.min ?? 0);
      }
    }
  });

  it('refuses parameters of the wrong length', () => {
    expect(() => logregPointsTable(encoder, new Float64Array(d), schema)).toThrow(RangeError);
    expect(() => logregPointsTable(encoder, new Float64Array(d + 1).fill(NaN), schema)).toThrow(RangeError);
  });
});

describe('gain importance of a tree ensemble', () => {
  it('adds the split gains per feature and ranks them (hand example)', () => {
    const ensemble = {
      format: 'fedcredit-gbdt', version: 1, baseMargin: 0, params: {},
      features: [{ kind: 'numeric', column: 'duration', edges: [12, 24] }, { kind: 'categorical', column: 'purpose', categories: ['A40', 'A41'] }, { kind: 'numeric', column: 'age', edges: [30] }],
      trees: [
        { nodes: [{ kind: 'numeric', feature: 0, threshold: 12, missingLeft: true, left: 1, right: 2, gain: 3, count: 10 }, { kind: 'leaf', value: 0.1, count: 4 }, { kind: 'categorical', feature: 1, leftCategories: [0], missingLeft: false, left: 3, right: 4, gain: 1, count: 6 }, { kind: 'leaf', value: 0, count: 3 }, { kind: 'leaf', value: -0.1, count: 3 }] },
        { nodes: [{ kind: 'categorical', feature: 1, leftCategories: [1], missingLeft: false, left: 1, right: 2, gain: 4, count: 10 }, { kind: 'leaf', value: 0.1, count: 5 }, { kind: 'leaf', value: -0.1, count: 5 }] },
      ],
    } as unknown as TreeEnsembleJson;
    const ranking = gbdtGainImportance(ensemble, schema);
    expect(ranking.map((g) => [g.column, g.gain, g.splits])).toEqual([['purpose', 5, 2], ['duration', 3, 1]]);
    expect(ranking[0].share).toBeCloseTo(5 / 8, 12);
    expect(ranking[0].description).toBe(schema.columns.find((c) => c.name === 'purpose')!.description);
  });
});
