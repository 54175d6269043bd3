import fc from 'fast-check';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  addMask,
  addMasks,
  addMasksPortable,
  aesCtrKeystream,
  expandMask,
  generateX25519KeyPair,
  hkdfExpand,
  hkdfExtract,
  hkdfSha256,
  hmacTag,
  isUsableX25519PublicKey,
  smallOrderX25519Points,
  wipe,
  x25519,
  x25519Agreement,
  x25519PublicKey,
} from '../../src/secagg/crypto.js';
import { RING_CHUNK_BYTES } from '../../src/secagg/ringKernel.js';
import { chiSquareUniform, CHI2_255_P1E6 } from './stats.js';

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const load = (name: string): unknown => JSON.parse(readFileSync(new URL(`../vectors/${name}`, import.meta.url), 'utf8'));

interface X25519Vectors {
  scalarMult: { name: string; scalar: string; u: string; output: string }[];
  iterated: { start: string; after1: string; after1000: string };
  diffieHellman: Record<'alicePrivate' | 'alicePublic' | 'bobPrivate' | 'bobPublic' | 'shared', string>;
}
interface HkdfVectors {
  cases: { name: string; ikm: string; salt: string; info: string; length: number; prk: string; okm: string }[];
}
interface CtrVector {
  key: string;
  initCounter: string;
  plaintext: string;
  ciphertext: string;
}

describe('X25519 (RFC 7748)', () => {
  const v = load('x25519-rfc7748.json') as X25519Vectors;

  it.each(v.scalarMult)('$name', ({ scalar, u, output }) => {
    expect(toHex(x25519(hex(scalar), hex(u)))).toBe(output);
  });

  it('§5.2 iterated test: 1 and 1,000 iterations from k = u = 9', () => {
    let k = hex(v.iterated.start);
    let u = hex(v.iterated.start);
    for (let i = 1; i <= 1000; i++) {
      const next = x25519(k, u);
      u = k;
      k = next;
      if (i === 1) expect(toHex(k)).toBe(v.iterated.after1);
    }
    expect(toHex(k)).toBe(v.iterated.after1000);
  });

  it('§6.1 Diffie-Hellman: public keys and the shared secret from both sides', () => {
    const d = v.diffieHellman;
    expect(toHex(x25519PublicKey(hex(d.alicePrivate)))).toBe(d.alicePublic);
    expect(toHex(x25519PublicKey(hex(d.bobPrivate)))).toBe(d.bobPublic);
    expect(toHex(x25519(hex(d.alicePrivate), hex(d.bobPublic)))).toBe(d.shared);
    expect(toHex(x25519Agreement(hex(d.bobPrivate))(hex(d.alicePublic)))).toBe(d.shared);
  });

  it('fresh key pairs agree with each other and carry their own public key', () => {
    const a = generateX25519KeyPair();
    const b = generateX25519KeyPair();
    expect(a.publicKey).toHaveLength(32);
    expect(a.privateKey).toHaveLength(32);
    expect(x25519PublicKey(a.privateKey)).toEqual(a.publicKey);
    expect(x25519(a.privateKey, b.publicKey)).toEqual(x25519(b.privateKey, a.publicKey));
    expect(a.publicKey).not.toEqual(b.publicKey);
  });

  it('rejects a low-order peer key (all-zero shared secret) with SECAGG_INVALID_KEY', () => {
    const a = generateX25519KeyPair();
    for (const point of [new Uint8Array(32), hex('0100000000000000000000000000000000000000000000000000000000000000')]) {
      expect(() => x25519(a.privateKey, point)).toThrow(expect.objectContaining({ code: 'SECAGG_INVALID_KEY' }));
    }
  });

  it('isUsableX25519PublicKey accepts real keys and refuses small-order points and bad shapes', () => {
    expect(isUsableX25519PublicKey(generateX25519KeyPair().publicKey)).toBe(true);
    expect(isUsableX25519PublicKey(hex(v.diffieHellman.bobPublic))).toBe(true);
    // u = 0 and u = 1 have small order (RFC 7748 §6.1 notes the all-zero output they give).
    expect(isUsableX25519PublicKey(new Uint8Array(32))).toBe(false);
    expect(isUsableX25519PublicKey(hex('0100000000000000000000000000000000000000000000000000000000000000'))).toBe(false);
    expect(isUsableX25519PublicKey(new Uint8Array(31))).toBe(false);
    expect(isUsableX25519PublicKey('key' as unknown as Uint8Array)).toBe(false);
  });

  it('the small-order list is exactly what OpenSSL refuses: each entry, with bit 255 clear or set', () => {
    const points = smallOrderX25519Points();
    expect(points).toHaveLength(7);
    const a = generateX25519KeyPair();
    for (const point of points) {
      for (const top of [0, 0x80]) {
        const u = point.slice();
        u[31] |= top;
        expect(isUsableX25519PublicKey(u)).toBe(false);
        expect(() => x25519(a.privateKey, u)).toThrow(expect.objectContaining({ code: 'SECAGG_INVALID_KEY' }));
      }
    }
    // neighbours of the list (one byte changed) are ordinary points: usable, and OpenSSL agrees
    for (const point of points) {
      for (const k of [0, 17, 31]) {
        const u = point.slice();
        u[k] ^= k === 31 ? 0x01 : 0x40;
        expect(isUsableX25519PublicKey(u)).toBe(true);
        expect(x25519(a.privateKey, u).some((b) => b !== 0)).toBe(true);
      }
    }
    // and 200 fresh public keys are usable
    for (let i = 0; i < 200; i++) expect(isUsableX25519PublicKey(generateX25519KeyPair().publicKey)).toBe(true);
  });

  it('agreements from a generated pair, from a copy of its private key and after a change of the bytes all use the bytes', () => {
    const a = generateX25519KeyPair();
    const b = generateX25519KeyPair();
    const shared = x25519(b.privateKey, a.publicKey);
    expect(x25519Agreement(a.privateKey)(b.publicKey)).toEqual(shared);
    expect(x25519Agreement(a.privateKey.slice())(b.publicKey)).toEqual(shared);
    // the cached OpenSSL handle of a's key must not outlive a change of the array
    const c = generateX25519KeyPair();
    a.privateKey.set(c.privateKey);
    expect(x25519Agreement(a.privateKey)(b.publicKey)).toEqual(x25519(b.privateKey, c.publicKey));
    const before = x25519Agreement(c.privateKey)(b.publicKey);
    wipe(c.privateKey);
    // a wiped key agrees as the all-zero scalar does (clamped to 2^254), not as the old key
    expect(x25519Agreement(c.privateKey)(b.publicKey)).toEqual(x25519(new Uint8Array(32), b.publicKey));
    expect(x25519Agreement(c.privateKey)(b.publicKey)).not.toEqual(before);
  });

  it('checks key lengths and types', () => {
    const a = generateX25519KeyPair();
    expect(() => x25519(a.privateKey, new Uint8Array(31))).toThrow(RangeError);
    expect(() => x25519(new Uint8Array(33), a.publicKey)).toThrow(RangeError);
    expect(() => x25519('key' as unknown as Uint8Array, a.publicKey)).toThrow(TypeError);
  });
});

describe('HKDF-SHA256 (RFC 5869)', () => {
  const v = load('hkdf-sha256-rfc5869.json') as HkdfVectors;

  it.each(v.cases)('$name', ({ ikm, salt, info, length, prk, okm }) => {
    expect(toHex(hkdfSha256(hex(ikm), hex(salt), hex(info), length))).toBe(okm);
    // PRK = HMAC-SHA256(salt, IKM) (RFC 5869 §2.2; an empty salt means HashLen zeros).
    const key = salt === '' ? new Uint8Array(32) : hex(salt);
    expect(createHmac('sha256', key).update(hex(ikm)).digest('hex')).toBe(prk);
    // the two halves on their own, as the key schedule uses them (extract once, expand per session)
    expect(toHex(hkdfExtract(hex(salt), hex(ikm)))).toBe(prk);
    expect(toHex(hkdfExpand(hex(prk), hex(info), length))).toBe(okm);
  });

  it('checks its arguments', () => {
    const z = new Uint8Array(1);
    expect(() => hkdfSha256(z, z, z, 0)).toThrow(RangeError);
    expect(() => hkdfSha256(z, z, z, 8161)).toThrow(RangeError);
    expect(() => hkdfSha256(z, z, z, 1.5)).toThrow(RangeError);
    expect(() => hkdfSha256([1] as unknown as Uint8Array, z, z, 32)).toThrow(TypeError);
    expect(() => hkdfExpand(z, z, 32)).toThrow(RangeError); // a PRK is 32 bytes
  });
});

describe('HMAC-SHA256 tags (RFC 4231)', () => {
  const v = load('hmac-sha256-rfc4231.json') as { cases: { name: string; key: string; data: string; mac: string }[] };

  it.each(v.cases.map((c) => [c.name, c] as const))('%s: the tag is the first 16 bytes of the MAC', (_name, c) => {
    expect(toHex(hmacTag(hex(c.key), hex(c.data)))).toBe(c.mac.slice(0, 32));
  });

  it('checks its arguments', () => {
    expect(() => hmacTag('key' as unknown as Uint8Array, new Uint8Array(1))).toThrow(TypeError);
    expect(() => hmacTag(new Uint8Array(32), [1] as unknown as Uint8Array)).toThrow(TypeError);
  });
});

describe('AES-256-CTR mask expansion (NIST SP 800-38A F.5.5)', () => {
  const v = load('aes256-ctr-sp800-38a.json') as CtrVector;

  it('keystream XOR plaintext is the F.5.5 ciphertext', () => {
    const stream = aesCtrKeystream(hex(v.key), hex(v.initCounter), 64);
    const pt = hex(v.plaintext);
    expect(toHex(stream.map((s, k) => s ^ pt[k]))).toBe(v.ciphertext);
  });

  it('expandMask reads the zero-IV keystream as little-endian words', () => {
    const seed = hex(v.key);
    const stream = aesCtrKeystream(seed, new Uint8Array(16), 4 * 37);
    const words = expandMask(seed, 37);
    const view = new DataView(stream.buffer, stream.byteOffset);
    for (let k = 0; k < 37; k++) expect(words[k]).toBe(view.getUint32(4 * k, true));
  });

  it('reduces to the low modulusBits bits, consistently with the 32-bit stream', () => {
    const seed = hex(v.key);
    const full = expandMask(seed, 100);
    for (const bits of [1, 8, 20, 31]) {
      const m = expandMask(seed, 100, bits);
      for (let k = 0; k < 100; k++) expect(m[k]).toBe(full[k] % 2 ** bits);
    }
  });

  it('is deterministic per seed and differs between seeds', () => {
    const a = new Uint8Array(32).fill(7);
    const b = new Uint8Array(32).fill(8);
    expect(expandMask(a, 64)).toEqual(expandMask(a, 64));
    expect(expandMask(a, 64)).not.toEqual(expandMask(b, 64));
    expect(expandMask(a, 0)).toHaveLength(0);
  });

  it('looks uniform: chi-square of the low byte over 25,600 words (p = 1e-6 bound)', () => {
    const words = expandMask(new Uint8Array(32).fill(42), 25_600);
    const counts = new Array<number>(256).fill(0);
    for (const w of words) counts[w & 0xff]++;
    expect(chiSquareUniform(counts)).toBeLessThan(CHI2_255_P1E6);
    const topCounts = new Array<number>(256).fill(0);
    for (const w of words) topCounts[w >>> 24]++;
    expect(chiSquareUniform(topCounts)).toBeLessThan(CHI2_255_P1E6);
  });

  it('checks its arguments', () => {
    expect(() => expandMask(new Uint8Array(16), 4)).toThrow(RangeError);
    expect(() => expandMask(new Uint8Array(32), -1)).toThrow(RangeError);
    expect(() => expandMask(new Uint8Array(32), 4, 0)).toThrow(RangeError);
    expect(() => expandMask(new Uint8Array(32), 4, 33)).toThrow(RangeError);
    expect(() => aesCtrKeystream(new Uint8Array(32), new Uint8Array(12), 16)).toThrow(RangeError);
  });
});

describe('addMask', () => {
  it('adding then subtracting the same mask restores the vector, in every ring size', () => {
    const seed = new Uint8Array(32).fill(3);
    for (const bits of [32, 31, 16, 2]) {
      const x = Uint32Array.from({ length: 50 }, (_, k) => (k * 2654435761) % 2 ** bits);
      const y = x.slice();
      addMask(y, seed, 1, bits);
      expect(y).not.toEqual(x);
      for (const w of y) expect(w).toBeLessThan(2 ** bits);
      addMask(y, seed, -1, bits);
      expect(y).toEqual(x);
    }
  });

  it('adds the expanded mask modulo 2^32 (hand check on one word)', () => {
    const seed = new Uint8Array(32).fill(9);
    const mask = expandMask(seed, 1)[0];
    const acc = Uint32Array.of(0xffffffff);
    addMask(acc, seed, 1);
    expect(acc[0]).toBe((0xffffffff + mask) % 2 ** 32);
  });

  /** acc + Σ sign · expandMask(seed), word by word in plain arithmetic: the definition. */
  const reference = (x: Uint32Array, masks: readonly { seed: Uint8Array; sign: 1 | -1 }[], bits: number): Uint32Array => {
    const out = x.slice();
    for (const { seed, sign } of masks) {
      const m = expandMask(seed, x.length, bits);
      for (let k = 0; k < x.length; k++) out[k] = (((out[k] + sign * m[k]) % 2 ** bits) + 2 ** bits) % 2 ** bits;
    }
    return out;
  };

  it('addMasks (SIMD kernel), addMasksPortable and addMask one by one all equal the definition, for every sign pattern and ring size', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ seed: fc.uint8Array({ minLength: 32, maxLength: 32 }), sign: fc.constantFrom(1 as const, -1 as const) }), { maxLength: 7 }),
        fc.constantFrom(32, 31, 8),
        fc.integer({ min: 0, max: 40 }),
        (masks, bits, length) => {
          const x = Uint32Array.from({ length }, (_, k) => (k * 2654435761) % 2 ** bits);
          const expected = reference(x, masks, bits);
          const one = x.slice();
          for (const { seed, sign } of masks) addMask(one, seed, sign, bits);
          const both = x.slice();
          addMasks(both, masks, bits);
          const portable = x.slice();
          addMasksPortable(portable, masks, bits);
          expect(both).toEqual(expected);
          expect(one).toEqual(expected);
          expect(portable).toEqual(expected);
        },
      ),
      { numRuns: 200 },
    );
    expect(() => addMasks(new Uint32Array(1), [{ seed: new Uint8Array(32), sign: 0 as 1 }])).toThrow(RangeError);
    expect(() => addMasks(new Uint32Array(1), [{ seed: new Uint8Array(31), sign: 1 }])).toThrow(RangeError);
  });

  it('addMasks continues each keystream across the kernel\'s chunks (vectors longer than one chunk)', () => {
    const chunkWords = RING_CHUNK_BYTES / 4;
    const masks = [1, -1, -1, 1, 1].map((sign, k) => ({ seed: new Uint8Array(32).fill(k + 1), sign: sign as 1 | -1 }));
    for (const length of [chunkWords - 1, chunkWords, chunkWords + 1, 2 * chunkWords + 3]) {
      for (const bits of [32, 20]) {
        const x = Uint32Array.from({ length }, (_, k) => (k * 2654435761) % 2 ** bits);
        const fast = x.slice();
        addMasks(fast, masks, bits);
        const portable = x.slice();
        addMasksPortable(portable, masks, bits);
        expect(fast).toEqual(portable);
        expect(fast).toEqual(reference(x, masks, bits));
      }
    }
  });

  it('checks its arguments', () => {
    expect(() => addMask([1] as unknown as Uint32Array, new Uint8Array(32), 1)).toThrow(TypeError);
    expect(() => addMask(new Uint32Array(1), new Uint8Array(32), 2 as 1)).toThrow(RangeError);
  });
});
