/**
 * "What would change the decision" (src/scoring/counterfactual.ts) with real German models: a
 * logistic regression and an MLP trained by the project's own code (test/scoring/fixture.ts,
 * seeded) and boosted trees grown on the German file. Every suggestion is applied to the request
 * record and re-scored through the public path (parseRecords → Scorer.score); protected and
 * immutable fields are never touched; a pair is only returned when an exhaustive scan finds no
 * single change; answers are deterministic. Known answers from hand-set models: a boosted stump
 * (duration 48 → 24 months), a one-column logistic regression (checking account < 0 DM → no
 * checking account), a two-column one that needs both, and an approval's margin.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { germanSchema } from '../../src/data/builtin/german.js';
import type { ColumnSpec, Schema } from '../../src/data/schema.js';
import { trainGbdtOnTable } from '../../src/model/gbdt/local.js';
import { durationStump } from './durationStump.js';
import { gbdtParams } from '../../src/model/gbdt/params.js';
import { LogisticRegression } from '../../src/model/logistic.js';
import { allowsChange, fieldActionability } from '../../src/scoring/actionability.js';
import { counterfactuals, counterfactualsOfTable, describeChange, type CounterfactualAnswer } from '../../src/scoring/counterfactual.js';
import { categoryGrid, MAX_STEPS_PER_SIDE, numericGrid } from '../../src/scoring/counterfactualGrid.js';
import { DEFAULT_SCORE_SCALE } from '../../src/scoring/scale.js';
import { Scorer, type Decision } from '../../src/scoring/scorer.js';
import { TreeAttributor } from '../../src/scoring/treeAttributor.js';
import { parseRecords } from '../../src/scoring/validate.js';
import { recordOf, SEED_RECORD, trained } from './fixture.js';

type Record_ = Record<string, string | number>;
const fx = trained();
const RANK: Record<Decision, number> = { approve: 0, review: 1, decline: 2 };
const column = (name: string): ColumnSpec => germanSchema.columns.find((c) => c.name === name)!;
const logit = (p: number) => Math.log(p / (1 - p));

const treeAttributor = new TreeAttributor(trainGbdtOnTable(fx.table, gbdtParams({ numTrees: 60, maxDepth: 3, learningRate: 0.1 })));
const scorers: Record<string, Scorer> = {
  logreg: new Scorer({ schema: germanSchema, encoder: fx.encoder, model: fx.logreg, modelVersion: 'logreg', baseline: fx.baseline }),
  mlp: new Scorer({ schema: germanSchema, encoder: fx.encoder, model: fx.mlp, modelVersion: 'mlp', baseline: fx.baseline }),
  gbdt: new Scorer({ schema: germanSchema, encoder: treeAttributor.encoder, attributor: treeAttributor, modelVersion: 'gbdt' }),
};

/** Score request records through the public path. */
function scoreRecords(scorer: Scorer, records: readonly Record_[]) {
  const parsed = parseRecords(records, germanSchema);
  if (!parsed.ok) throw new Error(`invalid record: ${JSON.stringify(parsed.issues)}`);
  return scorer.score(parsed.table);
}

function answerFor(scorer: Scorer, record: Record_, options = {}): CounterfactualAnswer {
  const parsed = parseRecords([record], germanSchema);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return counterfactuals(scorer, parsed.table, 0, options);
}

const FIELDS = new Map(fieldActionability(germanSchema).map((f) => [f.field, f] as const));
const ACTIONABLE = new Set([...FIELDS.values()].filter((f) => f.actionability === 'actionable').map((f) => f.field));

/** Check every suggestion of `answer` for `record` by re-scoring it; returns the applied records. */
function checkSuggestions(scorer: Scorer, record: Record_, answer: CounterfactualAnswer): void {
  const [original] = scoreRecords(scorer, [record]);
  expect(answer.decision).toBe(original.decision);
  expect(answer.probabilityOfDefault).toBeCloseTo(original.probabilityOfDefault, 12);
  if (answer.decision === 'approve') expect(answer.suggestions).toEqual([]);
  const applied = answer.suggestions.map((s) => {
    const out = { ...record };
    for (const change of s.changes) {
      expect(ACTIONABLE.has(change.field), `${change.field} is not actionable`).toBe(true);
      expect(change.from).toBe(record[change.field]);
      expect(allowsChange(FIELDS.get(change.field)!, change.from, change.to), `${change.field}: ${change.from} → ${change.to}`).toBe(true);
      out[change.field] = change.to;
    }
    expect(new Set(s.changes.map((c) => c.field)).size).toBe(s.changes.length);
    expect(s.changes.length === 1 || s.changes.length === 2).toBe(true);
    return out;
  });
  if (applied.length === 0) return;
  const rescored = scoreRecords(scorer, applied); // throws when a suggested value breaks the schema
  answer.suggestions.forEach((s, k) => {
    expect(rescored[k].decision).toBe(s.decision);
    expect(RANK[s.decision]).toBeLessThan(RANK[answer.decision]);
    expect(rescored[k].probabilityOfDefault).toBeCloseTo(s.probabilityOfDefault, 12);
    expect(rescored[k].score).toBe(s.score);
  });
  // plausibility order: fewest fields, then smallest change
  for (let k = 1; k < answer.suggestions.length; k++) {
    const [a, b] = [answer.suggestions[k - 1], answer.suggestions[k]];
    expect(a.changes.length < b.changes.length || (a.changes.length === b.changes.length && a.cost <= b.cost)).toBe(true);
  }
}

/** Every single-field change an exhaustive scan tries: all known categories, every integer, a fine amount grid. */
function allSingleChanges(scorer: Scorer, record: Record_): Record_[] {
  const out: Record_[] = [];
  for (const c of scorer.columns) {
    if (!ACTIONABLE.has(c.name)) continue;
    const values: (string | number)[] = c.kind !== 'numeric'
      ? c.categories!.filter((v) => scorer.encoder.features.some((f) => f.kind === 'category' && f.column === c.name && f.category === v))
      : c.integer ? Array.from({ length: c.max! - c.min! + 1 }, (_, i) => c.min! + i)
        : Array.from({ length: 2001 }, (_, i) => 1 + i * 25); // credit amount 1 … 50,001 DM
    for (const v of values) if (v !== record[c.name] && allowsChange(FIELDS.get(c.name)!, record[c.name], v)) out.push({ ...record, [c.name]: v });
  }
  return out;
}

describe('counterfactuals on German credit (logreg, MLP, boosted trees)', () => {
  for (const [name, scorer] of Object.entries(scorers)) {
    it(`${name}: every suggestion flips the decision when applied, touches only actionable fields, and is deterministic`, () => {
      let searched = 0;
      let pairs = 0;
      for (let i = 0; i < 120; i++) {
        const record = recordOf(fx.table, i);
        const answer = counterfactuals(scorer, fx.table, i);
        checkSuggestions(scorer, record, answer);
        expect(counterfactuals(scorer, fx.table, i)).toEqual(answer);
        if (answer.decision !== 'approve') searched++;
        if (answer.suggestions.some((s) => s.changes.length === 2)) pairs++;
        expect(answer.fields.map((f) => f.field)).toEqual(scorer.columns.map((c) => c.name));
      }
      expect(searched).toBeGreaterThan(30); // the check above is not vacuous
      if (name !== 'gbdt') expect(pairs).toBeGreaterThan(0);
    });
  }

  it('a pair is returned only when no single actionable change works (exhaustive scan, logreg and trees)', () => {
    for (const name of ['logreg', 'gbdt']) {
      const scorer = scorers[name];
      let checked = 0;
      for (let i = 0; i < 200 && checked < 4; i++) {
        const answer = counterfactuals(scorer, fx.table, i);
        if (!answer.suggestions.some((s) => s.changes.length === 2)) continue;
        expect(answer.suggestions.every((s) => s.changes.length === 2)).toBe(true);
        const record = recordOf(fx.table, i);
        const results = scoreRecords(scorer, allSingleChanges(scorer, record));
        expect(results.every((r) => RANK[r.decision] >= RANK[answer.decision])).toBe(true);
        checked++;
      }
      expect(checked, name).toBeGreaterThan(0);
    }
  });

  it('a single integer change is the smallest that reaches its decision (exhaustive over the range)', () => {
    let checked = 0;
    for (const scorer of [scorers.logreg, scorers.gbdt]) {
      for (let i = 0; i < 120; i++) {
        const record = recordOf(fx.table, i);
        for (const s of counterfactuals(scorer, fx.table, i).suggestions) {
          const [change] = s.changes;
          if (s.changes.length !== 1 || change.field !== 'duration') continue;
          const from = change.from as number;
          const closer = Array.from({ length: Math.abs((change.to as number) - from) * 2 }, (_, k) => from + (k % 2 === 0 ? -1 : 1) * (1 + Math.floor(k / 2)))
            .filter((v) => v >= 1 && v <= 120 && Math.abs(v - from) < Math.abs((change.to as number) - from));
          if (closer.length === 0) continue;
          const results = scoreRecords(scorer, closer.map((v) => ({ ...record, duration: v })));
          expect(results.every((r) => RANK[r.decision] > RANK[s.decision])).toBe(true);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(5);
  });

  it('property: random valid applicants, every model — suggestions valid, flipping, deterministic', () => {
    const arbitrary = fc.record(Object.fromEntries(germanSchema.columns.map((c) => [c.name,
      c.kind !== 'numeric' ? fc.constantFrom(...c.categories!)
        : c.integer ? fc.integer({ min: c.min!, max: Math.min(c.max!, 80) })
          : fc.oneof(fc.integer({ min: 1, max: 20_000 }), fc.double({ min: 1, max: 30_000, noNaN: true }))])) as Record<string, fc.Arbitrary<string | number>>);
    fc.assert(fc.property(arbitrary, fc.constantFrom('logreg', 'mlp', 'gbdt'), (record, name) => {
      const answer = answerFor(scorers[name], record);
      checkSuggestions(scorers[name], record, answer);
      expect(answerFor(scorers[name], record)).toEqual(answer);
    }), { numRuns: 60, seed: 5 });
  });

  it('counterfactualsOfTable answers every row in order', () => {
    const parsed = parseRecords([recordOf(fx.table, 1), recordOf(fx.table, 3)], germanSchema);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(counterfactualsOfTable(scorers.logreg, parsed.table)).toEqual([counterfactuals(scorers.logreg, fx.table, 1), counterfactuals(scorers.logreg, fx.table, 3)]);
  });
});

describe('known answers from hand-set models', () => {
  /** A logistic regression on the German encoder with weights on some one-hot features only. */
  function handLogreg(weights: Record<string, number>, bias: number, thresholds = {}): Scorer {
    const model = new LogisticRegression(fx.encoder.features.length);
    const p = new Float64Array(model.numParameters);
    fx.encoder.features.forEach((f, j) => {
      if (f.kind === 'category') p[j] = weights[`${f.column}=${f.category}`] ?? 0;
    });
    p[p.length - 1] = bias;
    model.setParameters(p);
    return new Scorer({ schema: germanSchema, encoder: fx.encoder, model, modelVersion: 'hand', thresholds });
  }

  it('a boosted stump on duration: 48 → 24 months (the first value below its 24.5 split)', () => {
    // leaves ±2, so 48 months is σ(2) = 0.88 (decline), 24 is σ(−2) = 0.12 (approve)
    const stump = durationStump();
    const attributor = new TreeAttributor(stump);
    const scorer = new Scorer({ schema: germanSchema, encoder: attributor.encoder, attributor, modelVersion: 'stump' });
    const answer = answerFor(scorer, { ...SEED_RECORD, duration: 48 });
    expect(answer.decision).toBe('decline');
    expect(answer.suggestions).toEqual([{
      changes: [{ field: 'duration', title: 'Duration of the credit', from: 48, to: 24, text: 'Duration of the credit: 48 → 24 months' }],
      probabilityOfDefault: expect.closeTo(1 / (1 + Math.exp(2)), 12), score: expect.any(Number), decision: 'approve', cost: 24 / (119 / 4), // one edge: spread from the schema range 1…120
    }]);
    expect(answer.fields.find((f) => f.field === 'residencesince')).toMatchObject({ actionability: 'immutable' });
  });

  it('one column: checking account < 0 DM → no checking account, the only category that reaches review', () => {
    // logit = w(checking) − 0: A11 +3 (0.95), A12 +1 (0.73), A13 0 (0.5, still decline), A14 −1 (0.27, review)
    const scorer = handLogreg({ 'existingchecking=A11': 3, 'existingchecking=A12': 1, 'existingchecking=A14': -1 }, 0);
    const answer = answerFor(scorer, SEED_RECORD);
    expect(answer.decision).toBe('decline');
    expect(answer.suggestions.map((s) => [s.changes.map((c) => c.text), s.decision])).toEqual([
      [['Status of existing checking account: checking account < 0 DM → no checking account'], 'review'],
    ]);
  });

  it('two columns needed together: a pair, and no single change', () => {
    // A11 and A101 each +1, bias −0.5: 1.5 (decline); one removed 0.5 (decline); both −0.5 (review)
    const scorer = handLogreg({ 'existingchecking=A11': 1, 'otherdebtors=A101': 1 }, -0.5);
    const answer = answerFor(scorer, SEED_RECORD);
    expect(answer.decision).toBe('decline');
    expect(answer.suggestions.map((s) => s.changes.map((c) => c.text))).toEqual([[
      'Status of existing checking account: checking account < 0 DM → checking account 0–200 DM',
      'Other debtors or guarantors: no other debtors or guarantors → co-applicant',
    ]]);
    expect(answer.suggestions[0]).toMatchObject({ decision: 'review', cost: 2, probabilityOfDefault: expect.closeTo(1 / (1 + Math.exp(0.5)), 12) });
  });

  it('an approved applicant gets the margin to review instead of suggestions', () => {
    const scorer = handLogreg({}, logit(0.1));
    const answer = answerFor(scorer, SEED_RECORD);
    expect(answer.decision).toBe('approve');
    expect(answer.suggestions).toEqual([]);
    expect(answer.margin!.probabilityOfDefault).toBeCloseTo(1 / 6 - 0.1, 12);
    // points fall by factor · Δlogit (Siddiqi's scale: 20 / ln 2 points per doubling of the odds)
    expect(answer.margin!.points).toBeCloseTo((DEFAULT_SCORE_SCALE.pointsToDouble / Math.LN2) * (logit(1 / 6) - logit(0.1)), 9);
  });

  it('nothing within reach: no suggestions, no margin; lender policy can freeze more fields', () => {
    const scorer = handLogreg({ 'credithistory=A34': 10 }, 0); // only an immutable field matters
    const answer = answerFor(scorer, SEED_RECORD);
    expect(answer).toMatchObject({ decision: 'decline', suggestions: [], margin: null });
    const frozen = answerFor(handLogreg({ 'existingchecking=A11': 3, 'existingchecking=A14': -1 }, 0), SEED_RECORD, { immutable: ['existingchecking'] });
    expect(frozen.suggestions).toEqual([]);
    expect(frozen.fields.find((f) => f.field === 'existingchecking')).toMatchObject({ actionability: 'immutable' });
  });
});

describe('actionability, grids and arguments', () => {
  it('German: protected by the schema flag, the past and life circumstances immutable, loan terms actionable', () => {
    const byField = new Map(fieldActionability(germanSchema).map((f) => [f.field, f.actionability]));
    for (const f of ['statussex', 'age', 'foreignworker']) expect(byField.get(f)).toBe('protected');
    for (const f of ['credithistory', 'employmentsince', 'residencesince', 'job', 'peopleliable', 'purpose']) expect(byField.get(f)).toBe('immutable');
    for (const f of ['existingchecking', 'duration', 'creditamount', 'savings', 'otherdebtors', 'telephone']) expect(byField.get(f)).toBe('actionable');
  });

  it('one-way fields: credits only repaid, savings only up the ladder, telephone only registered', () => {
    const f = (name: string) => fieldActionability(germanSchema).find((x) => x.field === name)!;
    expect([allowsChange(f('existingcredits'), 2, 1), allowsChange(f('existingcredits'), 2, 3)]).toEqual([true, false]);
    expect(['A61', 'A62', 'A63', 'A64', 'A65'].map((to) => allowsChange(f('savings'), 'A62', to))).toEqual([false, false, true, true, false]);
    expect(['A61', 'A64', 'A65'].map((to) => allowsChange(f('savings'), 'A65', to))).toEqual([true, true, false]);
    expect([allowsChange(f('telephone'), 'A191', 'A192'), allowsChange(f('telephone'), 'A192', 'A191')]).toEqual([true, false]);
    expect(allowsChange(f('duration'), 24, 36)).toBe(true);
    expect(allowsChange(f('existingchecking'), 'A11', 'A14')).toBe(true);
  });

  it('a bring-your-own schema: actionable except protected and always-immutable names', () => {
    const schema: Schema = {
      name: 'mine', missingTokens: [], target: { name: 'y', bad: '1' },
      columns: [{ name: 'Age', kind: 'numeric' }, { name: 'income', kind: 'numeric' }, { name: 'region', kind: 'categorical', categories: ['n', 's'], protected: true }],
    };
    expect(fieldActionability(schema).map((f) => f.actionability)).toEqual(['immutable', 'actionable', 'protected']);
  });

  it('numeric grid: smallest change first, within the schema range, bounds included, round numbers', () => {
    const duration = numericGrid(column('duration'), 48, 12).map((g) => g.value);
    expect(duration.slice(0, 4)).toEqual([47, 49, 46, 50]);
    expect(duration).toContain(1);
    expect(duration).toContain(120);
    expect(duration.every((v) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 120)).toBe(true);
    const amount = numericGrid(column('creditamount'), 4870, 2821);
    expect(amount.slice(0, 3).map((g) => g.value)).toEqual([4750, 5000, 4500]);
    expect(amount[0].cost).toBeCloseTo(120 / 2821, 12);
    expect(amount.map((g) => g.value)).toContain(1); // the schema's minimum
    expect(Math.max(...amount.map((g) => g.value as number))).toBeLessThanOrEqual(4870 + 8 * 2821);
    expect(amount.filter((g) => (g.value as number) > 4870).length).toBeLessThanOrEqual(MAX_STEPS_PER_SIDE + 1);
    const fine = numericGrid({ name: 'r', kind: 'numeric', min: 0, max: 1 }, 0.5, 0.25).map((g) => g.value);
    expect(fine.slice(0, 2)).toEqual([0.475, 0.525]); // step 0.025 (nice ≤ spread / 10), no float noise
  });

  it('category grid: known categories only; ordinal steps cost ½ each', () => {
    const known = new Set(['A71', 'A72', 'A73', 'A75']);
    expect(categoryGrid(column('employmentsince'), 'A73', known)).toEqual([{ value: 'A72', cost: 0.5 }, { value: 'A71', cost: 1 }, { value: 'A75', cost: 1 }]);
    expect(categoryGrid(column('savings'), 'A61', new Set(['A61', 'A65', 'A62']))).toEqual([{ value: 'A62', cost: 1 }, { value: 'A65', cost: 1 }]);
  });

  it('describeChange words', () => {
    expect(describeChange(column('creditamount'), 1169.5, 1000).text).toBe('Credit amount: 1169.5 → 1000 DM');
    expect(describeChange({ name: 'x', kind: 'categorical' }, 'a', 'b').text).toBe('x: a → b');
  });

  it('refuses bad rows and options', () => {
    expect(() => counterfactuals(scorers.logreg, fx.table, -1)).toThrow(RangeError);
    expect(() => counterfactuals(scorers.logreg, fx.table, fx.table.numRows)).toThrow(RangeError);
    expect(() => counterfactuals(scorers.logreg, fx.table, 0, { maxSuggestions: 0 })).toThrow(/maxSuggestions/);
    expect(() => counterfactuals(scorers.logreg, fx.table, 0, { maxPairEvaluations: 1e9 })).toThrow(/maxPairEvaluations/);
    expect(() => counterfactuals(scorers.logreg, fx.table, 0, { immutable: [3 as unknown as string] })).toThrow(TypeError);
    expect(() => numericGrid(column('duration'), NaN, 1)).toThrow(RangeError);
    expect(() => numericGrid(column('duration'), 6, 0)).toThrow(RangeError);
  });

  it('bounded work: a tiny pair budget still answers, with fewer rows scored', () => {
    const row = Array.from({ length: 200 }, (_, i) => i).find((i) => counterfactuals(scorers.logreg, fx.table, i).suggestions.some((s) => s.changes.length === 2))!;
    const full = counterfactuals(scorers.logreg, fx.table, row);
    const small = counterfactuals(scorers.logreg, fx.table, row, { maxPairEvaluations: 100 });
    expect(small.evaluations).toBeLessThan(full.evaluations);
    checkSuggestions(scorers.logreg, recordOf(fx.table, row), small);
  });
});
