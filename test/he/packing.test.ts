import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import vectors from '../vectors/paillier.json' with { type: 'json' };
import { PaillierPrivateKey } from '../../src/he/keys.js';
import { encrypt } from '../../src/he/paillier.js';
import {
  PackingError,
  addCiphertextVectors,
  decodeSlots,
  decryptSum,
  encodePlaintexts,
  encryptVector,
  packingLayout,
  type EncryptedVector,
} from '../../src/he/packing.js';
import { RandomnessPool } from '../../src/he/randomness.js';

const hex = (s: string): bigint => BigInt('0x' + s);
const key = PaillierPrivateKey.fromPrimes(hex(vectors.key512.p), hex(vectors.key512.q));
const otherKey = PaillierPrivateKey.fromPrimes(hex(vectors.key1024.p), hex(vectors.key1024.q));
const pub = key.publicKey;
const opts = { clip: 1, scaleBits: 8, maxParties: 4 };

describe('packingLayout', () => {
  it('matches the hand-computed layout for a 512-bit key, clip 1, scaleBits 8, maxParties 4', () => {
    // Q = round(1 · 2^8) = 256; largest slot sum 2Q · 4 = 2048 → B = bitLength(2048) = 12;
    // k = ⌊(512 − 1) / 12⌋ = 42.
    expect(packingLayout(pub, opts)).toEqual({ ...opts, offset: 256, slotBits: 12, slotsPerCiphertext: 42 });
  });

  it('gives 93 slots per 2048-bit plaintext for clip 1, scaleBits 16, maxParties 16', () => {
    // Q = 65536, 2Q · 16 = 2^21 → B = 22, k = ⌊2047 / 22⌋ = 93.
    const fake2048 = { n: 1n, numBits: 2048 } as typeof pub;
    expect(packingLayout(fake2048, { clip: 1, scaleBits: 16, maxParties: 16 }).slotsPerCiphertext).toBe(93);
  });

  it('rejects bad options', () => {
    const bad = [
      { clip: 0 },
      { clip: -1 },
      { clip: Number.NaN },
      { clip: Number.POSITIVE_INFINITY },
      { clip: '1' },
      { clip: 2 ** -10 }, // rounds to Q = 0 with scaleBits 8
      { scaleBits: 53 },
      { scaleBits: 1.5 },
      { scaleBits: -1 },
      { clip: 2 ** 40, scaleBits: 20 }, // Q > 2^52
      { maxParties: 0 },
      { maxParties: 2.5 },
      { maxParties: 2 ** 31 },
    ];
    for (const b of bad) expect(() => packingLayout(pub, { ...opts, ...b } as typeof opts), JSON.stringify(b)).toThrow(RangeError);
    const tiny = PaillierPrivateKey.fromPrimes(17n, 19n).publicKey; // 9-bit n: a 10-bit slot cannot fit
    expect(() => packingLayout(tiny, opts)).toThrow(RangeError);
    expect(() => packingLayout({} as typeof pub, opts)).toThrow(TypeError);
  });
});

describe('encodePlaintexts / decodeSlots', () => {
  const layout = packingLayout(pub, opts);

  it('packs by hand: [0.5, −0.25, 2 → clipped to 1] → 384 + 192·2^12 + 512·2^24', () => {
    // u = round(v · 256) + 256: 0.5 → 384, −0.25 → 192, 1 → 512.
    expect(encodePlaintexts([0.5, -0.25, 2], layout)).toEqual([384n + 192n * 4096n + 512n * 2n ** 24n]);
    expect(Array.from(decodeSlots([8590721408n], layout, 3, 1))).toEqual([0.5, -0.25, 1]);
  });

  it('splits values over ⌈length / k⌉ plaintexts, each below 2^(k·B) < n', () => {
    const values = Float64Array.from({ length: 100 }, (_, i) => ((i % 7) - 3) / 3);
    const plaintexts = encodePlaintexts(values, layout);
    expect(plaintexts.length).toBe(3); // ⌈100 / 42⌉
    for (const m of plaintexts) expect(m < 2n ** 504n && m < pub.n).toBe(true);
    const decoded = decodeSlots(plaintexts, layout, 100, 1);
    for (let i = 0; i < 100; i++) expect(Math.abs(decoded[i] - values[i])).toBeLessThanOrEqual(2 ** -9);
  });

  it('shows the headroom is needed: two parties in a 1-party layout carry into the next slot', () => {
    const one = packingLayout(pub, { ...opts, maxParties: 1 }); // B = bitLength(512) = 10
    const [m] = encodePlaintexts([1, -1], one); // slots 512 and 0
    // Two parties: slot 0 sums to 1024 = 2^10 and carries into slot 1; nothing flags it, and the
    // decoded sums are wrong: (0 − 2·256)/256 = −2 instead of 2, (1 − 512)/256 instead of −2.
    const noHeadroom = { ...one, maxParties: 2 }; // claims 2 parties with 1-party slots
    const decoded = decodeSlots([2n * m], noHeadroom, 2, 2);
    expect(Array.from(decoded)).toEqual([-2, (1 - 512) / 256]);
  });

  it('throws HE_SLOT_OVERFLOW on slots above 2Q·numParties or bits beyond the last slot', () => {
    expect(() => decodeSlots([513n], layout, 1, 1)).toThrow(PackingError);
    expect(() => decodeSlots([256n + (1n << 12n)], layout, 1, 1)).toThrow(/beyond the last slot/);
    try {
      decodeSlots([513n], layout, 1, 1);
    } catch (error) {
      expect((error as PackingError).code).toBe('HE_SLOT_OVERFLOW');
    }
    expect(() => decodeSlots([1n, 2n], layout, 1, 1)).toThrow(RangeError);
    expect(() => decodeSlots([1n], layout, 1, 5)).toThrow(RangeError); // above maxParties 4
    expect(() => decodeSlots([1n], layout, 1, 0)).toThrow(RangeError);
    expect(() => decodeSlots([1n], layout, -1, 1)).toThrow(RangeError);
  });

  it('rejects non-finite and non-numeric values', () => {
    expect(() => encodePlaintexts([Number.NaN], layout)).toThrow(RangeError);
    expect(() => encodePlaintexts([Number.POSITIVE_INFINITY], layout)).toThrow(RangeError);
    expect(() => encodePlaintexts(['1'] as unknown as number[], layout)).toThrow(TypeError);
    expect(() => encodePlaintexts(5 as unknown as number[], layout)).toThrow(TypeError);
  });
});

describe('encrypted sums', () => {
  it('the homomorphic sum of several parties equals the plain sum of clipped values within P·2^−(s+1)', () => {
    const pool = new RandomnessPool(pub, { mode: 'djn', windowBits: 4 });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 120 }),
        fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 4 * 120, maxLength: 4 * 120 }),
        (numParties, numValues, pool480) => {
          const inputs = Array.from({ length: numParties }, (_, p) => pool480.slice(p * numValues, (p + 1) * numValues));
          const encrypted = inputs.map((v) => encryptVector(pub, v, { ...opts, pool }));
          const sum = addCiphertextVectors(pub, encrypted);
          expect(sum.numParties).toBe(numParties);
          const decoded = decryptSum(key, sum, { numParties });
          expect(decoded.length).toBe(numValues);
          for (let i = 0; i < numValues; i++) {
            const plain = inputs.reduce((s, v) => s + Math.max(-1, Math.min(1, v[i])), 0);
            expect(Math.abs(decoded[i] - plain)).toBeLessThanOrEqual(numParties * 2 ** -9 + 1e-12);
          }
        },
      ),
      { numRuns: 20, seed: 11 },
    );
  });

  it('decodes exactly at the overflow bound: maxParties parties all at +clip, all at −clip', () => {
    const values = new Float64Array(50).fill(1);
    const allMax = addCiphertextVectors(pub, Array.from({ length: 4 }, () => encryptVector(pub, values, opts)));
    expect(Array.from(decryptSum(key, allMax, { numParties: 4 }))).toEqual(Array(50).fill(4));
    const allMin = addCiphertextVectors(pub, Array.from({ length: 4 }, () => encryptVector(pub, values.map((v) => -v * 10), opts)));
    expect(Array.from(decryptSum(key, allMin, { numParties: 4 }))).toEqual(Array(50).fill(-4));
  });

  it('sums of sums keep counting parties, and an empty vector round-trips', () => {
    const a = encryptVector(pub, [0.5], opts);
    const ab = addCiphertextVectors(pub, [a, encryptVector(pub, [0.25], opts)]);
    const abc = addCiphertextVectors(pub, [ab, encryptVector(pub, [-1], opts)]);
    expect(abc.numParties).toBe(3);
    expect(Array.from(decryptSum(key, abc, { numParties: 3 }))).toEqual([-0.25]);
    const empty = encryptVector(pub, [], opts);
    expect(empty.ciphertexts.length).toBe(0);
    expect(decryptSum(key, empty, { numParties: 1 }).length).toBe(0);
  });

  it('refuses sums that would break the overflow bound or mix keys, layouts or lengths', () => {
    const v = encryptVector(pub, [0.1, 0.2], opts);
    expect(() => addCiphertextVectors(pub, [v, v, v, v, v])).toThrow(/maxParties/);
    expect(() => addCiphertextVectors(pub, [v, encryptVector(pub, [0.1, 0.2], { ...opts, scaleBits: 9 })])).toThrow(/layout/);
    expect(() => addCiphertextVectors(pub, [v, encryptVector(pub, [0.1], opts)])).toThrow(/length/);
    expect(() => addCiphertextVectors(pub, [v, encryptVector(otherKey.publicKey, [0.1, 0.2], opts)])).toThrow(/different key/);
    expect(() => addCiphertextVectors(pub, [])).toThrow(RangeError);
  });

  it('decryptSum checks numParties, the key, the layout and tampered ciphertexts', () => {
    const v = encryptVector(pub, [0.1, 0.2], opts);
    const two = addCiphertextVectors(pub, [v, v]);
    expect(() => decryptSum(key, two, { numParties: 1 })).toThrow(RangeError);
    expect(() => decryptSum(key, two, { numParties: 5 })).toThrow(RangeError);
    expect(() => decryptSum(otherKey, two, { numParties: 2 })).toThrow(/different key/);
    const lying: EncryptedVector = { ...v, layout: { ...v.layout, slotsPerCiphertext: 1 } };
    expect(() => decryptSum(key, lying, { numParties: 1 })).toThrow(/layout/);
    // A ciphertext of a plaintext no honest party could produce is caught by the slot check.
    const forged: EncryptedVector = { ...v, ciphertexts: [encrypt(pub, pub.n - 1n)] };
    expect(() => decryptSum(key, forged, { numParties: 1 })).toThrow(PackingError);
    const outOfRange: EncryptedVector = { ...v, ciphertexts: [pub.nSquared] };
    expect(() => decryptSum(key, outOfRange, { numParties: 1 })).toThrow(RangeError);
  });
});
