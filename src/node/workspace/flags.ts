/**
 * Risk flags of a scored application: what a risk officer wants to find in the list without
 * opening every file. Stored as a bit mask (one integer column, filterable in SQL).
 *
 * - `decline`: the decision is decline (P(default) at or above the decline threshold);
 * - `review`: the decision is manual review;
 * - `high_pd`: P(default) at or above {@link HIGH_PD} — very likely to default, whatever the
 *   thresholds say;
 * - `near_threshold`: P(default) within {@link NEAR_THRESHOLD_MARGIN} of the review or decline
 *   threshold — a small change in the file (or in the model) flips the decision;
 * - `out_of_range`: a number outside the range of this node's training data for the dataset,
 *   or a code that never occurs in it — the model is extrapolating, its answer deserves less
 *   trust.
 */
import type { ColumnSpec, Table } from '../../data/schema.js';
import type { Decision } from '../../scoring/scorer.js';

/** Every flag, in display order. */
export const FLAG_NAMES = ['decline', 'review', 'high_pd', 'near_threshold', 'out_of_range'] as const;
export type FlagName = (typeof FLAG_NAMES)[number];

/** One bit per flag. */
export const FLAG_BITS: Readonly<Record<FlagName, number>> = Object.freeze({ decline: 1, review: 2, high_pd: 4, near_threshold: 8, out_of_range: 16 });

/** What each flag means, for the API and the page. */
export const FLAG_DESCRIPTIONS: Readonly<Record<FlagName, string>> = Object.freeze({
  decline: 'declined: probability of default at or above the decline threshold',
  review: 'sent to manual review',
  high_pd: 'probability of default of 75 % or more',
  near_threshold: 'within 2.5 percentage points of a decision threshold: a small change flips the decision',
  out_of_range: 'an input outside what this lender’s training data contains: the model is extrapolating',
});

/** P(default) from which `high_pd` is set. */
export const HIGH_PD = 0.75;
/** Distance in probability to a threshold within which `near_threshold` is set. */
export const NEAR_THRESHOLD_MARGIN = 0.025;

/** The range of each column in the node's training data: numbers' min and max, codes seen. */
export interface InputRanges {
  readonly numeric: ReadonlyMap<string, { readonly min: number; readonly max: number }>;
  readonly categorical: ReadonlyMap<string, ReadonlySet<string>>;
}

/** Ranges of every column of `table` (missing values ignored). */
export function inputRangesOf(table: Table): InputRanges {
  const numeric = new Map<string, { min: number; max: number }>();
  for (const [name, column] of Object.entries(table.numeric)) {
    let min = Infinity, max = -Infinity;
    for (const v of column) {
      if (Number.isNaN(v)) continue;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    if (min <= max) numeric.set(name, { min, max });
  }
  const categorical = new Map<string, Set<string>>();
  for (const [name, column] of Object.entries(table.categorical)) categorical.set(name, new Set(column.filter((v): v is string => v !== null)));
  return { numeric, categorical };
}

/** The fields of a record outside `ranges` (columns the ranges do not know are not judged). */
export function outOfRangeFields(columns: readonly ColumnSpec[], record: Readonly<Record<string, string | number | null>>, ranges: InputRanges | undefined): string[] {
  if (ranges === undefined) return [];
  const out: string[] = [];
  for (const column of columns) {
    const value = record[column.name];
    if (value === null || value === undefined) continue;
    if (typeof value === 'number') {
      const range = ranges.numeric.get(column.name);
      if (range !== undefined && (value < range.min || value > range.max)) out.push(column.name);
    } else {
      const seen = ranges.categorical.get(column.name);
      if (seen !== undefined && seen.size > 0 && !seen.has(value)) out.push(column.name);
    }
  }
  return out;
}

/** The flag mask of one scored application. */
export function flagsOf(input: { probabilityOfDefault: number; decision: Decision; thresholds: { review: number; decline: number }; outOfRange: readonly string[] }): number {
  const { probabilityOfDefault: pd, thresholds } = input;
  let mask = 0;
  if (input.decision === 'decline') mask |= FLAG_BITS.decline;
  if (input.decision === 'review') mask |= FLAG_BITS.review;
  if (pd >= HIGH_PD) mask |= FLAG_BITS.high_pd;
  if (Math.abs(pd - thresholds.review) < NEAR_THRESHOLD_MARGIN || Math.abs(pd - thresholds.decline) < NEAR_THRESHOLD_MARGIN) mask |= FLAG_BITS.near_threshold;
  if (input.outOfRange.length > 0) mask |= FLAG_BITS.out_of_range;
  return mask;
}

/** The names of the flags set in `mask`, in display order. */
export function flagNames(mask: number): FlagName[] {
  return FLAG_NAMES.filter((name) => (mask & FLAG_BITS[name]) !== 0);
}
