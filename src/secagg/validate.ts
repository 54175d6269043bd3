/**
 * Parsing of untrusted stage messages. Requests reach a client from the server, replies reach
 * the server from clients; either side may be buggy or hostile, so every field is checked for
 * type, length, range and duplicates, and extra fields are refused. Failures are
 * {@link SecAggError}s with a stable code, never asserts.
 */
import { SecAggError, type SecAggErrorCode } from './errors.js';

/** Throw a coded {@link SecAggError}. */
export function fail(code: SecAggErrorCode, message: string, clientIndex?: number): never {
  throw new SecAggError(code, message, clientIndex === undefined ? {} : { clientIndex });
}

/** A plain object with exactly the `required` keys (plus any of `optional`). */
export function expectRecord(value: unknown, name: string, required: readonly string[], optional: readonly string[] = []): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || ArrayBuffer.isView(value)) {
    fail('SECAGG_MALFORMED', `${name}: expected an object`);
  }
  const record = value as Record<string, unknown>;
  for (const key of required) {
    if (!(key in record) || record[key] === undefined) fail('SECAGG_MALFORMED', `${name}.${key}: missing`);
  }
  for (const key of Object.keys(record)) {
    if (!required.includes(key) && !optional.includes(key)) fail('SECAGG_MALFORMED', `${name}.${key}: unexpected field`);
  }
  return record;
}

/** The literal stage tag of a message. */
export function expectStage(value: unknown, stage: string, name: string): void {
  if (value !== stage) fail('SECAGG_WRONG_STAGE', `${name}.stage: expected '${stage}', got ${JSON.stringify(String(value))}`);
}

/** A client index in [0, numClients). */
export function expectIndex(value: unknown, name: string, numClients: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) fail('SECAGG_MALFORMED', `${name}: expected an integer client index`);
  if (value < 0 || value >= numClients) fail('SECAGG_UNKNOWN_CLIENT', `${name}: no client ${value} among ${numClients}`);
  return value;
}

/** A `Uint8Array` of exactly `length` bytes. */
export function expectBytes(value: unknown, name: string, length: number): Uint8Array {
  if (!(value instanceof Uint8Array)) fail('SECAGG_MALFORMED', `${name}: expected a Uint8Array`);
  if (value.length !== length) fail('SECAGG_WRONG_LENGTH', `${name}: expected ${length} bytes, got ${value.length}`);
  return value;
}

/** An array of at most `maxLength` items. */
export function expectArray(value: unknown, name: string, maxLength: number): readonly unknown[] {
  if (!Array.isArray(value)) fail('SECAGG_MALFORMED', `${name}: expected an array`);
  if (value.length > maxLength) fail('SECAGG_WRONG_LENGTH', `${name}: at most ${maxLength} items, got ${value.length}`);
  return value;
}

/**
 * A list of per-client byte strings sent as columns (stages.ts): the record `value` has the
 * array `indexKey` of at most `maxCount` distinct client indices, and one `Uint8Array` per key
 * of `sizes` holding `sizes[key]` bytes per index. Returns the indices in the order given and
 * the columns as they are (entry k of a column is bytes [k·size, (k + 1)·size)).
 */
export function expectColumns<K extends string>(value: unknown, name: string, indexKey: string, sizes: Readonly<Record<K, number>>, numClients: number, maxCount: number): { indices: number[]; columns: Record<K, Uint8Array> } {
  const keys = Object.keys(sizes) as K[];
  const r = expectRecord(value, name, [indexKey, ...keys]);
  const indices = distinctIndices(r[indexKey], `${name}.${indexKey}`, numClients, maxCount);
  const columns = {} as Record<K, Uint8Array>;
  for (const key of keys) columns[key] = expectBytes(r[key], `${name}.${key}`, indices.length * sizes[key]);
  return { indices, columns };
}

/** At most `maxCount` distinct client indices, in the order given. */
function distinctIndices(value: unknown, name: string, numClients: number, maxCount: number): number[] {
  const items = expectArray(value, name, maxCount);
  const seen = new Set<number>();
  for (const [k, item] of items.entries()) {
    const index = expectIndex(item, `${name}[${k}]`, numClients);
    if (seen.has(index)) fail('SECAGG_DUPLICATE', `${name}: client ${index} listed twice`);
    seen.add(index);
  }
  return [...seen];
}

/** A list of distinct client indices, returned ascending. */
export function expectIndexList(value: unknown, name: string, numClients: number): number[] {
  return distinctIndices(value, name, numClients, numClients).sort((a, b) => a - b);
}

/** A ring vector: a `Uint32Array` of `length` elements, each below 2^ringBits. */
export function expectRingVector(value: unknown, name: string, length: number, ringBits: number): Uint32Array {
  if (!(value instanceof Uint32Array)) fail('SECAGG_MALFORMED', `${name}: expected a Uint32Array`);
  if (value.length !== length) fail('SECAGG_WRONG_LENGTH', `${name}: expected ${length} elements, got ${value.length}`);
  if (ringBits < 32) {
    const modulus = 2 ** ringBits;
    for (let k = 0; k < value.length; k++) {
      if (value[k] >= modulus) fail('SECAGG_OUT_OF_RANGE', `${name}[${k}]: ${value[k]} ≥ 2^${ringBits}`);
    }
  }
  return value;
}

/** Set equality of two ascending index lists. */
export function sameIndices(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, k) => x === b[k]);
}
