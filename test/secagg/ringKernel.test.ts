import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RING_CHUNK_BYTES, ringKernel, ringKernelBinary } from '../../src/secagg/ringKernel.js';

const words = (bytes: Uint8Array, n: number): Uint32Array => new Uint32Array(bytes.buffer, bytes.byteOffset, n);

describe('ring kernel (WebAssembly SIMD)', () => {
  it('is a valid module and loads on this Node', () => {
    const wasm = (globalThis as unknown as { WebAssembly: { validate(binary: Uint8Array): boolean } }).WebAssembly;
    expect(wasm.validate(ringKernelBinary())).toBe(true);
    const kernel = ringKernel();
    expect(kernel).toBeDefined();
    expect(ringKernel()).toBe(kernel);
    for (const region of [kernel!.acc, kernel!.a, kernel!.b]) expect(region.length).toBe(RING_CHUNK_BYTES);
  });

  it('combines modulo 2^32 exactly like word-by-word arithmetic, for every sign pattern and length', () => {
    const kernel = ringKernel()!;
    fc.assert(
      fc.property(
        fc.uint32Array({ maxLength: 300 }),
        fc.constantFrom(1 as const, -1 as const),
        fc.constantFrom(1 as const, -1 as const),
        fc.boolean(),
        fc.integer(),
        (acc, sa, sb, two, salt) => {
          const n = acc.length;
          const a = Uint32Array.from({ length: n }, (_, k) => Math.imul(k + salt, 2654435761) >>> 0);
          const b = Uint32Array.from({ length: n }, (_, k) => Math.imul(k ^ salt, 2246822519) >>> 0);
          const expected = acc.map((x, k) => (x + sa * a[k] + (two ? sb * b[k] : 0)) >>> 0);
          // garbage after the vector: the kernel works in 16-byte lanes and must not spill into the result
          words(kernel.acc, n + 4).fill(0xdeadbeef, n);
          words(kernel.acc, n).set(acc);
          words(kernel.a, n).set(a);
          words(kernel.b, n).set(b);
          if (two) kernel.combine2(sa, sb, 4 * n);
          else kernel.combine1(sa, 4 * n);
          expect(Array.from(words(kernel.acc, n))).toEqual(Array.from(expected));
          kernel.wipe(4 * n + 16);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('wipes the regions it used', () => {
    const kernel = ringKernel()!;
    for (const region of [kernel.acc, kernel.a, kernel.b]) region.fill(7, 0, 100);
    kernel.wipe(100);
    for (const region of [kernel.acc, kernel.a, kernel.b]) expect(region.subarray(0, 112).every((x) => x === 0)).toBe(true);
  });

  it('refuses lengths outside its regions', () => {
    const kernel = ringKernel()!;
    expect(() => kernel.combine2(1, 1, RING_CHUNK_BYTES + 1)).toThrow(RangeError);
    expect(() => kernel.combine1(1, -4)).toThrow(RangeError);
    expect(() => kernel.wipe(1.5)).toThrow(RangeError);
  });
});
