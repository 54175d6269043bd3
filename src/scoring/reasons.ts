/**
 * Reasons in the codebook's words: the columns that pushed an applicant's risk up the most,
 * each with its raw value and a sentence a loan officer (or the applicant, as adverse-action
 * notices require) can read, e.g. "checking account < 0 DM" instead of "A11".
 */
import type { ColumnSpec, Table } from '../data/schema.js';

/** One reason for a score: an original column and how much it pushed the logit of default up. */
export interface Reason {
  /** Column name, e.g. 'existingchecking'. */
  readonly field: string;
  /** The raw value: a code such as 'A11' or a number such as 48 (null when missing). */
  readonly value: string | number | null;
  /** The value in words, e.g. 'checking account < 0 DM' or 'Duration of the credit: 48 months'. */
  readonly description: string;
  /** Contribution to the logit of default (> 0 pushes towards default). */
  readonly contribution: number;
}

/**
 * The value of `column` in words: the codebook label of a code (else "Title: code"), or
 * "Title: value unit" for a number, where Title is the column's description (else its name).
 *
 * @example describeValue(durationSpec, 48) // 'Duration of the credit: 48 months'
 */
export function describeValue(column: ColumnSpec, value: string | number | null): string {
  const title = column.description ?? column.name;
  if (value === null || (typeof value === 'number' && Number.isNaN(value))) return `${title}: not given`;
  if (typeof value === 'string') return column.labels?.[value] ?? `${title}: ${value}`;
  return `${title}: ${value}${column.unit ? ` ${column.unit}` : ''}`;
}

/** The raw value of `column` in row `row` of `table` (null when missing). */
export function rawValue(table: Table, column: ColumnSpec, row: number): string | number | null {
  if (column.kind === 'numeric') {
    const v = table.numeric[column.name][row];
    return Number.isNaN(v) ? null : v;
  }
  return table.categorical[column.name][row];
}

/**
 * Indices of the `k` largest strictly positive entries of `values[offset … offset + n)`, largest
 * first (ties: lower index first). Selection by insertion into a k-slot list: n is a few dozen
 * columns and k is 4, so this beats sorting per row.
 */
export function topPositive(values: Float64Array, offset: number, n: number, k: number): number[] {
  const top: number[] = [];
  if (k <= 0) return top;
  for (let c = 0; c < n; c++) {
    const v = values[offset + c];
    if (!(v > 0)) continue;
    if (top.length === k && v <= values[offset + top[k - 1]]) continue;
    let at = top.length < k ? top.length : k - 1;
    while (at > 0 && values[offset + top[at - 1]] < v) {
      if (at < k) top[at] = top[at - 1];
      at--;
    }
    top[at] = c;
  }
  return top;
}
