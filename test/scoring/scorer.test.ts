import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { germanSchema } from '../../src/data/builtin/german.js';
import { selectRows, type Table } from '../../src/data/schema.js';
import { sigmoid } from '../../src/math/linalg.js';
import { encodeTable } from '../../src/preprocess/encoder.js';
import { baselineFromTable } from '../../src/scoring/baseline.js';
import { describeValue, topPositive } from '../../src/scoring/reasons.js';
import { DEFAULT_SCORE_SCALE, pointsFromLogit } from '../../src/scoring/scale.js';
import { DEFAULT_THRESHOLDS, Scorer } from '../../src/scoring/scorer.js';
import { parseRecords } from '../../src/scoring/validate.js';
import { SEED_RECORD, trained } from './fixture.js';

const vectors = JSON.parse(readFileSync(new URL('../vectors/scorecard-scaling.json', import.meta.url), 'utf8'));
const fx = trained();
const first = (n: number): Table => selectRows(fx.table, Array.from({ length: n }, (_, i) => i));
const logregScorer = (extra = {}) =>
  new Scorer({ schema: germanSchema, encoder: fx.encoder, model: fx.logreg, modelVersion: 'test-1', baseline: fx.baseline, ...extra });

describe('scorecard points (Siddiqi 2006, ch. 6)', () => {
  it('matches the published factor and offset and the hand-computed cases', () => {
    const { published, scale, cases } = vectors;
    const factor = scale.pointsToDouble / Math.LN2;
    expect(Math.abs(factor - published.factor)).toBeLessThan(published.tolerance);
    expect(Math.abs(pointsFromLogit(0, scale) - published.offset)).toBeLessThan(published.tolerance);
    for (const c of cases) expect(pointsFromLogit(c.logitOfDefault, scale)).toBeCloseTo(c.points, 9);
    expect(scale).toEqual({ ...DEFAULT_SCORE_SCALE });
  });
});

describe('Scorer with a logistic regression trained on German credit', () => {
  const scorer = logregScorer();
  const table = first(200);
  const x = encodeTable(fx.encoder, table);

  it('gives exactly the model’s probabilities', () => {
    expect(Array.from(scorer.probabilities(table))).toEqual(Array.from(fx.logreg.predictProba(x)));
  });

  it('contributions plus the baseline logit add up to each logit (exact for logistic regression)', () => {
    const e = scorer.explain(table);
    expect(e.columns).not.toContain('statussex'); // protected: not a model feature
    expect(e.columns.length).toBe(17);
    const w = fx.logreg.getParameters();
    let baseLogit = w[x.cols];
    for (let j = 0; j < x.cols; j++) baseLogit += w[j] * fx.baseline[j];
    expect(e.baseLogit).toBeCloseTo(baseLogit, 12);
    for (let i = 0; i < table.numRows; i++) {
      let sum = e.baseLogit;
      for (let c = 0; c < e.columns.length; c++) sum += e.contributions[i * e.columns.length + c];
      expect(sum).toBeCloseTo(e.logits[i], 10);
      expect(sigmoid(e.logits[i])).toBe(scorer.probabilities(selectRows(table, [i]))[0]);
    }
  });

  it('a single categorical column contributes w_active − Σ_k w_k·freq_k (hand formula)', () => {
    const e = scorer.explain(table);
    const w = fx.logreg.getParameters();
    const c = e.columns.indexOf('existingchecking');
    const features = fx.encoder.features.map((f, j) => ({ f, j })).filter(({ f }) => f.column === 'existingchecking');
    const counts = new Map<string, number>();
    for (const v of fx.table.categorical.existingchecking) counts.set(v!, (counts.get(v!) ?? 0) + 1);
    const mean = features.reduce((s, { f, j }) => s + w[j] * ((f.kind === 'category' ? counts.get(f.category) ?? 0 : 0) / fx.table.numRows), 0);
    for (let i = 0; i < 20; i++) {
      const code = table.categorical.existingchecking[i];
      const active = features.find(({ f }) => f.kind === 'category' && f.category === code)!;
      expect(e.contributions[i * e.columns.length + c]).toBeCloseTo(w[active.j] - mean, 12);
    }
  });

  it('scores: probability, points from the logit, decision at the thresholds, top 4 positive reasons', () => {
    const e = scorer.explain(table);
    const results = scorer.score(table);
    expect(results.length).toBe(table.numRows);
    results.forEach((r, i) => {
      expect(r.probabilityOfDefault).toBe(sigmoid(e.logits[i]));
      expect(r.score).toBe(Math.round(pointsFromLogit(e.logits[i])));
      const p = r.probabilityOfDefault;
      expect(r.decision).toBe(p >= 0.5 ? 'decline' : p >= 1 / 6 ? 'review' : 'approve');
      const row = Array.from(e.contributions.subarray(i * e.columns.length, (i + 1) * e.columns.length));
      const positive = row.filter((v) => v > 0).sort((a, b) => b - a);
      expect(r.reasons.map((x) => x.contribution)).toEqual(positive.slice(0, 4));
      for (const reason of r.reasons) expect(reason.contribution).toBe(row[e.columns.indexOf(reason.field)]);
    });
    const decisions = new Set(results.map((r) => r.decision));
    expect(decisions).toEqual(new Set(['approve', 'review', 'decline'])); // the fixture spans all three
  });

  it("explains a risky applicant in the codebook's words", () => {
    const risky = { ...SEED_RECORD, existingchecking: 'A11', duration: 60, credithistory: 'A30', savings: 'A61', creditamount: 15000 };
    const parsed = parseRecords([risky], germanSchema);
    if (!parsed.ok) throw new Error('fixture record invalid');
    const [result] = scorer.score(parsed.table);
    expect(result.reasons.length).toBe(4);
    // A11 (overdrawn checking account) is the German data's strongest risk marker; the trained
    // model must rank it among the top reasons of this applicant.
    const checking = result.reasons.find((r) => r.field === 'existingchecking');
    expect(checking).toMatchObject({ value: 'A11', description: 'checking account < 0 DM' });
    expect(checking!.contribution).toBeGreaterThan(0);
    const duration = result.reasons.find((r) => r.field === 'duration');
    expect(duration).toMatchObject({ value: 60, description: 'Duration of the credit: 60 months' });
  });

  it('classify: 2 exactly when P(default) ≥ classify threshold (default the review threshold 1/6)', () => {
    expect(DEFAULT_THRESHOLDS).toEqual({ review: 1 / 6, decline: 0.5, classify: 1 / 6 });
    const p = fx.logreg.predictProba(x);
    expect(Array.from(scorer.classify(table))).toEqual(Array.from(p, (v) => (v >= 1 / 6 ? 2 : 1)));
    const plain = logregScorer({ thresholds: { classify: 0.5 } });
    expect(Array.from(plain.classify(table))).toEqual(Array.from(p, (v) => (v >= 0.5 ? 2 : 1)));
    expect(plain.thresholds.review).toBe(1 / 6);
  });

  it('with no baseline, reasons are measured from the zero vector', () => {
    const zero = logregScorer({ baseline: undefined });
    const e = zero.explain(first(1));
    const w = fx.logreg.getParameters();
    expect(e.baseLogit).toBe(w[x.cols]);
  });

  it('checks its options', () => {
    const ok = { schema: germanSchema, encoder: fx.encoder, model: fx.logreg, modelVersion: 'v' };
    expect(() => new Scorer({ ...ok, modelVersion: '' })).toThrow(/modelVersion/);
    expect(() => new Scorer({ ...ok, thresholds: { review: 0.6, decline: 0.5 } })).toThrow(/review/);
    expect(() => new Scorer({ ...ok, thresholds: { decline: 0 } })).toThrow(/decline/);
    expect(() => new Scorer({ ...ok, thresholds: { classify: Number.NaN } })).toThrow(/classify/);
    expect(() => new Scorer({ ...ok, baseline: new Float64Array(3) })).toThrow(/baseline/);
    expect(() => new Scorer({ ...ok, numReasons: 99 })).toThrow(/numReasons/);
    expect(() => new Scorer({ ...ok, scale: { basePoints: 600, baseOdds: 0, pointsToDouble: 20 } })).toThrow(/baseOdds/);
    expect(() => new Scorer({ ...ok, encoder: { ...fx.encoder, features: fx.encoder.features.slice(1) } })).toThrow(/features/);
    const otherSchema = { ...germanSchema, columns: germanSchema.columns.filter((c) => c.name !== 'duration') };
    expect(() => new Scorer({ ...ok, schema: otherSchema })).toThrow(/duration/);
  });

  it('accepts tables of schemas that carry its columns with the same kinds', () => {
    expect(scorer.accepts(germanSchema)).toBe(true);
    const noDuration = { ...germanSchema, columns: germanSchema.columns.filter((c) => c.name !== 'duration') };
    expect(scorer.accepts(noDuration)).toBe(false);
    const codedDuration = { ...germanSchema, columns: germanSchema.columns.map((c) => (c.name === 'duration' ? { ...c, kind: 'categorical' as const } : c)) };
    expect(scorer.accepts(codedDuration)).toBe(false);
    expect(scorer.accepts(codedDuration)).toBe(false); // remembered answer is the same
  });

  it('snapshots the parameters: later changes to the model do not change its scores', () => {
    const model = fx.logreg.clone();
    const s = new Scorer({ schema: germanSchema, encoder: fx.encoder, model, modelVersion: 'v' });
    const before = s.probabilities(table);
    model.setParameters(new Float64Array(model.numParameters));
    expect(s.probabilities(table)).toEqual(before);
  });
});

describe('Scorer with an MLP (gradient × input)', () => {
  const scorer = new Scorer({ schema: germanSchema, encoder: fx.encoder, model: fx.mlp, modelVersion: 'mlp-1', baseline: fx.baseline });
  const table = first(50);
  const x = encodeTable(fx.encoder, table);

  it('gives exactly the model’s probabilities', () => {
    expect(scorer.reasonMethod).toBe('gradient-x-input');
    expect(Array.from(scorer.probabilities(table))).toEqual(Array.from(fx.mlp.predictProba(x)));
  });

  it('contributions equal central finite differences of the logit times (x − baseline), per column', () => {
    const e = scorer.explain(table);
    const logit = (row: Float64Array) => {
      const p = fx.mlp.predictProba({ data: row, rows: 1, cols: x.cols })[0];
      return Math.log(p / (1 - p));
    };
    const h = 1e-5;
    for (let i = 0; i < 5; i++) {
      const row = x.data.slice(i * x.cols, (i + 1) * x.cols);
      const expected = new Float64Array(e.columns.length);
      fx.encoder.features.forEach((f, j) => {
        const up = row.slice();
        const down = row.slice();
        up[j] += h;
        down[j] -= h;
        const gradient = (logit(up) - logit(down)) / (2 * h);
        expected[e.columns.indexOf(f.column)] += gradient * (row[j] - fx.baseline[j]);
      });
      for (let c = 0; c < e.columns.length; c++) expect(e.contributions[i * e.columns.length + c]).toBeCloseTo(expected[c], 5);
    }
  });
});

describe('baselines and reasons helpers', () => {
  it('the baseline from summed statistics equals the mean encoded row of the same table', () => {
    const fromTable = baselineFromTable(fx.encoder, fx.table);
    fx.baseline.forEach((v, j) => expect(v).toBeCloseTo(fromTable[j], 12));
  });

  it('describes values with the codebook and units', () => {
    const col = (name: string) => germanSchema.columns.find((c) => c.name === name)!;
    expect(describeValue(col('existingchecking'), 'A11')).toBe('checking account < 0 DM');
    expect(describeValue(col('housing'), 'A151')).toBe('renting');
    expect(describeValue(col('duration'), 48)).toBe('Duration of the credit: 48 months');
    expect(describeValue(col('duration'), null)).toBe('Duration of the credit: not given');
    expect(describeValue({ name: 'region', kind: 'categorical' }, 'north')).toBe('region: north');
  });

  it('topPositive picks the k largest positive values, largest first (property vs sorting)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { maxLength: 30 }), fc.integer({ min: 0, max: 6 }), (values, k) => {
        const arr = Float64Array.from([99, ...values]);
        const got = topPositive(arr, 1, values.length, k).map((c) => values[c]);
        const want = values.filter((v) => v > 0).sort((a, b) => b - a).slice(0, k);
        expect(got).toEqual(want);
      }),
    );
  });
});
