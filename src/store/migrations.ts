/**
 * Schema migrations, compiled into the code (no migration files are read at run time, so a
 * bundled or installed coordinator migrates the same way as a checkout). Kysely's Migrator
 * records applied migrations in `kysely_migration` and takes a lock (advisory lock in
 * PostgreSQL; SQLite has a single connection), so opening a store twice, or two coordinators
 * opening one database, applies each migration once.
 *
 * Every DDL statement is `if not exists` / `or replace`: Kysely runs SQLite migrations outside a
 * transaction, and a process killed between a migration's DDL and its bookkeeping row must be
 * able to run it again. New tables (users, sessions) go in new entries, never in edits of old.
 */
import { Migrator, sql } from 'kysely';
import type { Kysely, Migration, MigrationProvider } from 'kysely';

/** The two supported SQL dialects. */
export type Dialect = 'sqlite' | 'postgres';

/** 0001: every table of the persistence issue, with keys, foreign keys and indexes. */
function initialSchema(dialect: Dialect): Migration {
  const bytes = dialect === 'postgres' ? 'bytea' : 'blob';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.createTable('institutions').ifNotExists()
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('revoked_at', 'bigint')
        .execute();
      await db.schema.createTable('enrollment_tokens').ifNotExists()
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('institution_id', 'text', (c) => c.notNull().references('institutions.id'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('used_at', 'bigint')
        .addColumn('used_by_node_id', 'text')
        .execute();
      await db.schema.createTable('nodes').ifNotExists()
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('institution_id', 'text', (c) => c.notNull().references('institutions.id'))
        .addColumn('public_key', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('revoked_at', 'bigint')
        .addColumn('last_seen_at', 'bigint')
        .execute();
      await db.schema.createIndex('nodes_institution_idx').ifNotExists().on('nodes').column('institution_id').execute();
      await db.schema.createTable('jobs').ifNotExists()
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('spec', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('current_round', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('error', 'text')
        .execute();
      await db.schema.createIndex('jobs_status_idx').ifNotExists().on('jobs').column('status').execute();
      await db.schema.createTable('rounds').ifNotExists()
        .addColumn('job_id', 'text', (c) => c.notNull().references('jobs.id'))
        .addColumn('round', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('started_at', 'bigint', (c) => c.notNull())
        .addColumn('completed_at', 'bigint')
        .addColumn('participants', 'text', (c) => c.notNull())
        .addColumn('parameters', bytes)
        .addColumn('strategy_state', bytes)
        .addColumn('metrics', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('rounds_pk', ['job_id', 'round'])
        .execute();
      await db.schema.createTable('model_versions').ifNotExists()
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('job_id', 'text', (c) => c.notNull().references('jobs.id'))
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('meta', 'text', (c) => c.notNull())
        .addColumn('parameters', bytes, (c) => c.notNull())
        .addColumn('lineage', 'text', (c) => c.notNull())
        .addUniqueConstraint('model_versions_job_version_uq', ['job_id', 'version'])
        .execute();
      await db.schema.createTable('privacy_ledger').ifNotExists()
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('job_id', 'text', (c) => c.references('jobs.id'))
        .addColumn('round', 'integer')
        .addColumn('epsilon', 'double precision', (c) => c.notNull())
        .addColumn('delta', 'double precision', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('details', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('privacy_ledger_subject_idx').ifNotExists().on('privacy_ledger').column('subject').execute();
      await db.schema.createTable('audit_log').ifNotExists()
        .addColumn('seq', 'bigint', (c) => c.primaryKey())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('details', 'text', (c) => c.notNull())
        .addColumn('prev_hash', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull().unique())
        .execute();
      await db.schema.createIndex('audit_log_subject_idx').ifNotExists().on('audit_log').column('subject').execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      for (const table of ['audit_log', 'privacy_ledger', 'model_versions', 'rounds', 'jobs', 'nodes', 'enrollment_tokens', 'institutions']) {
        await db.schema.dropTable(table).ifExists().execute();
      }
    },
  };
}

/**
 * 0002: make the audit log append-only inside the database, so that no code path of ours (or a
 * careless operator's UPDATE) can rewrite history. Someone with DDL rights can still drop the
 * triggers; the hash chain is what detects that.
 */
function auditAppendOnly(dialect: Dialect): Migration {
  if (dialect === 'sqlite') {
    return {
      async up(db: Kysely<unknown>): Promise<void> {
        for (const op of ['update', 'delete']) {
          await sql.raw(`create trigger if not exists audit_log_no_${op} before ${op} on audit_log
            begin select raise(abort, 'audit_log is append-only'); end`).execute(db);
        }
      },
      async down(db: Kysely<unknown>): Promise<void> {
        await sql`drop trigger if exists audit_log_no_update`.execute(db);
        await sql`drop trigger if exists audit_log_no_delete`.execute(db);
      },
    };
  }
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`create or replace function fedcredit_audit_append_only() returns trigger
        language plpgsql as $$ begin raise exception 'audit_log is append-only'; end $$`.execute(db);
      await sql`drop trigger if exists audit_log_append_only on audit_log`.execute(db);
      await sql`create trigger audit_log_append_only before update or delete on audit_log
        for each row execute function fedcredit_audit_append_only()`.execute(db);
      await sql`drop trigger if exists audit_log_no_truncate on audit_log`.execute(db);
      await sql`create trigger audit_log_no_truncate before truncate on audit_log
        for each statement execute function fedcredit_audit_append_only()`.execute(db);
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await sql`drop trigger if exists audit_log_append_only on audit_log`.execute(db);
      await sql`drop trigger if exists audit_log_no_truncate on audit_log`.execute(db);
      await sql`drop function if exists fedcredit_audit_append_only()`.execute(db);
    },
  };
}

/**
 * 0003: dashboard accounts, browser sessions, server settings and the first-admin setup token
 * (see account-types.ts). Same portability rules as 0001: epoch-ms BIGINTs, JSON as TEXT,
 * booleans as INTEGER 0/1.
 */
function webAccounts(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.createTable('users').ifNotExists()
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('email', 'text', (c) => c.notNull().unique())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('institution_id', 'text', (c) => c.references('institutions.id'))
        .addColumn('requested_institution', 'text')
        .addColumn('role', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('totp_enabled', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('totp_secret', 'text')
        .addColumn('totp_pending_secret', 'text')
        .addColumn('totp_last_step', 'bigint')
        .addColumn('recovery_codes', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('failed_attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('locked_until', 'bigint')
        .addColumn('notification_prefs', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createTable('sessions').ifNotExists()
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('csrf_token_hash', 'text', (c) => c.notNull())
        .addColumn('client', 'text', (c) => c.notNull())
        .addColumn('revoked_at', 'bigint')
        .execute();
      await db.schema.createIndex('sessions_user_idx').ifNotExists().on('sessions').column('user_id').execute();
      await db.schema.createTable('settings').ifNotExists()
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_by', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createTable('setup_tokens').ifNotExists()
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('used_at', 'bigint')
        .addColumn('used_by_user_id', 'text')
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      for (const table of ['setup_tokens', 'settings', 'sessions', 'users']) await db.schema.dropTable(table).ifExists().execute();
    },
  };
}

/**
 * The in-code migration provider for one dialect. Names sort in application order; Kysely
 * refuses to run if an already-applied name disappears, so entries are only ever appended.
 */
export function migrationProvider(dialect: Dialect): MigrationProvider {
  return {
    async getMigrations(): Promise<Record<string, Migration>> {
      return {
        '0001_initial': initialSchema(dialect),
        '0002_audit_append_only': auditAppendOnly(dialect),
        '0003_web_accounts': webAccounts(),
      };
    },
  };
}

/**
 * Whether every known migration is recorded as applied. A cheap read that lets a restart skip
 * the Migrator, whose catalog introspection costs tens of milliseconds per call on a busy
 * server. A missing bookkeeping table (fresh database) reads as "not current".
 */
async function isCurrent(db: Kysely<unknown>, dialect: Dialect, schema: string | undefined): Promise<boolean> {
  const known = Object.keys(await migrationProvider(dialect).getMigrations());
  let applied: Set<string>;
  try {
    const table = schema === undefined ? sql.id('kysely_migration') : sql.id(schema, 'kysely_migration');
    const rows = await sql<{ name: string }>`select name from ${table}`.execute(db);
    applied = new Set(rows.rows.map((r) => r.name));
  } catch {
    return false;
  }
  return known.every((name) => applied.has(name));
}

/**
 * Apply every pending migration; a no-op when the database is current. Throws the first
 * migration error (with the failed migration's name in the message) instead of returning it.
 *
 * @example await migrateToLatest(db, 'sqlite');
 */
export async function migrateToLatest(db: Kysely<unknown>, dialect: Dialect): Promise<string[]> {
  // Kysely looks for its bookkeeping tables in every schema unless told which one; with one
  // database holding several FedCredit schemas it would find another schema's tables.
  const schema = dialect === 'postgres'
    ? (await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db)).rows[0]?.schema ?? undefined
    : undefined;
  if (await isCurrent(db, dialect, schema)) return [];
  const migrator = new Migrator({ db, provider: migrationProvider(dialect), ...(schema !== undefined ? { migrationTableSchema: schema } : {}) });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`store migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
