/**
 * The store conformance suite on PostgreSQL (127.0.0.1:5432, database `test`, or
 * FEDCREDIT_TEST_PG_URL), isolated from anything else in that database by schemas selected
 * through the URL's search_path. Most tests share one migrated schema per run, emptied before
 * each test (migrating a new schema costs far more than truncating one); migration tests get
 * a brand-new schema. All schemas are dropped afterwards. An unreachable server fails these
 * tests; it never skips them.
 */
import { randomBytes } from 'node:crypto';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { afterAll } from 'vitest';
import { migrationProvider } from '../../src/store/migrations.js';
import { openStore } from '../../src/store/open.js';
import { storeConformance } from './conformance.js';
import type { TestDatabase } from './conformance.js';

const BASE_URL = process.env.FEDCREDIT_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A schema of this run, with one direct client on it. */
interface Schema {
  readonly name: string;
  readonly url: string;
  readonly client: pg.Client;
}

const schemas: Schema[] = [];
let shared: Promise<Schema> | undefined;

async function createSchema(): Promise<Schema> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: BASE_URL });
  await admin.connect();
  try {
    await admin.query(`create schema ${name}`);
  } finally {
    await admin.end();
  }
  const parsed = new URL(BASE_URL);
  parsed.searchParams.set('options', `-c search_path=${name}`);
  const client = new pg.Client({ connectionString: parsed.toString() });
  const schema = { name, url: parsed.toString(), client };
  schemas.push(schema);
  await client.connect();
  return schema;
}

/** The shared schema, migrated once. */
async function sharedSchema(): Promise<Schema> {
  shared ??= (async () => {
    const schema = await createSchema();
    await (await openStore(schema.url)).close();
    return schema;
  })();
  return shared;
}

/**
 * Empty every table of the shared schema and restore the audit log's append-only guard (a
 * tampering test drops it). Triggers are switched off for the session so TRUNCATE gets past
 * the guard.
 */
async function resetShared(schema: Schema): Promise<void> {
  const { rows } = await schema.client.query<{ table_name: string }>(
    `select table_name from information_schema.tables where table_schema = $1 and table_name not like 'kysely%'`, [schema.name]);
  await schema.client.query('set session_replication_role = replica');
  await schema.client.query(`truncate table ${rows.map((r) => `"${r.table_name}"`).join(', ')}`);
  await schema.client.query('set session_replication_role = default');
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: schema.url, max: 1 }) }) });
  try {
    await (await migrationProvider('postgres').getMigrations())['0002_audit_append_only'].up(db);
  } finally {
    await db.destroy();
  }
}

async function freshPostgres(options?: { unmigrated?: boolean }): Promise<TestDatabase> {
  const schema = options?.unmigrated === true ? await createSchema() : await sharedSchema();
  if (options?.unmigrated !== true) await resetShared(schema);
  return {
    url: schema.url,
    open: (openOptions) => openStore(schema.url, openOptions),
    async query(sqlText) {
      return (await schema.client.query(sqlText)).rows as Record<string, unknown>[];
    },
    async dispose() {
      // Schemas are dropped once, after the whole file.
    },
  };
}

afterAll(async () => {
  const admin = new pg.Client({ connectionString: BASE_URL });
  await admin.connect();
  try {
    for (const schema of schemas) {
      await schema.client.end();
      await admin.query(`drop schema ${schema.name} cascade`);
    }
  } finally {
    await admin.end();
  }
});

storeConformance('PostgreSQL', freshPostgres);
