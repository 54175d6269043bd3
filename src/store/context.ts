/**
 * What every store module shares: the Kysely instance, the dialect, the clock, and the one
 * transaction helper all writes go through.
 */
import { sql } from 'kysely';
import type { Kysely, SelectQueryBuilder } from 'kysely';
import type { Dialect } from './migrations.js';
import type { Database } from './schema.js';

/** Shared state of one open store. */
export interface StoreContext {
  readonly db: Kysely<Database>;
  readonly dialect: Dialect;
  /** Clock in epoch ms; injectable so tests can move past token expiries. */
  readonly now: () => number;
}

/**
 * Run `fn` in one transaction and return its result; any throw rolls everything back.
 *
 * SQLite: `BEGIN IMMEDIATE` takes the write lock up front. A plain (deferred) BEGIN that reads
 * and then writes can fail with SQLITE_BUSY when another process wrote in between, which would
 * turn the read-check-write sequences below into spurious errors. PostgreSQL: READ COMMITTED
 * plus `SELECT … FOR UPDATE` (see {@link forUpdate}) on the row being checked.
 */
export async function inTransaction<T>(ctx: StoreContext, fn: (tx: Kysely<Database>) => Promise<T>): Promise<T> {
  if (ctx.dialect === 'postgres') return ctx.db.transaction().execute(fn);
  return ctx.db.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
    try {
      const result = await fn(conn);
      await sql`commit`.execute(conn);
      return result;
    } catch (error) {
      // A failed COMMIT (e.g. I/O error) can leave the transaction open; after a failed
      // statement it may already be closed, in which case ROLLBACK itself errors harmlessly.
      await sql`rollback`.execute(conn).catch(() => undefined);
      throw error;
    }
  });
}

/**
 * Lock the selected rows until the transaction ends (PostgreSQL). SQLite has no row locks and
 * needs none: `BEGIN IMMEDIATE` already serialises writers.
 */
export function forUpdate<DB, TB extends keyof DB, O>(ctx: StoreContext, query: SelectQueryBuilder<DB, TB, O>): SelectQueryBuilder<DB, TB, O> {
  return ctx.dialect === 'postgres' ? query.forUpdate() : query;
}

/** True when `error` is a unique or primary-key violation from either driver. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** True when `error` is a foreign-key violation from either driver (a referenced id is missing). */
export function isForeignKeyViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}
