/**
 * Conversions between driver values and record fields, and the argument checks every public
 * store method runs at its boundary (TypeError/RangeError naming the parameter).
 */
import { canonicalJson } from './canonical-json.js';

/** Longest id, name or key accepted; ids end up in URLs and log lines. */
export const MAX_ID_LENGTH = 200;

/** A BIGINT read back from either driver (pg returns it as a decimal string) as a number. */
export function toInt(value: number | string | bigint, column: string): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`column ${column}: ${String(value)} is not a safe integer`);
  return n;
}

/** A nullable BIGINT as `number | undefined`. */
export function toOptionalInt(value: number | string | bigint | null, column: string): number | undefined {
  return value === null ? undefined : toInt(value, column);
}

/** A caller's bytes as a Buffer view (no copy); better-sqlite3 binds Buffers, pg sends them as bytea. */
export function toDbBytes(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Driver bytes as a fresh Uint8Array the caller owns (Buffers may share a pooled slab). */
export function fromDbBytes(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes);
}

/** Parse a JSON column written by this store. */
export function parseJsonColumn<T>(text: string): T {
  return JSON.parse(text) as T;
}

/** Check an id, name or key: a non-empty string of at most {@link MAX_ID_LENGTH} characters. */
export function checkId(name: string, value: unknown): string {
  if (typeof value !== 'string') throw new TypeError(`${name} must be a string, got ${typeof value}`);
  if (value.length === 0 || value.length > MAX_ID_LENGTH) {
    throw new RangeError(`${name} must have 1..${MAX_ID_LENGTH} characters, got ${value.length}`);
  }
  return value;
}

/** Check free text up to `maxLength` characters (empty allowed). */
export function checkText(name: string, value: unknown, maxLength: number): string {
  if (typeof value !== 'string') throw new TypeError(`${name} must be a string, got ${typeof value}`);
  if (value.length > maxLength) throw new RangeError(`${name} must have at most ${maxLength} characters, got ${value.length}`);
  return value;
}

/** Check a safe integer in [min, max]. */
export function checkInt(name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new TypeError(`${name} must be an integer, got ${String(value)}`);
  if (value < min || value > max) throw new RangeError(`${name} must be in [${min}, ${max}], got ${value}`);
  return value;
}

/** Check a finite number ≥ min. */
export function checkNumber(name: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || Number.isNaN(value)) throw new TypeError(`${name} must be a number, got ${String(value)}`);
  if (!Number.isFinite(value) || value < min) throw new RangeError(`${name} must be finite and ≥ ${min}, got ${value}`);
  return value;
}

/** Check a byte array. */
export function checkBytes(name: string, value: unknown): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${name} must be a Uint8Array`);
  return value;
}

/** Check a JSON object and return its canonical text for storage. */
export function jsonObjectText(name: string, value: unknown): string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new TypeError(`${name} must be a JSON object`);
  return canonicalJson(value, name);
}

/** Check any JSON value and return its canonical text. */
export function jsonText(name: string, value: unknown): string {
  return canonicalJson(value, name);
}

/** Check an array of ids. */
export function checkIdArray(name: string, value: unknown): string[] {
  if (!Array.isArray(value)) throw new TypeError(`${name} must be an array of strings`);
  return value.map((item, i) => checkId(`${name}[${i}]`, item));
}

/** Check a required argument object (a plain record, not null or an array). */
export function checkRecord(name: string, value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new TypeError(`${name} must be an object`);
  return value as Record<string, unknown>;
}

/** Check an options object (undefined allowed). */
export function checkOptions(name: string, value: unknown): Record<string, unknown> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object') throw new TypeError(`${name} must be an object`);
  return value as Record<string, unknown>;
}
