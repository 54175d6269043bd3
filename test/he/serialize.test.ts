import { describe, expect, it } from 'vitest';
import vectors from '../vectors/paillier.json' with { type: 'json' };
import { PaillierPrivateKey } from '../../src/he/keys.js';
import { decrypt, encrypt } from '../../src/he/paillier.js';
import { decryptSum, encryptVector } from '../../src/he/packing.js';
import {
  encryptedVectorToJson,
  parseEncryptedVector,
  parsePrivateKey,
  parsePublicKey,
  privateKeyToJson,
  publicKeyToJson,
} from '../../src/he/serialize.js';

const hex = (s: string): bigint => BigInt('0x' + s);
const key = PaillierPrivateKey.fromPrimes(hex(vectors.key512.p), hex(vectors.key512.q));
const pub = key.publicKey;
const small = { minBits: 512 };

function issueCodes(result: { ok: boolean; issues?: readonly { code: string }[] }): string[] {
  return result.ok ? [] : result.issues!.map((i) => i.code);
}

describe('key JSON', () => {
  it('round-trips public and private keys through JSON text', () => {
    const pubJson = JSON.parse(JSON.stringify(publicKeyToJson(pub)));
    expect(pubJson).toEqual({ kind: 'paillier-public-key', version: 1, n: vectors.key512.n });
    const parsedPub = parsePublicKey(pubJson, small);
    expect(parsedPub.ok && parsedPub.value.n).toBe(pub.n);
    expect(parsedPub.ok && parsedPub.value.keyId).toBe(pub.keyId);

    const privJson = JSON.parse(JSON.stringify(privateKeyToJson(key)));
    const parsedPriv = parsePrivateKey(privJson, small);
    expect(parsedPriv.ok).toBe(true);
    if (!parsedPriv.ok) return;
    const c = encrypt(pub, 31337n);
    expect(decrypt(parsedPriv.value, c)).toBe(31337n);
    expect(parsedPriv.value.lambda).toBe(key.lambda);
  });

  it('reports coded issues on hostile public keys instead of throwing', () => {
    const cases: [unknown, string][] = [
      [null, 'NOT_OBJECT'],
      ['n', 'NOT_OBJECT'],
      [[1], 'NOT_OBJECT'],
      [{ kind: 'rsa', version: 1, n: vectors.key512.n }, 'WRONG_KIND'],
      [{ kind: 'paillier-public-key', version: 2, n: vectors.key512.n }, 'UNSUPPORTED_VERSION'],
      [{ kind: 'paillier-public-key', version: 1 }, 'INVALID_HEX'],
      [{ kind: 'paillier-public-key', version: 1, n: '0x12' }, 'INVALID_HEX'],
      [{ kind: 'paillier-public-key', version: 1, n: 12345 }, 'INVALID_HEX'],
      [{ kind: 'paillier-public-key', version: 1, n: 'f'.repeat(5000) }, 'INVALID_HEX'],
      [{ kind: 'paillier-public-key', version: 1, n: vectors.key512.n + '0' }, 'WEAK_MODULUS'], // even
    ];
    for (const [json, code] of cases) expect(issueCodes(parsePublicKey(json, small)), JSON.stringify(json)).toContain(code);
    // Default minimum is 2048 bits: a 512-bit key is refused.
    expect(issueCodes(parsePublicKey(publicKeyToJson(pub)))).toEqual(['WEAK_MODULUS']);
  });

  it('rejects private keys with composite, equal or too-small primes', () => {
    const p = vectors.key512.p;
    const composite = (hex(p) * 3n).toString(16);
    expect(issueCodes(parsePrivateKey({ kind: 'paillier-private-key', version: 1, p, q: composite }, small))).toContain('NOT_PRIME');
    expect(issueCodes(parsePrivateKey({ kind: 'paillier-private-key', version: 1, p, q: p }, small))).toContain('INVALID_KEY');
    expect(issueCodes(parsePrivateKey({ kind: 'paillier-private-key', version: 1, p: '11', q: '13' }, small))).toContain('WEAK_MODULUS');
    expect(issueCodes(parsePrivateKey({ kind: 'paillier-private-key', version: 1, p }, small))).toContain('INVALID_HEX');
  });
});

describe('encrypted vector JSON', () => {
  const opts = { clip: 2, scaleBits: 10, maxParties: 3 };
  const vector = encryptVector(pub, [1.5, -0.75, 0], opts);

  it('round-trips and still decrypts', () => {
    const json = JSON.parse(JSON.stringify(encryptedVectorToJson(pub, vector)));
    expect(json.ciphertexts[0]).toHaveLength(256); // n² of 1024 bits = 128 bytes, zero-padded
    const parsed = parseEncryptedVector(pub, json);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value.ciphertexts).toEqual(vector.ciphertexts);
    expect(Array.from(decryptSum(key, parsed.value, { numParties: 1 }))).toEqual([1.5, -0.75, 0]);
  });

  it('reports hostile fields', () => {
    const good = encryptedVectorToJson(pub, vector);
    const cases: [Record<string, unknown>, string][] = [
      [{ keyId: 'abc' }, 'WRONG_KEY'],
      [{ numValues: -1 }, 'INVALID_INTEGER'],
      [{ numValues: 1.5 }, 'INVALID_INTEGER'],
      [{ numParties: 0 }, 'INVALID_INTEGER'],
      [{ numParties: 4 }, 'TOO_MANY_PARTIES'],
      [{ clip: Number.NaN }, 'INVALID_LAYOUT'],
      [{ scaleBits: 99 }, 'INVALID_LAYOUT'],
      [{ ciphertexts: 'ff' }, 'INVALID_ARRAY'],
      [{ ciphertexts: [] }, 'WRONG_LENGTH'],
      [{ ciphertexts: ['00'] }, 'INVALID_CIPHERTEXT'],
      [{ ciphertexts: [(pub.nSquared + 1n).toString(16)] }, 'INVALID_CIPHERTEXT'],
      [{ ciphertexts: [42] }, 'INVALID_CIPHERTEXT'],
      [{ version: 0 }, 'UNSUPPORTED_VERSION'],
    ];
    for (const [patch, code] of cases) {
      expect(issueCodes(parseEncryptedVector(pub, { ...good, ...patch })), JSON.stringify(patch)).toContain(code);
    }
    expect(issueCodes(parseEncryptedVector(pub, undefined))).toEqual(['NOT_OBJECT']);
  });
});
