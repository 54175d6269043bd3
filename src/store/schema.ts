/**
 * Kysely table types: the shape of every table as the drivers return it. Portability choices,
 * shared by both dialects and the migrations:
 *
 * - Timestamps are epoch milliseconds in BIGINT columns (no time zones, no dialect-specific
 *   date types). better-sqlite3 returns them as numbers, pg returns BIGINT as a decimal string
 *   (it cannot know the value fits in a double), so select types admit both and the row mappers
 *   convert with `toInt`.
 * - JSON is stored as TEXT in both dialects: the store writes it, never queries inside it, and
 *   TEXT keeps the exact bytes that were written.
 * - Bytes are BLOB (SQLite) or BYTEA (PostgreSQL); both drivers return a Node Buffer.
 *
 * Adding a table (users, sessions) means a new migration plus an interface here.
 */
import type { ColumnType } from 'kysely';

/** A BIGINT column: written as a number, read as number (SQLite) or string (pg). */
export type BigIntColumn = ColumnType<number | string, number, number>;
/** A nullable BIGINT column. */
export type NullableBigIntColumn = ColumnType<number | string | null, number | null, number | null>;
/** A BLOB/BYTEA column; drivers return a Buffer, which is a Uint8Array. */
export type BytesColumn = ColumnType<Uint8Array, Uint8Array, Uint8Array>;

/** A lender taking part in the federation. */
export interface InstitutionsTable {
  id: string;
  name: string;
  created_at: BigIntColumn;
  revoked_at: NullableBigIntColumn;
}

/** One-time enrollment tokens; only the SHA-256 of the token is kept. */
export interface EnrollmentTokensTable {
  token_hash: string;
  institution_id: string;
  created_at: BigIntColumn;
  expires_at: BigIntColumn;
  used_at: NullableBigIntColumn;
  used_by_node_id: string | null;
}

/** A node (one machine of one institution) identified by its Ed25519 public key. */
export interface NodesTable {
  id: string;
  institution_id: string;
  /** Raw 32-byte Ed25519 public key, base64. */
  public_key: string;
  created_at: BigIntColumn;
  revoked_at: NullableBigIntColumn;
  last_seen_at: NullableBigIntColumn;
}

/** A training job; `spec` is the JSON job specification. */
export interface JobsTable {
  id: string;
  spec: string;
  status: string;
  created_by: string;
  created_at: BigIntColumn;
  updated_at: BigIntColumn;
  /** Last committed round (rounds count from 1; 0 = none yet). */
  current_round: number;
  error: string | null;
}

/** One round of one job; primary key (job_id, round). */
export interface RoundsTable {
  job_id: string;
  round: number;
  status: string;
  started_at: BigIntColumn;
  completed_at: NullableBigIntColumn;
  participants: string;
  parameters: ColumnType<Uint8Array | null, Uint8Array | null, Uint8Array | null>;
  strategy_state: ColumnType<Uint8Array | null, Uint8Array | null, Uint8Array | null>;
  metrics: string;
}

/** A trained model version with its lineage. */
export interface ModelVersionsTable {
  id: string;
  job_id: string;
  version: number;
  status: string;
  created_at: BigIntColumn;
  updated_at: BigIntColumn;
  meta: string;
  parameters: BytesColumn;
  lineage: string;
}

/** Privacy spends, keyed by a caller-chosen idempotency key. */
export interface PrivacyLedgerTable {
  id: string;
  subject: string;
  job_id: string | null;
  round: number | null;
  epsilon: number;
  delta: number;
  created_at: BigIntColumn;
  details: string;
}

/** The hash-chained, append-only audit log. */
export interface AuditLogTable {
  seq: BigIntColumn;
  at: BigIntColumn;
  actor: string;
  action: string;
  subject: string;
  details: string;
  prev_hash: string;
  hash: string;
}

/** Dashboard accounts; booleans are INTEGER 0/1 in both dialects. */
export interface UsersTable {
  id: string;
  /** Lower-cased; unique. */
  email: string;
  display_name: string;
  institution_id: string | null;
  requested_institution: string | null;
  role: string | null;
  status: string;
  password_hash: string;
  totp_enabled: number;
  totp_secret: string | null;
  totp_pending_secret: string | null;
  totp_last_step: NullableBigIntColumn;
  /** JSON array of SHA-256 hex digests of unused recovery codes. */
  recovery_codes: string;
  failed_attempts: number;
  locked_until: NullableBigIntColumn;
  notification_prefs: string;
  created_at: BigIntColumn;
  updated_at: BigIntColumn;
}

/** Browser sessions; `id` is the SHA-256 of the cookie's token, never the token. */
export interface SessionsTable {
  id: string;
  user_id: string;
  created_at: BigIntColumn;
  last_seen_at: BigIntColumn;
  expires_at: BigIntColumn;
  csrf_token_hash: string;
  /** JSON object: ip and user-agent summary. */
  client: string;
  revoked_at: NullableBigIntColumn;
}

/** Server settings as JSON values. */
export interface SettingsTable {
  key: string;
  value: string;
  updated_at: BigIntColumn;
  updated_by: string;
}

/** The one-time token that creates the first admin; only its SHA-256 is kept. */
export interface SetupTokensTable {
  token_hash: string;
  created_at: BigIntColumn;
  expires_at: BigIntColumn;
  used_at: NullableBigIntColumn;
  used_by_user_id: string | null;
}

/** The whole database, as Kysely sees it. */
export interface Database {
  institutions: InstitutionsTable;
  enrollment_tokens: EnrollmentTokensTable;
  nodes: NodesTable;
  jobs: JobsTable;
  rounds: RoundsTable;
  model_versions: ModelVersionsTable;
  privacy_ledger: PrivacyLedgerTable;
  audit_log: AuditLogTable;
  users: UsersTable;
  sessions: SessionsTable;
  settings: SettingsTable;
  setup_tokens: SetupTokensTable;
}
