/** NonceCache: replay detection, per-node namespaces, expiry, and bounded memory under a flood. */
import { describe, expect, it } from 'vitest';
import { NonceCache } from '../../src/auth/nonceCache.js';

describe('NonceCache', () => {
  it('accepts a nonce once, per node, until it expires', () => {
    const cache = new NonceCache({ ttlMs: 1000 });
    expect(cache.checkAndAdd('a', 'n1', 0, 0)).toBe(true);
    expect(cache.checkAndAdd('a', 'n1', 0, 500)).toBe(false);
    expect(cache.checkAndAdd('b', 'n1', 0, 500)).toBe(true); // other node, same nonce
    expect(cache.checkAndAdd('a:', 'n1', 0, 500)).toBe(true); // no key collision through separators
    expect(cache.checkAndAdd('a', 'n1', 0, 999)).toBe(false);
    expect(cache.checkAndAdd('a', 'n1', 0, 1000)).toBe(true); // expired: forgotten
  });

  it('keeps a nonce for ttl after a timestamp that lies ahead of the clock', () => {
    const cache = new NonceCache({ ttlMs: 1000 });
    expect(cache.checkAndAdd('a', 'n', 600, 0)).toBe(true);
    expect(cache.checkAndAdd('a', 'n', 600, 1500)).toBe(false); // 600 + 1000 > 1500
    expect(cache.checkAndAdd('a', 'n', 600, 1600)).toBe(true);
  });

  it('forgets the old record of a nonce re-added after expiring, not the new one', () => {
    const cache = new NonceCache({ ttlMs: 1000 });
    cache.checkAndAdd('a', 'x', 500, 0); // held until 1500 (its timestamp is ahead)
    cache.checkAndAdd('a', 'y', 0, 0); // held until 1000, queued behind x
    expect(cache.checkAndAdd('a', 'y', 1200, 1200)).toBe(true); // expired, re-added until 2200
    expect(cache.checkAndAdd('a', 'z', 1600, 1600)).toBe(true); // sweeps x and y's old record
    expect(cache.checkAndAdd('a', 'y', 1600, 1600)).toBe(false);
    expect(cache.size).toBe(2);
  });

  it('evicts expired entries first', () => {
    const cache = new NonceCache({ ttlMs: 100, maxEntries: 10 });
    for (let i = 0; i < 10; i++) cache.checkAndAdd('a', `n${i}`, 0, 0);
    expect(cache.size).toBe(10);
    expect(cache.checkAndAdd('a', 'late', 100, 100)).toBe(true);
    expect(cache.size).toBe(1);
    expect(cache.evictedUnexpired).toBe(0);
  });

  it('stays bounded under 200,000 inserts, dropping (and counting) the oldest live entries', () => {
    const cache = new NonceCache();
    expect(cache.maxEntries).toBe(100_000);
    let accepted = 0;
    for (let i = 0; i < 200_000; i++) if (cache.checkAndAdd('bank-a', `nonce-${i}`, 1_000, 1_000 + (i >> 10))) accepted++;
    expect(accepted).toBe(200_000);
    expect(cache.size).toBe(100_000);
    expect(cache.evictedUnexpired).toBe(100_000);
    expect(cache.checkAndAdd('bank-a', 'nonce-199999', 1_000, 1_200)).toBe(false); // recent ones still held
    expect(cache.checkAndAdd('bank-a', 'nonce-0', 1_000, 1_200)).toBe(true); // the oldest was dropped
  });

  it('checks its options and arguments', () => {
    expect(() => new NonceCache({ ttlMs: 0 })).toThrow(RangeError);
    expect(() => new NonceCache({ maxEntries: 1.5 })).toThrow(RangeError);
    const cache = new NonceCache();
    expect(() => cache.checkAndAdd(1 as unknown as string, 'n', 0)).toThrow(TypeError);
    expect(() => cache.checkAndAdd('a', 'n', NaN)).toThrow(RangeError);
    expect(() => cache.checkAndAdd('a', 'n', 0, Infinity)).toThrow(RangeError);
  });
});
