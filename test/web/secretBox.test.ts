/** The server key file, AES-256-GCM sealing of TOTP secrets, and CSRF tokens. */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { deriveWebKeys, loadOrCreateWebKey, WEB_KEY_FILE } from '../../src/web/secretBox.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'fedcredit-key-'));
  dirs.push(dir);
  return dir;
};

describe('server key file', () => {
  it('is created once with mode 0600 and read back afterwards', () => {
    const dir = tempDir();
    const first = loadOrCreateWebKey(dir);
    expect(first.created).toBe(true);
    expect(first.key).toHaveLength(32);
    expect(statSync(join(dir, WEB_KEY_FILE)).mode & 0o777).toBe(0o600);
    const second = loadOrCreateWebKey(dir);
    expect(second.created).toBe(false);
    expect(Buffer.from(second.key).equals(Buffer.from(first.key))).toBe(true);
  });

  it('refuses a key file of the wrong size', () => {
    const dir = tempDir();
    writeFileSync(join(dir, WEB_KEY_FILE), Buffer.alloc(16).toString('base64'));
    expect(() => loadOrCreateWebKey(dir)).toThrow(RangeError);
    expect(() => loadOrCreateWebKey('')).toThrow(TypeError);
  });
});

describe('sealing', () => {
  const keys = deriveWebKeys(new Uint8Array(32).fill(7));
  const secret = new TextEncoder().encode('12345678901234567890');

  it('opens what it sealed, with a fresh nonce each time', () => {
    const a = keys.seal(secret, 'user-1');
    const b = keys.seal(secret, 'user-1');
    expect(a).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    expect(a).not.toBe(b);
    expect(keys.open(a, 'user-1')).toEqual(secret);
    expect(a).not.toContain(Buffer.from(secret).toString('base64url'));
  });

  it('refuses a value moved to another account, altered, or opened with another key', () => {
    const sealed = keys.seal(secret, 'user-1');
    expect(() => keys.open(sealed, 'user-2')).toThrow(RangeError);
    const parts = sealed.split('.');
    const body = Buffer.from(parts[2], 'base64url');
    body[0] ^= 1;
    expect(() => keys.open([parts[0], parts[1], body.toString('base64url'), parts[3]].join('.'), 'user-1')).toThrow(RangeError);
    expect(() => deriveWebKeys(new Uint8Array(32).fill(8)).open(sealed, 'user-1')).toThrow(RangeError);
    for (const bad of ['', 'v2.a.b.c', 'v1.a.b', 'v1.AAAA.AAAA.AAAA']) expect(() => keys.open(bad, 'user-1')).toThrow(RangeError);
    expect(() => deriveWebKeys(new Uint8Array(31))).toThrow(RangeError);
  });

  it('derives CSRF tokens per session token and per key', () => {
    const token = 'a'.repeat(43);
    expect(keys.csrfToken(token)).toBe(keys.csrfToken(token));
    expect(keys.csrfToken(token)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(keys.csrfToken(token)).not.toBe(keys.csrfToken('b'.repeat(43)));
    expect(keys.csrfToken(token)).not.toBe(deriveWebKeys(new Uint8Array(32).fill(8)).csrfToken(token));
    expect(() => keys.csrfToken('')).toThrow(TypeError);
  });

  it('keeps the key file out of anything it derives', () => {
    const dir = tempDir();
    const { key } = loadOrCreateWebKey(dir);
    const text = readFileSync(join(dir, WEB_KEY_FILE), 'utf8').trim();
    const derived = deriveWebKeys(key);
    expect(derived.csrfToken('x'.repeat(43))).not.toContain(text);
  });
});
