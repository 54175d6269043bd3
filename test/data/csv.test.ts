import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError } from '../../src/errors.js';
import { germanSchema, loadCsv, parseCsvText, type Schema } from '../../src/data/index.js';

const HEADER =
  'existingchecking,duration,credithistory,purpose,creditamount,savings,employmentsince,installmentrate,statussex,otherdebtors,' +
  'residencesince,property,age,otherinstallmentplans,housing,existingcredits,job,peopleliable,telephone,foreignworker,classification';
// The first two rows of the UCI file.
const ROW1 = 'A11,6,A34,A43,1169,A65,A75,4,A93,A101,4,A121,67,A143,A152,2,A173,1,A192,A201,1';
const ROW2 = 'A12,48,A32,A43,5951,A61,A73,2,A92,A101,2,A121,22,A143,A152,1,A173,1,A191,A201,2';

/** ROW1 with the cell of `column` replaced. */
function withCell(column: string, value: string): string {
  const cells = ROW1.split(',');
  cells[HEADER.split(',').indexOf(column)] = value;
  return cells.join(',');
}

function catchDataError(fn: () => unknown): DataError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DataError);
    return err as DataError;
  }
  throw new Error('expected a DataError');
}

const tiny: Schema = {
  name: 'tiny',
  columns: [
    { name: 'x', kind: 'numeric', unit: 'DM', min: 0 },
    { name: 'c', kind: 'categorical', categories: ['a', 'b'] },
  ],
  target: { name: 'y', bad: 'bad', good: 'good' },
  id: 'id',
  missingTokens: ['NA', ''],
};

describe('parseCsvText on valid input', () => {
  it('reads the first UCI rows into numbers, codes and 1 = bad labels', () => {
    const t = parseCsvText([HEADER, ROW1, ROW2].join('\n'), germanSchema, { file: 'g.csv' });
    expect(t.numRows).toBe(2);
    expect(Array.from(t.numeric.creditamount)).toEqual([1169, 5951]);
    expect(t.categorical.statussex).toEqual(['A93', 'A92']);
    expect(Array.from(t.label)).toEqual([0, 1]);
    expect(t.ids).toBeUndefined();
  });

  it('maps missing tokens to NaN / null, ignores extra columns, keeps ids, trims cells, skips BOM and blank lines', () => {
    const text = '\uFEFFid,note,x,c,y\r\nr1,hello, 12.5 ,a,good\r\n\r\nr2,,NA,,bad\nr3,"multi\nline",0,b,good\n';
    const t = parseCsvText(text, tiny);
    expect(Array.from(t.numeric.x)).toEqual([12.5, NaN, 0]);
    expect(t.categorical.c).toEqual(['a', null, 'b']);
    expect(Array.from(t.label)).toEqual([0, 1, 0]);
    expect(t.ids).toEqual(['r1', 'r2', 'r3']);
    expect(t.categorical.note).toBeUndefined();
  });

  it('can skip bound checks (but never the number check)', () => {
    const t = parseCsvText('id,x,c,y\n1,-5,a,bad\n', tiny, { checkBounds: false });
    expect(t.numeric.x[0]).toBe(-5);
    expect(() => parseCsvText('id,x,c,y\n1,abc,a,bad\n', tiny, { checkBounds: false })).toThrow(DataError);
  });
});

describe('parseCsvText on hostile input', () => {
  // Each case: text, expected row (1-based line, header = 1), column, and a pattern for the message.
  const cases: [string, string, number | undefined, string | undefined, RegExp][] = [
    ['bad number', [HEADER, ROW1, withCell('duration', 'abc')].join('\n'), 3, 'duration', /row 3, column "duration": expected an integer in \[1, 120\] \(months\), got "abc"/],
    ['fraction where integer', [HEADER, withCell('age', '30.5')].join('\n'), 2, 'age', /expected an integer in \[18, 120\] \(years\), got "30.5"/],
    ['out of bounds', [HEADER, withCell('installmentrate', '9')].join('\n'), 2, 'installmentrate', /expected an integer in \[1, 4\]/],
    ['Infinity', [HEADER, withCell('creditamount', 'Infinity')].join('\n'), 2, 'creditamount', /got "Infinity"/],
    ['unknown code', [HEADER, ROW1, ROW2, withCell('purpose', 'A99')].join('\n'), 4, 'purpose', /unknown code "A99"; allowed: A40, A41, .*A410/],
    ['missing where not allowed', [HEADER, withCell('purpose', 'NA')].join('\n'), 2, 'purpose', /unknown code "NA"/],
    ['target neither bad nor good', [HEADER, withCell('classification', '3')].join('\n'), 2, 'classification', /expected target "2" \(bad\) or "1" \(good\), got "3"/],
    ['ragged row (short)', [HEADER, ROW1, 'A11,6'].join('\n'), 3, undefined, /row 3: expected 21 cells \(as in the header\), got 2/],
    ['ragged row (long)', [HEADER, ROW1 + ',extra'].join('\n'), 2, undefined, /expected 21 cells/],
    ['empty file', '', undefined, undefined, /empty/],
    ['header only', HEADER + '\n', undefined, undefined, /no data rows/],
    ['missing target column', HEADER.replace(',classification', '') + '\n' + ROW1.replace(/,1$/, ''), 1, 'classification', /lacks column "classification"/],
    ['missing feature columns', HEADER.replace('age,', '').replace('job,', '') + '\n', 1, 'age', /lacks columns "age", "job"/],
    ['duplicate header', HEADER + ',age\n' + ROW1 + ',30', 1, 'age', /"age" appears twice/],
    ['unclosed quote', `${HEADER}\n"A11,6`, 2, undefined, /not valid CSV/],
  ];

  it.each(cases)('%s → DataError naming file, row and column', (_name, text, row, column, message) => {
    const err = catchDataError(() => parseCsvText(text, germanSchema, { file: 'german_credit.csv' }));
    expect(err.message).toMatch(/^german_credit\.csv/);
    expect(err.message).toMatch(message);
    expect(err.file).toBe('german_credit.csv');
    expect(err.row).toBe(row);
    expect(err.column).toBe(column);
  });

  it('counts lines, not records, when a quoted cell spans lines', () => {
    const err = catchDataError(() => parseCsvText('id,x,c,y\n1,"a\nb",a,bad\n2,oops,a,bad\n', tiny, { file: 'q.csv' }));
    expect(err.row).toBe(2); // the multi-line cell itself is the bad number, starting on line 2
    const text = 'id,note,x,c,y\r\n1,"two\r\nlines",1,a,bad\r\n\r\n2,"x\ny",oops,a,bad\n';
    const err2 = catchDataError(() => parseCsvText(text, { ...tiny, id: undefined }, { file: 'q.csv' }));
    expect(err2.row).toBe(5); // header 1, record on 2–3, blank 4, bad record starts on 5
    expect(catchDataError(() => parseCsvText('\n\nid,x\n', tiny)).row).toBe(3); // header after blank lines
  });

  it('treats any non-missing target value as good when only bad is declared', () => {
    const open: Schema = { ...tiny, id: undefined, target: { name: 'y', bad: '1' } };
    expect(Array.from(parseCsvText('x,c,y\n1,a,0\n2,b,1\n3,a,7\n', open).label)).toEqual([0, 1, 0]);
    expect(catchDataError(() => parseCsvText('x,c,y\n1,a,NA\n', open)).row).toBe(2);
  });

  it('rejects missing and duplicate ids', () => {
    expect(catchDataError(() => parseCsvText('id,x,c,y\n,1,a,bad\n', tiny)).message).toMatch(/expected an id/);
    expect(catchDataError(() => parseCsvText('id,x,c,y\n7,1,a,bad\n7,2,b,good\n', tiny)).message).toMatch(
      /row 3, column "id": id "7" already used on row 2/,
    );
  });

  it('rejects a non-string text and a non-schema', () => {
    expect(() => parseCsvText(42 as unknown as string, tiny)).toThrow(TypeError);
    expect(() => parseCsvText('x\n1\n', {} as Schema)).toThrow(/schema/);
  });
});

describe('loadCsv', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fedcredit-csv-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names the file by its base name in errors', () => {
    const path = join(dir, 'lender_a.csv');
    writeFileSync(path, [HEADER, ROW1, ROW1, withCell('duration', 'twelve')].join('\n'));
    const err = catchDataError(() => loadCsv(path, germanSchema));
    expect(err.message).toBe('lender_a.csv row 4, column "duration": expected an integer in [1, 120] (months), got "twelve"');
  });

  it('reports an unreadable file as a DataError', () => {
    const err = catchDataError(() => loadCsv(join(dir, 'nope.csv'), germanSchema));
    expect(err.code).toBe('DATA_FILE');
    expect(() => loadCsv('', germanSchema)).toThrow(TypeError);
  });
});
