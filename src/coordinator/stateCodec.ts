/**
 * Bytes for what a job persists per round: the global parameters (little-endian float64) and
 * the strategy's server state (named float64 arrays: a JSON directory, then the values).
 */

/** Float64Array → little-endian bytes (a copy). */
export function float64ToBytes(values: Float64Array): Uint8Array {
  const out = new Uint8Array(values.length * 8);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat64(i * 8, values[i], true);
  return out;
}

/** Little-endian bytes → Float64Array; throws RangeError if the length is not a multiple of 8. */
export function bytesToFloat64(bytes: Uint8Array): Float64Array {
  if (bytes.length % 8 !== 0) throw new RangeError(`bytes: length ${bytes.length} is not a multiple of 8`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float64Array(bytes.length / 8);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat64(i * 8, true);
  return out;
}

/** Encode named arrays: u32 directory length, JSON [[name, length], …], then the values. */
export function encodeArrays(arrays: Record<string, Float64Array>): Uint8Array {
  const entries = Object.entries(arrays);
  const directory = new TextEncoder().encode(JSON.stringify(entries.map(([k, v]) => [k, v.length])));
  const total = entries.reduce((s, [, v]) => s + v.length, 0);
  const out = new Uint8Array(4 + directory.length + total * 8);
  new DataView(out.buffer).setUint32(0, directory.length, true);
  out.set(directory, 4);
  let offset = 4 + directory.length;
  for (const [, v] of entries) {
    out.set(float64ToBytes(v), offset);
    offset += v.length * 8;
  }
  return out;
}

/** Decode {@link encodeArrays}; throws RangeError on a malformed buffer. */
export function decodeArrays(bytes: Uint8Array): Record<string, Float64Array> {
  if (bytes.length < 4) throw new RangeError('bytes: too short for a directory length');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dirLength = view.getUint32(0, true);
  if (4 + dirLength > bytes.length) throw new RangeError('bytes: directory runs past the end');
  const directory = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + dirLength))) as [string, number][];
  const out: Record<string, Float64Array> = {};
  let offset = 4 + dirLength;
  for (const [name, length] of directory) {
    if (!Number.isInteger(length) || length < 0 || offset + length * 8 > bytes.length) throw new RangeError(`bytes: array "${name}" runs past the end`);
    out[name] = bytesToFloat64(bytes.subarray(offset, offset + length * 8));
    offset += length * 8;
  }
  if (offset !== bytes.length) throw new RangeError('bytes: trailing data');
  return out;
}
