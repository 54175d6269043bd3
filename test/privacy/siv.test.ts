import { createCipheriv } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AesSiv, SivAuthenticationError, SIV_MAX_ASSOCIATED_DATA, aesCmac, sivDecrypt, sivEncrypt } from '../../src/privacy/siv.js';

interface SivCase { name: string; key: string; associatedData: string[]; plaintext: string; output: string }
interface SivVectors {
  rfc5297: SivCase[];
  extra: SivCase[];
  invalid: Omit<SivCase, 'plaintext'>[];
  cmac: { name: string; key: string; message: string; tag: string }[];
}

const vectors = JSON.parse(readFileSync(new URL('../vectors/aes-siv-rfc5297.json', import.meta.url), 'utf8')) as SivVectors;
const hex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const [A1, A2] = vectors.rfc5297;

describe('AES-CMAC (RFC 4493 section 4)', () => {
  for (const c of vectors.cmac) {
    it(c.name, () => expect(toHex(aesCmac(hex(c.key), hex(c.message)))).toBe(c.tag));
  }
  it('rejects keys that are not AES keys', () => {
    expect(() => aesCmac(new Uint8Array(15), new Uint8Array(0))).toThrow(RangeError);
    expect(() => aesCmac('key' as unknown as Uint8Array, new Uint8Array(0))).toThrow(/key/);
  });
});

describe('AES-SIV known answers', () => {
  for (const c of [...vectors.rfc5297, ...vectors.extra]) {
    it(c.name, () => {
      const ad = c.associatedData.map(hex);
      expect(toHex(sivEncrypt(hex(c.key), hex(c.plaintext), ad))).toBe(c.output);
      expect(toHex(sivDecrypt(hex(c.key), hex(c.output), ad))).toBe(c.plaintext);
    });
  }
  for (const c of vectors.invalid) {
    it(`rejects ${c.name}`, () => {
      expect(() => sivDecrypt(hex(c.key), hex(c.output), c.associatedData.map(hex))).toThrow(SivAuthenticationError);
    });
  }
  it('A.2 decrypts to the RFC text', () => {
    const plain = sivDecrypt(hex(A2.key), hex(A2.output), A2.associatedData.map(hex));
    expect(Buffer.from(plain).toString('utf8')).toBe('this is some plaintext to encrypt using SIV-AES');
  });
});

describe('AES-SIV tamper detection', () => {
  const key = hex(A2.key);
  const ad = A2.associatedData.map(hex);
  const output = hex(A2.output);

  it('detects every single-bit flip of the A.2 output', () => {
    for (let bit = 0; bit < output.length * 8; bit++) {
      const altered = Uint8Array.from(output);
      altered[bit >>> 3] ^= 1 << (bit & 7);
      expect(() => sivDecrypt(key, altered, ad), `bit ${bit}`).toThrow(SivAuthenticationError);
    }
  });

  it('detects altered, dropped, reordered and extra associated data', () => {
    const flipped = ad.map((a) => Uint8Array.from(a));
    flipped[1][0] ^= 0x01;
    for (const wrong of [flipped, ad.slice(1), [ad[1], ad[0], ad[2]], [...ad, new Uint8Array(0)], []]) {
      expect(() => sivDecrypt(key, output, wrong)).toThrow(SivAuthenticationError);
    }
  });

  it('detects a wrong key, truncation and a ciphertext shorter than the SIV', () => {
    const otherKey = Uint8Array.from(key);
    otherKey[31] ^= 0x80; // a CTR-key bit: S2V then sees a different plaintext
    expect(() => sivDecrypt(otherKey, output, ad)).toThrow(SivAuthenticationError);
    expect(() => sivDecrypt(key, output.subarray(0, output.length - 1), ad)).toThrow(SivAuthenticationError);
    expect(() => sivDecrypt(key, output.subarray(0, 15), ad)).toThrow(/shorter than/);
  });
});

describe('AES-SIV properties', () => {
  const keyArb = fc.constantFrom(32, 48, 64).chain((n) => fc.uint8Array({ minLength: n, maxLength: n }));
  const adArb = fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 4 });

  it('decrypt(encrypt(p)) = p and encryption is deterministic', () => {
    fc.assert(
      fc.property(keyArb, fc.uint8Array({ maxLength: 100 }), adArb, (key, plaintext, ad) => {
        const c = sivEncrypt(key, plaintext, ad);
        expect(c.length).toBe(plaintext.length + 16);
        expect(sivEncrypt(key, plaintext, ad)).toEqual(c);
        expect(sivDecrypt(key, c, ad)).toEqual(plaintext);
      }),
      { numRuns: 300 },
    );
  });

  it('the ciphertext body is OpenSSL AES-CTR (128-bit counter) from Q = SIV with bits 63 and 31 cleared', () => {
    // long plaintexts make the low counter byte carry in a good share of the runs
    fc.assert(
      fc.property(keyArb, fc.uint8Array({ minLength: 100, maxLength: 400 }), (key, plaintext) => {
        const c = sivEncrypt(key, plaintext);
        const q = Uint8Array.from(c.subarray(0, 16));
        q[8] &= 0x7f;
        q[12] &= 0x7f;
        const ctr = createCipheriv(`aes-${key.length * 4}-ctr`, key.subarray(key.length / 2), q);
        expect(toHex(c.subarray(16))).toBe(Buffer.concat([ctr.update(plaintext), ctr.final()]).toString('hex'));
      }),
      { numRuns: 400 },
    );
  });

  it('an AesSiv instance gives the same answers as the one-shot functions, and refuses use after wipe()', () => {
    const siv = new AesSiv(hex(A1.key));
    expect(toHex(siv.encrypt(hex(A1.plaintext), A1.associatedData.map(hex)))).toBe(A1.output);
    expect(toHex(siv.encrypt(hex(A1.plaintext), A1.associatedData.map(hex)))).toBe(A1.output);
    siv.wipe();
    expect(() => siv.encrypt(new Uint8Array(1))).toThrow(/wipe/);
  });
});

describe('AES-SIV hostile arguments', () => {
  const key = new Uint8Array(32);
  const table: [string, () => unknown, RegExp | typeof Error][] = [
    ['key of 16 bytes', () => sivEncrypt(new Uint8Array(16), new Uint8Array(0)), /key: .*32, 48 or 64/],
    ['key of 65 bytes', () => sivEncrypt(new Uint8Array(65), new Uint8Array(0)), RangeError],
    ['key as a string', () => sivEncrypt('k'.repeat(32) as unknown as Uint8Array, new Uint8Array(0)), /key: expected a Uint8Array/],
    ['key as a number array', () => sivEncrypt(Array(32).fill(0) as unknown as Uint8Array, new Uint8Array(0)), TypeError],
    ['plaintext as a string', () => sivEncrypt(key, 'secret' as unknown as Uint8Array), /plaintext/],
    ['associated data not an array', () => sivEncrypt(key, new Uint8Array(0), new Uint8Array(3) as unknown as Uint8Array[]), /associatedData/],
    ['associated data item a string', () => sivEncrypt(key, new Uint8Array(0), ['x' as unknown as Uint8Array]), /associatedData\[0\]/],
    ['127 associated data items', () => sivEncrypt(key, new Uint8Array(0), Array.from({ length: 127 }, () => new Uint8Array(0))), RangeError],
    ['ciphertext as null', () => sivDecrypt(key, null as unknown as Uint8Array), /ciphertext/],
  ];
  for (const [name, call, expected] of table) it(`rejects ${name}`, () => expect(call).toThrow(expected));

  it('accepts exactly the RFC maximum of 126 associated data items', () => {
    const ad = Array.from({ length: SIV_MAX_ASSOCIATED_DATA }, (_, i) => new Uint8Array([i]));
    expect(sivDecrypt(key, sivEncrypt(key, new Uint8Array([7]), ad), ad)).toEqual(new Uint8Array([7]));
  });
});
