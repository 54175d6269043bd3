/**
 * Boundary checks shared by the model domain. Every public entry point of `src/model` calls
 * these before touching its arguments, so that a wrong shape or a NaN hyper-parameter fails
 * with a `TypeError`/`RangeError` naming the parameter instead of silently producing NaN
 * parameters three rounds later.
 */
import type { Matrix } from '../math/linalg.js';

/** Largest feature count a model accepts: bounds memory for hostile model files and configs. */
export const MAX_FEATURES = 100_000;

/** Throw unless `value` is an integer in [min, max]. */
export function checkInteger(name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number') throw new TypeError(`${name}: expected an integer, got ${typeof value}`);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name}: expected an integer in [${min}, ${max}], got ${value}`);
  }
  return value;
}

/** Throw unless `value` is a finite number ≥ min (or > min when `exclusive`). */
export function checkNumber(name: string, value: unknown, min = -Infinity, exclusive = false): number {
  if (typeof value !== 'number') throw new TypeError(`${name}: expected a number, got ${typeof value}`);
  if (!Number.isFinite(value) || (exclusive ? value <= min : value < min)) {
    throw new RangeError(`${name}: expected a finite number ${exclusive ? '>' : '≥'} ${min}, got ${value}`);
  }
  return value;
}

/** Throw unless `value` is a Float64Array (of length `length` when given). */
export function checkFloat64Array(name: string, value: unknown, length?: number): Float64Array {
  if (!(value instanceof Float64Array)) throw new TypeError(`${name}: expected a Float64Array`);
  if (length !== undefined && value.length !== length) {
    throw new RangeError(`${name}: expected length ${length}, got ${value.length}`);
  }
  return value;
}

/** Throw unless every entry of `values` is finite. */
export function checkAllFinite(name: string, values: Float64Array): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new RangeError(`${name}: entry ${i} is not finite (${values[i]})`);
  }
}

/** Throw unless `m` is a well-formed matrix with `cols` columns (when given). */
export function checkMatrix(name: string, m: unknown, cols?: number): Matrix {
  if (typeof m !== 'object' || m === null) throw new TypeError(`${name}: expected a Matrix`);
  const { data, rows, cols: c } = m as Matrix;
  if (!(data instanceof Float64Array)) throw new TypeError(`${name}.data: expected a Float64Array`);
  checkInteger(`${name}.rows`, rows, 0);
  checkInteger(`${name}.cols`, c, 0);
  if (data.length !== rows * c) throw new RangeError(`${name}: data length ${data.length} ≠ rows·cols = ${rows * c}`);
  if (cols !== undefined && c !== cols) throw new RangeError(`${name}: expected ${cols} columns, got ${c}`);
  return m as Matrix;
}

/** Throw unless `y` holds `rows` labels in [0, 1] (1 = bad). */
export function checkLabels(name: string, y: unknown, rows: number): Float64Array {
  const labels = checkFloat64Array(name, y, rows);
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i];
    // Written as a negated range test so that NaN fails it too.
    if (!(v >= 0 && v <= 1)) throw new RangeError(`${name}: label ${i} must be in [0, 1], got ${v}`);
  }
  return labels;
}

/**
 * Throw unless `weights` holds `rows` finite non-negative example weights with a positive sum;
 * returns that sum (the denominator of the weighted mean loss).
 */
export function checkExampleWeights(name: string, weights: unknown, rows: number): number {
  const w = checkFloat64Array(name, weights, rows);
  let sum = 0;
  for (let i = 0; i < w.length; i++) {
    const v = w[i];
    if (!(v >= 0 && v < Infinity)) throw new RangeError(`${name}: weight ${i} must be finite and ≥ 0, got ${v}`);
    sum += v;
  }
  if (!(sum > 0)) throw new RangeError(`${name}: weights must have a positive sum`);
  return sum;
}
