/** Enrollment tokens: format, uniqueness, stable hashing (SHA-256 known answer), constant-time compare. */
import { describe, expect, it } from 'vitest';
import { createEnrollmentToken, hashToken, isEnrollmentToken, tokensEqual } from '../../src/auth/tokens.js';

describe('enrollment tokens', () => {
  it('are fcet_ + base64url of 32 bytes, unique over 10,000 draws, and hash to their tokenHash', () => {
    const tokens = new Set<string>();
    const hashes = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      const { token, tokenHash } = createEnrollmentToken();
      expect(isEnrollmentToken(token)).toBe(true);
      expect(Buffer.from(token.slice(5), 'base64url')).toHaveLength(32);
      expect(tokenHash).toBe(hashToken(token));
      tokens.add(token);
      hashes.add(tokenHash);
    }
    expect(tokens.size).toBe(10_000);
    expect(hashes.size).toBe(10_000);
  });

  it('hashes with SHA-256 of the UTF-8 text (FIPS 180-2 "abc" vector), stably', () => {
    expect(hashToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hashToken('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    const { token, tokenHash } = createEnrollmentToken();
    expect(hashToken(token)).toBe(tokenHash);
    expect(() => hashToken(undefined as unknown as string)).toThrow(TypeError);
  });

  it('compares hashes case-insensitively and treats malformed input as unequal', () => {
    const a = hashToken('fcet_a');
    const b = hashToken('fcet_b');
    expect(tokensEqual(a, a)).toBe(true);
    expect(tokensEqual(a, a.toUpperCase())).toBe(true);
    expect(tokensEqual(a, b)).toBe(false);
    expect(tokensEqual(a, a.slice(0, 62))).toBe(false);
    expect(tokensEqual(a, `${a}00`)).toBe(false);
    expect(tokensEqual(a.slice(0, 63) + 'g', a.slice(0, 63) + 'g')).toBe(false);
    expect(() => tokensEqual(a, null as unknown as string)).toThrow(TypeError);
  });

  it('recognises only well-formed tokens', () => {
    for (const bad of ['', 'fcet_', 'fcet_' + 'A'.repeat(42), 'fcet_' + 'A'.repeat(44), 'xxxx_' + 'A'.repeat(43), 'fcet_' + '+'.repeat(43), 42, null]) expect(isEnrollmentToken(bad)).toBe(false);
  });
});
