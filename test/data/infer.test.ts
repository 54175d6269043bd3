import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/errors.js';
import {
  builtinDataPath,
  creditDataSchema,
  formatSchemaSummary,
  germanSchema,
  inferSchema,
  inferSchemaFromText,
  loadBuiltin,
  loadCsv,
  parseCsvText,
} from '../../src/data/index.js';

function catchDataError(fn: () => unknown): DataError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DataError);
    return err as DataError;
  }
  throw new Error('expected a DataError');
}

describe('inferSchema on credit_data.csv', () => {
  const { schema, summary } = inferSchema(builtinDataPath('credit_data'), { target: 'Status', bad: 'bad' });

  it('reproduces the hand-written schema: names, kinds and category sets', () => {
    expect(schema.name).toBe('credit_data');
    expect(schema.columns.map((c) => [c.name, c.kind])).toEqual(creditDataSchema.columns.map((c) => [c.name, c.kind]));
    for (const col of creditDataSchema.columns.filter((c) => c.kind !== 'numeric')) {
      const inferred = schema.columns.find((c) => c.name === col.name)!;
      expect([...inferred.categories!].sort(), col.name).toEqual([...col.categories!].sort());
    }
    expect(schema.target).toEqual({ name: 'Status', bad: 'bad', good: 'good' });
  });

  it('counts rows, bad rows and missing values as the loader does', () => {
    const table = loadBuiltin('credit_data');
    expect(summary.numRows).toBe(4454);
    expect(summary.numBad).toBe(1254);
    expect(summary.missingTokensSeen).toEqual(['NA']);
    for (const col of summary.columns.filter((c) => c.role === 'feature')) {
      const missing =
        col.kind === 'numeric'
          ? table.numeric[col.name].filter(Number.isNaN).length
          : table.categorical[col.name].filter((v) => v === null).length;
      expect(col.numMissing, col.name).toBe(missing);
    }
    const assets = summary.columns.find((c) => c.name === 'Assets')!;
    expect([assets.min, assets.max, assets.integer]).toEqual([0, 300000, true]);
  });

  it('gives a schema that loads the same file to the same labels', () => {
    const table = loadCsv(builtinDataPath('credit_data'), schema);
    expect(Array.from(table.label)).toEqual(Array.from(loadBuiltin('credit_data').label));
  });

  it('formats a readable summary', () => {
    const text = formatSchemaSummary(schema, summary);
    const lines = text.split('\n');
    expect(lines[0]).toBe('credit_data.csv: 4454 rows, 1254 bad (28.2%), target Status (bad = "bad"); missing tokens seen: "NA"');
    expect(lines).toHaveLength(2 + 14); // title, column header, 14 file columns
    expect(text).toMatch(/^Home\s+categorical\s+6\s+owner 2107, rent 973, parents 783, other 319, priv 246, ignore 20$/m);
    expect(text).toMatch(/^Income\s+numeric\s+381\s+6 – 959 \(integers\)$/m);
  });
});

describe('inferSchema on german_credit.csv', () => {
  it('finds 13 categorical and 7 numeric columns and marks requested protected columns', () => {
    const { schema, summary } = inferSchema(builtinDataPath('german'), {
      target: 'classification',
      bad: '2',
      protectedColumns: ['age', 'statussex'],
    });
    const kinds = (s: typeof schema) => s.columns.map((c) => (c.kind === 'numeric' ? 'numeric' : 'categorical'));
    expect(kinds(schema)).toEqual(kinds(germanSchema));
    expect(schema.columns.filter((c) => c.protected).map((c) => c.name)).toEqual(['statussex', 'age']);
    // Natural order: A410 after A49.
    expect(schema.columns.find((c) => c.name === 'purpose')!.categories).toEqual([
      'A40', 'A41', 'A42', 'A43', 'A44', 'A45', 'A46', 'A48', 'A49', 'A410',
    ]);
    expect(summary.numBad).toBe(300);
    expect(formatSchemaSummary(schema, summary)).toMatch(/^age\s+numeric \(protected\)\s+0\s+19 – 75/m);
  });
});

describe('inferSchemaFromText', () => {
  const text = 'id,income,region,y\nc1,10,north,yes\nc2,?,south,no\nc3,12.5,NULL,no\nc4,NaN,north,yes\n';

  it('detects every missing token and keeps the id out of the features', () => {
    const { schema, summary } = inferSchemaFromText(text, { target: 'y', bad: 'yes', id: 'id' });
    expect(schema.columns.map((c) => [c.name, c.kind])).toEqual([
      ['income', 'numeric'],
      ['region', 'categorical'],
    ]);
    expect(schema.id).toBe('id');
    expect(summary.missingTokensSeen).toEqual(['?', 'NULL', 'NaN']);
    expect(summary.columns.find((c) => c.name === 'income')).toMatchObject({ numMissing: 2, min: 10, max: 12.5, integer: false });
    const table = parseCsvText(text, schema);
    expect(Array.from(table.numeric.income)).toEqual([10, NaN, 12.5, NaN]);
    expect(Array.from(table.label)).toEqual([1, 0, 0, 1]);
    expect(table.ids).toEqual(['c1', 'c2', 'c3', 'c4']);
  });

  it('leaves good undefined when the target has more than two values', () => {
    const { schema } = inferSchemaFromText('x,y\n1,a\n2,b\n3,c\n', { target: 'y', bad: 'a' });
    expect(schema.target).toEqual({ name: 'y', bad: 'a' });
  });

  const ids = Array.from({ length: 60 }, (_, i) => `cust${i},${i % 2 ? 'a' : 'b'}`).join('\n');
  const hostile: [string, string, Parameters<typeof inferSchemaFromText>[1], RegExp, number | undefined, string | undefined][] = [
    ['missing target column', 'a,b\n1,2\n', { target: 'y', bad: '1' }, /row 1: target column "y" is not in the header; header has: a, b/, 1, 'y'],
    ['missing id column', 'a,y\n1,2\n', { target: 'y', bad: '2', id: 'key' }, /id column "key" is not in the header/, 1, 'key'],
    ['bad value never occurs', 'a,y\n1,good\n2,bad\n', { target: 'y', bad: 'BAD' }, /bad value "BAD" never occurs; values seen: "bad" \(1\), "good" \(1\)/, undefined, 'y'],
    ['missing target value', 'a,y\n1,good\n2,NA\n', { target: 'y', bad: 'good' }, /row 3, column "y": the target is missing/, 3, 'y'],
    ['too many categories', `name,y\n${ids}`, { target: 'y', bad: 'a' }, /column "name": 60 distinct non-numeric values, more than maxCategories = 50; .*--id name/, undefined, 'name'],
    ['all missing column', 'a,y\nNA,1\n,0\n', { target: 'y', bad: '1' }, /column "a": every cell is missing/, undefined, 'a'],
    ['duplicate id', 'k,a,y\n1,2,1\n1,3,0\n', { target: 'y', bad: '1', id: 'k' }, /row 3, column "k": id "1" already used on row 2/, 3, 'k'],
    ['ragged row', 'a,y\n1,2,3\n', { target: 'y', bad: '2' }, /row 2: expected 2 cells/, 2, undefined],
    ['no rows', 'a,y\n', { target: 'y', bad: '2' }, /no data rows/, undefined, undefined],
  ];
  it.each(hostile)('%s → DataError naming file, row and column', (_name, csv, options, message, row, column) => {
    const err = catchDataError(() => inferSchemaFromText(csv, { ...options, file: 'mine.csv' }));
    expect(err.message).toMatch(/^mine\.csv/);
    expect(err.message).toMatch(message);
    expect(err.row).toBe(row);
    expect(err.column).toBe(column);
  });

  it('accepts the high-cardinality column as id, or a larger maxCategories', () => {
    expect(inferSchemaFromText(`name,y\n${ids}`, { target: 'y', bad: 'a', id: 'name' }).schema.columns).toEqual([]);
    expect(inferSchemaFromText(`name,y\n${ids}`, { target: 'y', bad: 'a', maxCategories: 60 }).schema.columns[0].kind).toBe('categorical');
  });

  it('checks its options', () => {
    expect(() => inferSchemaFromText('a,y\n1,2\n', { target: '', bad: '2' })).toThrow(TypeError);
    expect(() => inferSchemaFromText('a,y\n1,2\n', { target: 'y', bad: '2', maxCategories: 1 })).toThrow(RangeError);
    expect(() => inferSchemaFromText('a,y\n1,2\n', { target: 'y', bad: '2', id: 'y' })).toThrow(RangeError);
  });
});
