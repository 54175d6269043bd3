/**
 * Replay protection for signed requests: remembers each (node, nonce) pair long enough that a
 * copy of the request would also fail the timestamp check by the time it is forgotten.
 *
 * A signed request passes the freshness check while |now − timestamp| ≤ maxSkew, i.e. for a
 * window of 2·maxSkew. An entry is kept for ttl after both its arrival and its claimed
 * timestamp, so with ttl ≥ 2·maxSkew (enforced by `verifyRequest`) every nonce outlives the
 * window in which its request could be replayed. Memory is bounded by `maxEntries`: expired
 * entries go first; if the cache is still full the oldest live entry is dropped and counted in
 * `evictedUnexpired` (a replay of that one request would then pass until its timestamp goes
 * stale). Only requests with valid signatures are recorded, so filling the cache takes a flood
 * of genuinely signed requests, which the counter lets operators see.
 */

/** Options of {@link NonceCache}. */
export interface NonceCacheOptions {
  /** How long a nonce is remembered after its arrival and after its timestamp, in ms. */
  readonly ttlMs?: number;
  /** Most nonces held at once. */
  readonly maxEntries?: number;
}

/**
 * Bounded set of recently seen nonces per node.
 *
 * @example
 *   const nonces = new NonceCache({ ttlMs: 120_000 });
 *   nonces.checkAndAdd('bank-a', nonce, timestampMs); // true the first time, false on replay
 */
export class NonceCache {
  readonly ttlMs: number;
  readonly maxEntries: number;
  /** key → expiry (epoch ms) of the nonces held. */
  private readonly expiries = new Map<string, number>();
  /**
   * Insertion-ordered queue of (key, expiry) from `head` on. A Map alone would do, but V8 leaves
   * deleted Map slots as holes that iteration from the front must skip, which made evicting
   * "the first entry" O(n). A record whose expiry no longer matches the Map is stale (its key
   * was re-added after expiring) and is skipped.
   */
  private queueKeys: string[] = [];
  private queueExpiries: number[] = [];
  private head = 0;
  private evicted = 0;

  constructor({ ttlMs = 120_000, maxEntries = 100_000 }: NonceCacheOptions = {}) {
    if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) throw new RangeError(`ttlMs: expected a positive integer, got ${ttlMs}`);
    if (!Number.isSafeInteger(maxEntries) || maxEntries <= 0) throw new RangeError(`maxEntries: expected a positive integer, got ${maxEntries}`);
    this.ttlMs = ttlMs;
    this.maxEntries = maxEntries;
  }

  /**
   * Record `nonce` for `nodeId` and return true, or return false if it is already held and
   * unexpired (a replay). Nonces of different nodes never collide.
   */
  checkAndAdd(nodeId: string, nonce: string, timestampMs: number, now: number = Date.now()): boolean {
    if (typeof nodeId !== 'string') throw new TypeError('nodeId: expected a string');
    if (typeof nonce !== 'string') throw new TypeError('nonce: expected a string');
    if (!Number.isFinite(timestampMs)) throw new RangeError(`timestampMs: expected a finite number, got ${timestampMs}`);
    if (!Number.isFinite(now)) throw new RangeError(`now: expected a finite number, got ${now}`);
    this.sweep(now);
    // length prefix: ('a:b', 'c') and ('a', 'b:c') must not share a key
    const key = `${nodeId.length}:${nodeId}:${nonce}`;
    const held = this.expiries.get(key);
    if (held !== undefined && held > now) return false;
    if (held === undefined && this.expiries.size >= this.maxEntries) this.evictOldest();
    const expiresAt = Math.max(now, timestampMs) + this.ttlMs;
    this.expiries.set(key, expiresAt);
    this.queueKeys.push(key);
    this.queueExpiries.push(expiresAt);
    if (this.queueKeys.length - this.head > 2 * this.maxEntries) this.rebuildQueue();
    return true;
  }

  /** Number of nonces currently held. */
  get size(): number {
    return this.expiries.size;
  }

  /** How many unexpired nonces were dropped because the cache was full (should stay 0). */
  get evictedUnexpired(): number {
    return this.evicted;
  }

  /** Remove the record at the head of the queue; true if it was a held (not stale) nonce. */
  private pop(): boolean {
    const key = this.queueKeys[this.head];
    const expiresAt = this.queueExpiries[this.head];
    this.head++;
    if (this.head > 1024 && 2 * this.head > this.queueKeys.length) {
      this.queueKeys = this.queueKeys.slice(this.head);
      this.queueExpiries = this.queueExpiries.slice(this.head);
      this.head = 0;
    }
    if (this.expiries.get(key) !== expiresAt) return false;
    this.expiries.delete(key);
    return true;
  }

  /** Drop expired records from the front. Amortised O(1): each record is removed once. */
  private sweep(now: number): void {
    while (this.head < this.queueKeys.length && this.queueExpiries[this.head] <= now) this.pop();
  }

  /** Make room by dropping the oldest held nonce (called after a sweep, so it is unexpired). */
  private evictOldest(): void {
    while (this.head < this.queueKeys.length) {
      if (this.pop()) {
        this.evicted++;
        return;
      }
    }
  }

  /** Rebuild the queue from the Map when stale records pile up (Map order is insertion order). */
  private rebuildQueue(): void {
    this.queueKeys = [...this.expiries.keys()];
    this.queueExpiries = [...this.expiries.values()];
    this.head = 0;
  }
}
