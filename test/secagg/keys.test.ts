/**
 * The key schedule (src/secagg/keys.ts), recomputed here from the standard primitives:
 * HKDF-SHA256 (node:crypto's own hkdfSync) with one fixed salt gives the pair key; a session's
 * pair stream is raw AES-256-CTR under it from an IV hashed from the pair, session and both
 * nonces, the same at both ends; a share bundle is pad ⊕ plaintext ‖ truncated HMAC-SHA256;
 * the seal of a pair seed is an involution keyed by the recovery key and the peer.
 */
import { createCipheriv, createHash, createHmac, hkdfSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BUNDLE_BYTES, BUNDLE_PLAINTEXT_BYTES, openBundle, pairKeys, sealBundle, sealPairSeeds, sessionPairKeys, wipeSessionPairKeys } from '../../src/secagg/keys.js';

const secret = Uint8Array.from({ length: 32 }, (_, k) => (k * 37 + 11) & 0xff);
const nonceA = new Uint8Array(32).fill(0xa1);
const nonceB = new Uint8Array(32).fill(0xb2);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('secure-aggregation key schedule', () => {
  it('is HKDF-SHA256 with the fixed salt for the pair key, then AES-256-CTR from an IV hashed from the pair, session and nonces', () => {
    const { streamKey } = pairKeys(secret);
    expect(hex(streamKey)).toBe(hex(new Uint8Array(hkdfSync('sha256', secret, 'fedcredit/secagg/v1/pair-secret', 'fedcredit/secagg/v1/pair-stream-key', 32))));
    // client 2 holds nonce B and client 5 nonce A; the lower index's nonce comes first
    const iv = createHash('sha256').update(Buffer.concat([Buffer.from('fedcredit/secagg/v1/pair-stream/2/5/round-7'), Buffer.of(0), nonceB, nonceA])).digest().subarray(0, 16);
    const stream = createCipheriv('aes-256-ctr', streamKey, iv).update(Buffer.alloc(228));
    const at5 = sessionPairKeys(streamKey, 'round-7', 5, nonceA, 2, nonceB);
    expect(hex(at5.pairSeed)).toBe(hex(stream.subarray(0, 32)));
    // 2 → 5 (lo → hi) comes first in the stream, then 5 → 2
    expect(hex(at5.incoming.macKey)).toBe(hex(stream.subarray(32, 64)));
    expect(hex(at5.incoming.pad)).toBe(hex(stream.subarray(64, 130)));
    expect(hex(at5.outgoing.macKey)).toBe(hex(stream.subarray(130, 162)));
    expect(hex(at5.outgoing.pad)).toBe(hex(stream.subarray(162, 228)));
  });

  it('gives both ends of a pair the same seed and mirrored bundle keys, and other keys to other sessions, nonces and pairs', () => {
    const { streamKey } = pairKeys(secret);
    const a = sessionPairKeys(streamKey, 's', 3, nonceA, 9, nonceB);
    const b = sessionPairKeys(streamKey, 's', 9, nonceB, 3, nonceA);
    expect(hex(a.pairSeed)).toBe(hex(b.pairSeed));
    expect(hex(a.outgoing.pad)).toBe(hex(b.incoming.pad));
    expect(hex(a.outgoing.macKey)).toBe(hex(b.incoming.macKey));
    expect(hex(a.incoming.pad)).toBe(hex(b.outgoing.pad));
    const seed = (s: string, i: number, ni: Uint8Array, j: number, nj: Uint8Array) => hex(sessionPairKeys(streamKey, s, i, ni, j, nj).pairSeed);
    const all = [
      seed('s', 3, nonceA, 9, nonceB), seed('t', 3, nonceA, 9, nonceB), seed('s', 3, nonceB, 9, nonceA),
      seed('s', 3, nonceA, 9, nonceA), seed('s', 3, nonceA, 8, nonceB), seed('s', 39, nonceA, 9, nonceB), hex(streamKey),
      hex(sessionPairKeys(pairKeys(secret.map((x) => x ^ 1)).streamKey, 's', 3, nonceA, 9, nonceB).pairSeed),
    ];
    expect(new Set(all).size).toBe(all.length);
  });

  it('seals a share bundle as pad ⊕ plaintext ‖ the first 16 bytes of HMAC-SHA256 under the MAC key', () => {
    const keys = sessionPairKeys(pairKeys(secret).streamKey, 'round-1', 0, nonceA, 1, nonceB).outgoing;
    const plaintext = Uint8Array.from({ length: BUNDLE_PLAINTEXT_BYTES }, (_, k) => k);
    const box = sealBundle(keys, plaintext);
    expect(box).toHaveLength(BUNDLE_BYTES);
    const ciphertext = plaintext.map((x, k) => x ^ keys.pad[k]);
    expect(hex(box)).toBe(hex(Buffer.concat([ciphertext, createHmac('sha256', keys.macKey).update(ciphertext).digest().subarray(0, 16)])));
    expect(openBundle(keys, box)).toEqual(plaintext);
    expect(() => sealBundle(keys, plaintext.subarray(1))).toThrow(RangeError);
  });

  it('refuses a tampered, truncated, reflected, misrouted or replayed bundle', () => {
    const { streamKey } = pairKeys(secret);
    const at1 = sessionPairKeys(streamKey, 'round-1', 1, nonceA, 2, nonceB);
    const at2 = sessionPairKeys(streamKey, 'round-1', 2, nonceB, 1, nonceA);
    const box = sealBundle(at1.outgoing, new Uint8Array(BUNDLE_PLAINTEXT_BYTES).fill(5));
    expect(openBundle(at2.incoming, box)).toEqual(new Uint8Array(BUNDLE_PLAINTEXT_BYTES).fill(5));
    const expectFail = (f: () => unknown): void => {
      expect(f).toThrow(expect.objectContaining({ code: 'SECAGG_DECRYPT_FAILED' }));
    };
    for (let i = 0; i < box.length; i++) {
      const bad = box.slice();
      bad[i] ^= 1;
      expectFail(() => openBundle(at2.incoming, bad));
    }
    expectFail(() => openBundle(at2.incoming, box.subarray(0, BUNDLE_BYTES - 1)));
    // sent back to its sender, opened by another pair, or in another session or with another nonce
    expectFail(() => openBundle(at1.incoming, box));
    expectFail(() => openBundle(sessionPairKeys(pairKeys(secret.map((x) => x ^ 1)).streamKey, 'round-1', 2, nonceB, 1, nonceA).incoming, box));
    expectFail(() => openBundle(sessionPairKeys(streamKey, 'round-2', 2, nonceB, 1, nonceA).incoming, box));
    expectFail(() => openBundle(sessionPairKeys(streamKey, 'round-1', 2, nonceA, 1, nonceA).incoming, box));
  });

  it('wipes a session\'s pair keys', () => {
    const keys = sessionPairKeys(pairKeys(secret).streamKey, 'round-1', 0, nonceA, 1, nonceB);
    wipeSessionPairKeys(keys);
    for (const b of [keys.pairSeed, keys.outgoing.macKey, keys.outgoing.pad, keys.incoming.macKey, keys.incoming.pad]) expect(b.every((x) => x === 0)).toBe(true);
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
