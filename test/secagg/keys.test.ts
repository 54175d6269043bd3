/**
 * The key schedule (src/secagg/keys.ts): standard HKDF-SHA256 (checked against node:crypto's
 * own hkdfSync) with one fixed salt: one share key per pair, and a pair seed per session with
 * the pair, session and both session nonces in `info`, the same at both ends; the
 * seal of a pair seed is an involution keyed by the recovery key and the peer.
 */
import { createCipheriv, hkdfSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { pairKeys, sealPairSeeds, sessionPairSeed, shareAssociatedData } from '../../src/secagg/keys.js';

const secret = Uint8Array.from({ length: 32 }, (_, k) => (k * 37 + 11) & 0xff);
const nonceA = new Uint8Array(32).fill(0xa1);
const nonceB = new Uint8Array(32).fill(0xb2);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('secure-aggregation key schedule', () => {
  it('is HKDF-SHA256 with the fixed salt: a share key per pair, a seed per session with the pair, session and nonces as info', () => {
    const keys = pairKeys(secret);
    expect(hex(keys.shareKey)).toBe(hex(new Uint8Array(hkdfSync('sha256', secret, 'fedcredit/secagg/v1/pair-secret', 'fedcredit/secagg/v1/share-key', 32))));
    const info = Buffer.concat([Buffer.from('fedcredit/secagg/v1/pair-seed/2/5/round-7'), Buffer.of(0), nonceB, nonceA]);
    const expected = new Uint8Array(hkdfSync('sha256', secret, 'fedcredit/secagg/v1/pair-secret', info, 32));
    // client 2 holds nonce B and client 5 nonce A; the lower index's nonce comes first
    expect(hex(sessionPairSeed(keys.prk, 'round-7', 5, nonceA, 2, nonceB))).toBe(hex(expected));
  });

  it('gives both ends of a pair the same seed, and other seeds to other sessions, nonces and pairs', () => {
    const { prk, shareKey } = pairKeys(secret);
    const at = (s: string, i: number, ni: Uint8Array, j: number, nj: Uint8Array) => hex(sessionPairSeed(prk, s, i, ni, j, nj));
    expect(at('s', 3, nonceA, 9, nonceB)).toBe(at('s', 9, nonceB, 3, nonceA));
    const all = [
      at('s', 3, nonceA, 9, nonceB), at('t', 3, nonceA, 9, nonceB), at('s', 3, nonceB, 9, nonceA),
      at('s', 3, nonceA, 9, nonceA), at('s', 3, nonceA, 8, nonceB), at('s', 39, nonceA, 9, nonceB), hex(shareKey),
    ];
    expect(new Set(all).size).toBe(all.length);
  });

  it('binds a share bundle to its session and direction', () => {
    const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');
    // alternating sessions: the cached session part must follow
    for (const session of ['s-1', 's-2', 's-1']) {
      expect(text(shareAssociatedData(session, 3, 17))).toBe(`fedcredit/secagg/v1/share/${session}/3->17`);
      expect(text(shareAssociatedData(session, 17, 3))).toBe(`fedcredit/secagg/v1/share/${session}/17->3`);
    }
  });

  it('seals pair seeds with the AES-256-CTR keystream of the recovery key at blocks 2·peer, 2·peer + 1', () => {
    const recoveryKey = Uint8Array.from({ length: 32 }, (_, k) => 255 - k);
    const seed = Uint8Array.from({ length: 32 }, (_, k) => k);
    const padAt = (peer: number) => {
      const iv = Buffer.alloc(16);
      iv.writeUInt32BE(2 * peer, 12);
      return createCipheriv('aes-256-ctr', recoveryKey, iv).update(Buffer.alloc(32));
    };
    const [sealed7, sealed8] = sealPairSeeds(recoveryKey, [{ peer: 7, seed }, { peer: 8, seed }]);
    expect(hex(sealed7)).toBe(hex(Uint8Array.from(seed, (b, k) => b ^ padAt(7)[k])));
    expect(hex(sealed8)).toBe(hex(Uint8Array.from(seed, (b, k) => b ^ padAt(8)[k])));
    expect(sealPairSeeds(recoveryKey, [{ peer: 7, seed: sealed7 }])[0]).toEqual(seed);
    // a peer index far beyond the others (a session of very many clients) gets the same pad from its own cipher
    const far = 5_000_000;
    const [sealedFar] = sealPairSeeds(recoveryKey, [{ peer: far, seed }]);
    expect(hex(sealedFar)).toBe(hex(Uint8Array.from(seed, (b, k) => b ^ padAt(far)[k])));
    expect(() => sealPairSeeds(recoveryKey, [{ peer: -1, seed }])).toThrow(RangeError);
    expect(() => sealPairSeeds(recoveryKey, [{ peer: 7, seed: seed.subarray(1) }])).toThrow(RangeError);
  });
});
