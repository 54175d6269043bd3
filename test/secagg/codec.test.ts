import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskInput } from '../../src/secagg/client.js';
import { decodeSecAgg, encodeSecAgg, maskedInputArray, maskedInputFromArray } from '../../src/secagg/codec.js';
import { reconstruct } from '../../src/secagg/reconstruct.js';
import { routeShares } from '../../src/secagg/server.js';
import { ringSum, runSession } from './driver.js';

describe('JSON codec', () => {
  it('round-trips plain data with byte strings and ring vectors', () => {
    fc.assert(
      fc.property(
        fc.record({
          stage: fc.constantFrom('setup', 'unmask'),
          index: fc.nat(),
          bytes: fc.uint8Array({ maxLength: 70 }),
          words: fc.uint32Array({ maxLength: 40 }),
          list: fc.array(fc.record({ owner: fc.nat(), share: fc.uint8Array({ minLength: 33, maxLength: 33 }) }), { maxLength: 4 }),
          text: fc.string(),
        }),
        (value) => {
          expect(decodeSecAgg(encodeSecAgg(value))).toEqual(value);
        },
      ),
    );
  });

  it('puts every byte string in one binary part, ring vectors as little-endian words (hand check)', () => {
    const bin = Buffer.from([1, 0, 0, 0, 0xef, 0xbe, 0xad, 0xde, 7, 8]).toString('base64');
    expect(encodeSecAgg({ w: Uint32Array.of(1, 0xdeadbeef), b: [Uint8Array.of(7, 8)] })).toBe(`{"$bin":"${bin}","$value":{"w":{"$u32":[0,8]},"b":[{"$bytes":[8,2]}]}}`);
    expect(encodeSecAgg({ stage: 'setup', n: [1, 2] })).toBe('{"stage":"setup","n":[1,2]}');
    // the older inline form still decodes
    expect(decodeSecAgg(JSON.stringify({ $u32: Buffer.from([1, 0, 0, 0, 0xef, 0xbe, 0xad, 0xde]).toString('base64') }))).toEqual(Uint32Array.of(1, 0xdeadbeef));
    // decoded byte strings own their memory: wiping one leaves the others
    const decoded = decodeSecAgg(encodeSecAgg([Uint8Array.of(1, 2), Uint8Array.of(3)])) as Uint8Array[];
    decoded[0].fill(0);
    expect(decoded[1]).toEqual(Uint8Array.of(3));
  });

  it('persisted client and server states resume the protocol', async () => {
    const s = await runSession({ numClients: 4, threshold: 3, vectorLength: 16 }, 'collectMasked');
    const serverState = decodeSecAgg(encodeSecAgg(s.keys.state)) as typeof s.keys.state;
    const routed = routeShares(serverState, s.shareReplies.map((r) => decodeSecAgg(encodeSecAgg(r))));
    expect(routed.rejected).toEqual([]);
    for (const request of routed.requests) {
      const state = decodeSecAgg(encodeSecAgg(s.stateAt.get(request.clientIndex))) as Parameters<typeof maskInput>[0];
      expect(maskInput(state, decodeSecAgg(encodeSecAgg(request)), s.inputs[request.clientIndex]).reply.maskedInput).toHaveLength(16);
    }
    const done = await runSession({ numClients: 4, threshold: 3, vectorLength: 16 }, 'reconstruct');
    const result = await reconstruct(decodeSecAgg(encodeSecAgg(done.summed.state)) as typeof done.summed.state, done.unmaskReplies.map((r) => decodeSecAgg(encodeSecAgg(r))));
    expect(result.sum).toEqual(ringSum(done.inputs));
  });

  it('refuses what it cannot represent and malformed input', () => {
    expect(() => encodeSecAgg(new Float64Array(2))).toThrow(TypeError);
    expect(() => encodeSecAgg({ x: Number.NaN })).toThrow(RangeError);
    expect(() => decodeSecAgg('{"$bytes":"not base64!"}')).toThrow(SyntaxError);
    expect(() => decodeSecAgg('{"$u32":"AAA="}')).toThrow(RangeError);
    expect(() => decodeSecAgg('{')).toThrow(SyntaxError);
    expect(() => decodeSecAgg(42 as unknown as string)).toThrow(TypeError);
    expect(decodeSecAgg('{"$bytes":"AA==","other":1}')).toEqual({ $bytes: 'AA==', other: 1 });
    // references outside the binary part, malformed ones, or without a binary part
    const bin = Buffer.from([1, 2, 3, 4]).toString('base64');
    for (const ref of ['[2,3]', '[-1,2]', '[0]', '[0.5,1]', '["0",1]', '[0,1,2]']) {
      expect(() => decodeSecAgg(`{"$bin":"${bin}","$value":{"$bytes":${ref}}}`)).toThrow(SyntaxError);
    }
    expect(() => decodeSecAgg('{"$bytes":[0,1]}')).toThrow(SyntaxError);
    expect(() => decodeSecAgg(`{"$bin":"${bin}!","$value":{"$bytes":[0,1]}}`)).toThrow(SyntaxError);
    expect(() => decodeSecAgg(`{"$bin":"${bin}","$value":{"$u32":[0,3]}}`)).toThrow(RangeError);
    expect(decodeSecAgg(`{"$bin":"${bin}","$value":{"$bytes":[1,2]}}`)).toEqual(Uint8Array.of(2, 3));
  });
});

describe('masked input as a message array', () => {
  it('round-trips every ring vector exactly', () => {
    fc.assert(
      fc.property(fc.uint32Array({ maxLength: 200 }), (words) => {
        const array = maskedInputArray(words);
        expect(array).toBeInstanceOf(Float64Array);
        expect(maskedInputFromArray(array)).toEqual(words);
      }),
      { numRuns: 200 },
    );
  });

  it('hands back anything that is not a ring vector, for the server to refuse', () => {
    for (const odd of [[1.5], [-1], [2 ** 32], [Number.NaN]]) {
      const array = Float64Array.from([7, ...odd]);
      expect(maskedInputFromArray(array)).toBe(array);
    }
    expect(maskedInputFromArray('AAAA')).toBe('AAAA');
    expect(maskedInputFromArray(undefined)).toBeUndefined();
  });
});

describe('decoding hostile JSON', () => {
  it('keeps a "__proto__" key a plain property, also when it holds bytes', () => {
    const decoded = decodeSecAgg('{"__proto__":{"$bytes":"AAE="},"a":[{"__proto__":{"x":1}}]}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(decoded, '__proto__')?.value).toEqual(Uint8Array.of(0, 1));
    const inner = (decoded.a as Record<string, unknown>[])[0];
    expect(Object.getPrototypeOf(inner)).toBe(Object.prototype);
    expect((inner as { x?: number }).x).toBeUndefined();
    // and encoding keeps it a plain property too
    const again = decodeSecAgg(encodeSecAgg(decoded)) as Record<string, unknown>;
    expect(Object.getPrototypeOf(again)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(again, '__proto__')?.value).toEqual(Uint8Array.of(0, 1));
  });
});
