/**
 * The key schedule (src/secagg/keys.ts): standard HKDF-SHA256 (checked against node:crypto's
 * own hkdfSync), one fixed salt, session and pair in `info`, so one shared secret gives
 * independent keys per session, per purpose, and the same key to both ends of a pair.
 */
import { hkdfSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { pairwiseMaskSeed, shareEncryptionKey } from '../../src/secagg/keys.js';

const secret = Uint8Array.from({ length: 32 }, (_, k) => (k * 37 + 11) & 0xff);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('secure-aggregation key schedule', () => {
  it('is HKDF-SHA256 with the fixed salt and the purpose, pair and session as info', () => {
    const expected = new Uint8Array(hkdfSync('sha256', secret, 'fedcredit/secagg/v1/pair-secret', 'fedcredit/secagg/v1/pairwise-mask/2/5/round-7', 32));
    expect(hex(pairwiseMaskSeed(secret, 'round-7', 5, 2))).toBe(hex(expected));
    const share = new Uint8Array(hkdfSync('sha256', secret, 'fedcredit/secagg/v1/pair-secret', 'fedcredit/secagg/v1/share-key/2/5/round-7', 32));
    expect(hex(shareEncryptionKey(secret, 'round-7', 2, 5))).toBe(hex(share));
  });

  it('gives both ends of a pair one key, and other keys to other sessions, purposes and pairs', () => {
    expect(hex(pairwiseMaskSeed(secret, 's', 3, 9))).toBe(hex(pairwiseMaskSeed(secret, 's', 9, 3)));
    const keys = [
      pairwiseMaskSeed(secret, 's', 3, 9), pairwiseMaskSeed(secret, 't', 3, 9), shareEncryptionKey(secret, 's', 3, 9),
      pairwiseMaskSeed(secret, 's', 3, 8), pairwiseMaskSeed(secret, 's/3', 9, 9), pairwiseMaskSeed(secret, 's', 39, 9),
    ].map(hex);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
