import { describe, expect, it } from 'vitest';
import { loadBuiltin } from '../../src/data/builtin/index.js';
import type { Schema } from '../../src/data/schema.js';
import { defaultFairnessAttributes, GERMAN_FAIRNESS_ATTRIBUTES, groupIndex, parseFairnessAttributes } from '../../src/fairness/groups.js';

const german = loadBuiltin('german');

describe('protected groups', () => {
  it('sorts German applicants by the codebook: sex and marital status from statussex, age bands, foreign worker', () => {
    const [sex, marital, age, foreign] = GERMAN_FAIRNESS_ATTRIBUTES.map((a) => groupIndex(german, a));
    const codes = german.categorical.statussex;
    for (let i = 0; i < german.numRows; i++) {
      expect(sex[i]).toBe(codes[i] === 'A92' || codes[i] === 'A95' ? 0 : 1);
      expect(marital[i]).toBe(codes[i] === 'A93' || codes[i] === 'A95' ? 0 : 1);
      const years = german.numeric.age[i];
      expect(age[i]).toBe(years < 25 ? 0 : years < 40 ? 1 : 2);
      expect(foreign[i]).toBe(german.categorical.foreignworker[i] === 'A201' ? 0 : 1);
    }
    // 310 women and 690 men, 37 non-foreign workers: the published marginals of the German file
    expect(Array.from(sex).filter((g) => g === 0)).toHaveLength(310);
    expect(Array.from(foreign).filter((g) => g === 1)).toHaveLength(37);
  });

  it('chooses defaults per dataset: German attributes, credit_data bands, protected columns of any other schema', () => {
    expect(defaultFairnessAttributes(german.schema).map((a) => a.name)).toEqual(['sex', 'marital status', 'age band', 'foreign worker']);
    expect(defaultFairnessAttributes(loadBuiltin('credit_data').schema).map((a) => a.column)).toEqual(['Age', 'Marital']);
    const schema: Schema = {
      name: 'own', target: { name: 'y', bad: '1' }, missingTokens: [],
      columns: [
        { name: 'gender', kind: 'categorical', protected: true, categories: ['f', 'm'], labels: { f: 'female' } },
        { name: 'applicant_age', kind: 'numeric', protected: true },
        { name: 'income', kind: 'numeric', protected: true },
        { name: 'purpose', kind: 'categorical', categories: ['a'] },
      ],
    };
    const attributes = defaultFairnessAttributes(schema);
    expect(attributes.map((a) => [a.column, a.groups.map((g) => g.name)])).toEqual([['gender', ['female', 'm']], ['applicant_age', ['< 25', '25–39', '40+']]]);
  });

  it('puts missing values and unmatched codes in the unknown group', () => {
    const attr = { name: 'x', column: 'c', groups: [{ name: 'a', values: ['A'] }] };
    const table = { schema: german.schema, numRows: 3, numeric: {}, categorical: { c: ['A', null, 'B'] }, label: new Uint8Array(3) };
    expect(Array.from(groupIndex(table, attr))).toEqual([0, 1, 1]);
    expect(() => groupIndex(table, { ...attr, column: 'nope' })).toThrow(/no column "nope"/);
  });

  it.each([
    ['not an array', {}, /attributes/],
    ['an empty array', [], /attributes/],
    ['no column', [{ name: 'a', groups: [{ name: 'g' }] }], /attributes\[0\]/],
    ['no groups', [{ name: 'a', column: 'c', groups: [] }], /groups/],
    ['numeric values', [{ name: 'a', column: 'c', groups: [{ name: 'g', values: [1] }] }], /values/],
    ['values and bounds', [{ name: 'a', column: 'c', groups: [{ name: 'g', values: ['x'], min: 1 }] }], /either values or min\/max/],
    ['an inverted range', [{ name: 'a', column: 'c', groups: [{ name: 'g', min: 5, max: 1 }] }], /min must be below max/],
    ['an infinite bound', [{ name: 'a', column: 'c', groups: [{ name: 'g', min: null }] }], /finite/],
  ])('rejects attributes with %s', (_name, value, expected) => {
    expect(() => parseFairnessAttributes(value)).toThrow(expected);
  });

  it('accepts the German defaults after a JSON round trip', () => {
    expect(parseFairnessAttributes(JSON.parse(JSON.stringify(GERMAN_FAIRNESS_ATTRIBUTES)))).toEqual(GERMAN_FAIRNESS_ATTRIBUTES);
  });
});
