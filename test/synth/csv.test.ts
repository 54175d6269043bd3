/** Exported synthetic rows load back with the strict CSV loader and the same schema. */
import { describe, expect, it } from 'vitest';
import { parseCsvText } from '../../src/data/csv.js';
import { tableToCsv } from '../../src/synth/csv.js';
import { toyTable, toySchema } from './tables.js';

describe('tableToCsv', () => {
  it('round-trips through parseCsvText (missing values, integers, categories, labels)', () => {
    const table = toyTable(50, 6);
    const text = tableToCsv(table);
    expect(text.split('\n')[0]).toBe('status,amount,age,home');
    const back = parseCsvText(text, toySchema);
    expect(back.numRows).toBe(50);
    expect(Array.from(back.label)).toEqual(Array.from(table.label));
    expect(back.categorical.home).toEqual(table.categorical.home);
    expect(Array.from(back.numeric.age)).toEqual(Array.from(table.numeric.age));
    back.numeric.amount.forEach((v, i) => {
      if (Number.isNaN(table.numeric.amount[i])) expect(v).toBeNaN();
      else expect(v).toBeCloseTo(table.numeric.amount[i], 6);
    });
  });

  it('quotes cells with commas and quotes, and refuses good rows without a good value', () => {
    const schema = { ...toySchema, columns: [{ name: 'home', kind: 'categorical' as const, categories: ['a,b', 'say "hi"'] }] };
    const table = { schema, numRows: 2, numeric: {}, categorical: { home: ['a,b', 'say "hi"'] }, label: Uint8Array.of(1, 0) };
    expect(tableToCsv(table)).toBe('status,home\nbad,"a,b"\ngood,"say ""hi"""\n');
    const noGood = { ...table, schema: { ...schema, target: { name: 'status', bad: 'bad' } } };
    expect(() => tableToCsv(noGood)).toThrow(/good value/);
    expect(() => tableToCsv(null as never)).toThrow(TypeError);
  });
});
