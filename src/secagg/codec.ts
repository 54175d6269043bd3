/**
 * JSON encoding of secure-aggregation states, requests and replies, so they can be persisted
 * in the store or sent over HTTP. Plain JSON except for byte strings and ring vectors: every
 * one of them is appended to one binary blob, sent once in base64, and replaced in the JSON by
 * a reference `{ "$bytes": [offset, length] }` or `{ "$u32": [offset, byteLength] }` (ring
 * words little-endian). The whole text is then `{ "$bin": base64, "$value": json }`; a value
 * without byte strings is plain JSON. One base64 string per message instead of one per key or
 * share (a stage message carries dozens). Decoding also reads the older inline form,
 * `{ "$bytes": base64 }` and `{ "$u32": base64 }`.
 *
 * The masked input of a 'collectMasked' reply, the one large vector of the protocol, travels
 * instead as a numeric array of the message ({@link MASKED_INPUT_ARRAY}, sent as raw u32 words
 * by the wire codec): {@link maskedInputArray} and {@link maskedInputFromArray} convert it.
 *
 * Decoding returns `unknown`: a decoded request or reply still goes through the stage
 * functions' own validation.
 */

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function wordsToBytes(words: Uint32Array): Uint8Array {
  // little-endian machines already hold the wire order: encode the words' own bytes
  if (LITTLE_ENDIAN) return new Uint8Array(words.buffer, words.byteOffset, words.byteLength);
  const bytes = new Uint8Array(4 * words.length);
  const view = new DataView(bytes.buffer);
  for (let k = 0; k < words.length; k++) view.setUint32(4 * k, words[k], true);
  return bytes;
}

function bytesToWords(bytes: Uint8Array): Uint32Array {
  if (bytes.length % 4 !== 0) throw new RangeError('$u32: byte length is not a multiple of 4');
  if (LITTLE_ENDIAN) {
    // one copy into an aligned buffer of its own
    const words = new Uint32Array(bytes.length / 4);
    new Uint8Array(words.buffer).set(bytes);
    return words;
  }
  const words = new Uint32Array(bytes.length / 4);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let k = 0; k < words.length; k++) words[k] = view.getUint32(4 * k, true);
  return words;
}

/**
 * Encode plain data (objects, arrays, strings, finite numbers, booleans, `Uint8Array`,
 * `Uint32Array`) as JSON text.
 *
 * @example decodeSecAgg(encodeSecAgg(state))  // deep-equal copy of `state`
 */
export function encodeSecAgg(value: unknown): string {
  const chunks: Uint8Array[] = [];
  const state = { chunks, offset: 0 };
  // a copy with references in place of the byte strings, then JSON.stringify's fast path (a
  // replacer function makes it several times slower)
  const json = JSON.stringify(withReferences(value, state));
  if (chunks.length === 0) return json;
  const bin = Buffer.allocUnsafe(state.offset);
  let at = 0;
  for (const c of chunks) {
    bin.set(c, at);
    at += c.length;
  }
  return `{"$bin":"${bin.toString('base64')}","$value":${json}}`;
}

function withReferences(v: unknown, state: { chunks: Uint8Array[]; offset: number }): unknown {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new RangeError(`value: non-finite number ${v}`);
    return v;
  }
  if (typeof v !== 'object' || v === null) return v;
  if (ArrayBuffer.isView(v)) {
    if (!(v instanceof Uint8Array) && !(v instanceof Uint32Array)) throw new TypeError(`value: unsupported typed array ${v.constructor.name}`);
    const bytes = v instanceof Uint32Array ? wordsToBytes(v) : v;
    state.chunks.push(bytes);
    const ref = { [v instanceof Uint32Array ? '$u32' : '$bytes']: [state.offset, bytes.length] };
    state.offset += bytes.length;
    return ref;
  }
  if (Array.isArray(v)) return v.map((x) => withReferences(x, state));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(v)) {
    const x = withReferences((v as Record<string, unknown>)[key], state);
    // define, not assign: an own "__proto__" key must stay a plain property
    if (key === '__proto__') Object.defineProperty(out, key, { value: x, writable: true, enumerable: true, configurable: true });
    else out[key] = x;
  }
  return out;
}

/** Inverse of {@link encodeSecAgg}. @throws SyntaxError on invalid JSON, base64 or references. */
export function decodeSecAgg(text: string): unknown {
  if (typeof text !== 'string') throw new TypeError('text: expected a string');
  // plain JSON.parse, then one walk (a reviver makes V8 parse several times slower)
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
    const keys = Object.keys(parsed);
    const { $bin: payload, $value: inner } = parsed as Record<string, unknown>;
    if (keys.length === 2 && typeof payload === 'string' && '$value' in parsed) return revive(inner, strictBase64(payload, '$bin'));
  }
  return revive(parsed, undefined);
}

/** Node's decoder skips invalid characters, so re-encode and compare (native, faster than a regular expression). */
function strictBase64(payload: string, tag: string): Uint8Array {
  const buffer = Buffer.from(payload, 'base64');
  if (buffer.toString('base64') !== payload) throw new SyntaxError(`${tag}: invalid base64`);
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** The bytes an `[offset, length]` reference names in `bin`, as an array of their own. */
function slice(bin: Uint8Array | undefined, ref: unknown, tag: string): Uint8Array {
  const [offset, length] = Array.isArray(ref) && ref.length === 2 ? (ref as unknown[]) : [];
  if (bin === undefined || !Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || (offset as number) < 0 || (length as number) < 0 || (offset as number) + (length as number) > bin.length) {
    throw new SyntaxError(`${tag}: expected [offset, length] within the message's binary part`);
  }
  return bin.slice(offset as number, (offset as number) + (length as number));
}

/**
 * Replace every `{ "$bytes": … }` and `{ "$u32": … }` (a reference into `bin`, or inline
 * base64) in parsed JSON, in place, bottom-up.
 */
function revive(v: unknown, bin: Uint8Array | undefined): unknown {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) {
    for (let k = 0; k < v.length; k++) v[k] = revive(v[k], bin);
    return v;
  }
  const record = v as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length === 1 && (keys[0] === '$bytes' || keys[0] === '$u32')) {
    const tag = keys[0];
    const payload = record[tag];
    if (typeof payload === 'string' || Array.isArray(payload)) {
      const bytes = typeof payload === 'string' ? strictBase64(payload, tag) : slice(bin, payload, tag);
      return tag === '$bytes' ? bytes : bytesToWords(bytes);
    }
  }
  for (const key of keys) {
    const value = record[key];
    const revived = revive(value, bin);
    // define, not assign: an own "__proto__" key from JSON.parse must stay a plain property
    if (revived !== value) Object.defineProperty(record, key, { value: revived, writable: true, enumerable: true, configurable: true });
  }
  return record;
}

/** Name of the message array that carries a node's masked input (stage 'collectMasked'). */
export const MASKED_INPUT_ARRAY = 'secaggMasked';

/** A ring vector as a message array (every word is exact in a double). */
export function maskedInputArray(words: Uint32Array): Float64Array {
  if (!(words instanceof Uint32Array)) throw new TypeError('words: expected a Uint32Array');
  return Float64Array.from(words);
}

/**
 * The ring vector carried by a message array, or `value` itself when it is not one (not a
 * Float64Array of integers in [0, 2^32)), so that the server's reply check refuses it.
 */
export function maskedInputFromArray(value: unknown): unknown {
  if (!(value instanceof Float64Array)) return value;
  // one JS loop: 3 × faster here than the typed-array constructor's conversion plus a check
  const words = new Uint32Array(value.length);
  for (let k = 0; k < value.length; k++) {
    const x = value[k];
    if (x >>> 0 !== x) return value;
    words[k] = x;
  }
  return words;
}
