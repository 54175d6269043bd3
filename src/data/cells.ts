/**
 * Cell-level parsing shared by the CSV loader and schema inference, so that "is this a number?"
 * and "is this missing?" have exactly one answer across the data domain.
 */

/**
 * Tokens that mean "missing" in bring-your-own CSVs: R's `NA`, empty cells, UCI's `?`, SQL
 * exports' `NULL`/`null` and pandas' `NaN`. Built-in schemas declare their own, shorter lists.
 */
export const DEFAULT_MISSING_TOKENS: readonly string[] = Object.freeze(['NA', '', '?', 'NULL', 'null', 'NaN']);

// Plain decimal notation only. `Number()` would also accept '', ' ', '0x1f', '1_000' (no) and
// 'Infinity', none of which a lender's export means as a number.
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Parse a cell written in plain decimal notation (`42`, `-3.5`, `.5`, `1e3`). Returns
 * `undefined` for anything else, including hexadecimal, `Infinity` and values that overflow to
 * ±Infinity, so callers can report the offending text.
 *
 * @example parseDecimal('1169') === 1169; parseDecimal('abc') === undefined
 */
export function parseDecimal(text: string): number | undefined {
  if (!DECIMAL.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/** Quote a raw cell for an error message, shortening very long values so messages stay readable. */
export function quoteCell(text: string, maxChars = 40): string {
  const shown = text.length > maxChars ? `${text.slice(0, maxChars)}…` : text;
  return JSON.stringify(shown);
}
