import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deriveRandom } from '../../src/math/random.js';
import { addRing, dequantizeSum, quantizationScale, quantize } from '../../src/secagg/quantize.js';

describe('quantizationScale', () => {
  it('hand-computed constants', () => {
    // ringBits 8, one client: L = ⌊(2^7 − 1)/1⌋ = 127, scale = 127 / c.
    expect(quantizationScale({ clip: 1, maxClients: 1, ringBits: 8 })).toEqual({ ringBits: 8, levelsPerSide: 127, scale: 127, step: 1 / 127 });
    // ringBits 32, 100 clients: L = ⌊2147483647 / 100⌋ = 21474836.
    expect(quantizationScale({ clip: 2, maxClients: 100 }).levelsPerSide).toBe(21_474_836);
    // The largest n leaves one level per side.
    expect(quantizationScale({ clip: 1, maxClients: 127, ringBits: 8 }).levelsPerSide).toBe(1);
  });

  it.each([
    [{ clip: 0, maxClients: 1 }],
    [{ clip: -1, maxClients: 1 }],
    [{ clip: Number.NaN, maxClients: 1 }],
    [{ clip: Number.POSITIVE_INFINITY, maxClients: 1 }],
    [{ clip: 1, maxClients: 0 }],
    [{ clip: 1, maxClients: 1.5 }],
    [{ clip: 1, maxClients: 128, ringBits: 8 }],
    [{ clip: 1, maxClients: 1, ringBits: 1 }],
    [{ clip: 1, maxClients: 1, ringBits: 33 }],
    [{ clip: '1', maxClients: 1 }],
  ])('refuses %j', (params) => {
    expect(() => quantizationScale(params as never)).toThrow(RangeError);
  });
});

describe('quantize / dequantizeSum', () => {
  it('hand-computed codes in Z_2^8', () => {
    const params = { clip: 1, maxClients: 1, ringBits: 8 };
    // 0.5·127 = 63.5 → 64; −0.5·127 = −63.5 → −63 (round half up) → 256 − 63 = 193;
    // ±2 clip to ±1 → ±127 → 127 and 129; 0 → 0.
    expect(Array.from(quantize([0.5, -0.5, 2, -2, 0], params))).toEqual([64, 193, 127, 129, 0]);
    expect(Array.from(dequantizeSum(Uint32Array.of(64, 193, 127, 129, 0), 1, params))).toEqual([64 / 127, -63 / 127, 1, -1, 0]);
  });

  it('deterministic codes are Math.round of the scaled, clipped value (ties, tiny negatives, −0.5 ± ulp)', () => {
    const expected = (x: number, clip: number, ringBits: number, n: number) => {
      const { levelsPerSide: L, scale } = quantizationScale({ clip, maxClients: n, ringBits });
      const q = Math.max(-L, Math.min(L, Math.round(Math.max(-clip, Math.min(clip, x)) * scale)));
      return q < 0 ? q + 2 ** ringBits : q + 0; // + 0 turns −0 into 0, as a Uint32Array does
    };
    // scale 1 (clip = L): the value itself is rounded, so ties and values around ±1/2 are hit exactly
    const L8 = 127;
    const edges = [0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 0.49999999999999994, -0.49999999999999994, -0.5000000000000001, -1e-300, -0, 126.5, -126.5, -1 + 2 ** -53, 3 - 2 ** -51];
    expect(Array.from(quantize(edges, { clip: L8, maxClients: 1, ringBits: 8 }))).toEqual(edges.map((x) => expected(x, L8, 8, 1)));
    // the same edges through the Float64Array fast path of the 2^32 ring (scale 1 again)
    const L32 = 2 ** 31 - 1;
    const edges32 = [...edges, L32 - 0.5, -L32 + 0.5, L32 + 5, -L32 - 5];
    expect(Array.from(quantize(Float64Array.from(edges32), { clip: L32, maxClients: 1 }))).toEqual(edges32.map((x) => expected(x, L32, 32, 1)));
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 1, maxLength: 60 }),
        fc.double({ min: 1e-3, max: 10, noNaN: true }),
        fc.constantFrom(8, 16, 32),
        (values, clip, ringBits) => {
          expect(Array.from(quantize(Float64Array.from(values), { clip, maxClients: 3, ringBits }))).toEqual(values.map((x) => expected(x, clip, ringBits, 3)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('deterministic rounding is within half a step, stochastic within one step', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 1, maxLength: 40 }),
        fc.double({ min: 1e-3, max: 10, noNaN: true }),
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 8, max: 32 }),
        fc.integer(),
        (values, clip, maxClients, ringBits, seed) => {
          fc.pre(maxClients <= 2 ** (ringBits - 1) - 1);
          const params = { clip, maxClients, ringBits };
          const { step } = quantizationScale(params);
          const x = Float64Array.from(values);
          const nearest = dequantizeSum(quantize(x, params), 1, params);
          const stochastic = dequantizeSum(quantize(x, params, { random: deriveRandom(seed, 'q') }), 1, params);
          for (let k = 0; k < x.length; k++) {
            const clipped = Math.min(clip, Math.max(-clip, x[k]));
            const slack = 1e-12 * Math.max(1, clip);
            expect(Math.abs(nearest[k] - clipped)).toBeLessThanOrEqual(step / 2 + slack);
            expect(Math.abs(stochastic[k] - clipped)).toBeLessThanOrEqual(step + slack);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('the ring sum of n codes decodes to the exact integer sum, even with every value at ±clip', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 127 }), fc.constantFrom(-1, 1), fc.integer({ min: 2, max: 32 }), (n, sign, ringBits) => {
        fc.pre(n <= 2 ** (ringBits - 1) - 1);
        const params = { clip: 0.25, maxClients: n, ringBits };
        const { levelsPerSide, scale } = quantizationScale(params);
        const sum = new Uint32Array(3);
        for (let i = 0; i < n; i++) addRing(sum, quantize([sign, sign * 0.1, 0], params), ringBits);
        const decoded = dequantizeSum(sum, n, params);
        expect(decoded[0]).toBe((sign * n * levelsPerSide) / scale);
        expect(decoded[1]).toBe((n * Math.round(sign * 0.1 * scale)) / scale + 0); // + 0: a −0 code decodes to 0
        expect(decoded[2]).toBe(0);
      }),
      { numRuns: 200 },
    );
  });

  it('stochastic rounding is unbiased: the mean code of 0.3 steps is 0.3 (seeded, 4σ bound)', () => {
    const params = { clip: 1, maxClients: 1, ringBits: 8 };
    const { scale } = quantizationScale(params);
    const x = new Float64Array(20_000).fill(0.3 / scale);
    const codes = quantize(x, params, { random: deriveRandom(7, 'unbiased') });
    const mean = codes.reduce((a, c) => a + c, 0) / codes.length;
    // Codes are Bernoulli(0.3): sd of the mean is √(0.21/20000) ≈ 0.0032.
    expect(Math.abs(mean - 0.3)).toBeLessThan(4 * Math.sqrt(0.21 / 20_000));
    expect(quantize(x, params, { random: deriveRandom(7, 'unbiased') })).toEqual(codes);
  });

  it('refuses NaN and infinite values, naming the index', () => {
    const params = { clip: 1, maxClients: 2 };
    expect(() => quantize([0, Number.NaN], params)).toThrow(/values\[1\]/);
    expect(() => quantize([Number.POSITIVE_INFINITY], params)).toThrow(RangeError);
    expect(() => quantize(Float64Array.of(0, 1, Number.NEGATIVE_INFINITY), params)).toThrow(/values\[2\]/);
    expect(() => quantize(Float64Array.of(Number.NaN), params)).toThrow(RangeError);
    expect(() => quantize(['1'] as unknown as number[], params)).toThrow(RangeError);
    expect(() => quantize('abc' as unknown as number[], params)).toThrow(TypeError);
  });

  it('dequantizeSum refuses more clients than the overflow bound allows and non-ring elements', () => {
    const params = { clip: 1, maxClients: 4, ringBits: 8 };
    expect(() => dequantizeSum(new Uint32Array(1), 5, params)).toThrow(RangeError);
    expect(() => dequantizeSum(Uint32Array.of(256), 1, params)).toThrow(RangeError);
    expect(() => dequantizeSum([1] as unknown as Uint32Array, 1, params)).toThrow(TypeError);
  });

  it('addRing checks shapes', () => {
    expect(() => addRing(new Uint32Array(2), new Uint32Array(3))).toThrow(RangeError);
    expect(() => addRing(new Uint32Array(2), new Uint32Array(2), 0)).toThrow(RangeError);
  });
});
