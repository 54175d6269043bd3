/**
 * Signed requests: the canonical string is pinned, sign → verify succeeds, and each failure
 * code comes from the matching tampering (table-driven), in the documented order.
 */
import { describe, expect, it } from 'vitest';
import { createHash, verify as edVerify } from 'node:crypto';
import { generateNodeKeyPair, publicKeyFromBase64 } from '../../src/auth/keys.js';
import { NonceCache } from '../../src/auth/nonceCache.js';
import { signRequest, verifyRequest, type VerifyRequestOptions, type VerifyResult } from '../../src/auth/sign.js';

const keyA = generateNodeKeyPair();
const keyB = generateNodeKeyPair();
const keyC = generateNodeKeyPair();
const registry = new Map([
  ['bank-a', { publicKey: keyA.publicKey, revoked: false }],
  ['bank-b', { publicKey: keyB.publicKey, revoked: false }],
  ['bank-c', { publicKey: keyC.publicKey, revoked: true }],
]);
const lookupKey = (nodeId: string) => registry.get(nodeId);

const now = 1_700_000_000_000;
const path = '/v1/jobs/j1/replies?round=3';
const body = new TextEncoder().encode('FCW1 pretend this is an encoded reply');
const nonce = 'AAECAwQFBgcICQoLDA0ODw'; // base64url of bytes 0..15
const signed = signRequest({ method: 'POST', path, body, nodeId: 'bank-a', privateKeyPem: keyA.privateKeyPem, now, nonce });

function check(overrides: Partial<VerifyRequestOptions> = {}): VerifyResult {
  return verifyRequest({ method: 'POST', path, headers: signed, body, lookupKey, nonces: new NonceCache(), now, ...overrides });
}
const without = (name: string) => Object.fromEntries(Object.entries(signed).filter(([k]) => k !== name));
const withHeader = (name: string, value: string | string[]) => ({ ...signed, [name]: value });
const flipped = Uint8Array.from(body, (b, i) => (i === 7 ? b ^ 1 : b));
const digestOf = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('base64');

describe('signRequest / verifyRequest', () => {
  it('signs the documented canonical string with Ed25519 (interoperable format)', () => {
    const digest = digestOf(body);
    expect(signed).toEqual({ 'x-fc-node': 'bank-a', 'x-fc-timestamp': String(now), 'x-fc-nonce': nonce, 'x-fc-digest': digest, 'x-fc-signature': expect.any(String) });
    const canonical = `FEDCREDIT-SIG-V1\nPOST\n${path}\n1700000000000\n${nonce}\n${digest}\nbank-a`;
    expect(edVerify(null, Buffer.from(canonical), publicKeyFromBase64(keyA.publicKey), Buffer.from(signed['x-fc-signature'], 'base64'))).toBe(true);
    // Ed25519 is deterministic: same inputs, same headers
    expect(signRequest({ method: 'post', path, body, nodeId: 'bank-a', privateKeyPem: keyA.privateKeyPem, now, nonce })).toEqual(signed);
  });

  it('uses the SHA-256 of the empty string for bodiless requests (FIPS 180-2)', () => {
    const headers = signRequest({ method: 'GET', path: '/v1/messages?wait=30', nodeId: 'bank-a', privateKeyPem: keyA.privateKeyPem, now });
    expect(headers['x-fc-digest']).toBe('47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=');
    expect(headers['x-fc-nonce']).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(verifyRequest({ method: 'GET', path: '/v1/messages?wait=30', headers, body: new Uint8Array(0), lookupKey, nonces: new NonceCache(), now })).toEqual({ ok: true, nodeId: 'bank-a' });
  });

  const otherKeySignature = signRequest({ method: 'POST', path, body, nodeId: 'bank-a', privateKeyPem: keyB.privateKeyPem, now, nonce })['x-fc-signature'];
  const cases: [string, Partial<VerifyRequestOptions>, VerifyResult['ok'] | string][] = [
    ['untampered request', {}, true],
    ['lower-case method on the server side', { method: 'post' }, true],
    ['capitalised header names', { headers: Object.fromEntries(Object.entries(signed).map(([k, v]) => [k.toUpperCase(), v])) }, true],
    ['clock 59 s behind', { now: now - 59_000 }, true],
    ['no signature headers at all', { headers: { 'content-type': 'application/octet-stream' } }, 'UNSIGNED'],
    ...Object.keys(signed).map((name): [string, Partial<VerifyRequestOptions>, string] => [`${name} dropped`, { headers: without(name) }, 'UNSIGNED']),
    ['x-fc-nonce sent twice', { headers: withHeader('x-fc-nonce', [nonce, nonce]) }, 'MALFORMED'],
    ['timestamp not a number', { headers: withHeader('x-fc-timestamp', '17e11') }, 'MALFORMED'],
    ['nonce too short', { headers: withHeader('x-fc-nonce', 'AAECAwQFBgcICQoLDA0O') }, 'MALFORMED'],
    ['digest not base64 of 32 bytes', { headers: withHeader('x-fc-digest', 'abc') }, 'MALFORMED'],
    ['signature truncated', { headers: withHeader('x-fc-signature', signed['x-fc-signature'].slice(4)) }, 'MALFORMED'],
    ['node id with a newline', { headers: withHeader('x-fc-node', 'bank-a\nPOST') }, 'MALFORMED'],
    ['unknown node', { headers: withHeader('x-fc-node', 'bank-z') }, 'UNKNOWN_NODE'],
    ['revoked node', { headers: signRequest({ method: 'POST', path, body, nodeId: 'bank-c', privateKeyPem: keyC.privateKeyPem, now }) }, 'REVOKED'],
    ['clock 61 s ahead of the timestamp', { now: now + 61_000 }, 'STALE'],
    ['clock 61 s behind the timestamp', { now: now - 61_000 }, 'STALE'],
    ['body changed by one byte', { body: flipped }, 'BAD_DIGEST'],
    ['body changed and digest recomputed', { body: flipped, headers: withHeader('x-fc-digest', digestOf(flipped)) }, 'BAD_SIGNATURE'],
    ['path changed', { path: '/v1/jobs/j2/replies?round=3' }, 'BAD_SIGNATURE'],
    ['query string changed', { path: '/v1/jobs/j1/replies?round=4' }, 'BAD_SIGNATURE'],
    ['method changed', { method: 'PUT' }, 'BAD_SIGNATURE'],
    ['timestamp changed within the skew', { headers: withHeader('x-fc-timestamp', String(now + 1)) }, 'BAD_SIGNATURE'],
    ['nonce changed', { headers: withHeader('x-fc-nonce', 'AAECAwQFBgcICQoLDA0OEA') }, 'BAD_SIGNATURE'],
    ['claims another enrolled node', { headers: withHeader('x-fc-node', 'bank-b') }, 'BAD_SIGNATURE'],
    ['signature made with another key', { headers: withHeader('x-fc-signature', otherKeySignature) }, 'BAD_SIGNATURE'],
  ];
  for (const [label, overrides, expected] of cases) {
    it(`${label} → ${expected === true ? 'ok' : expected}`, () => {
      const result = check(overrides);
      if (expected === true) expect(result).toEqual({ ok: true, nodeId: 'bank-a' });
      else expect(result).toMatchObject({ ok: false, code: expected, message: expect.any(String) });
    });
  }

  it('rejects a replay of identical headers', () => {
    const nonces = new NonceCache();
    expect(check({ nonces }).ok).toBe(true);
    expect(check({ nonces, now: now + 1_000 })).toMatchObject({ ok: false, code: 'REPLAY' });
  });

  it('does not let a forged request burn the nonce of a genuine one', () => {
    const nonces = new NonceCache();
    expect(check({ nonces, body: flipped })).toMatchObject({ code: 'BAD_DIGEST' });
    expect(check({ nonces, headers: withHeader('x-fc-signature', otherKeySignature) })).toMatchObject({ code: 'BAD_SIGNATURE' });
    expect(check({ nonces }).ok).toBe(true);
    expect(nonces.size).toBe(1);
  });

  it('enforces ttl ≥ 2 × maxSkew so no nonce is forgotten while its request is still fresh', () => {
    expect(() => check({ nonces: new NonceCache({ ttlMs: 100_000 }) })).toThrow(RangeError);
    expect(check({ nonces: new NonceCache({ ttlMs: 100_000 }), maxSkewMs: 50_000 }).ok).toBe(true);
  });

  it('throws only for server-side mistakes', () => {
    expect(() => check({ body: 'x' as unknown as Uint8Array })).toThrow(TypeError);
    expect(() => check({ lookupKey: () => ({ publicKey: 'not a key', revoked: false }) })).toThrow(TypeError);
    expect(() => check({ lookupKey: () => 'yes' as unknown as { publicKey: string; revoked: boolean } })).toThrow(TypeError);
  });

  it('checks signRequest arguments', () => {
    const base = { method: 'POST', path, body, nodeId: 'bank-a', privateKeyPem: keyA.privateKeyPem, now };
    expect(() => signRequest({ ...base, nodeId: 'bank a' })).toThrow(TypeError);
    expect(() => signRequest({ ...base, nodeId: '' })).toThrow(TypeError);
    expect(() => signRequest({ ...base, path: 'v1/x' })).toThrow(TypeError);
    expect(() => signRequest({ ...base, path: '/v1\n/x' })).toThrow(TypeError);
    expect(() => signRequest({ ...base, method: 'PO ST' })).toThrow(TypeError);
    expect(() => signRequest({ ...base, nonce: 'abc' })).toThrow(TypeError);
    expect(() => signRequest({ ...base, now: -1 })).toThrow(RangeError);
    expect(() => signRequest({ ...base, privateKeyPem: 'nope' })).toThrow(TypeError);
    expect(signRequest({ ...base, body: 'FCW1 pretend this is an encoded reply', nonce })).toEqual(signed);
  });
});
