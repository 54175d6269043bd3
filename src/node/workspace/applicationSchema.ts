/**
 * The tables of `<dataDir>/applications.db` and their migrations (see applicationStore.ts):
 * `applications` (one row per scored record), `feedback` (every feedback given, newest last)
 * and `audit_watermark` (the last application row covered by the node's audit log).
 */
import type { Generated, Kysely, Migration } from 'kysely';

export interface ApplicationsTable {
  id: string;
  dataset_key: string;
  scored_at: number;
  model_version: string;
  model_id: string | null;
  source: string;
  scored_by: string | null;
  probability_of_default: number;
  score: number;
  decision: string;
  flags: number;
  out_of_range: string;
  reasons: string;
  contributions: string;
  record: string;
  feedback_id: string | null;
  feedback_outcome: string | null;
}

export interface FeedbackTable {
  id: string;
  application_id: string;
  outcome: string;
  note: string | null;
  created_at: number;
  created_by: string;
  seq: Generated<number>;
}

export interface WorkspaceDatabase {
  applications: ApplicationsTable;
  feedback: FeedbackTable;
  audit_watermark: { id: number; through_row_id: number };
}

/** Columns of `applications`, in insert order. */
export const APPLICATION_COLUMNS = [
  'id', 'dataset_key', 'scored_at', 'model_version', 'model_id', 'source', 'scored_by', 'probability_of_default', 'score', 'decision',
  'flags', 'out_of_range', 'reasons', 'contributions', 'record', 'feedback_id', 'feedback_outcome',
] as const satisfies readonly (keyof ApplicationsTable)[];

/** File name of the database inside the node's data directory. */
export const APPLICATIONS_DB_FILE = 'applications.db';

export const migrations: Record<string, Migration> = {
  '0001_applications': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.createTable('applications').ifNotExists()
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('dataset_key', 'text', (c) => c.notNull())
        .addColumn('scored_at', 'bigint', (c) => c.notNull())
        .addColumn('model_version', 'text', (c) => c.notNull())
        .addColumn('model_id', 'text')
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('scored_by', 'text')
        .addColumn('probability_of_default', 'double precision', (c) => c.notNull())
        .addColumn('score', 'integer', (c) => c.notNull())
        .addColumn('decision', 'text', (c) => c.notNull())
        .addColumn('flags', 'integer', (c) => c.notNull())
        .addColumn('out_of_range', 'text', (c) => c.notNull())
        .addColumn('reasons', 'text', (c) => c.notNull())
        .addColumn('contributions', 'text', (c) => c.notNull())
        .addColumn('record', 'text', (c) => c.notNull())
        .addColumn('feedback_id', 'text')
        .addColumn('feedback_outcome', 'text')
        .execute();
      for (const column of ['scored_at', 'probability_of_default', 'score', 'decision', 'dataset_key']) {
        await db.schema.createIndex(`applications_${column}_idx`).ifNotExists().on('applications').column(column).execute();
      }
      await db.schema.createTable('feedback').ifNotExists()
        .addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('id', 'text', (c) => c.notNull().unique())
        .addColumn('application_id', 'text', (c) => c.notNull().references('applications.id'))
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('note', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('feedback_application_idx').ifNotExists().on('feedback').column('application_id').execute();
    },
  },
  '0002_audit_watermark': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.createTable('audit_watermark').ifNotExists()
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('through_row_id', 'integer', (c) => c.notNull())
        .execute();
    },
  },
};
