/**
 * Boundary checks shared by the aggregation functions and strategies.
 *
 * Node updates arrive from other organisations, so every vector is checked before it touches
 * the global model: one NaN from one lender would otherwise poison every coefficient of the
 * shared model, and a sort-based robust rule silently misorders NaN. Failures throw `TypeError`
 * for the wrong kind of value and `RangeError` for a value out of range, naming the parameter.
 */
import type { FitResult } from './strategy.js';

/** Bounds for {@link checkNumber}; both ends inclusive unless marked exclusive. */
export interface NumberBounds {
  readonly min?: number;
  readonly max?: number;
  readonly minExclusive?: boolean;
  readonly maxExclusive?: boolean;
  readonly integer?: boolean;
}

/**
 * Check that `value` is a finite number within `bounds` and return it. Throws `TypeError` if it
 * is not a number at all and `RangeError` (naming `name`) if it is NaN, infinite, fractional
 * where an integer is required, or out of bounds.
 *
 * @example checkNumber('beta', 0.2, { min: 0, max: 0.5, maxExclusive: true })
 */
export function checkNumber(name: string, value: unknown, bounds: NumberBounds = {}): number {
  if (typeof value !== 'number') throw new TypeError(`${name}: expected a number, got ${describe(value)}`);
  if (!Number.isFinite(value)) throw new RangeError(`${name}: expected a finite number, got ${value}`);
  if (bounds.integer === true && !Number.isSafeInteger(value)) throw new RangeError(`${name}: expected an integer, got ${value}`);
  const { min, max } = bounds;
  if (min !== undefined && (bounds.minExclusive === true ? value <= min : value < min)) {
    throw new RangeError(`${name}: expected ${bounds.minExclusive === true ? '>' : '≥'} ${min}, got ${value}`);
  }
  if (max !== undefined && (bounds.maxExclusive === true ? value >= max : value > max)) {
    throw new RangeError(`${name}: expected ${bounds.maxExclusive === true ? '<' : '≤'} ${max}, got ${value}`);
  }
  return value;
}

/**
 * Check that `value` is a `Float64Array` of finite numbers (of `expectedLength` entries when
 * given) and return it. `TypeError` for another type, `RangeError` for a wrong length or a
 * non-finite entry (the message gives its index).
 */
export function checkVector(name: string, value: unknown, expectedLength?: number): Float64Array {
  if (!(value instanceof Float64Array)) throw new TypeError(`${name}: expected a Float64Array, got ${describe(value)}`);
  if (expectedLength !== undefined && value.length !== expectedLength) {
    throw new RangeError(`${name}: expected ${expectedLength} entries, got ${value.length}`);
  }
  for (let i = 0; i < value.length; i++) {
    if (!Number.isFinite(value[i])) throw new RangeError(`${name}[${i}]: expected a finite number, got ${value[i]}`);
  }
  return value;
}

/**
 * Check a non-empty list of equally long finite vectors (all of `expectedLength` entries when
 * given) and return their common length. `RangeError` for an empty list or mismatched lengths.
 */
export function checkVectors(name: string, vectors: unknown, expectedLength?: number): number {
  if (!Array.isArray(vectors)) throw new TypeError(`${name}: expected an array of Float64Array, got ${describe(vectors)}`);
  if (vectors.length === 0) throw new RangeError(`${name}: expected at least one vector`);
  const dim = expectedLength ?? checkVector(`${name}[0]`, vectors[0]).length;
  for (let i = 0; i < vectors.length; i++) checkVector(`${name}[${i}]`, vectors[i], dim);
  return dim;
}

/**
 * Check a non-empty list of fit results: finite parameter vectors of one common length
 * (`expectedLength` when given) and a finite, non-negative `numExamples` each. Returns the
 * common length. Errors name the offending node.
 */
export function checkFitResults(name: string, results: unknown, expectedLength?: number): number {
  if (!Array.isArray(results)) throw new TypeError(`${name}: expected an array of fit results, got ${describe(results)}`);
  if (results.length === 0) throw new RangeError(`${name}: expected at least one fit result`);
  let dim = expectedLength;
  for (let i = 0; i < results.length; i++) {
    const r = results[i] as FitResult | null;
    if (typeof r !== 'object' || r === null) throw new TypeError(`${name}[${i}]: expected a fit result object, got ${describe(r)}`);
    const where = `${name}[${i}] (node ${String(r.nodeId)})`;
    dim ??= checkVector(`${where}.parameters`, r.parameters).length;
    checkVector(`${where}.parameters`, r.parameters, dim);
    checkNumber(`${where}.numExamples`, r.numExamples, { min: 0 });
  }
  return dim!;
}

/** Check a round number: a non-negative integer. */
export function checkRound(round: unknown): number {
  return checkNumber('round', round, { min: 0, integer: true });
}

/**
 * Check that a state record only holds the `allowed` keys, so that state saved by one strategy
 * is not silently ignored by another after a configuration change.
 */
export function checkStateKeys(state: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (typeof state !== 'object' || state === null) throw new TypeError(`state: expected an object, got ${describe(state)}`);
  for (const key of Object.keys(state)) {
    if (!allowed.includes(key)) {
      throw new RangeError(`state.${key}: not part of this strategy's state (expected ${allowed.length === 0 ? 'no keys' : allowed.join(', ')})`);
    }
  }
  return state as Record<string, unknown>;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an Array';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'an object';
  return typeof value;
}
