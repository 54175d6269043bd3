/**
 * Opening a store: pick the dialect from a URL, configure the driver for durability, run
 * migrations, and bind every operation to the shared context.
 *
 * URLs: `postgres://…` / `postgresql://…` → PostgreSQL through a pg Pool (libpq-style query
 * parameters such as `?options=-c%20search_path%3Dmyschema` are honoured); `sqlite:<path>`,
 * `sqlite://<path>`, a plain path, or `:memory:` → SQLite via better-sqlite3.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { ConfigError } from '../errors.js';
import { StoreError } from './errors.js';
import { appendAudit, getAuditHead, listAudit, verifyAudit } from './audit-log.js';
import type { StoreContext } from './context.js';
import * as identity from './identity.js';
import * as jobs from './jobs.js';
import { migrateToLatest } from './migrations.js';
import type { Dialect } from './migrations.js';
import * as models from './models.js';
import { getPrivacySpent, recordPrivacySpend } from './privacy.js';
import * as sessions from './sessions.js';
import * as users from './users.js';
import type { Database } from './schema.js';
import type { Store } from './store.js';

/** File name of the SQLite database inside the data directory. */
export const SQLITE_FILE_NAME = 'fedcredit.db';
/** Data directory used when neither a URL nor FEDCREDIT_DATA_DIR is given. */
export const DEFAULT_DATA_DIR = '.fedcredit';
/** How long a SQLite writer waits for another process's write lock before failing. */
const SQLITE_BUSY_TIMEOUT_MS = 5000;
/** Connections per PostgreSQL pool; the coordinator is one process with modest concurrency. */
const PG_POOL_SIZE = 10;

/** Options of {@link openStore}. */
export interface OpenStoreOptions {
  /** Clock in epoch ms (default Date.now); tests inject one to cross token expiries. */
  readonly now?: () => number;
}

/**
 * The store URL to use: an explicit `--db` value first, then `DATABASE_URL`, then the SQLite
 * file in the data directory (`dataDir`, else `FEDCREDIT_DATA_DIR`, else `.fedcredit`).
 *
 * @example resolveStoreUrl({ env: {} }) === 'sqlite:' + resolve('.fedcredit/fedcredit.db')
 */
export function resolveStoreUrl(options: { db?: string; dataDir?: string; env?: Readonly<Record<string, string | undefined>> } = {}): string {
  const env = options.env ?? process.env;
  if (options.db !== undefined && options.db !== '') return options.db;
  if (env.DATABASE_URL !== undefined && env.DATABASE_URL !== '') return env.DATABASE_URL;
  const dataDir = options.dataDir ?? (env.FEDCREDIT_DATA_DIR || DEFAULT_DATA_DIR);
  return `sqlite:${resolve(join(dataDir, SQLITE_FILE_NAME))}`;
}

/** Split a store URL into its dialect and the driver's connection target. */
export function parseStoreUrl(url: string): { dialect: Dialect; target: string } {
  if (typeof url !== 'string' || url === '') throw new TypeError('url must be a non-empty string');
  if (/^postgres(ql)?:\/\//i.test(url)) return { dialect: 'postgres', target: url };
  if (/^sqlite:\/\//i.test(url)) return { dialect: 'sqlite', target: url.slice('sqlite://'.length) };
  if (/^sqlite:/i.test(url)) return { dialect: 'sqlite', target: url.slice('sqlite:'.length) };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) throw new ConfigError(`unsupported database URL scheme: ${url.split(':')[0]} (use postgres:// or sqlite:)`, 'DB_URL_UNSUPPORTED');
  return { dialect: 'sqlite', target: url };
}

/**
 * Open SQLite for durability: WAL so readers never block the writer, synchronous=FULL so a
 * commit is on disk (WAL fsynced) before it returns, foreign keys on (off by default in SQLite).
 */
function openSqlite(target: string): Kysely<Database> {
  if (target === '') throw new ConfigError('SQLite URL has no file path', 'DB_URL_UNSUPPORTED');
  if (target !== ':memory:') mkdirSync(dirname(resolve(target)), { recursive: true });
  const database = new BetterSqlite3(target, { timeout: SQLITE_BUSY_TIMEOUT_MS });
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = FULL');
  database.pragma('foreign_keys = ON');
  return new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
}

function openPostgres(target: string): Kysely<Database> {
  const pool = new pg.Pool({ connectionString: target, max: PG_POOL_SIZE });
  // An idle client losing its connection emits 'error' on the pool; unhandled, that would
  // kill the coordinator. The pool drops the client, and the next query reports the outage.
  pool.on('error', () => undefined);
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/** A Kysely instance shared by every store of this process on one SQLite file. */
interface SharedSqlite {
  readonly db: Kysely<Database>;
  readonly ready: Promise<void>;
  refs: number;
}

/**
 * SQLite files open in this process, by absolute path. better-sqlite3 is synchronous: a second
 * connection of the same process waiting for the write lock would block the event loop the
 * first connection needs to finish, stalling both for the whole busy timeout. Stores opened on
 * the same file therefore share one connection, whose Kysely mutex serialises them.
 */
const sharedSqlite = new Map<string, SharedSqlite>();

async function acquireSqlite(target: string): Promise<{ db: Kysely<Database>; release: () => Promise<void> }> {
  const key = target === ':memory:' ? undefined : resolve(target);
  let shared = key === undefined ? undefined : sharedSqlite.get(key);
  if (shared === undefined) {
    const db = openSqlite(target);
    shared = { db, refs: 0, ready: migrateToLatest(db as Kysely<unknown>, 'sqlite').then(() => undefined) };
    if (key !== undefined) sharedSqlite.set(key, shared);
  }
  const entry = shared;
  entry.refs += 1;
  const release = async (): Promise<void> => {
    entry.refs -= 1;
    if (entry.refs > 0) return;
    if (key !== undefined && sharedSqlite.get(key) === entry) sharedSqlite.delete(key);
    await entry.db.destroy();
  };
  try {
    await entry.ready;
  } catch (error) {
    await release();
    throw error;
  }
  return { db: entry.db, release };
}

async function acquirePostgres(target: string): Promise<{ db: Kysely<Database>; release: () => Promise<void> }> {
  const db = openPostgres(target);
  try {
    await migrateToLatest(db as Kysely<unknown>, 'postgres');
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return { db, release: () => db.destroy() };
}

/**
 * Open (creating and migrating if needed) the store at `url`, default {@link resolveStoreUrl}().
 * Throws ConfigError for an unsupported URL and the driver's error if the database is
 * unreachable. Stores opened on the same SQLite file in one process share its connection.
 *
 * @example const store = await openStore('sqlite:/var/lib/fedcredit/fedcredit.db');
 */
export async function openStore(url?: string, options: OpenStoreOptions = {}): Promise<Store> {
  const { dialect, target } = parseStoreUrl(url ?? resolveStoreUrl());
  if (options.now !== undefined && typeof options.now !== 'function') throw new TypeError('options.now must be a function');
  const { db, release } = dialect === 'postgres' ? await acquirePostgres(target) : await acquireSqlite(target);
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => (closed ??= release()); // closing twice releases once
  const store = bindStore({ db, dialect, now: options.now ?? Date.now }, close);
  // A shared SQLite connection outlives this store, so refuse use after close explicitly.
  const guarded: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(store)) {
    guarded[name] = typeof value !== 'function' || name === 'close' ? value
      : (...args: unknown[]) => (closed !== undefined
        ? Promise.reject(new StoreError('STORE_CLOSED', `store.${name}: the store is closed`))
        : (value as (...a: unknown[]) => Promise<unknown>)(...args));
  }
  return Object.freeze(guarded) as unknown as Store;
}

/** The Store object: every method is the module function applied to the shared context. */
function bindStore(ctx: StoreContext, close: () => Promise<void>): Store {
  return {
    dialect: ctx.dialect,
    createInstitution: (input) => identity.createInstitution(ctx, input),
    getInstitution: (id) => identity.getInstitution(ctx, id),
    listInstitutions: (filter) => identity.listInstitutions(ctx, filter),
    revokeInstitution: (id) => identity.revokeInstitution(ctx, id),
    createEnrollmentToken: (input) => identity.createEnrollmentToken(ctx, input),
    consumeEnrollmentToken: (token) => identity.consumeEnrollmentToken(ctx, token),
    enrollNode: (input) => identity.enrollNode(ctx, input),
    registerNode: (input) => identity.registerNode(ctx, input),
    getNode: (id) => identity.getNode(ctx, id),
    listNodes: (filter) => identity.listNodes(ctx, filter),
    revokeNode: (id) => identity.revokeNode(ctx, id),
    touchNode: (id, atMs) => identity.touchNode(ctx, id, atMs),
    createJob: (input) => jobs.createJob(ctx, input),
    getJob: (id) => jobs.getJob(ctx, id),
    listJobs: (filter) => jobs.listJobs(ctx, filter),
    updateJobStatus: (id, status, opts) => jobs.updateJobStatus(ctx, id, status, opts),
    startRound: (jobId, round) => jobs.startRound(ctx, jobId, round),
    commitRound: (jobId, round, commit) => jobs.commitRound(ctx, jobId, round, commit),
    getRound: (jobId, round) => jobs.getRound(ctx, jobId, round),
    listRounds: (jobId) => jobs.listRounds(ctx, jobId),
    getLastCommittedRound: (jobId) => jobs.getLastCommittedRound(ctx, jobId),
    createModelVersion: (input) => models.createModelVersion(ctx, input),
    getModelVersion: (id) => models.getModelVersion(ctx, id),
    listModelVersions: (filter) => models.listModelVersions(ctx, filter),
    approveModel: (id) => models.approveModel(ctx, id),
    retireModel: (id) => models.retireModel(ctx, id),
    getLatestApprovedModel: (filter) => models.getLatestApprovedModel(ctx, filter),
    recordPrivacySpend: (input) => recordPrivacySpend(ctx, input),
    getPrivacySpent: (subject, filter) => getPrivacySpent(ctx, subject, filter),
    appendAudit: (entry) => appendAudit(ctx, entry),
    listAudit: (filter) => listAudit(ctx, filter),
    getAuditHead: () => getAuditHead(ctx),
    verifyAudit: (opts) => verifyAudit(ctx, opts),
    countUsers: () => users.countUsers(ctx),
    createSetupToken: (input) => users.createSetupToken(ctx, input),
    createFirstAdmin: (input) => users.createFirstAdmin(ctx, input),
    createUser: (input) => users.createUser(ctx, input),
    getUser: (id) => users.getUser(ctx, id),
    getUserByEmail: (email) => users.getUserByEmail(ctx, email),
    listUsers: (filter) => users.listUsers(ctx, filter),
    updateUser: (id, patch) => users.updateUser(ctx, id, patch),
    approveUser: (id, input) => users.approveUser(ctx, id, input),
    updateUserTotp: (id, patch) => users.updateUserTotp(ctx, id, patch),
    claimTotpStep: (id, step) => users.claimTotpStep(ctx, id, step),
    consumeRecoveryCode: (id, codeHash) => users.consumeRecoveryCode(ctx, id, codeHash),
    recordSignInFailure: (id, input) => users.recordSignInFailure(ctx, id, input),
    clearSignInFailures: (id) => users.clearSignInFailures(ctx, id),
    createSession: (input) => sessions.createSession(ctx, input),
    getSession: (id) => sessions.getSession(ctx, id),
    touchSession: (id, input) => sessions.touchSession(ctx, id, input),
    revokeSession: (id) => sessions.revokeSession(ctx, id),
    revokeUserSessions: (userId, opts) => sessions.revokeUserSessions(ctx, userId, opts),
    listSessions: (userId, opts) => sessions.listSessions(ctx, userId, opts),
    deleteStaleSessions: (beforeMs) => sessions.deleteStaleSessions(ctx, beforeMs),
    getSetting: (key) => sessions.getSetting(ctx, key),
    listSettings: () => sessions.listSettings(ctx),
    putSetting: (key, value, updatedBy) => sessions.putSetting(ctx, key, value, updatedBy),
    close,
  };
}
