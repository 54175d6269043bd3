import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, NO_MIGRATIONS, SqliteDialect } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { migrateToLatest, migrationProvider } from '../../src/store/migrations.js';
import { openStore } from '../../src/store/open.js';

let dir: string | undefined;
afterEach(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function sqliteKysely(): { db: Kysely<unknown>; file: string } {
  dir = mkdtempSync(join(tmpdir(), 'fedcredit-migrations-'));
  const file = join(dir, 'f.db');
  return { db: new Kysely<unknown>({ dialect: new SqliteDialect({ database: new BetterSqlite3(file) }) }), file };
}

describe('migrations (SQLite)', () => {
  it('re-runs a migration whose DDL ran but whose bookkeeping row was lost (crash in between)', async () => {
    const { db, file } = sqliteKysely();
    const migrations = await migrationProvider('sqlite').getMigrations();
    await migrations['0001_initial'].up(db); // DDL applied, kysely_migration never written
    await db.destroy();
    const store = await openStore(`sqlite:${file}`);
    try {
      expect(await store.listJobs()).toEqual([]);
      await store.appendAudit({ actor: 'a', action: 'b', subject: 'c' });
    } finally {
      await store.close();
    }
  });

  it('migrates down to nothing and up again', async () => {
    const { db } = sqliteKysely();
    expect(await migrateToLatest(db, 'sqlite')).toEqual(['0001_initial', '0002_audit_append_only', '0003_web_accounts']);
    expect(await migrateToLatest(db, 'sqlite')).toEqual([]); // already current
    const migrator = new Migrator({ db, provider: migrationProvider('sqlite') });
    const down = await migrator.migrateTo(NO_MIGRATIONS);
    expect(down.error).toBeUndefined();
    const tables = await db.introspection.getTables();
    expect(tables.map((t) => t.name)).toEqual([]);
    expect(await migrateToLatest(db, 'sqlite')).toEqual(['0001_initial', '0002_audit_append_only', '0003_web_accounts']);
    await db.destroy();
  });
});
