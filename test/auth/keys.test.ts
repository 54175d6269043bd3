/**
 * Ed25519 through node:crypto against RFC 8032 §7.1 (test/vectors/ed25519-rfc8032.json), and the
 * raw-base64 public key format.
 */
import { describe, expect, it } from 'vitest';
import { createPublicKey, sign, verify } from 'node:crypto';
import vectors from '../vectors/ed25519-rfc8032.json' with { type: 'json' };
import { generateNodeKeyPair, privateKeyFromPem, privateKeyFromSeed, publicKeyFromBase64, publicKeyToBase64 } from '../../src/auth/keys.js';

const hex = (s: string) => Buffer.from(s, 'hex');

describe('Ed25519 known answers (RFC 8032 §7.1)', () => {
  for (const v of vectors.cases) {
    it(`${v.name}: secret key → public key, deterministic signature, verification`, () => {
      const privateKey = privateKeyFromSeed(hex(v.secretKey)); // PKCS#8 prefix 302e020100300506032b657004220420 + seed
      expect(publicKeyToBase64(privateKey)).toBe(hex(v.publicKey).toString('base64'));
      expect(sign(null, hex(v.message), privateKey).toString('hex')).toBe(v.signature);
      const publicKey = publicKeyFromBase64(hex(v.publicKey).toString('base64'));
      expect(verify(null, hex(v.message), publicKey, hex(v.signature))).toBe(true);
      expect(verify(null, Buffer.concat([hex(v.message), Buffer.from([0])]), publicKey, hex(v.signature))).toBe(false);
    });
  }
});

describe('node key pairs', () => {
  it('generates distinct pairs whose halves match, in the documented formats', () => {
    const a = generateNodeKeyPair();
    const b = generateNodeKeyPair();
    expect(a.publicKey).not.toBe(b.publicKey);
    expect(Buffer.from(a.publicKey, 'base64')).toHaveLength(32);
    expect(a.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    const privateKey = privateKeyFromPem(a.privateKeyPem);
    expect(publicKeyToBase64(createPublicKey(privateKey))).toBe(a.publicKey);
    const message = Buffer.from('hello');
    expect(verify(null, message, publicKeyFromBase64(a.publicKey), sign(null, message, privateKey))).toBe(true);
    expect(verify(null, message, publicKeyFromBase64(b.publicKey), sign(null, message, privateKey))).toBe(false);
  });

  const good = Buffer.alloc(32, 7).toString('base64');
  const badPublicKeys: [string, unknown][] = [
    ['31 bytes', Buffer.alloc(31, 7).toString('base64')],
    ['33 bytes', Buffer.alloc(33, 7).toString('base64')],
    ['missing padding', good.slice(0, -1)],
    ['URL alphabet', Buffer.alloc(32, 0xfb).toString('base64url') + '='],
    ['non-canonical last character', good.slice(0, -2) + 'd='],
    ['embedded whitespace', ` ${good}`],
    ['hex', Buffer.alloc(32, 7).toString('hex')],
    ['not a string', 42],
  ];
  for (const [label, value] of badPublicKeys) {
    it(`publicKeyFromBase64 rejects ${label} with TypeError`, () => expect(() => publicKeyFromBase64(value as string)).toThrow(TypeError));
  }

  it('rejects private keys that are not Ed25519 PKCS#8 PEM', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const { privateKey } = generateKeyPairSync('x25519');
    expect(() => privateKeyFromPem(privateKey.export({ format: 'pem', type: 'pkcs8' }).toString())).toThrow(/Ed25519/);
    expect(() => privateKeyFromPem('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n')).toThrow(TypeError);
    expect(() => privateKeyFromPem(generateNodeKeyPair().publicKey)).toThrow(TypeError);
    expect(() => privateKeyFromSeed(new Uint8Array(31))).toThrow(TypeError);
  });
});
