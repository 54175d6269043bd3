/**
 * What the store conformance suite needs from a backend: a fresh empty database per test, a
 * way to open the Store on it (the factory under test), and direct SQL access that bypasses
 * the store, for tampering and for checking what is really on disk.
 */
import type { OpenStoreOptions } from '../../../src/store/open.js';
import type { Store } from '../../../src/store/store.js';

/** One fresh database. */
export interface TestDatabase {
  /** URL that `openStore` (and a child process) accepts for this database. */
  readonly url: string;
  /** Open a Store on this database (the factory under test). */
  open(options?: OpenStoreOptions): Promise<Store>;
  /** Run one SQL statement directly; rows for queries, [] otherwise. */
  query(sqlText: string): Promise<Record<string, unknown>[]>;
  /** Drop the database and release its connections. */
  dispose(): Promise<void>;
}

/**
 * Creates databases with no data for one backend. With `unmigrated`, a brand-new database
 * without any tables (for migration tests); otherwise the backend may hand out an already
 * migrated database emptied of rows, with the audit log's append-only guard in place.
 */
export type FreshDatabase = (options?: { unmigrated?: boolean }) => Promise<TestDatabase>;

/** A context per test: opens stores with a ticking clock and closes them all afterwards. */
export interface Fixture {
  readonly db: TestDatabase;
  /** Clock value used by stores opened through {@link Fixture.open}; tests may move it. */
  nowMs: number;
  open(): Promise<Store>;
  close(): Promise<void>;
}

/** Start time of every test clock: 2023-11-14T22:13:20Z. */
export const T0_MS = 1_700_000_000_000;

/** Make a fixture whose stores share a clock that advances 1 ms per reading (total order). */
export async function makeFixture(fresh: FreshDatabase): Promise<Fixture> {
  const db = await fresh();
  const stores: Store[] = [];
  const fixture: Fixture = {
    db,
    nowMs: T0_MS,
    async open() {
      const store = await db.open({ now: () => (fixture.nowMs += 1) });
      stores.push(store);
      return store;
    },
    async close() {
      for (const store of stores) await store.close().catch(() => undefined);
      await db.dispose();
    },
  };
  return fixture;
}

/**
 * A fixture with one store already open. If opening fails the database is disposed here,
 * because a failing beforeEach does not reliably reach the afterEach that would close it.
 */
export async function openFixture(fresh: FreshDatabase): Promise<{ fx: Fixture; store: Store }> {
  const fx = await makeFixture(fresh);
  try {
    return { fx, store: await fx.open() };
  } catch (error) {
    await fx.close();
    throw error;
  }
}

/** Await `promise` and return the `code` of the error it rejects with. */
export async function errorCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return String((error as { code?: unknown }).code);
  }
  throw new Error('expected a rejection');
}

/** A canonical base64 Ed25519-sized key derived from a small number (distinct per number). */
export function publicKey(n: number): string {
  const bytes = Buffer.alloc(32);
  bytes.writeUInt32BE(n + 1, 0);
  return bytes.toString('base64');
}
