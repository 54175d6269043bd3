/**
 * HOTP/TOTP against the RFC known-answer vectors (test/vectors/hotp-rfc4226.json,
 * totp-rfc6238.json), base32 against RFC 4648 §10 (base32-rfc4648.json), the verification
 * window and replay rules, the otpauth URI, and hostile inputs.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode } from '../../src/web/base32.js';
import { generateTotpSecret, hotp, otpauthUri, totp, totpStep, verifyTotp } from '../../src/web/totp.js';
import type { OtpAlgorithm } from '../../src/web/totp.js';

const vector = <T>(name: string): T => JSON.parse(readFileSync(new URL(`../vectors/${name}`, import.meta.url), 'utf8')) as T;
const ascii = (text: string) => new TextEncoder().encode(text);

describe('HOTP (RFC 4226 Appendix D)', () => {
  const hotpVectors = vector<{ secretAscii: string; cases: { count: number; hmacSha1: string; truncatedDecimal: number; hotp: string }[] }>('hotp-rfc4226.json');
  const secret = ascii(hotpVectors.secretAscii);
  it.each(hotpVectors.cases)('count $count → $hotp', ({ count, hmacSha1, truncatedDecimal, hotp: expected }) => {
    const counter = Buffer.alloc(8);
    counter.writeBigUInt64BE(BigInt(count));
    expect(createHmac('sha1', secret).update(counter).digest('hex')).toBe(hmacSha1); // the table's intermediate value
    expect(truncatedDecimal % 1_000_000).toBe(Number(expected));
    expect(hotp(secret, count)).toBe(expected);
    expect(hotp(secret, BigInt(count))).toBe(expected);
  });
});

describe('TOTP (RFC 6238 Appendix B)', () => {
  const totpVectors = vector<{ seedsAscii: Record<OtpAlgorithm, string>; cases: ({ unixTime: number; step: string } & Record<OtpAlgorithm, string>)[] }>('totp-rfc6238.json');
  for (const algorithm of ['SHA1', 'SHA256', 'SHA512'] as const) {
    it.each(totpVectors.cases)(`${algorithm} at $unixTime`, (c) => {
      const timeMs = c.unixTime * 1000;
      expect(totpStep(timeMs)).toBe(parseInt(c.step, 16));
      expect(totp(ascii(totpVectors.seedsAscii[algorithm]), timeMs, { digits: 8, algorithm })).toBe(c[algorithm]);
    });
  }
});

describe('base32 (RFC 4648 §10)', () => {
  const cases = vector<{ cases: { ascii: string; base32: string }[] }>('base32-rfc4648.json').cases;
  it.each(cases)('"$ascii" ⇄ "$base32"', ({ ascii: text, base32 }) => {
    expect(base32Encode(ascii(text))).toBe(base32);
    expect(new TextDecoder().decode(base32Decode(base32))).toBe(text);
    expect(new TextDecoder().decode(base32Decode(base32.toLowerCase().replace(/=/g, '')))).toBe(text);
  });

  it('round-trips any bytes, with and without padding', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      expect(base32Decode(base32Encode(bytes))).toEqual(bytes);
      expect(base32Decode(base32Encode(bytes, { padding: false }))).toEqual(bytes);
    }), { seed: 6238, numRuns: 300 });
  });

  it('accepts spaces and hyphens from typing, refuses anything else', () => {
    expect(base32Decode('mzxw 6ytb-oi')).toEqual(ascii('foobar'));
    for (const bad of ['MZXW1', 'MZ!W', 'M', 'MZX', 'MZXW6Y', 'MZ']) expect(() => base32Decode(bad)).toThrow(RangeError);
    expect(() => base32Decode(42 as unknown as string)).toThrow(TypeError);
    expect(() => base32Encode('foo' as unknown as Uint8Array)).toThrow(TypeError);
  });
});

describe('verifyTotp', () => {
  const secret = ascii('12345678901234567890');
  const at = 1_111_111_111_000; // step 37037037
  const step = totpStep(at);

  it('accepts the current step and one step either side, not two', () => {
    for (const offset of [-1, 0, 1]) {
      expect(verifyTotp(secret, totp(secret, at + offset * 30_000), { timeMs: at })).toEqual({ ok: true, step: step + offset });
    }
    for (const offset of [-2, 2]) expect(verifyTotp(secret, totp(secret, at + offset * 30_000), { timeMs: at })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyTotp(secret, totp(secret, at + 60_000), { timeMs: at, window: 2 })).toMatchObject({ ok: true });
    expect(verifyTotp(secret, totp(secret, at + 30_000), { timeMs: at, window: 0 })).toMatchObject({ ok: false });
  });

  it('refuses a code of an already used step or an earlier one (replay)', () => {
    const code = totp(secret, at);
    expect(verifyTotp(secret, code, { timeMs: at, lastStep: step - 1 })).toEqual({ ok: true, step });
    expect(verifyTotp(secret, code, { timeMs: at, lastStep: step })).toEqual({ ok: false, reason: 'replayed' });
    expect(verifyTotp(secret, totp(secret, at - 30_000), { timeMs: at, lastStep: step })).toEqual({ ok: false, reason: 'replayed' });
    expect(verifyTotp(secret, totp(secret, at + 30_000), { timeMs: at, lastStep: step })).toEqual({ ok: true, step: step + 1 });
  });

  it('treats malformed codes as such and tolerates spaces', () => {
    const code = totp(secret, at);
    expect(verifyTotp(secret, `${code.slice(0, 3)} ${code.slice(3)}`, { timeMs: at })).toMatchObject({ ok: true });
    for (const bad of ['', '12345', '1234567', 'abcdef', '12345a', '١٢٣٤٥٦']) expect(verifyTotp(secret, bad, { timeMs: at })).toEqual({ ok: false, reason: 'malformed' });
    expect(() => verifyTotp(secret, 123456 as unknown as string, { timeMs: at })).toThrow(TypeError);
  });

  it('never accepts a random wrong code for a random secret (property)', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 20, maxLength: 20 }), fc.integer({ min: 0, max: 999_999 }), fc.integer({ min: 30_000, max: 4_000_000_000_000 }), (key, guess, timeMs) => {
      const code = String(guess).padStart(6, '0');
      const valid = [-1, 0, 1].map((o) => totp(key, timeMs + o * 30_000));
      expect(verifyTotp(key, code, { timeMs }).ok).toBe(valid.includes(code));
    }), { seed: 4226, numRuns: 300 });
  });
});

describe('otpauth URI, secrets, arguments', () => {
  it('builds the key URI authenticator apps scan', () => {
    const secret = ascii('12345678901234567890');
    expect(otpauthUri({ secret, accountName: 'ann@bank.example', issuer: 'Fed Credit' }))
      .toBe('otpauth://totp/Fed%20Credit:ann%40bank.example?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Fed%20Credit&algorithm=SHA1&digits=6&period=30');
    expect(() => otpauthUri({ secret, accountName: 'a:b', issuer: 'X' })).toThrow(RangeError);
    expect(() => otpauthUri({ secret, accountName: '', issuer: 'X' })).toThrow(RangeError);
  });

  it('generates 160-bit secrets that differ', () => {
    const a = generateTotpSecret();
    expect(a).toHaveLength(20);
    expect(Buffer.from(a).equals(Buffer.from(generateTotpSecret()))).toBe(false);
  });

  it('checks every argument at the boundary', () => {
    const secret = ascii('12345678901234567890');
    expect(() => hotp(ascii('short'), 0)).toThrow(RangeError);
    expect(() => hotp('secret' as unknown as Uint8Array, 0)).toThrow(TypeError);
    for (const counter of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60]) expect(() => hotp(secret, counter)).toThrow(RangeError);
    expect(() => hotp(secret, 2n ** 64n)).toThrow(RangeError);
    expect(hotp(secret, 2n ** 64n - 1n)).toMatch(/^\d{6}$/);
    for (const digits of [5, 11, 6.5]) expect(() => hotp(secret, 0, { digits })).toThrow(RangeError);
    expect(() => hotp(secret, 0, { algorithm: 'MD5' as OtpAlgorithm })).toThrow(RangeError);
    for (const timeMs of [-1, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => totp(secret, timeMs)).toThrow(RangeError);
    expect(() => totp(secret, 0, { stepSeconds: 0 })).toThrow(RangeError);
    expect(() => verifyTotp(secret, '123456', { timeMs: 0, window: 11 })).toThrow(RangeError);
  });
});
