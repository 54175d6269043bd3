/**
 * Versioned model serialization: a JSON-safe metadata record plus little-endian float64
 * parameters, and a single-buffer file format around the two.
 *
 * Model files and messages come from other parties, so the readers treat their input as
 * hostile: every length is checked against what is actually present before anything is read
 * or allocated, the parameter count is derived from the (checked) architecture rather than
 * trusted, and a file is accepted only if it is consumed exactly.
 *
 * File layout (all integers little-endian):
 *
 * | bytes | content                                   |
 * |-------|-------------------------------------------|
 * | 0–3   | magic `FCMD` (ASCII)                       |
 * | 4–5   | file format version, uint16 = 1            |
 * | 6–7   | flags, uint16 = 0 (reserved)               |
 * | 8–11  | metadata length M in bytes, uint32         |
 * | 12–15 | parameter length P in bytes, uint32        |
 * | 16…   | M bytes of UTF-8 JSON {@link ModelMeta}    |
 * | …     | P bytes of float64 parameters              |
 */
import type { Model, ModelMeta, ParameterBlock, SerializedModel } from './model.js';
import { bytesToFloat64 } from './bytes.js';
import { blockSize } from './base.js';
import { MAX_FEATURES, checkAllFinite, checkInteger } from './check.js';
import { LogisticRegression, logisticLayout } from './logistic.js';
import { Mlp, mlpLayout, resolveMlpConfig, type MlpConfig } from './mlp.js';

/** File magic, ASCII "FCMD". */
export const MODEL_FILE_MAGIC = Uint8Array.of(0x46, 0x43, 0x4d, 0x44);
/** Current version of the single-buffer file format. */
export const MODEL_FILE_VERSION = 1;
/** Largest metadata record accepted (a two-layer MLP's metadata is well under 1 KiB). */
export const MAX_META_BYTES = 1 << 20;
const HEADER_BYTES = 16;

/** The model's metadata and parameter bytes (same as `model.serialize()`, with a type check). */
export function serializeModel(model: Model): SerializedModel {
  if (typeof model !== 'object' || model === null || typeof model.serialize !== 'function') {
    throw new TypeError('model: expected a Model');
  }
  return model.serialize();
}

/**
 * Rebuild a model from untrusted metadata and parameter bytes. Throws `TypeError` for a value
 * of the wrong type and `RangeError` for a wrong format, version, kind, architecture, layout,
 * byte count or a non-finite parameter; the message names the offending field.
 */
export function deserializeModel(meta: unknown, bytes: Uint8Array): Model {
  const m = checkObject('meta', meta, ['format', 'version', 'kind', 'numFeatures', 'layout', 'config']);
  if (m.format !== 'fedcredit-model') throw new RangeError(`meta.format: expected 'fedcredit-model', got ${describe(m.format)}`);
  if (m.version !== 1) throw new RangeError(`meta.version: unsupported version ${describe(m.version)} (this reader knows 1)`);
  if (m.kind !== 'logreg' && m.kind !== 'mlp') throw new RangeError(`meta.kind: expected 'logreg' or 'mlp', got ${describe(m.kind)}`);
  const numFeatures = checkInteger('meta.numFeatures', m.numFeatures, 1, MAX_FEATURES);
  let build: () => Model;
  let expected: ParameterBlock[];
  if (m.kind === 'logreg') {
    checkObject('meta.config', m.config, []);
    expected = logisticLayout(numFeatures);
    build = () => new LogisticRegression(numFeatures);
  } else {
    const config = checkObject('meta.config', m.config, ['hidden', 'activation']) as MlpConfig;
    if (config.hidden === undefined || config.activation === undefined) {
      throw new TypeError('meta.config: an mlp needs both hidden and activation');
    }
    const resolved = resolveMlpConfig(config);
    expected = mlpLayout(numFeatures, resolved.hidden);
    build = () => new Mlp(numFeatures, resolved, 0);
  }
  checkLayout(m.layout, expected);
  if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes: expected a Uint8Array');
  const numParameters = expected.reduce((n, b) => n + blockSize(b), 0);
  if (bytes.length !== numParameters * 8) {
    throw new RangeError(`bytes: expected ${numParameters * 8} bytes for ${numParameters} parameters, got ${bytes.length}`);
  }
  const parameters = bytesToFloat64(bytes);
  checkAllFinite('parameters', parameters);
  const model = build();
  model.setParameters(parameters);
  return model;
}

/** Encode a model as one self-describing buffer (see the module comment for the layout). */
export function encodeModelFile(model: Model): Uint8Array {
  const { meta, parameters } = serializeModel(model);
  const json = new TextEncoder().encode(JSON.stringify(meta));
  const out = new Uint8Array(HEADER_BYTES + json.length + parameters.length);
  const view = new DataView(out.buffer);
  out.set(MODEL_FILE_MAGIC, 0);
  view.setUint16(4, MODEL_FILE_VERSION, true);
  view.setUint16(6, 0, true);
  view.setUint32(8, json.length, true);
  view.setUint32(12, parameters.length, true);
  out.set(json, HEADER_BYTES);
  out.set(parameters, HEADER_BYTES + json.length);
  return out;
}

/**
 * Decode a buffer written by {@link encodeModelFile}. Throws `TypeError` if `buf` is not bytes
 * or its metadata is not valid UTF-8 JSON, and `RangeError` for a short or oversized buffer,
 * wrong magic, unknown version or flags, inconsistent lengths, or anything
 * {@link deserializeModel} rejects.
 */
export function decodeModelFile(buf: Uint8Array): Model {
  if (!(buf instanceof Uint8Array)) throw new TypeError('buf: expected a Uint8Array');
  if (buf.length < HEADER_BYTES) throw new RangeError(`buf: ${buf.length} bytes is shorter than the ${HEADER_BYTES}-byte header`);
  for (let i = 0; i < MODEL_FILE_MAGIC.length; i++) {
    if (buf[i] !== MODEL_FILE_MAGIC[i]) throw new RangeError('buf: not a FedCredit model file (magic is not FCMD)');
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const version = view.getUint16(4, true);
  if (version !== MODEL_FILE_VERSION) throw new RangeError(`buf: unsupported file version ${version} (this reader knows ${MODEL_FILE_VERSION})`);
  const flags = view.getUint16(6, true);
  if (flags !== 0) throw new RangeError(`buf: unknown flags 0x${flags.toString(16)}`);
  const metaLength = view.getUint32(8, true);
  const paramLength = view.getUint32(12, true);
  if (metaLength > MAX_META_BYTES) throw new RangeError(`buf: metadata length ${metaLength} exceeds ${MAX_META_BYTES} bytes`);
  const expectedLength = HEADER_BYTES + metaLength + paramLength;
  if (buf.length !== expectedLength) {
    throw new RangeError(`buf: header announces ${expectedLength} bytes, buffer holds ${buf.length} (truncated or trailing data)`);
  }
  let meta: unknown;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(HEADER_BYTES, HEADER_BYTES + metaLength));
    meta = JSON.parse(text);
  } catch (cause) {
    throw new TypeError('buf: metadata is not valid UTF-8 JSON', { cause });
  }
  // Copy so the returned model never aliases (or is misaligned within) the caller's buffer.
  const parameters = buf.slice(HEADER_BYTES + metaLength, expectedLength);
  return deserializeModel(meta as ModelMeta, parameters);
}

/** Check `value` is a plain object with exactly the keys `keys` (missing ones may be undefined). */
function checkObject(name: string, value: unknown, keys: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TypeError(`${name}: expected an object`);
  for (const key of Object.keys(value)) {
    if (!keys.includes(key)) throw new RangeError(`${name}: unexpected field '${key}'`);
  }
  return value as Record<string, unknown>;
}

/** The stored layout must equal the one the architecture implies, block for block. */
function checkLayout(layout: unknown, expected: readonly ParameterBlock[]): void {
  if (!Array.isArray(layout)) throw new TypeError('meta.layout: expected an array');
  if (layout.length !== expected.length) throw new RangeError(`meta.layout: expected ${expected.length} blocks, got ${layout.length}`);
  expected.forEach((want, i) => {
    const got = checkObject(`meta.layout[${i}]`, layout[i], ['name', 'shape', 'offset']);
    const shape = got.shape;
    const same =
      got.name === want.name &&
      got.offset === want.offset &&
      Array.isArray(shape) &&
      shape.length === want.shape.length &&
      shape.every((s, k) => s === want.shape[k]);
    if (!same) {
      throw new RangeError(`meta.layout[${i}]: expected ${want.name} ${JSON.stringify(want.shape)} at ${want.offset}, got ${describe(layout[i])}`);
    }
  });
}

function describe(value: unknown): string {
  if (typeof value !== 'object' || value === null) return typeof value === 'string' ? JSON.stringify(value) : String(value);
  try {
    const s = JSON.stringify(value);
    return s === undefined ? String(value) : s.length > 80 ? `${s.slice(0, 80)}…` : s;
  } catch {
    return typeof value;
  }
}
