/**
 * Binary wire format of {@link Message} and {@link Reply}, so parameter vectors travel as raw
 * little-endian floats instead of JSON arrays (4 bytes per float32-exact value instead of ~20).
 *
 * Frame (kinds 1 = message, 2 = reply):
 *   'FCW1' | u8 kind | u32 LE header length | UTF-8 JSON header | raw array data
 * The header holds every field except the arrays, plus `arrays`: a list of
 * `{ name, dtype: 'f32' | 'u32' | 'f64', length }` descriptors giving the order of the data
 * section. An array is sent as f32 when every value survives `Math.fround` exactly, else as u32
 * when every value is an integer in [0, 2^32) (masked secure-aggregation vectors: ring elements,
 * not f32-exact above 2^24), else as f64, so the decoded Float64Array is always bit-identical to
 * the encoded one (−0 and subnormals included).
 * Batch frame (kind 3): 'FCW1' | u8 3 | u32 LE count | count × (u32 LE length | kind-1 frame).
 *
 * Decoding treats the input as hostile: every length is checked against the buffer and the
 * {@link WireLimits} before anything is read or allocated, unknown or mistyped header fields are
 * rejected, and every failure is a {@link ProtocolError} with a WIRE_* code (never a RangeError
 * from DataView). Config numbers travel as JSON, so a config value of −0 arrives as 0.
 */
import { Buffer } from 'node:buffer';
import { ProtocolError } from './config.js';
import type { ConfigValue, Message, Reply, ReplyError } from './message.js';

/** Bounds a decoder enforces before allocating; see {@link DEFAULT_WIRE_LIMITS}. */
export interface WireLimits {
  /** Largest accepted frame (whole batch for kind 3), in bytes. */
  readonly maxBytes: number;
  /** Largest accepted JSON header, in bytes. */
  readonly maxHeaderBytes: number;
  /** Most named arrays in one message or reply. */
  readonly maxArrays: number;
  /** Most array values in one frame (summed over a batch). */
  readonly maxValues: number;
}

/** Default limits: 64 MiB frames, 1 MiB headers, 64 arrays, 16 million values. */
export const DEFAULT_WIRE_LIMITS: WireLimits = Object.freeze({
  maxBytes: 64 * 1024 * 1024,
  maxHeaderBytes: 1024 * 1024,
  maxArrays: 64,
  maxValues: 16_000_000,
});

const MAGIC = [0x46, 0x43, 0x57, 0x31]; // 'FCW1'
const KIND_MESSAGE = 1;
const KIND_REPLY = 2;
const KIND_BATCH = 3;
const PREFIX_BYTES = 9; // magic + kind + u32
const MAX_ID_CHARS = 200;
const MAX_STRING_CHARS = 1024 * 1024; // config strings (total) and error messages

type Dtype = 'f32' | 'u32' | 'f64';
const BYTES: Readonly<Record<Dtype, number>> = { f32: 4, u32: 4, f64: 8 };
type Check = (value: unknown, path: string) => unknown;

const fail = (code: string, message: string): never => {
  throw new ProtocolError(message, code);
};
const badHeader = (path: string, expected: string, value: unknown): never =>
  fail('WIRE_BAD_HEADER', `${path}: expected ${expected}, got ${describe(value)}`);
const describe = (value: unknown): string =>
  typeof value === 'string' ? `a string of ${value.length} characters` : Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value;
const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const checkId: Check = (v, path) => (typeof v === 'string' && v.length <= MAX_ID_CHARS ? v : badHeader(path, `a string of at most ${MAX_ID_CHARS} characters`, v));
const checkRound: Check = (v, path) => (Number.isSafeInteger(v) && (v as number) >= 0 ? v : badHeader(path, 'a non-negative safe integer', v));
const checkDeadline: Check = (v, path) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : badHeader(path, 'a finite non-negative epoch-ms number', v));

/** Config: flat object of number | string | boolean; keys are ids, strings ≤ 1 Mi chars in total. */
const checkConfig: Check = (v, path) => {
  if (!isPlainObject(v)) return badHeader(path, 'an object', v);
  const out: Record<string, ConfigValue> = {};
  let stringChars = 0;
  for (const [key, value] of Object.entries(v)) {
    checkName(key, `${path} key`);
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) fail('WIRE_NOT_FINITE', `${path}.${key}: not a finite number`);
    } else if (typeof value === 'string') {
      stringChars += value.length;
      if (stringChars > MAX_STRING_CHARS) fail('WIRE_BAD_HEADER', `${path}: string values exceed ${MAX_STRING_CHARS} characters in total`);
    } else if (typeof value !== 'boolean') {
      badHeader(`${path}.${key}`, 'a number, string or boolean', value);
    }
    out[key] = value as ConfigValue;
  }
  return out;
};

const checkError: Check = (v, path) => {
  if (!isPlainObject(v)) return badHeader(path, 'an object { code, message }', v);
  for (const key of Object.keys(v)) if (key !== 'code' && key !== 'message') fail('WIRE_BAD_HEADER', `${path}: unexpected field ${JSON.stringify(key.slice(0, 50))}`);
  const code = checkId(v.code, `${path}.code`) as string;
  const message = typeof v.message === 'string' && v.message.length <= MAX_STRING_CHARS ? v.message : badHeader(`${path}.message`, 'a string', v.message);
  return { code, message } satisfies ReplyError;
};

/** Array and config names: ids that cannot reach an object's prototype when used as keys. */
function checkName(name: string, path: string): void {
  if (name.length > MAX_ID_CHARS) fail('WIRE_BAD_HEADER', `${path}: longer than ${MAX_ID_CHARS} characters`);
  if (name === '__proto__') fail('WIRE_BAD_HEADER', `${path}: "__proto__" is not allowed`);
}

/** Header fields per frame kind, in header order: [name, check, optional]. */
const FIELDS: Record<number, readonly (readonly [string, Check, boolean])[]> = {
  [KIND_MESSAGE]: [['messageId', checkId, false], ['type', checkId, false], ['jobId', checkId, false], ['round', checkRound, false], ['nodeId', checkId, false], ['deadline', checkDeadline, true], ['config', checkConfig, false]],
  [KIND_REPLY]: [['replyTo', checkId, false], ['type', checkId, false], ['jobId', checkId, false], ['round', checkRound, false], ['nodeId', checkId, false], ['error', checkError, true], ['config', checkConfig, false]],
};

interface Plan {
  readonly header: Uint8Array;
  readonly arrays: readonly { readonly values: Float64Array; readonly dtype: Dtype }[];
  readonly totalBytes: number;
}

/** Validate `obj` like a decoder would and work out its header and array layout. */
function plan(kind: number, obj: Message | Reply, what: string): Plan {
  if (!isPlainObject(obj)) throw new TypeError(`${what}: expected a ${kind === KIND_MESSAGE ? 'Message' : 'Reply'} object`);
  const header: Record<string, unknown> = {};
  for (const [key, check, optional] of FIELDS[kind]) {
    if (optional && obj[key] === undefined) continue;
    header[key] = check(obj[key], `${what}.${key}`);
  }
  if (!isPlainObject(obj.arrays)) badHeader(`${what}.arrays`, 'an object of Float64Array', obj.arrays);
  const arrays: { values: Float64Array; dtype: Dtype }[] = [];
  const descriptors: { name: string; dtype: Dtype; length: number }[] = [];
  let totalBytes = 0;
  for (const [name, values] of Object.entries(obj.arrays as Record<string, unknown>)) {
    checkName(name, `${what}.arrays key`);
    if (!(values instanceof Float64Array)) return badHeader(`${what}.arrays.${name}`, 'a Float64Array', values);
    let f32 = true;
    let u32 = true;
    for (let i = 0; i < values.length; i++) {
      const x = values[i];
      if (x - x !== 0) fail('WIRE_NOT_FINITE', `${what}.arrays.${name}[${i}]: not a finite number`);
      if (f32 && Math.fround(x) !== x) f32 = false;
      // x >>> 0 === x: an integer in [0, 2^32), or −0 (which u32 would turn into +0)
      if (u32 && (x >>> 0 !== x || (x === 0 && 1 / x < 0))) u32 = false;
    }
    const dtype: Dtype = f32 ? 'f32' : u32 ? 'u32' : 'f64';
    arrays.push({ values, dtype });
    descriptors.push({ name, dtype, length: values.length });
    totalBytes += values.length * BYTES[dtype];
  }
  header.arrays = descriptors;
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  return { header: headerBytes, arrays, totalBytes: PREFIX_BYTES + headerBytes.length + totalBytes };
}

function writeFrame(kind: number, p: Plan, out: Uint8Array, offset: number): void {
  const view = new DataView(out.buffer, out.byteOffset + offset, p.totalBytes);
  out.set(MAGIC, offset);
  view.setUint8(4, kind);
  view.setUint32(5, p.header.length, true);
  out.set(p.header, offset + PREFIX_BYTES);
  let at = PREFIX_BYTES + p.header.length;
  for (const { values, dtype } of p.arrays) {
    if (dtype === 'f32') for (let i = 0; i < values.length; i++, at += 4) view.setFloat32(at, values[i], true);
    else if (dtype === 'u32') for (let i = 0; i < values.length; i++, at += 4) view.setUint32(at, values[i], true);
    else for (let i = 0; i < values.length; i++, at += 8) view.setFloat64(at, values[i], true);
  }
}

function encodeFrame(kind: number, obj: Message | Reply, what: string): Uint8Array {
  const p = plan(kind, obj, what);
  const out = new Uint8Array(p.totalBytes);
  writeFrame(kind, p, out, 0);
  return out;
}

/** Encode one message as a kind-1 frame. Throws ProtocolError (same codes as decoding) for content a peer would reject, e.g. NaN values. */
export function encodeMessage(m: Message): Uint8Array {
  return encodeFrame(KIND_MESSAGE, m, 'encodeMessage: m');
}

/** Encode one reply as a kind-2 frame. Throws ProtocolError (same codes as decoding) for content a peer would reject. */
export function encodeReply(r: Reply): Uint8Array {
  return encodeFrame(KIND_REPLY, r, 'encodeReply: r');
}

/** Encode several messages (e.g. all of one node's pending work) as one kind-3 frame. */
export function encodeMessageBatch(ms: readonly Message[]): Uint8Array {
  if (!Array.isArray(ms)) throw new TypeError('encodeMessageBatch: ms must be an array of Message');
  const plans = ms.map((m, i) => plan(KIND_MESSAGE, m, `encodeMessageBatch: ms[${i}]`));
  const out = new Uint8Array(PREFIX_BYTES + plans.reduce((sum, p) => sum + 4 + p.totalBytes, 0));
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  out.set(MAGIC, 0);
  view.setUint8(4, KIND_BATCH);
  view.setUint32(5, plans.length, true);
  let at = PREFIX_BYTES;
  for (const p of plans) {
    view.setUint32(at, p.totalBytes, true);
    writeFrame(KIND_MESSAGE, p, out, at + 4);
    at += 4 + p.totalBytes;
  }
  return out;
}

/**
 * Encoded size in bytes of a message or reply (told apart by `replyTo`), without building the
 * frame: for transfer metrics and for deciding whether to batch. Equals `encode*(m).length`.
 */
export function wireSize(m: Message | Reply): number {
  const isReply = isPlainObject(m) && 'replyTo' in m;
  return plan(isReply ? KIND_REPLY : KIND_MESSAGE, m, 'wireSize: m').totalBytes;
}

function resolveLimits(limits: Partial<WireLimits> | undefined): WireLimits {
  if (limits === undefined) return DEFAULT_WIRE_LIMITS;
  if (!isPlainObject(limits)) throw new TypeError('limits: expected an object');
  const out = { ...DEFAULT_WIRE_LIMITS, ...limits };
  for (const key of ['maxBytes', 'maxHeaderBytes', 'maxArrays', 'maxValues'] as const) {
    if (!Number.isSafeInteger(out[key]) || out[key] < 0) throw new RangeError(`limits.${key}: expected a non-negative safe integer, got ${String(out[key])}`);
  }
  return out;
}

function checkBytes(bytes: Uint8Array, what: string): DataView {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`${what}: bytes must be a Uint8Array`);
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Check magic and kind; returns nothing, throws WIRE_BAD_MAGIC / WIRE_TRUNCATED / WIRE_BAD_KIND. */
function checkPrefix(bytes: Uint8Array, view: DataView, kind: number, maxBytes: number): void {
  if (bytes.length > maxBytes) fail('WIRE_TOO_LARGE', `frame of ${bytes.length} bytes exceeds the limit of ${maxBytes}`);
  for (let i = 0; i < MAGIC.length && i < bytes.length; i++) if (bytes[i] !== MAGIC[i]) fail('WIRE_BAD_MAGIC', 'not a FedCredit wire frame (magic is not FCW1)');
  if (bytes.length < PREFIX_BYTES) fail('WIRE_TRUNCATED', `frame of ${bytes.length} bytes is shorter than its ${PREFIX_BYTES}-byte prefix`);
  const got = view.getUint8(4);
  if (got !== kind) fail('WIRE_BAD_KIND', `expected frame kind ${kind}, got ${got}`);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decode one kind-1 or kind-2 frame that must fill `bytes` exactly, within `limits`. */
function decodeFrame(bytes: Uint8Array, kind: number, limits: WireLimits): { value: Record<string, unknown>; numValues: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  checkPrefix(bytes, view, kind, limits.maxBytes);
  const headerLength = view.getUint32(5, true);
  if (headerLength > limits.maxHeaderBytes) fail('WIRE_TOO_LARGE', `header of ${headerLength} bytes exceeds the limit of ${limits.maxHeaderBytes}`);
  if (PREFIX_BYTES + headerLength > bytes.length) fail('WIRE_TRUNCATED', `header of ${headerLength} bytes runs past the end of the ${bytes.length}-byte frame`);
  let header: unknown;
  try {
    header = JSON.parse(utf8.decode(bytes.subarray(PREFIX_BYTES, PREFIX_BYTES + headerLength)));
  } catch {
    fail('WIRE_BAD_HEADER', 'header is not valid UTF-8 JSON');
  }
  if (!isPlainObject(header)) return badHeader('header', 'a JSON object', header);
  const fields = FIELDS[kind];
  for (const key of Object.keys(header)) {
    if (key !== 'arrays' && !fields.some(([name]) => name === key)) fail('WIRE_BAD_HEADER', `header: unexpected field ${JSON.stringify(key.slice(0, 50))}`);
  }
  const value: Record<string, unknown> = {};
  for (const [key, check, optional] of fields) {
    if (optional && !Object.hasOwn(header, key)) continue;
    value[key] = check(header[key], `header.${key}`);
  }
  const descriptors = readDescriptors(header.arrays, limits);
  const dataBytes = descriptors.reduce((sum, d) => sum + d.length * BYTES[d.dtype], 0);
  const totalBytes = PREFIX_BYTES + headerLength + dataBytes;
  if (totalBytes > limits.maxBytes) fail('WIRE_TOO_LARGE', `declared frame of ${totalBytes} bytes exceeds the limit of ${limits.maxBytes}`);
  if (totalBytes > bytes.length) fail('WIRE_TRUNCATED', `declared frame of ${totalBytes} bytes, got ${bytes.length}`);
  if (totalBytes < bytes.length) fail('WIRE_TRAILING', `${bytes.length - totalBytes} bytes after the end of the frame`);
  value.arrays = readArrays(view, PREFIX_BYTES + headerLength, descriptors);
  return { value, numValues: descriptors.reduce((sum, d) => sum + d.length, 0) };
}

function readDescriptors(raw: unknown, limits: WireLimits): { name: string; dtype: Dtype; length: number }[] {
  if (!Array.isArray(raw)) return badHeader('header.arrays', 'an array of descriptors', raw);
  if (raw.length > limits.maxArrays) fail('WIRE_TOO_LARGE', `${raw.length} arrays exceed the limit of ${limits.maxArrays}`);
  const names = new Set<string>();
  let numValues = 0;
  return raw.map((d: unknown, i) => {
    const path = `header.arrays[${i}]`;
    if (!isPlainObject(d) || Object.keys(d).length !== 3) return badHeader(path, 'an object { name, dtype, length }', d);
    const { name, dtype, length } = d;
    if (typeof name !== 'string') return badHeader(`${path}.name`, 'a string', name);
    checkName(name, `${path}.name`);
    if (names.has(name)) fail('WIRE_BAD_HEADER', `${path}.name: duplicate array name ${JSON.stringify(name)}`);
    names.add(name);
    if (dtype !== 'f32' && dtype !== 'u32' && dtype !== 'f64') return badHeader(`${path}.dtype`, '"f32", "u32" or "f64"', dtype);
    if (!Number.isSafeInteger(length) || (length as number) < 0) return badHeader(`${path}.length`, 'a non-negative safe integer', length);
    numValues += length as number;
    if (numValues > limits.maxValues) fail('WIRE_TOO_LARGE', `arrays declare more than ${limits.maxValues} values`);
    return { name, dtype, length: length as number };
  });
}

function readArrays(view: DataView, offset: number, descriptors: readonly { name: string; dtype: Dtype; length: number }[]): Record<string, Float64Array> {
  const arrays: Record<string, Float64Array> = {};
  let at = offset;
  for (const { name, dtype, length } of descriptors) {
    const values = new Float64Array(length);
    let bad = false;
    if (dtype === 'f32') {
      for (let i = 0; i < length; i++, at += 4) values[i] = view.getFloat32(at, true);
    } else if (dtype === 'u32') {
      for (let i = 0; i < length; i++, at += 4) values[i] = view.getUint32(at, true);
    } else {
      for (let i = 0; i < length; i++, at += 8) values[i] = view.getFloat64(at, true);
    }
    for (let i = 0; i < length; i++) bad ||= values[i] - values[i] !== 0;
    if (bad) fail('WIRE_NOT_FINITE', `arrays.${name}: contains NaN or an infinity`);
    arrays[name] = values;
  }
  return arrays;
}

/** Decode a kind-1 frame produced by {@link encodeMessage}; throws ProtocolError (WIRE_*) on anything else. */
export function decodeMessage(bytes: Uint8Array, limits?: Partial<WireLimits>): Message {
  checkBytes(bytes, 'decodeMessage');
  return decodeFrame(bytes, KIND_MESSAGE, resolveLimits(limits)).value as unknown as Message;
}

/** Decode a kind-2 frame produced by {@link encodeReply}; throws ProtocolError (WIRE_*) on anything else. */
export function decodeReply(bytes: Uint8Array, limits?: Partial<WireLimits>): Reply {
  checkBytes(bytes, 'decodeReply');
  return decodeFrame(bytes, KIND_REPLY, resolveLimits(limits)).value as unknown as Reply;
}

/** Decode a kind-3 frame; `maxBytes` and `maxValues` bound the whole batch, the others each message. */
export function decodeMessageBatch(bytes: Uint8Array, limits?: Partial<WireLimits>): Message[] {
  const view = checkBytes(bytes, 'decodeMessageBatch');
  const resolved = resolveLimits(limits);
  checkPrefix(bytes, view, KIND_BATCH, resolved.maxBytes);
  const count = view.getUint32(5, true);
  const messages: Message[] = [];
  let at = PREFIX_BYTES;
  let valuesLeft = resolved.maxValues;
  for (let i = 0; i < count; i++) {
    if (at + 4 > bytes.length) fail('WIRE_TRUNCATED', `batch declares ${count} messages but ends after ${i}`);
    const length = view.getUint32(at, true);
    if (at + 4 + length > bytes.length) fail('WIRE_TRUNCATED', `batch message ${i} of ${length} bytes runs past the end of the frame`);
    const { value, numValues } = decodeFrame(bytes.subarray(at + 4, at + 4 + length), KIND_MESSAGE, { ...resolved, maxValues: valuesLeft });
    valuesLeft -= numValues;
    messages.push(value as unknown as Message);
    at += 4 + length;
  }
  if (at < bytes.length) fail('WIRE_TRAILING', `${bytes.length - at} bytes after the last message of the batch`);
  return messages;
}
