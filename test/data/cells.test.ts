import { describe, expect, it } from 'vitest';
import { parseDecimal } from '../../src/data/cells.js';

describe('parseDecimal', () => {
  it.each([
    ['42', 42],
    ['-3.5', -3.5],
    ['+7', 7],
    ['.5', 0.5],
    ['5.', 5],
    ['1e3', 1000],
    ['2.5E-2', 0.025],
    ['007', 7],
  ])('accepts %j', (text, value) => expect(parseDecimal(text)).toBe(value));

  it.each(['', ' ', 'abc', '1,5', '0x1f', 'Infinity', '-Infinity', 'NaN', '1e999', '1 000', '--1', '1e', '.', '12a'])(
    'rejects %j',
    (text) => expect(parseDecimal(text)).toBeUndefined(),
  );
});
