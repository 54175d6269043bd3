/**
 * Reading typed values out of a message's config and arrays. Messages may come from the
 * network, so every read is bounded and validated, and a bad value raises a {@link ProtocolError}
 * naming the key and what was expected.
 */
import { FedCreditError } from '../errors.js';
import type { ConfigValue } from './message.js';

/** A message whose content does not fit what its type requires. */
export class ProtocolError extends FedCreditError {
  constructor(message: string, code = 'BAD_MESSAGE') {
    super(code, message);
  }
}

type Config = Readonly<Record<string, ConfigValue>>;

/** A finite number within [min, max]; `fallback` when absent (error if no fallback). */
export function readNumber(config: Config, key: string, bounds: { min?: number; max?: number; integer?: boolean; fallback?: number } = {}): number {
  const raw = config[key];
  if (raw === undefined) {
    if (bounds.fallback !== undefined) return bounds.fallback;
    throw new ProtocolError(`config.${key}: required`);
  }
  if (typeof raw !== 'number' || !Number.isFinite(raw)) throw new ProtocolError(`config.${key}: expected a finite number, got ${JSON.stringify(raw)}`);
  if (bounds.integer && !Number.isInteger(raw)) throw new ProtocolError(`config.${key}: expected an integer, got ${raw}`);
  if (bounds.min !== undefined && raw < bounds.min) throw new ProtocolError(`config.${key}: expected ≥ ${bounds.min}, got ${raw}`);
  if (bounds.max !== undefined && raw > bounds.max) throw new ProtocolError(`config.${key}: expected ≤ ${bounds.max}, got ${raw}`);
  return raw;
}

/** A string (optionally one of `allowed`); `fallback` when absent. */
export function readString<T extends string = string>(config: Config, key: string, options: { allowed?: readonly T[]; fallback?: T; maxLength?: number } = {}): T {
  const raw = config[key];
  if (raw === undefined) {
    if (options.fallback !== undefined) return options.fallback;
    throw new ProtocolError(`config.${key}: required`);
  }
  if (typeof raw !== 'string') throw new ProtocolError(`config.${key}: expected a string, got ${JSON.stringify(raw)}`);
  if (raw.length > (options.maxLength ?? 1_000_000)) throw new ProtocolError(`config.${key}: longer than ${options.maxLength ?? 1_000_000} characters`);
  if (options.allowed && !options.allowed.includes(raw as T)) throw new ProtocolError(`config.${key}: expected one of ${options.allowed.join(', ')}, got ${JSON.stringify(raw)}`);
  return raw as T;
}

/** A boolean; `fallback` when absent. */
export function readBoolean(config: Config, key: string, fallback?: boolean): boolean {
  const raw = config[key];
  if (raw === undefined && fallback !== undefined) return fallback;
  if (typeof raw !== 'boolean') throw new ProtocolError(`config.${key}: expected true or false, got ${JSON.stringify(raw)}`);
  return raw;
}

/** A JSON document carried in a string config value. */
export function readJson(config: Config, key: string, maxLength = 1_000_000): unknown {
  const text = readString(config, key, { maxLength });
  try {
    return JSON.parse(text);
  } catch {
    throw new ProtocolError(`config.${key}: not valid JSON`);
  }
}

/** A named array of exactly `length` finite values (any length when omitted). */
export function readArray(arrays: Readonly<Record<string, Float64Array>>, key: string, length?: number): Float64Array {
  const a = arrays[key];
  if (!(a instanceof Float64Array)) throw new ProtocolError(`arrays.${key}: required`);
  if (length !== undefined && a.length !== length) throw new ProtocolError(`arrays.${key}: expected ${length} values, got ${a.length}`);
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) throw new ProtocolError(`arrays.${key}[${i}]: not a finite number`);
  return a;
}
