/**
 * argon2id hashing (known answers from the reference implementation in
 * test/vectors/argon2id-phc.json), verification, the dummy path for unknown accounts, and the
 * password policy.
 */
import { readFileSync } from 'node:fs';
import { argon2id } from 'hash-wasm';
import { describe, expect, it } from 'vitest';
import { COMMON_PASSWORDS } from '../../src/web/commonPasswords.js';
import { hashPassword, MIN_PASSWORD_LENGTH, OWASP_ARGON2ID, passwordIssues, verifyAgainstDummy, verifyPassword } from '../../src/web/passwords.js';

const vectors = JSON.parse(readFileSync(new URL('../vectors/argon2id-phc.json', import.meta.url), 'utf8')) as {
  cases: { password: string; salt: string; memoryKiB: number; iterations: number; parallelism: number; hex?: string; encoded: string }[];
};

describe('argon2id', () => {
  it.each(vectors.cases)('reproduces the reference output for m=$memoryKiB t=$iterations', async (c) => {
    const options = { password: c.password, salt: c.salt, iterations: c.iterations, parallelism: c.parallelism, memorySize: c.memoryKiB, hashLength: 32 };
    expect(await argon2id({ ...options, outputType: 'encoded' })).toBe(c.encoded);
    if (c.hex !== undefined) expect(await argon2id({ ...options, outputType: 'hex' })).toBe(c.hex);
    // verifyPassword reads hashes minted elsewhere with other parameters
    expect(await verifyPassword(c.password, c.encoded)).toBe(true);
    expect(await verifyPassword('passwore', c.encoded)).toBe(false);
  });

  it('hashes with OWASP parameters and a fresh 16-byte salt, and verifies', async () => {
    const password = 'correct horse battery staple';
    const [a, b] = await Promise.all([hashPassword(password), hashPassword(password)]);
    const pattern = new RegExp(`^\\$argon2id\\$v=19\\$m=${OWASP_ARGON2ID.memoryKiB},t=2,p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}$`);
    expect(a).toMatch(pattern);
    expect(a).not.toBe(b); // different salts
    expect(await verifyPassword(password, a)).toBe(true);
    expect(await verifyPassword('correct horse battery stapler', a)).toBe(false);
    expect(await verifyPassword('', a)).toBe(false);
  });

  it('matches a password however its accents are composed (NFKC)', async () => {
    const composed = 'caf\u00e9 au lait avec du sucre';
    const decomposed = 'cafe\u0301 au lait avec du sucre';
    expect(await verifyPassword(decomposed, await hashPassword(composed))).toBe(true);
  });

  it('refuses malformed stored hashes instead of throwing, and checks arguments', async () => {
    for (const hash of ['', 'plain', '$argon2id$v=19$m=19456,t=2,p=1$bad', '$2b$10$abcdefghijklmnopqrstuv']) expect(await verifyPassword('x', hash)).toBe(false);
    await expect(hashPassword(42 as unknown as string)).rejects.toThrow(TypeError);
    await expect(hashPassword('x'.repeat(1025))).rejects.toThrow(RangeError);
    expect(await verifyAgainstDummy('anything at all')).toBe(false);
  });
});

describe('password policy', () => {
  it('accepts a long uncommon password', () => {
    expect(passwordIssues('correct horse battery staple', 'ann@bank.example')).toEqual([]);
  });

  it.each([
    ['short', 'elevenchars', 'ann@bank.example', ['too_short']],
    ['common', 'Password1234', 'ann@bank.example', ['common']],
    ['the email', 'Ann.Long@Bank.example', 'ann.long@bank.example', ['matches_email']],
    ['the local part', 'ann.long.name', 'ann.long.name@bank.example', ['matches_email']],
    ['one character', 'aaaaaaaaaaaaaaaa', 'ann@bank.example', ['one_character']],
    ['short and repeated', 'zzz', undefined, ['too_short', 'one_character']],
  ])('refuses %s', (_name, password, email, issues) => {
    expect(passwordIssues(password, email)).toEqual(issues);
  });

  it('counts characters, not UTF-16 units', () => {
    expect(passwordIssues('🔒'.repeat(6) + 'abcdef')).toEqual([]); // 12 code points, 18 UTF-16 units
    expect(passwordIssues('🔒'.repeat(5) + 'abcdef')).toEqual(['too_short']);
  });

  it('keeps only entries the length rule would not already refuse', () => {
    expect(COMMON_PASSWORDS.size).toBeGreaterThan(100);
    for (const entry of COMMON_PASSWORDS) {
      expect([...entry].length).toBeGreaterThanOrEqual(MIN_PASSWORD_LENGTH);
      expect(entry).toBe(entry.toLowerCase());
    }
    expect(() => passwordIssues(undefined as unknown as string)).toThrow(TypeError);
  });
});
