import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import {
  builtinDataPath,
  builtinSchemas,
  creditDataSchema,
  featureColumns,
  GERMAN_FIELDS,
  germanSchema,
  getBuiltinSchema,
  loadBuiltin,
} from '../../src/data/index.js';

/** Header and cells of a quote-free CSV, split by hand so the loader is checked independently. */
function rawCsv(name: 'german' | 'credit_data'): { header: string[]; rows: string[][] } {
  const lines = readFileSync(builtinDataPath(name), 'utf8').split(/\r?\n/).filter((l) => l !== '');
  return { header: lines[0].split(','), rows: lines.slice(1).map((l) => l.split(',')) };
}

describe('german credit', () => {
  const table = loadBuiltin('german');
  const raw = rawCsv('german');

  it('has 1000 rows, 300 of them bad (data/README.md)', () => {
    expect(table.numRows).toBe(1000);
    expect(table.label.reduce((a, b) => a + b, 0)).toBe(300);
  });

  it('declares the 20 file columns in file order, then the target', () => {
    expect([...GERMAN_FIELDS, germanSchema.target.name]).toEqual(raw.header);
    expect(germanSchema.columns.map((c) => c.name)).toEqual(GERMAN_FIELDS);
    expect(GERMAN_FIELDS).toHaveLength(20);
  });

  it('matches the raw text cell for cell on a spot-check of rows', () => {
    const at = (name: string) => raw.header.indexOf(name);
    for (const r of [0, 1, 16, 499, 999]) {
      expect(table.numeric.creditamount[r]).toBe(Number(raw.rows[r][at('creditamount')]));
      expect(table.categorical.purpose[r]).toBe(raw.rows[r][at('purpose')]);
      expect(table.label[r]).toBe(raw.rows[r][at('classification')] === '2' ? 1 : 0);
    }
    // First UCI row: A11,6,A34,A43,1169,…,67,…,1 (good).
    expect(table.categorical.existingchecking[0]).toBe('A11');
    expect(table.numeric.duration[0]).toBe(6);
    expect(table.numeric.age[0]).toBe(67);
    expect(table.label[0]).toBe(0);
  });

  it('has a plain-words label for every code and the UCI wording for A11', () => {
    for (const col of germanSchema.columns) {
      if (col.kind === 'numeric') {
        expect(col.unit, col.name).toBeTruthy();
        expect(col.min, col.name).toBeLessThanOrEqual(col.max!);
        continue;
      }
      expect(col.categories!.length, col.name).toBeGreaterThan(1);
      for (const code of col.categories!) expect(col.labels?.[code], `${col.name}.${code}`).toMatch(/[a-z]/);
      expect(Object.keys(col.labels!)).toEqual(col.categories);
    }
    const checking = germanSchema.columns.find((c) => c.name === 'existingchecking')!;
    expect(checking.labels!.A11).toBe('checking account < 0 DM');
  });

  it('marks statussex, age and foreignworker protected and keeps 17 features by default', () => {
    const prot = germanSchema.columns.filter((c) => c.protected).map((c) => c.name);
    expect(prot).toEqual(['statussex', 'age', 'foreignworker']);
    expect(featureColumns(germanSchema)).toHaveLength(17);
    expect(featureColumns(germanSchema, true)).toHaveLength(20);
  });
});

describe('credit_data', () => {
  const table = loadBuiltin('credit_data');
  const raw = rawCsv('credit_data');

  it('has 4454 rows, 1254 of them bad (data/README.md)', () => {
    expect(table.numRows).toBe(4454);
    expect(table.label.reduce((a, b) => a + b, 0)).toBe(1254);
  });

  it('has as many missing values per column as "NA" cells in the raw text', () => {
    for (const col of creditDataSchema.columns) {
      const at = raw.header.indexOf(col.name);
      const expected = raw.rows.filter((r) => r[at] === 'NA').length;
      const got =
        col.kind === 'numeric'
          ? table.numeric[col.name].filter(Number.isNaN).length
          : table.categorical[col.name].filter((v) => v === null).length;
      expect(got, col.name).toBe(expected);
    }
    // And those counts are the ones data/README.md implies are non-zero.
    expect(table.numeric.Income.filter(Number.isNaN).length).toBe(381);
    expect(table.categorical.Home.filter((v) => v === null).length).toBe(6);
  });

  it('keeps all 13 predictors as features (R reference results use them all)', () => {
    expect(featureColumns(creditDataSchema).map((c) => c.name)).toEqual(raw.header.filter((h) => h !== 'Status'));
  });
});

describe('builtin registry', () => {
  it('resolves both names and rejects others with the list of names', () => {
    expect(getBuiltinSchema('german')).toBe(germanSchema);
    expect(getBuiltinSchema('credit_data')).toBe(creditDataSchema);
    expect(Object.keys(builtinSchemas)).toEqual(['german', 'credit_data']);
    expect(builtinDataPath('german')).toMatch(/data[/\\]german_credit\.csv$/);
    expect(() => getBuiltinSchema('adult' as 'german')).toThrow(ConfigError);
    expect(() => builtinDataPath('adult' as 'german')).toThrow(/german, credit_data/);
  });
});
