/**
 * Parameter vectors on the wire: IEEE-754 float64, little-endian, whatever the host's byte
 * order, so that a model written on one machine reads identically on any other.
 */

/** Encode parameters as little-endian float64 bytes (8 bytes per parameter). */
export function float64ToBytes(values: Float64Array): Uint8Array {
  const out = new Uint8Array(values.length * 8);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat64(i * 8, values[i], true);
  return out;
}

/**
 * Decode little-endian float64 bytes. Throws `RangeError` if the byte count is not a multiple
 * of 8, since a truncated vector must never be read as a shorter valid one.
 */
export function bytesToFloat64(bytes: Uint8Array): Float64Array {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes: expected a Uint8Array');
  if (bytes.length % 8 !== 0) throw new RangeError(`bytes: length ${bytes.length} is not a multiple of 8`);
  const out = new Float64Array(bytes.length / 8);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat64(i * 8, true);
  return out;
}
