/**
 * The vocabulary of a rejected scoring request: coded issues that say which record and field
 * were wrong, what was expected and what arrived, so a client can fix its payload from the
 * answer alone (zod's `safeParse` issues are the model). Received values are shown through a
 * bounded preview: a hostile request must not be able to make the error answer huge or make
 * the server recurse through a deeply nested body.
 */
import type { ColumnSpec } from '../data/schema.js';

/** What was wrong with one part of a request. */
export type IssueCode =
  | 'missing'
  | 'unknown_code'
  | 'wrong_type'
  | 'not_finite'
  | 'out_of_range'
  | 'not_integer'
  | 'unknown_field'
  | 'too_many_records'
  | 'not_an_array'
  | 'not_an_object'
  | 'empty';

/** Every issue code, in the order of the documentation (for OpenAPI enums and tests). */
export const ISSUE_CODES: readonly IssueCode[] = Object.freeze([
  'missing',
  'unknown_code',
  'wrong_type',
  'not_finite',
  'out_of_range',
  'not_integer',
  'unknown_field',
  'too_many_records',
  'not_an_array',
  'not_an_object',
  'empty',
]);

/**
 * One problem of a request. `index` is the record's position in the batch (absent for problems
 * of the whole body), `field` the offending field, `expected` a sentence naming the rule and
 * `got` a preview of what was received ({@link preview}, at most {@link PREVIEW_CHARS}
 * characters plus an ellipsis).
 *
 * @example { index: 3, field: 'duration', code: 'out_of_range', expected: 'an integer from 1 to 120 (months)', got: '-6' }
 */
export interface Issue {
  readonly index?: number;
  readonly field?: string;
  readonly code: IssueCode;
  readonly expected: string;
  readonly got: string;
}

/** Length of the preview of a received value in an issue. */
export const PREVIEW_CHARS = 100;

/** What `got` says when a field or the body is absent altogether. */
export const ABSENT = '(absent)';

/**
 * A JSON-like preview of `value`, cut after `maxChars` characters (then ending in '…').
 * Strings are cut before quoting and containers are walked only until the budget is spent, so
 * the cost is bounded by `maxChars` whatever the size or depth of `value`. Non-JSON values are
 * spelled as JavaScript does (`Infinity`, `undefined` → {@link ABSENT}).
 *
 * @example preview('A99') // '"A99"'; preview(-6) // '-6'; preview('x'.repeat(1e6)).length // 101
 */
export function preview(value: unknown, maxChars = PREVIEW_CHARS): string {
  if (!Number.isInteger(maxChars) || maxChars < 1) throw new RangeError(`maxChars: expected a positive integer, got ${String(maxChars)}`);
  if (value === undefined) return ABSENT;
  const out: string[] = [];
  const state = { length: 0, limit: maxChars };
  write(value, out, state);
  const text = out.join('');
  return text.length > maxChars ? `${text.slice(0, maxChars)}…` : text;
}

interface Budget {
  length: number;
  readonly limit: number;
}

function emit(text: string, out: string[], state: Budget): void {
  out.push(text);
  state.length += text.length;
}

/** Append the preview of `value`; stops as soon as more than `limit` characters are written. */
function write(value: unknown, out: string[], state: Budget): void {
  if (state.length > state.limit) return;
  if (typeof value === 'string') {
    // Cut before quoting: JSON.stringify of a megabyte string would cost a megabyte.
    emit(JSON.stringify(value.slice(0, state.limit + 1)), out, state);
  } else if (typeof value === 'number') {
    emit(Number.isFinite(value) ? JSON.stringify(value) : String(value), out, state);
  } else if (value === null || typeof value === 'boolean') {
    emit(String(value), out, state);
  } else if (Array.isArray(value)) {
    emit('[', out, state);
    for (let i = 0; i < value.length && state.length <= state.limit; i++) {
      if (i > 0) emit(',', out, state);
      write(value[i], out, state);
    }
    emit(']', out, state);
  } else if (typeof value === 'object') {
    emit('{', out, state);
    let first = true;
    for (const key in value) {
      if (state.length > state.limit) break;
      if (!Object.hasOwn(value, key)) continue;
      if (!first) emit(',', out, state);
      first = false;
      emit(`${JSON.stringify(key.slice(0, state.limit + 1))}:`, out, state);
      write((value as Record<string, unknown>)[key], out, state);
    }
    emit('}', out, state);
  } else {
    emit(typeof value, out, state);
  }
}

/**
 * The rule a value of `column` must follow, in words, e.g. `an integer from 1 to 120 (months)`
 * or `one of A11, A12, A13, A14`. Used as the `expected` of every issue about that column.
 */
export function expectedFor(column: ColumnSpec): string {
  if (column.kind === 'numeric') {
    const what = column.integer ? 'an integer' : 'a number';
    const { min, max } = column;
    const range =
      min !== undefined && max !== undefined
        ? ` from ${min} to ${max}`
        : min !== undefined
          ? ` ≥ ${min}`
          : max !== undefined
            ? ` ≤ ${max}`
            : '';
    return `${what}${range}${column.unit ? ` (${column.unit})` : ''}`;
  }
  const categories = column.categories;
  return categories && categories.length > 0 ? `one of ${categories.join(', ')}` : 'a non-empty string code';
}
