import { describe, expect, it } from 'vitest';
import { LogisticRegression } from '../../src/model/logistic.js';
import { Mlp } from '../../src/model/mlp.js';
import type { Model, ModelMeta } from '../../src/model/model.js';
import { MAX_META_BYTES, decodeModelFile, deserializeModel, encodeModelFile, serializeModel } from '../../src/model/serialize.js';
import { bytesToFloat64, float64ToBytes } from '../../src/model/bytes.js';

const mlp = new Mlp(3, { hidden: [4, 2], activation: 'tanh' }, 5);
const logreg = new LogisticRegression(2);
logreg.setParameters(Float64Array.of(0.5, -1.25, 3));

function expectReject(call: () => unknown, type: ErrorConstructor, pattern: RegExp): void {
  expect(call).toThrow(type);
  expect(call).toThrow(pattern);
}

describe('float64 byte order', () => {
  it('writes IEEE-754 little-endian (1.0 = 00 00 00 00 00 00 F0 3F)', () => {
    // IEEE 754-2008 binary64: 1.0 has exponent 0x3FF, mantissa 0 → 0x3FF0000000000000.
    expect(Array.from(float64ToBytes(Float64Array.of(1, -2)))).toEqual([0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0, 0, 0, 0, 0, 0, 0, 0xc0]);
    expect(Array.from(bytesToFloat64(float64ToBytes(Float64Array.of(Math.PI, -0, 5e-324))))).toEqual([Math.PI, -0, 5e-324]);
    expectReject(() => bytesToFloat64(new Uint8Array(7)), RangeError, /multiple of 8/);
  });
});

describe('serializeModel / deserializeModel', () => {
  it('writes the documented metadata', () => {
    const { meta, parameters } = serializeModel(logreg);
    expect(meta).toEqual({
      format: 'fedcredit-model',
      version: 1,
      kind: 'logreg',
      numFeatures: 2,
      layout: [
        { name: 'weights', shape: [2], offset: 0 },
        { name: 'bias', shape: [1], offset: 2 },
      ],
      config: {},
    });
    expect(Array.from(bytesToFloat64(parameters))).toEqual([0.5, -1.25, 3]);
    expect(serializeModel(mlp).meta.config).toEqual({ hidden: [4, 2], activation: 'tanh' });
  });

  const good = serializeModel(mlp);
  const withMeta = (patch: Record<string, unknown>) => ({ ...good.meta, ...patch }) as unknown as ModelMeta;
  const hostile: [string, () => unknown, ErrorConstructor, RegExp][] = [
    ['meta null', () => deserializeModel(null, good.parameters), TypeError, /meta/],
    ['meta array', () => deserializeModel([], good.parameters), TypeError, /meta/],
    ['wrong format', () => deserializeModel(withMeta({ format: 'onnx' }), good.parameters), RangeError, /meta\.format/],
    ['future version', () => deserializeModel(withMeta({ version: 2 }), good.parameters), RangeError, /meta\.version/],
    ['unknown kind', () => deserializeModel(withMeta({ kind: 'gbdt' }), good.parameters), RangeError, /meta\.kind/],
    ['NaN numFeatures', () => deserializeModel(withMeta({ numFeatures: NaN }), good.parameters), RangeError, /meta\.numFeatures/],
    ['huge numFeatures', () => deserializeModel(withMeta({ numFeatures: 1e9 }), good.parameters), RangeError, /meta\.numFeatures/],
    ['string numFeatures', () => deserializeModel(withMeta({ numFeatures: '3' }), good.parameters), TypeError, /meta\.numFeatures/],
    ['extra field', () => deserializeModel(withMeta({ owner: 'x' }), good.parameters), RangeError, /owner/],
    ['config missing activation', () => deserializeModel(withMeta({ config: { hidden: [4, 2] } }), good.parameters), TypeError, /meta\.config/],
    ['config hidden [0]', () => deserializeModel(withMeta({ config: { hidden: [0], activation: 'relu' } }), good.parameters), RangeError, /hidden/],
    ['config hidden NaN', () => deserializeModel(withMeta({ config: { hidden: [NaN], activation: 'relu' } }), good.parameters), RangeError, /hidden/],
    ['config extra field', () => deserializeModel(withMeta({ config: { hidden: [4, 2], activation: 'tanh', dropout: 0.5 } }), good.parameters), RangeError, /dropout/],
    ['layout not an array', () => deserializeModel(withMeta({ layout: {} }), good.parameters), TypeError, /meta\.layout/],
    ['layout missing a block', () => deserializeModel(withMeta({ layout: good.meta.layout.slice(1) }), good.parameters), RangeError, /meta\.layout/],
    [
      'layout disagreeing with config',
      () => deserializeModel(withMeta({ layout: good.meta.layout.map((b, i) => (i === 0 ? { ...b, shape: [4, 4] } : b)) }), good.parameters),
      RangeError,
      /meta\.layout\[0\]/,
    ],
    [
      'layout with NaN shape',
      () => deserializeModel(withMeta({ layout: good.meta.layout.map((b, i) => (i === 1 ? { ...b, shape: [NaN] } : b)) }), good.parameters),
      RangeError,
      /meta\.layout\[1\]/,
    ],
    ['truncated parameters', () => deserializeModel(good.meta, good.parameters.subarray(0, good.parameters.length - 8)), RangeError, /bytes/],
    ['extra parameters', () => deserializeModel(good.meta, new Uint8Array(good.parameters.length + 8)), RangeError, /bytes/],
    ['parameters not bytes', () => deserializeModel(good.meta, 'AAAA' as unknown as Uint8Array), TypeError, /bytes/],
    ['NaN parameter', () => deserializeModel(good.meta, float64ToBytes(new Float64Array(mlp.numParameters).fill(NaN))), RangeError, /parameters/],
    [
      'logreg with hidden config',
      () => deserializeModel({ ...serializeModel(logreg).meta, config: { hidden: [3] } }, serializeModel(logreg).parameters),
      RangeError,
      /hidden/,
    ],
    ['not a model', () => serializeModel({} as Model), TypeError, /model/],
  ];
  it.each(hostile)('rejects %s', (_label, call, type, pattern) => expectReject(call, type, pattern));
});

describe('encodeModelFile / decodeModelFile', () => {
  const file = encodeModelFile(mlp);
  const view = () => {
    const copy = file.slice();
    return { copy, dv: new DataView(copy.buffer) };
  };

  it('starts with FCMD, version 1, flags 0, then the two lengths', () => {
    expect(new TextDecoder().decode(file.subarray(0, 4))).toBe('FCMD');
    const dv = new DataView(file.buffer);
    expect(dv.getUint16(4, true)).toBe(1);
    expect(dv.getUint16(6, true)).toBe(0);
    const metaLength = dv.getUint32(8, true);
    expect(dv.getUint32(12, true)).toBe(mlp.numParameters * 8);
    expect(file.length).toBe(16 + metaLength + mlp.numParameters * 8);
    expect(JSON.parse(new TextDecoder().decode(file.subarray(16, 16 + metaLength)))).toEqual(mlp.serialize().meta);
  });

  it('decodes from a view at a non-zero, unaligned byte offset', () => {
    const backing = new Uint8Array(file.length + 3);
    backing.set(file, 3);
    const model = decodeModelFile(backing.subarray(3));
    expect(model.getParameters()).toEqual(mlp.getParameters());
  });

  const hostile: [string, () => Uint8Array | unknown, ErrorConstructor, RegExp][] = [
    ['not bytes', () => 'FCMD', TypeError, /buf/],
    ['empty', () => new Uint8Array(0), RangeError, /header/],
    ['truncated header', () => file.subarray(0, 10), RangeError, /header/],
    ['truncated parameters', () => file.subarray(0, file.length - 1), RangeError, /truncated/],
    ['trailing byte', () => Uint8Array.from([...file, 0]), RangeError, /trailing/],
    ['wrong magic', () => Object.assign(file.slice(), { 0: 0x50 }), RangeError, /magic/],
    ['version 2', () => (({ copy, dv }) => (dv.setUint16(4, 2, true), copy))(view()), RangeError, /version/],
    ['flags set', () => (({ copy, dv }) => (dv.setUint16(6, 1, true), copy))(view()), RangeError, /flags/],
    ['meta length 2³²−1', () => (({ copy, dv }) => (dv.setUint32(8, 0xffffffff, true), copy))(view()), RangeError, /metadata length/],
    ['meta length too long by one', () => (({ copy, dv }) => (dv.setUint32(8, dv.getUint32(8, true) + 1, true), copy))(view()), RangeError, /announces/],
    ['param length 2³²−1', () => (({ copy, dv }) => (dv.setUint32(12, 0xffffffff, true), copy))(view()), RangeError, /announces/],
    ['meta not JSON', () => Object.assign(file.slice(), { 16: 0x7b, 17: 0x7b }), TypeError, /JSON/],
    ['meta not UTF-8', () => Object.assign(file.slice(), { 20: 0xff }), TypeError, /UTF-8/],
    ['meta a JSON number', () => craft('42', new Uint8Array(0)), TypeError, /meta/],
    ['meta oversized', () => craft(' '.repeat(MAX_META_BYTES + 1), new Uint8Array(0)), RangeError, /metadata length/],
    ['param length disagreeing with architecture', () => craft(JSON.stringify(mlp.serialize().meta), new Uint8Array(8)), RangeError, /bytes/],
  ];
  it.each(hostile)('rejects %s', (_label, make, type, pattern) => expectReject(() => decodeModelFile(make() as Uint8Array), type, pattern));
});

/** A well-formed header around arbitrary metadata text and parameter bytes. */
function craft(metaText: string, parameters: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(metaText);
  const out = new Uint8Array(16 + json.length + parameters.length);
  const dv = new DataView(out.buffer);
  out.set([0x46, 0x43, 0x4d, 0x44]);
  dv.setUint16(4, 1, true);
  dv.setUint32(8, json.length, true);
  dv.setUint32(12, parameters.length, true);
  out.set(json, 16);
  out.set(parameters, 16 + json.length);
  return out;
}
