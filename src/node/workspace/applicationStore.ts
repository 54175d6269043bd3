/**
 * The node's own database of scored applications and officers' feedback
 * (`<dataDir>/applications.db`, SQLite through Kysely and better-sqlite3). Applicants' records
 * are kept here and never leave the node: the coordinator only ever hears opaque feedback ids.
 *
 * Durability: WAL with synchronous=NORMAL. A commit is in the WAL file (the OS's cache) when
 * it returns, so a killed process loses nothing; only a power cut or OS crash can lose the
 * last commits (the database stays consistent). This file is a log of answers the node has
 * already given, written on every scoring request: an fsync per request would cap the scoring
 * API at a few hundred requests per second. Officers' feedback is the exception: the log is
 * synced after each feedback (see addFeedback).
 *
 * Tables (applicationSchema.ts): `applications` (one row per scored record: dataset key, time, model version,
 * probability of default, points, decision, flag mask, reasons, per-column contributions, the
 * record, and the latest feedback), `feedback` (every feedback given, newest last) and
 * `audit_watermark` (the last application row covered by the node's audit log).
 */
import { randomUUID } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, sql } from 'kysely';
import type { SqlBool } from 'kysely';
import type { Decision } from '../../scoring/scorer.js';
import { APPLICATION_COLUMNS, migrations, type ApplicationsTable, type FeedbackTable, type WorkspaceDatabase } from './applicationSchema.js';
import {
  labelOf, type Application, type ApplicationPage, type ApplicationQuery, type ApplicationSummary, type FeedbackOutcome, type FeedbackRecord,
  type LabelledFeedback, type NewApplication, type RecordValue, type StoredContribution, type StoredReason,
} from './applications.js';

export { APPLICATIONS_DB_FILE } from './applicationSchema.js';

/** The applications database of one node. */
export class ApplicationStore {
  /** Reads go through Kysely; writes are synchronous better-sqlite3 transactions on the same connection. */
  private readonly db: Kysely<WorkspaceDatabase>;
  private readonly database: BetterSqlite3.Database;
  private readonly now: () => number;
  private readonly file: string;
  private readonly insertMany: (rows: readonly ApplicationsTable[]) => void;

  private constructor(db: Kysely<WorkspaceDatabase>, database: BetterSqlite3.Database, now: () => number, file: string) {
    this.db = db;
    this.database = database;
    this.now = now;
    this.file = file;
    const insert = database.prepare(`insert into applications (${APPLICATION_COLUMNS.join(', ')}) values (${APPLICATION_COLUMNS.map((c) => `@${c}`).join(', ')})`);
    this.insertMany = database.transaction((rows: readonly ApplicationsTable[]) => {
      for (const row of rows) insert.run(row);
    });
  }

  /** Open (creating and migrating) the database at `file` (`:memory:` for tests). */
  static async open(file: string, options: { now?: () => number } = {}): Promise<ApplicationStore> {
    if (typeof file !== 'string' || file === '') throw new TypeError('file: expected a path or :memory:');
    if (file !== ':memory:') mkdirSync(dirname(resolve(file)), { recursive: true });
    const database = new BetterSqlite3(file, { timeout: 5000 });
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL');
    database.pragma('foreign_keys = ON');
    const db = new Kysely<WorkspaceDatabase>({ dialect: new SqliteDialect({ database }) });
    const { error } = await new Migrator({ db, provider: { getMigrations: async () => migrations } }).migrateToLatest();
    if (error !== undefined) {
      await db.destroy();
      throw new Error(`applications database migration failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    return new ApplicationStore(db, database, options.now ?? Date.now, file === ':memory:' ? file : resolve(file));
  }

  /**
   * The applications stored after row `afterRowId` (SQLite rowids grow with every insert):
   * how many, the last row, the time span, and the counts by model version and source.
   */
  async since(afterRowId: number): Promise<{ numRecords: number; throughRowId: number; firstScoredAt?: number; lastScoredAt?: number; byModel: Record<string, number>; bySource: Record<string, number> }> {
    const rows = await this.db.selectFrom('applications')
      .select([sql<string>`model_version`.as('model'), sql<string>`source`.as('source'), sql<number>`count(*)`.as('n'), sql<number>`max(rowid)`.as('last'), sql<number>`min(scored_at)`.as('first_at'), sql<number>`max(scored_at)`.as('last_at')])
      .where(sql`rowid`, '>', afterRowId).groupBy(['model_version', 'source']).execute();
    const byModel: Record<string, number> = {};
    const bySource: Record<string, number> = {};
    let numRecords = 0, throughRowId = afterRowId, firstScoredAt: number | undefined, lastScoredAt: number | undefined;
    for (const r of rows) {
      const n = Number(r.n);
      numRecords += n;
      byModel[r.model] = (byModel[r.model] ?? 0) + n;
      bySource[r.source] = (bySource[r.source] ?? 0) + n;
      throughRowId = Math.max(throughRowId, Number(r.last));
      firstScoredAt = Math.min(firstScoredAt ?? Infinity, Number(r.first_at));
      lastScoredAt = Math.max(lastScoredAt ?? -Infinity, Number(r.last_at));
    }
    return { numRecords, throughRowId, byModel, bySource, ...(firstScoredAt !== undefined ? { firstScoredAt, lastScoredAt } : {}) };
  }

  /** The last application row the audit log covers (0: none yet). */
  async auditWatermark(): Promise<number> {
    const row = await this.db.selectFrom('audit_watermark').select('through_row_id').where('id', '=', 1).executeTakeFirst();
    return row ? Number(row.through_row_id) : 0;
  }

  /** Record that the audit log covers every application up to row `throughRowId`. */
  async setAuditWatermark(throughRowId: number): Promise<void> {
    if (!Number.isSafeInteger(throughRowId) || throughRowId < 0) throw new RangeError(`throughRowId: expected a non-negative integer, got ${throughRowId}`);
    await this.db.insertInto('audit_watermark').values({ id: 1, through_row_id: throughRowId })
      .onConflict((oc) => oc.column('id').doUpdateSet({ through_row_id: throughRowId })).execute();
  }

  /** Store scored records in one transaction; returns their new ids in order. */
  async insert(applications: readonly NewApplication[]): Promise<string[]> {
    if (applications.length === 0) return [];
    const scoredAt = this.now();
    const rows: ApplicationsTable[] = applications.map((a) => ({
      id: randomUUID(), dataset_key: a.datasetKey, scored_at: scoredAt, model_version: a.modelVersion, model_id: a.modelId ?? null,
      source: a.source, scored_by: a.scoredBy ?? null, probability_of_default: a.probabilityOfDefault, score: a.score, decision: a.decision,
      flags: a.flags, out_of_range: JSON.stringify(a.outOfRange), reasons: JSON.stringify(a.reasons), contributions: JSON.stringify(a.contributions),
      record: JSON.stringify(a.record), feedback_id: null, feedback_outcome: null,
    }));
    // one synchronous transaction over a prepared statement: no other write can interleave
    // (every write of this store is synchronous), and no query is rebuilt per row
    this.insertMany(rows);
    return rows.map((r) => r.id);
  }

  /** One page of the list, filtered and sorted on the server. */
  async list(query: ApplicationQuery): Promise<ApplicationPage> {
    let q = this.db.selectFrom('applications');
    if (query.decision !== undefined) q = q.where('decision', '=', query.decision);
    if (query.flagBit !== undefined) q = q.where(sql<SqlBool>`(flags & ${query.flagBit}) != 0`);
    if (query.pdMin !== undefined) q = q.where('probability_of_default', '>=', query.pdMin);
    if (query.pdMax !== undefined) q = q.where('probability_of_default', '<=', query.pdMax);
    if (query.idContains !== undefined) q = q.where(sql<SqlBool>`instr(id, ${query.idContains}) > 0`);
    if (query.hasFeedback !== undefined) q = q.where('feedback_outcome', query.hasFeedback ? 'is not' : 'is', null);
    const { total } = await q.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
    const column = query.sort === 'pd' ? 'probability_of_default' : query.sort === 'score' ? 'score' : 'scored_at';
    const rows = await q
      .select(['id', 'dataset_key', 'scored_at', 'model_version', 'model_id', 'source', 'probability_of_default', 'score', 'decision', 'flags', 'feedback_outcome'])
      .orderBy(column, query.order).orderBy('id', query.order)
      .limit(query.pageSize).offset((query.page - 1) * query.pageSize)
      .execute();
    return { total: Number(total), page: query.page, pageSize: query.pageSize, items: rows.map(toSummary) };
  }

  /** One application with its feedback, or undefined. */
  async get(id: string): Promise<Application | undefined> {
    const row = await this.db.selectFrom('applications').selectAll().where('id', '=', id).executeTakeFirst();
    if (row === undefined) return undefined;
    const feedback = await this.db.selectFrom('feedback').selectAll().where('application_id', '=', id).orderBy('seq').execute();
    return {
      ...toSummary(row), scoredBy: row.scored_by, outOfRange: JSON.parse(row.out_of_range) as string[],
      reasons: JSON.parse(row.reasons) as StoredReason[], contributions: JSON.parse(row.contributions) as StoredContribution[],
      record: JSON.parse(row.record) as Record<string, RecordValue>, feedback: feedback.map(toFeedback),
    };
  }

  /** Record feedback on an application (the newest feedback is the one training uses); undefined if the application does not exist. */
  async addFeedback(input: { applicationId: string; outcome: FeedbackOutcome; note?: string; createdBy: string }): Promise<FeedbackRecord | undefined> {
    const saved = this.database.transaction((): FeedbackRecord | undefined => {
      const exists = this.database.prepare('select id from applications where id = ?').get(input.applicationId);
      if (exists === undefined) return undefined;
      const record: FeedbackRecord = { id: randomUUID(), applicationId: input.applicationId, outcome: input.outcome, note: input.note ?? null, createdAt: this.now(), createdBy: input.createdBy };
      this.database.prepare('insert into feedback (id, application_id, outcome, note, created_at, created_by) values (?, ?, ?, ?, ?, ?)')
        .run(record.id, record.applicationId, record.outcome, record.note, record.createdAt, record.createdBy);
      this.database.prepare('update applications set feedback_id = ?, feedback_outcome = ? where id = ?').run(record.id, record.outcome, input.applicationId);
      return record;
    }).immediate();
    // an officer's judgement is not re-creatable: make it (and every earlier commit) survive a
    // power cut too, by syncing the write-ahead log it was committed to
    if (saved !== undefined) this.syncLog();
    return saved;
  }

  private syncLog(): void {
    if (this.file === ':memory:') return;
    let fd: number | undefined;
    try {
      fd = openSync(`${this.file}-wal`, 'r+');
      fsyncSync(fd);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err; // no WAL: the commit went to the database file
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }

  /**
   * Applications of `datasetKey` whose newest feedback gives an outcome, as labelled rows
   * (oldest first, at most `limit`): what the node adds to its training data for that key.
   */
  async labelledFeedback(datasetKey: string, limit: number): Promise<LabelledFeedback[]> {
    const rows = await this.db.selectFrom('applications').select(['id', 'feedback_id', 'feedback_outcome', 'record'])
      .where('dataset_key', '=', datasetKey).where('feedback_id', 'is not', null)
      .orderBy('scored_at').orderBy(sql`rowid`).limit(limit).execute();
    return rows.map((r) => ({ applicationId: r.id, feedbackId: r.feedback_id!, label: labelOf(r.feedback_outcome as FeedbackOutcome), record: JSON.parse(r.record) as Record<string, RecordValue> }));
  }

  /** Number of stored applications. */
  async count(): Promise<number> {
    const { n } = await this.db.selectFrom('applications').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(n);
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}

function toSummary(row: Pick<ApplicationsTable, 'id' | 'dataset_key' | 'scored_at' | 'model_version' | 'model_id' | 'source' | 'probability_of_default' | 'score' | 'decision' | 'flags' | 'feedback_outcome'>): ApplicationSummary {
  return {
    id: row.id, datasetKey: row.dataset_key, scoredAt: Number(row.scored_at), modelVersion: row.model_version, modelId: row.model_id, source: row.source,
    probabilityOfDefault: row.probability_of_default, score: row.score, decision: row.decision as Decision, flags: row.flags,
    feedbackOutcome: row.feedback_outcome as FeedbackOutcome | null,
  };
}

function toFeedback(row: Omit<FeedbackTable, 'seq'>): FeedbackRecord {
  return { id: row.id, applicationId: row.application_id, outcome: row.outcome as FeedbackOutcome, note: row.note, createdAt: Number(row.created_at), createdBy: row.created_by };
}
