/**
 * The values a counterfactual search tries for one field, each with its normalised cost:
 *
 * - a category column: every other category the model knows (a category no lender had in
 *   training carries no information, so it is never suggested), cost 1; an ordinal column
 *   costs ½ per step along its order, so "employed 1–4 → 4–7 years" is cheaper than a jump
 *   of three classes;
 * - a numeric column: a grid of round numbers on both sides of the current value within the
 *   schema's [min, max] and at most {@link MAX_SHIFT_SPREADS} spreads away, the bound itself
 *   included when the schema gives one; integers for integer columns. The step is a "nice"
 *   number (1, 2, 2.5 or 5 × 10^k; 1, 2 or 5 × 10^k for integers) near a tenth of the spread,
 *   widened so that no side has more than {@link MAX_STEPS_PER_SIDE} points. The cost of a value
 *   is |Δ| / spread, i.e. in standard deviations of the training data.
 *
 * Values are listed smallest change first (ties: the lower value first), so a search that stops
 * at the first success finds the smallest change on the grid.
 */
import type { ColumnSpec } from '../data/schema.js';

/** Most grid points on each side of the current value of a numeric field. */
export const MAX_STEPS_PER_SIDE = 120;
/** Farthest a numeric value is moved, in spreads (standard deviations). */
export const MAX_SHIFT_SPREADS = 8;
/** Cost of one step along an ordinal column's order (a category swap costs 1). */
export const ORDINAL_STEP_COST = 0.5;

/** One value to try, with its cost in spreads. */
export interface GridValue {
  readonly value: string | number;
  readonly cost: number;
}

/**
 * The category values to try for `column` (current value `from`), restricted to `known`
 * categories, smallest cost first, then in the schema's order.
 */
export function categoryGrid(column: ColumnSpec, from: string, known: ReadonlySet<string>): GridValue[] {
  const categories = column.categories ?? [];
  const fromRank = categories.indexOf(from);
  const out: GridValue[] = [];
  for (let k = 0; k < categories.length; k++) {
    const value = categories[k];
    if (value === from || !known.has(value)) continue;
    const cost = column.kind === 'ordinal' && fromRank >= 0 ? ORDINAL_STEP_COST * Math.abs(k - fromRank) : 1;
    out.push({ value, cost });
  }
  return out.sort((a, b) => a.cost - b.cost); // stable: schema order among equal costs
}

/**
 * The numeric values to try for `column` from `from`, given the column's `spread` (> 0),
 * smallest change first.
 *
 * @example numericGrid(durationSpec, 48, 12) // [47, 49, 46, 50, …, 1, …, 120]
 */
export function numericGrid(column: ColumnSpec, from: number, spread: number): GridValue[] {
  if (!Number.isFinite(from)) throw new RangeError(`from: expected a finite number, got ${from}`);
  if (!(spread > 0) || !Number.isFinite(spread)) throw new RangeError(`spread: expected a finite number > 0, got ${spread}`);
  const integer = column.integer === true;
  const schemaLo = column.min ?? -Infinity;
  const schemaHi = column.max ?? Infinity;
  let lo = Math.max(schemaLo, from - MAX_SHIFT_SPREADS * spread);
  let hi = Math.min(schemaHi, from + MAX_SHIFT_SPREADS * spread);
  if (integer) {
    lo = Math.ceil(lo);
    hi = Math.floor(hi);
  }
  const base = integer ? Math.max(1, niceFloor(spread / 10, [1, 2, 5])) : niceFloor(spread / 10, [1, 2, 2.5, 5]);
  const values = new Set<number>();
  const side = (direction: -1 | 1, bound: number, boundIsSchema: boolean) => {
    const distance = direction < 0 ? from - bound : bound - from;
    if (!(distance > 0)) return;
    const step = Math.max(base, niceCeil(distance / MAX_STEPS_PER_SIDE, integer ? [1, 2, 5] : [1, 2, 2.5, 5]));
    const digits = decimalsOf(step);
    // first multiple of step strictly beyond `from` in `direction`, then outwards
    let k = direction < 0 ? Math.ceil(from / step) - 1 : Math.floor(from / step) + 1;
    for (let n = 0; n <= MAX_STEPS_PER_SIDE; n++, k += direction) {
      const v = round(k * step, digits);
      if (direction < 0 ? v <= bound || v >= from : v >= bound || v <= from) break;
      values.add(v);
    }
    if (boundIsSchema) values.add(bound);
  };
  side(-1, lo, lo === (integer ? Math.ceil(schemaLo) : schemaLo));
  side(1, hi, hi === (integer ? Math.floor(schemaHi) : schemaHi));
  values.delete(from);
  return [...values]
    .map((value) => ({ value, cost: Math.abs(value - from) / spread }))
    .sort((a, b) => a.cost - b.cost || (a.value as number) - (b.value as number));
}

/** Largest m·10^k ≤ x with m from `mantissas` (ascending, starting at 1). */
function niceFloor(x: number, mantissas: readonly number[]): number {
  if (!(x > 0)) return mantissas[0];
  const power = 10 ** Math.floor(Math.log10(x));
  let best = power;
  for (const m of mantissas) if (m * power <= x * (1 + 1e-12)) best = m * power;
  return best;
}

/** Smallest m·10^k ≥ x with m from `mantissas` (ascending, starting at 1). */
function niceCeil(x: number, mantissas: readonly number[]): number {
  if (!(x > 0)) return mantissas[0];
  const power = 10 ** Math.floor(Math.log10(x));
  for (const m of mantissas) if (m * power >= x * (1 - 1e-12)) return m * power;
  return 10 * power;
}

/** Decimal digits of a nice step (2.5 → 1, 0.05 → 2, 500 → 0). */
function decimalsOf(step: number): number {
  let digits = 0;
  while (digits < 15 && Math.abs(Math.round(step * 10 ** digits) - step * 10 ** digits) > 1e-9 * 10 ** digits) digits++;
  return digits;
}

function round(v: number, digits: number): number {
  return digits === 0 ? Math.round(v) : Number(v.toFixed(digits));
}
