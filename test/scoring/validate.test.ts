import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { germanSchema, GERMAN_FIELDS } from '../../src/data/builtin/german.js';
import { builtinDataPath } from '../../src/data/builtin/index.js';
import { loadCsv } from '../../src/data/csv.js';
import type { Schema } from '../../src/data/schema.js';
import { ABSENT, expectedFor, preview, PREVIEW_CHARS } from '../../src/scoring/issues.js';
import { parseRecords } from '../../src/scoring/validate.js';
import { recordOf, SEED_RECORD } from './fixture.js';

const seed = () => ({ ...SEED_RECORD }) as Record<string, unknown>;
const withField = (field: string, value: unknown) => ({ ...seed(), [field]: value });
const without = (field: string) => {
  const r = seed();
  delete r[field];
  return r;
};

function issuesOf(body: unknown, options = {}) {
  const result = parseRecords(body, germanSchema, options);
  if (result.ok) throw new Error('expected issues');
  return result;
}

describe('parseRecords: valid input', () => {
  it('parses the seed record into a one-row table with every column, protected ones included', () => {
    const result = parseRecords([seed()], germanSchema);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const t = result.table;
    expect(t.numRows).toBe(1);
    expect(t.numeric.duration[0]).toBe(6);
    expect(t.numeric.age[0]).toBe(67);
    expect(t.categorical.existingchecking[0]).toBe('A11');
    expect(t.categorical.statussex[0]).toBe('A93');
    expect(Object.keys(t.numeric).length + Object.keys(t.categorical).length).toBe(GERMAN_FIELDS.length);
  });

  it('round-trips the whole German file: every row is a valid request and parses to the same values', () => {
    const file = loadCsv(builtinDataPath('german'), germanSchema);
    const records = Array.from({ length: file.numRows }, (_, i) => recordOf(file, i));
    const result = parseRecords(records, germanSchema);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    for (const c of germanSchema.columns) {
      if (c.kind === 'numeric') expect(Array.from(result.table.numeric[c.name])).toEqual(Array.from(file.numeric[c.name]));
      else expect(result.table.categorical[c.name]).toEqual(file.categorical[c.name]);
    }
  });

  it('ignores extra fields only when allowUnknownFields is set', () => {
    expect(parseRecords([withField('customerRef', 'x-1')], germanSchema, { allowUnknownFields: true }).ok).toBe(true);
    expect(parseRecords([withField('customerRef', 'x-1')], germanSchema).ok).toBe(false);
  });
});

describe('parseRecords: hostile input (each answer names record index and field)', () => {
  // [case, body, expected issue (index, field, code)]
  const cases: [string, unknown, { index?: number; field?: string; code: string; got?: string }][] = [
    ['missing field', [seed(), without('duration')], { index: 1, field: 'duration', code: 'missing', got: ABSENT }],
    ['missing protected field', [without('foreignworker')], { index: 0, field: 'foreignworker', code: 'missing' }],
    ['unknown code', [withField('existingchecking', 'A99')], { index: 0, field: 'existingchecking', code: 'unknown_code', got: '"A99"' }],
    ['code in lower case', [withField('purpose', 'a43')], { index: 0, field: 'purpose', code: 'unknown_code' }],
    ['number where a code goes', [withField('housing', 152)], { index: 0, field: 'housing', code: 'wrong_type', got: '152' }],
    ['numeric string', [withField('duration', '6')], { index: 0, field: 'duration', code: 'wrong_type', got: '"6"' }],
    ['"NaN" string', [withField('creditamount', 'NaN')], { index: 0, field: 'creditamount', code: 'wrong_type' }],
    ['null for a number', [withField('age', null)], { index: 0, field: 'age', code: 'missing', got: 'null' }],
    ['null for a code', [withField('job', null)], { index: 0, field: 'job', code: 'missing', got: 'null' }],
    ['boolean', [withField('duration', true)], { index: 0, field: 'duration', code: 'wrong_type', got: 'true' }],
    ['object for a number', [withField('duration', { months: 6 })], { index: 0, field: 'duration', code: 'wrong_type' }],
    ['Infinity (1e999 in JSON)', [withField('creditamount', JSON.parse('1e999'))], { index: 0, field: 'creditamount', code: 'not_finite', got: 'Infinity' }],
    ['negative duration', [withField('duration', -6)], { index: 0, field: 'duration', code: 'out_of_range', got: '-6' }],
    ['zero duration', [withField('duration', 0)], { index: 0, field: 'duration', code: 'out_of_range' }],
    ['rate class above 4', [withField('installmentrate', 5)], { index: 0, field: 'installmentrate', code: 'out_of_range' }],
    ['float age', [withField('age', 30.5)], { index: 0, field: 'age', code: 'not_integer', got: '30.5' }],
    ['extra unknown field', [withField('classification', 1)], { index: 0, field: 'classification', code: 'unknown_field' }],
    ['non-array body', seed(), { code: 'not_an_array' }],
    ['string body', 'hello', { code: 'not_an_array', got: '"hello"' }],
    ['null body', null, { code: 'not_an_array', got: 'null' }],
    ['absent body', undefined, { code: 'not_an_array', got: ABSENT }],
    ['array of non-objects', [seed(), 42, null, ['A11']], { index: 1, code: 'not_an_object', got: '42' }],
    ['empty array', [], { code: 'empty', got: '[]' }],
    ['10,001 records', Array.from({ length: 10_001 }, seed), { code: 'too_many_records', got: '10001' }],
  ];

  it.each(cases)('%s → the issue names index, field and code', (_name, body, want) => {
    const { issues } = issuesOf(body);
    const found = issues.find((i) => i.code === want.code && i.index === want.index && i.field === want.field);
    expect(found, JSON.stringify(issues.slice(0, 3))).toBeDefined();
    expect(found!.expected.length).toBeGreaterThan(0);
    if (want.got !== undefined) expect(found!.got).toBe(want.got);
  });

  it('lists every problem of every record, one per field, with the rule in words', () => {
    const body = [withField('duration', -1), { ...withField('existingchecking', 'A99'), age: 30.5, extra: 1 }, seed(), 'x'];
    const { issues, numIssues } = issuesOf(body);
    expect(numIssues).toBe(issues.length);
    expect(issues.map((i) => [i.index, i.field, i.code])).toEqual([
      [0, 'duration', 'out_of_range'],
      [1, 'existingchecking', 'unknown_code'],
      [1, 'age', 'not_integer'],
      [1, 'extra', 'unknown_field'],
      [3, undefined, 'not_an_object'],
    ]);
    expect(issues[0].expected).toBe('an integer from 1 to 120 (months)');
    expect(issues[1].expected).toBe('one of A11, A12, A13, A14');
  });

  it('caps the list at maxIssues but counts every issue', () => {
    const body = Array.from({ length: 600 }, () => ({ ...withField('duration', -1), age: 1.5 }));
    const { issues, numIssues } = issuesOf(body, { maxIssues: 1000 });
    expect(issues.length).toBe(1000);
    expect(numIssues).toBe(1200);
    expect(issuesOf(body, { maxIssues: 5 }).issues.length).toBe(5);
  });

  it('keeps every preview short, even for a megabyte string', () => {
    const { issues } = issuesOf([withField('purpose', 'A'.repeat(1 << 20))]);
    expect(issues[0].code).toBe('unknown_code');
    expect(issues[0].got.length).toBe(PREVIEW_CHARS + 1);
    expect(issues[0].got.endsWith('…')).toBe(true);
  });

  it('treats a "__proto__" key as an unknown field, without touching prototypes', () => {
    const record = JSON.parse(`{"__proto__": {"polluted": true}, ${JSON.stringify(SEED_RECORD).slice(1)}`);
    const { issues } = issuesOf([record]);
    expect(issues).toEqual([expect.objectContaining({ index: 0, field: '__proto__', code: 'unknown_field' })]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('never throws on arbitrary JSON values (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.array(fc.jsonValue(), { maxLength: 5 }), (body, records) => {
        for (const candidate of [body, records, records.map((r) => (typeof r === 'object' && r !== null ? { ...seed(), ...r } : r))]) {
          const result = parseRecords(candidate, germanSchema);
          if (!result.ok) for (const issue of result.issues) expect(issue.got.length).toBeLessThanOrEqual(PREVIEW_CHARS + 1);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('checks its own arguments', () => {
    expect(() => parseRecords([], null as unknown as Schema)).toThrow(TypeError);
    expect(() => parseRecords([], germanSchema, { maxRecords: 0 })).toThrow(/maxRecords/);
    expect(() => parseRecords([], germanSchema, { maxIssues: 1.5 })).toThrow(/maxIssues/);
  });
});

describe('preview and expectedFor', () => {
  it('previews values as JSON, bounded in length whatever the depth', () => {
    expect(preview('A99')).toBe('"A99"');
    expect(preview({ a: [1, 'x', null] })).toBe('{"a":[1,"x",null]}');
    expect(preview(undefined)).toBe(ABSENT);
    expect(preview(-Infinity)).toBe('-Infinity');
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const p = preview(deep);
    expect(p.length).toBe(PREVIEW_CHARS + 1);
    expect(preview(new Array(1_000_000).fill(7)).length).toBe(PREVIEW_CHARS + 1);
    expect(() => preview(1, 0)).toThrow(RangeError);
  });

  it('states column rules in words', () => {
    const col = (name: string) => germanSchema.columns.find((c) => c.name === name)!;
    expect(expectedFor(col('duration'))).toBe('an integer from 1 to 120 (months)');
    expect(expectedFor(col('creditamount'))).toBe('a number from 1 to 1000000 (DM)');
    expect(expectedFor(col('telephone'))).toBe('one of A191, A192');
    expect(expectedFor({ name: 'x', kind: 'numeric', min: 0 })).toBe('a number ≥ 0');
    expect(expectedFor({ name: 'x', kind: 'categorical' })).toBe('a non-empty string code');
  });
});
