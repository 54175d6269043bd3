/**
 * Wire codec: bit-exact round trips (fast-check, incl. −0, subnormals and huge magnitudes), the
 * f32/f64 choice, the size bound for float32-exact parameter vectors, and a table of hostile
 * frames that must each fail with a coded ProtocolError (never a DataView RangeError or a hang).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  DEFAULT_WIRE_LIMITS,
  decodeMessage,
  decodeMessageBatch,
  decodeReply,
  encodeMessage,
  encodeMessageBatch,
  encodeReply,
  wireSize,
} from '../../src/protocol/codec.js';
import { ProtocolError } from '../../src/protocol/config.js';
import type { Message, Reply } from '../../src/protocol/message.js';

const MAGIC = [0x46, 0x43, 0x57, 0x31];

/** Build a frame by hand: magic, kind, header length, header text, data bytes. */
function frame(kind: number, header: string | object | Uint8Array, data: Uint8Array = new Uint8Array(0), headerLength?: number): Uint8Array {
  const text = header instanceof Uint8Array ? header : new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(9 + text.length + data.length);
  out.set(MAGIC, 0);
  out[4] = kind;
  new DataView(out.buffer).setUint32(5, headerLength ?? text.length, true);
  out.set(text, 9);
  out.set(data, 9 + text.length);
  return out;
}

function f64Bytes(values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 8);
  values.forEach((v, i) => new DataView(out.buffer).setFloat64(8 * i, v, true));
  return out;
}

/** The JSON header of an encoded frame, to look at the chosen dtypes. */
function headerOf(bytes: Uint8Array): { arrays: { name: string; dtype: string; length: number }[] } {
  const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(5, true);
  return JSON.parse(new TextDecoder().decode(bytes.subarray(9, 9 + length)));
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof ProtocolError) return e.code;
    throw e; // a TypeError/RangeError here is a codec bug
  }
  return 'NO_ERROR';
}

const sameBits = (a: Float64Array, b: Float64Array) => a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

const baseHeader = { messageId: 'm1', type: 'train', jobId: 'j', round: 1, nodeId: 'n', config: {}, arrays: [] as unknown[] };

const sample: Message = {
  messageId: 'job-1:3:train:bank-a:7',
  type: 'train',
  jobId: 'job-1',
  round: 3,
  nodeId: 'bank-a',
  deadline: 1_700_000_000_123,
  config: { learningRate: 0.05, model: 'logistic', secure: true },
  arrays: { params: new Float64Array([0.5, -0, 1e-40]), exact: new Float64Array([0.1, -1e300]) },
};

// ---------------------------------------------------------------------------------------------

const id = fc.string({ unit: 'binary', maxLength: 40 });
const name = id.filter((s) => s !== '__proto__');
const configValue = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => x + 0 /* JSON has no −0 */), fc.string({ unit: 'binary', maxLength: 30 }), fc.boolean());
const config = fc.dictionary(name, configValue, { maxKeys: 6, noNullPrototype: true });
const f32Array = fc.array(fc.float({ noNaN: true, noDefaultInfinity: true }), { maxLength: 40 }).map((a) => Float64Array.from(a));
const f64Array = fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { maxLength: 40 }).map((a) => Float64Array.from(a));
const u32Array = fc.array(fc.integer({ min: 0, max: 2 ** 32 - 1 }), { maxLength: 40 }).map((a) => Float64Array.from(a));
const arrays = fc.dictionary(name, fc.oneof(f32Array, f64Array, u32Array), { maxKeys: 5, noNullPrototype: true });
const message: fc.Arbitrary<Message> = fc.record(
  { messageId: id, type: id, jobId: id, round: fc.maxSafeNat(), nodeId: id, deadline: fc.nat(), config, arrays },
  { requiredKeys: ['messageId', 'type', 'jobId', 'round', 'nodeId', 'config', 'arrays'], noNullPrototype: true },
);
const reply: fc.Arbitrary<Reply> = fc.record(
  { replyTo: id, type: id, jobId: id, round: fc.maxSafeNat(), nodeId: id, config, arrays, error: fc.record({ code: id, message: fc.string({ unit: 'binary' }) }, { noNullPrototype: true }) },
  { requiredKeys: ['replyTo', 'type', 'jobId', 'round', 'nodeId', 'config', 'arrays'], noNullPrototype: true },
);

function expectSame(decoded: Message | Reply, original: Message | Reply, encoded: Uint8Array): void {
  const { arrays: a, ...rest } = decoded;
  const { arrays: b, ...restOriginal } = original;
  expect(rest).toEqual(restOriginal);
  expect(Object.keys(a)).toEqual(Object.keys(b));
  const dtypes = new Map(headerOf(encoded).arrays.map((d) => [d.name, d.dtype]));
  for (const key of Object.keys(b)) {
    expect(sameBits(a[key], b[key])).toBe(true);
    const f32Exact = b[key].every((x) => Math.fround(x) === x);
    const u32 = b[key].every((x) => Number.isInteger(x) && x >= 0 && x < 2 ** 32 && !Object.is(x, -0));
    expect(dtypes.get(key)).toBe(f32Exact ? 'f32' : u32 ? 'u32' : 'f64');
  }
}

describe('wire codec round trips', () => {
  it('messages round-trip bit-exactly and use f32 exactly when every value is float32-exact', () => {
    fc.assert(
      fc.property(message, (m) => {
        const bytes = encodeMessage(m);
        expect(wireSize(m)).toBe(bytes.length);
        expectSame(decodeMessage(bytes), m, bytes);
      }),
      { numRuns: 300, seed: 20240601 },
    );
  });

  it('replies round-trip bit-exactly, error slot included', () => {
    fc.assert(
      fc.property(reply, (r) => {
        const bytes = encodeReply(r);
        expect(wireSize(r)).toBe(bytes.length);
        expectSame(decodeReply(bytes), r, bytes);
      }),
      { numRuns: 300, seed: 20240602 },
    );
  });

  it('batches round-trip, including the empty batch', () => {
    fc.assert(
      fc.property(fc.array(message, { maxLength: 5 }), (ms) => {
        const bytes = encodeMessageBatch(ms);
        const back = decodeMessageBatch(bytes);
        expect(back.length).toBe(ms.length);
        back.forEach((m, i) => expectSame(m, ms[i], encodeMessage(ms[i])));
      }),
      { numRuns: 100, seed: 20240603 },
    );
  });

  it('sends ring vectors (integers in [0, 2^32) beyond float32) as u32: 4 bytes a value, bit-exact', () => {
    const ring = Float64Array.from({ length: 1000 }, (_, k) => (k * 2654435761) % 2 ** 32);
    const m = { ...sample, arrays: { secaggMasked: ring } };
    const bytes = encodeMessage(m);
    expect(headerOf(bytes).arrays[0]).toEqual({ name: 'secaggMasked', dtype: 'u32', length: 1000 });
    const headerLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(5, true);
    expect(bytes.length - 9 - headerLength).toBe(4000);
    expectSame(decodeMessage(bytes), m, bytes);
    // one value that is not a u32 (−0, a fraction, 2^32, a negative integer) makes the array f64
    for (const odd of [-0, 0.5, 2 ** 32, -1]) {
      const mixed = { ...sample, arrays: { w: Float64Array.from([2 ** 31 + 1, odd]) } };
      expect(headerOf(encodeMessage(mixed)).arrays[0].dtype).toBe('f64');
      expectSame(decodeMessage(encodeMessage(mixed)), mixed, encodeMessage(mixed));
    }
  });

  it('keeps −0, f32 and f64 subnormals and extreme magnitudes, and reads from unaligned buffers', () => {
    const bytes = encodeMessage(sample);
    expect(headerOf(bytes).arrays).toEqual([
      { name: 'params', dtype: 'f64', length: 3 }, // 1e-40 is not float32-exact (f32 subnormals are multiples of 2^-149)
      { name: 'exact', dtype: 'f64', length: 2 },
    ]);
    const f32 = { ...sample, arrays: { a: new Float64Array([-0, 2 ** -149, -(2 ** -126), 3.4028234663852886e38, 1.5]) } };
    const f32Bytes = encodeMessage(f32);
    expect(headerOf(f32Bytes).arrays[0].dtype).toBe('f32');
    const unaligned = Buffer.alloc(f32Bytes.length + 3);
    unaligned.set(f32Bytes, 3);
    expectSame(decodeMessage(unaligned.subarray(3)), f32, f32Bytes);
    const f64 = { ...sample, arrays: { a: new Float64Array([Number.MIN_VALUE, -Number.MAX_VALUE, 2 ** -1074 * 3, 0.1]) } };
    expectSame(decodeMessage(encodeMessage(f64)), f64, encodeMessage(f64));
  });

  it('omits absent optional fields instead of sending null', () => {
    const { deadline: _deadline, ...noDeadline } = sample;
    const back = decodeMessage(encodeMessage(noDeadline));
    expect('deadline' in back).toBe(false);
    const r: Reply = { replyTo: 'm', type: 't', jobId: 'j', round: 0, nodeId: 'n', arrays: {}, config: {} };
    expect('error' in decodeReply(encodeReply(r))).toBe(false);
  });
});

describe('wire size', () => {
  for (const numParameters of [1000, 100_000]) {
    it(`a reply with ${numParameters} float32-exact parameters stays within 1.05 × 4P + 512 bytes`, () => {
      const params = new Float64Array(numParameters);
      for (let i = 0; i < numParameters; i++) params[i] = Math.fround(Math.sin(i) * 3);
      const r: Reply = { replyTo: 'job-1:12:train:bank-a:123', type: 'train', jobId: 'job-1', round: 12, nodeId: 'bank-a', arrays: { params }, config: { numExamples: 25_000, loss: 0.4231 } };
      const bytes = encodeReply(r);
      expect(bytes.length).toBeLessThanOrEqual(1.05 * 4 * numParameters + 512);
      expect(wireSize(r)).toBe(bytes.length);
      expect(sameBits(decodeReply(bytes).arrays.params, params)).toBe(true);
    });
  }
});

describe('hostile frames', () => {
  const valid = encodeMessage(sample);

  it('every truncation of a valid message fails with WIRE_TRUNCATED', () => {
    for (let length = 0; length < valid.length; length++) expect(codeOf(() => decodeMessage(valid.subarray(0, length)))).toBe('WIRE_TRUNCATED');
  });

  it('random corruptions never escape as anything but a ProtocolError', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (edits) => {
        const bytes = valid.slice();
        for (const [at, value] of edits) bytes[at] = value;
        codeOf(() => decodeMessage(bytes)); // rethrows anything that is not a ProtocolError
      }),
      { numRuns: 2000, seed: 20240604 },
    );
  });

  const absurd = { ...baseHeader, arrays: [{ name: 'w', dtype: 'f32', length: 2 ** 32 - 1 }] };
  const hundredMiB = { ...baseHeader, arrays: [{ name: 'w', dtype: 'f64', length: (100 * 1024 * 1024) / 8 }] };
  const cases: [string, () => unknown, string][] = [
    ['bad magic', () => decodeMessage(Uint8Array.from([0x46, 0x43, 0x57, 0x32, 1, 0, 0, 0, 0])), 'WIRE_BAD_MAGIC'],
    ['unknown kind', () => decodeMessage(frame(9, baseHeader)), 'WIRE_BAD_KIND'],
    ['reply frame given to decodeMessage', () => decodeMessage(encodeReply({ replyTo: 'm', type: 't', jobId: 'j', round: 0, nodeId: 'n', arrays: {}, config: {} })), 'WIRE_BAD_KIND'],
    ['message frame given to decodeMessageBatch', () => decodeMessageBatch(valid), 'WIRE_BAD_KIND'],
    ['header length larger than the buffer', () => decodeMessage(frame(1, baseHeader, undefined, 5000)), 'WIRE_TRUNCATED'],
    ['header length over maxHeaderBytes', () => decodeMessage(frame(1, baseHeader, undefined, 0xffffffff)), 'WIRE_TOO_LARGE'],
    ['absurd array length 2^32 − 1', () => decodeMessage(frame(1, absurd)), 'WIRE_TOO_LARGE'],
    ['100 MiB declared against the 64 MiB limit', () => decodeMessage(frame(1, hundredMiB)), 'WIRE_TOO_LARGE'],
    ['buffer larger than maxBytes', () => decodeMessage(valid, { maxBytes: valid.length - 1 }), 'WIRE_TOO_LARGE'],
    ['more arrays than maxArrays', () => decodeMessage(valid, { maxArrays: 1 }), 'WIRE_TOO_LARGE'],
    ['more values than maxValues', () => decodeMessage(valid, { maxValues: 4 }), 'WIRE_TOO_LARGE'],
    ['header not JSON', () => decodeMessage(frame(1, '{"messageId": ')), 'WIRE_BAD_HEADER'],
    ['header not UTF-8', () => decodeMessage(frame(1, Uint8Array.from([0x22, 0xff, 0x22]))), 'WIRE_BAD_HEADER'],
    ['header a JSON array', () => decodeMessage(frame(1, '[1,2]')), 'WIRE_BAD_HEADER'],
    ['header JSON null', () => decodeMessage(frame(1, 'null')), 'WIRE_BAD_HEADER'],
    ['deeply nested header', () => decodeMessage(frame(1, '['.repeat(100_000) + ']'.repeat(100_000))), 'WIRE_BAD_HEADER'],
    ['missing field', () => decodeMessage(frame(1, { ...baseHeader, jobId: undefined })), 'WIRE_BAD_HEADER'],
    ['extra field', () => decodeMessage(frame(1, { ...baseHeader, admin: true })), 'WIRE_BAD_HEADER'],
    ['round negative', () => decodeMessage(frame(1, { ...baseHeader, round: -1 })), 'WIRE_BAD_HEADER'],
    ['round fractional', () => decodeMessage(frame(1, { ...baseHeader, round: 1.5 })), 'WIRE_BAD_HEADER'],
    ['round a string', () => decodeMessage(frame(1, { ...baseHeader, round: '1' })), 'WIRE_BAD_HEADER'],
    ['round beyond 2^53', () => decodeMessage(frame(1, { ...baseHeader, round: 2 ** 53 })), 'WIRE_BAD_HEADER'],
    ['jobId a number', () => decodeMessage(frame(1, { ...baseHeader, jobId: 7 })), 'WIRE_BAD_HEADER'],
    ['messageId of 201 characters', () => decodeMessage(frame(1, { ...baseHeader, messageId: 'x'.repeat(201) })), 'WIRE_BAD_HEADER'],
    ['deadline null', () => decodeMessage(frame(1, { ...baseHeader, deadline: null })), 'WIRE_BAD_HEADER'],
    ['config an array', () => decodeMessage(frame(1, { ...baseHeader, config: [1] })), 'WIRE_BAD_HEADER'],
    ['config value an object', () => decodeMessage(frame(1, { ...baseHeader, config: { a: { b: 1 } } })), 'WIRE_BAD_HEADER'],
    ['config value null', () => decodeMessage(frame(1, { ...baseHeader, config: { a: null } })), 'WIRE_BAD_HEADER'],
    ['config strings over 1 MiB in total', () => decodeMessage(frame(1, { ...baseHeader, config: { a: 'x'.repeat(600_000), b: 'y'.repeat(600_000) } }), { maxHeaderBytes: 2 ** 21 }), 'WIRE_BAD_HEADER'],
    ['config key __proto__', () => decodeMessage(frame(1, '{"messageId":"m","type":"t","jobId":"j","round":1,"nodeId":"n","config":{"__proto__":1},"arrays":[]}')), 'WIRE_BAD_HEADER'],
    ['reply error with a numeric code', () => decodeReply(frame(2, { replyTo: 'm', type: 't', jobId: 'j', round: 1, nodeId: 'n', config: {}, arrays: [], error: { code: 1, message: 'x' } })), 'WIRE_BAD_HEADER'],
    ['reply error with an extra field', () => decodeReply(frame(2, { replyTo: 'm', type: 't', jobId: 'j', round: 1, nodeId: 'n', config: {}, arrays: [], error: { code: 'E', message: 'x', stack: 's' } })), 'WIRE_BAD_HEADER'],
    ['arrays not a list', () => decodeMessage(frame(1, { ...baseHeader, arrays: { w: 1 } })), 'WIRE_BAD_HEADER'],
    ['unknown dtype', () => decodeMessage(frame(1, { ...baseHeader, arrays: [{ name: 'w', dtype: 'i32', length: 0 }] })), 'WIRE_BAD_HEADER'],
    ['negative length', () => decodeMessage(frame(1, { ...baseHeader, arrays: [{ name: 'w', dtype: 'f64', length: -1 }] })), 'WIRE_BAD_HEADER'],
    ['length a string', () => decodeMessage(frame(1, { ...baseHeader, arrays: [{ name: 'w', dtype: 'f64', length: '1' }] }, f64Bytes([1]))), 'WIRE_BAD_HEADER'],
    ['descriptor with an extra field', () => decodeMessage(frame(1, { ...baseHeader, arrays: [{ name: 'w', dtype: 'f64', length: 0, offset: 0 }] })), 'WIRE_BAD_HEADER'],
    ['duplicate array names', () => decodeMessage(frame(1, { ...baseHeader, arrays: [{ name: 'w', dtype: 'f64', length: 1 }, { name: 'w', dtype: 'f64', length: 1 }] }, f64Bytes([1, 2]))), 'WIRE_BAD_HEADER'],
    ['array named __proto__', () => decodeMessage(frame(1, { ...baseHeader, arrays: [{ name: '__proto__', dtype: 'f64', length: 1 }] }, f64Bytes([1]))), 'WIRE_BAD_HEADER'],
    ['extra trailing bytes', () => decodeMessage(Uint8Array.from([...valid, 0])), 'WIRE_TRAILING'],
    ['NaN in an f64 array', () => decodeMessage(frame(1, { ...baseHeader, arrays: [{ name: 'w', dtype: 'f64', length: 2 }] }, f64Bytes([1, NaN]))), 'WIRE_NOT_FINITE'],
    ['Infinity in an f32 array', () => decodeMessage(frame(1, { ...baseHeader, arrays: [{ name: 'w', dtype: 'f32', length: 1 }] }, Uint8Array.from([0, 0, 0x80, 0x7f]))), 'WIRE_NOT_FINITE'],
    ['batch count larger than its content', () => decodeMessageBatch(Uint8Array.from([...MAGIC, 3, 2, 0, 0, 0])), 'WIRE_TRUNCATED'],
    ['batch count 2^32 − 1', () => decodeMessageBatch(Uint8Array.from([...MAGIC, 3, 0xff, 0xff, 0xff, 0xff])), 'WIRE_TRUNCATED'],
    ['batch entry length past the end', () => decodeMessageBatch(Uint8Array.from([...MAGIC, 3, 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 1])), 'WIRE_TRUNCATED'],
    ['batch with trailing bytes', () => decodeMessageBatch(Uint8Array.from([...encodeMessageBatch([sample]), 7])), 'WIRE_TRAILING'],
    ['batch over the values budget in total', () => decodeMessageBatch(encodeMessageBatch([sample, sample]), { maxValues: 7 }), 'WIRE_TOO_LARGE'],
  ];
  for (const [label, run, code] of cases) it(`${label} → ${code}`, () => expect(codeOf(run)).toBe(code));

  it('the 100 MiB case is stopped by maxBytes: its 13 million values are under maxValues', () => {
    expect(DEFAULT_WIRE_LIMITS.maxBytes).toBe(64 * 1024 * 1024);
    expect(hundredMiB.arrays[0].length).toBeLessThan(DEFAULT_WIRE_LIMITS.maxValues);
    expect(codeOf(() => decodeMessage(frame(1, hundredMiB), { maxBytes: 2 ** 30 }))).toBe('WIRE_TRUNCATED');
  });
});

describe('encoder and argument checks', () => {
  const valid = () => encodeMessage(sample);

  it('refuses to encode what a peer would reject, with the decoder’s codes', () => {
    expect(codeOf(() => encodeMessage({ ...sample, arrays: { w: new Float64Array([NaN]) } }))).toBe('WIRE_NOT_FINITE');
    expect(codeOf(() => encodeReply({ replyTo: 'm', type: 't', jobId: 'j', round: 0, nodeId: 'n', arrays: {}, config: { x: Infinity } }))).toBe('WIRE_NOT_FINITE');
    expect(codeOf(() => encodeMessage({ ...sample, arrays: { w: [1, 2] as unknown as Float64Array } }))).toBe('WIRE_BAD_HEADER');
    expect(codeOf(() => encodeMessage({ ...sample, round: -1 }))).toBe('WIRE_BAD_HEADER');
    expect(codeOf(() => encodeMessage({ ...sample, jobId: 'j'.repeat(201) }))).toBe('WIRE_BAD_HEADER');
    expect(codeOf(() => encodeMessageBatch([sample, { ...sample, config: { a: null as unknown as string } }]))).toBe('WIRE_BAD_HEADER');
  });

  it('throws TypeError/RangeError for wrong argument types and limits', () => {
    expect(() => encodeMessage(null as unknown as Message)).toThrow(TypeError);
    expect(() => encodeMessageBatch('x' as unknown as Message[])).toThrow(TypeError);
    expect(() => decodeMessage([1, 2] as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => decodeMessage(valid(), { maxBytes: -1 })).toThrow(RangeError);
    expect(() => decodeReply(valid(), { maxValues: 1.5 })).toThrow(RangeError);
  });
});
