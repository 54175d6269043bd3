/**
 * The coordinator's only way to persist state. Everything that must survive a crash (node
 * identities, jobs, committed rounds, model versions, privacy spends, the audit log) goes
 * through this interface and is durable when the returned promise resolves, so the coordinator
 * acknowledges nothing it has not written. SQLite and PostgreSQL implement it identically and
 * pass one conformance suite (test/store/conformance.ts).
 *
 * Conventions: times are epoch milliseconds; ids are strings (random UUIDs unless the caller
 * passes one); lookups by id throw `StoreError('NOT_FOUND')` rather than returning null, while
 * "latest/last" queries that may legitimately find nothing return `undefined`.
 */
import type { Dialect } from './migrations.js';
import type { AuditEntry, AuditEntryInput, AuditFilter, AuditHead, AuditVerification } from './audit.js';
import type { AccountStore } from './account-types.js';

/** A JSON value as stored in JSON columns (finite numbers only). */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };
/** A JSON object. */
export type JsonObject = { readonly [key: string]: JsonValue };

/** A lender. */
export interface InstitutionRecord {
  readonly id: string;
  readonly name: string;
  readonly createdAt: number;
  readonly revokedAt?: number;
}

/** A freshly issued enrollment token; the plain token exists only in this return value. */
export interface IssuedToken {
  readonly token: string;
  readonly institutionId: string;
  readonly expiresAt: number;
}

/** A node of an institution, identified by its Ed25519 public key (raw 32 bytes, base64). */
export interface NodeRecord {
  readonly id: string;
  readonly institutionId: string;
  readonly publicKey: string;
  readonly createdAt: number;
  readonly revokedAt?: number;
  readonly lastSeenAt?: number;
}

/** What a job trains; stored as JSON and returned as written. */
export interface JobSpec {
  readonly datasetKey: string;
  readonly model: string;
  readonly strategy: string;
  readonly hyperparameters: JsonObject;
  readonly rounds: number;
  readonly minNodes: number;
  readonly roundTimeoutMs: number;
  readonly seed: string | number;
  /** Everything else the coordinator needs (privacy, secure aggregation, …), stored verbatim. */
  readonly options?: JsonObject;
}

/** Job lifecycle: pending → running → completed | failed | cancelled (pending may also fail or be cancelled). */
export type JobStatus = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';

/** A job and its progress. */
export interface JobRecord {
  readonly id: string;
  readonly spec: JobSpec;
  readonly status: JobStatus;
  readonly createdBy: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** Last committed round; rounds count from 1, 0 means none committed yet. */
  readonly currentRound: number;
  readonly error?: string;
}

/** 'running' after {@link Store.startRound}, 'committed' after {@link Store.commitRound}. */
export type RoundStatus = 'running' | 'committed';

/** One round of one job. Parameters and strategy state are opaque bytes encoded by the caller. */
export interface RoundRecord {
  readonly jobId: string;
  readonly round: number;
  readonly status: RoundStatus;
  readonly startedAt: number;
  readonly completedAt?: number;
  readonly participants: readonly string[];
  readonly parameters?: Uint8Array;
  readonly strategyState?: Uint8Array;
  readonly metrics: JsonObject;
}

/** What {@link Store.commitRound} writes. */
export interface RoundCommit {
  readonly parameters: Uint8Array;
  readonly strategyState?: Uint8Array;
  readonly metrics: JsonObject;
  readonly participants: readonly string[];
}

/** Result of {@link Store.commitRound}: `created` is false when the round was already committed. */
export interface CommitRoundResult {
  readonly round: RoundRecord;
  readonly created: boolean;
}

/** Model version lifecycle: candidate → approved → retired (a candidate may be retired directly). */
export type ModelStatus = 'candidate' | 'approved' | 'retired';

/** Where a model version came from: which nodes and rounds, with which settings and feedback. */
export interface ModelLineage {
  readonly nodes: readonly string[];
  readonly rounds: readonly number[];
  readonly settings: JsonObject;
  readonly feedbackIds: readonly string[];
}

/** A trained model version. `version` counts from 1 within its job. */
export interface ModelVersionRecord {
  readonly id: string;
  readonly jobId: string;
  readonly version: number;
  readonly status: ModelStatus;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly meta: JsonObject;
  readonly parameters: Uint8Array;
  readonly lineage: ModelLineage;
}

/** One privacy spend. `key` makes recording idempotent (e.g. `${jobId}:${round}:${nodeId}`). */
export interface PrivacySpendInput {
  readonly key: string;
  /** Whose budget is charged: a node id, a dataset key, or any other ledger subject. */
  readonly subject: string;
  readonly jobId?: string;
  readonly round?: number;
  readonly epsilon: number;
  readonly delta: number;
  readonly details?: JsonObject;
}

/** A recorded privacy spend. */
export interface PrivacySpendRecord extends PrivacySpendInput {
  readonly createdAt: number;
}

/**
 * Spends of one subject. `epsilon`/`delta` are plain sums (basic composition, an upper bound);
 * an accountant that composes more tightly works from `entries`.
 */
export interface PrivacySpent {
  readonly subject: string;
  readonly epsilon: number;
  readonly delta: number;
  readonly entries: readonly PrivacySpendRecord[];
}

/**
 * The persistence interface of the coordinator. See the module comment for conventions;
 * dashboard accounts, sessions and settings are in {@link AccountStore} (account-types.ts).
 */
export interface Store extends AccountStore {
  readonly dialect: Dialect;

  createInstitution(input: { name: string; id?: string }): Promise<InstitutionRecord>;
  getInstitution(id: string): Promise<InstitutionRecord>;
  listInstitutions(filter?: { includeRevoked?: boolean }): Promise<InstitutionRecord[]>;
  /** Revoke an institution and, in the same transaction, all of its nodes. */
  revokeInstitution(id: string): Promise<InstitutionRecord>;

  /** Issue a single-use token valid for `ttlMs`; only its SHA-256 is stored. */
  createEnrollmentToken(input: { institutionId: string; ttlMs: number }): Promise<IssuedToken>;
  /** Atomically mark the token used; throws TOKEN_INVALID / TOKEN_USED / TOKEN_EXPIRED / REVOKED. */
  consumeEnrollmentToken(token: string): Promise<{ institutionId: string }>;
  /** Consume a token and register the node in one transaction (a crash cannot burn the token alone). */
  enrollNode(input: { token: string; publicKey: string; id?: string }): Promise<NodeRecord>;
  registerNode(input: { institutionId: string; publicKey: string; id?: string }): Promise<NodeRecord>;
  getNode(id: string): Promise<NodeRecord>;
  listNodes(filter?: { institutionId?: string; includeRevoked?: boolean }): Promise<NodeRecord[]>;
  revokeNode(id: string): Promise<NodeRecord>;
  /** Record that the node was seen at `atMs` (default now); throws REVOKED for revoked nodes. */
  touchNode(id: string, atMs?: number): Promise<void>;

  createJob(input: { spec: JobSpec; createdBy: string; id?: string }): Promise<JobRecord>;
  getJob(id: string): Promise<JobRecord>;
  /** Jobs, oldest first; `status: 'running'` is what a restarted coordinator resumes. */
  listJobs(filter?: { status?: JobStatus }): Promise<JobRecord[]>;
  /** Move along the lifecycle; setting the current status again is a no-op. */
  updateJobStatus(id: string, status: JobStatus, options?: { error?: string }): Promise<JobRecord>;

  /** Mark round `currentRound + 1` as started (optional; for progress display). */
  startRound(jobId: string, round: number): Promise<RoundRecord>;
  /**
   * In one transaction, store round `round` and advance the job's current round to it. Rounds
   * are committed in order (round must be currentRound + 1) while the job is running.
   * Idempotent: if the round is already committed, nothing is written and the stored round is
   * returned with `created: false` (first write wins), so a replay after a crash cannot
   * double-count.
   */
  commitRound(jobId: string, round: number, commit: RoundCommit): Promise<CommitRoundResult>;
  getRound(jobId: string, round: number): Promise<RoundRecord>;
  listRounds(jobId: string): Promise<RoundRecord[]>;
  /** The highest committed round, or undefined if none: where a restarted job resumes. */
  getLastCommittedRound(jobId: string): Promise<RoundRecord | undefined>;

  createModelVersion(input: { jobId: string; parameters: Uint8Array; meta: JsonObject; lineage: ModelLineage; id?: string }): Promise<ModelVersionRecord>;
  getModelVersion(id: string): Promise<ModelVersionRecord>;
  listModelVersions(filter?: { jobId?: string; status?: ModelStatus }): Promise<ModelVersionRecord[]>;
  approveModel(id: string): Promise<ModelVersionRecord>;
  retireModel(id: string): Promise<ModelVersionRecord>;
  /** The most recently created approved version (optionally of one job), or undefined. */
  getLatestApprovedModel(filter?: { jobId?: string }): Promise<ModelVersionRecord | undefined>;

  /** Record a spend; a repeated `key` is a no-op returning the stored spend with `created: false`. */
  recordPrivacySpend(input: PrivacySpendInput): Promise<{ spend: PrivacySpendRecord; created: boolean }>;
  getPrivacySpent(subject: string, filter?: { jobId?: string }): Promise<PrivacySpent>;

  /** Append to the hash chain (serialised: concurrent appends never fork it). */
  appendAudit(entry: AuditEntryInput): Promise<AuditEntry>;
  listAudit(filter?: AuditFilter): Promise<AuditEntry[]>;
  /** The last entry's seq and hash (seq 0 and the genesis hash when empty), to anchor externally. */
  getAuditHead(): Promise<AuditHead>;
  /** Walk the chain; with `expectedHead` also detect a truncated tail. */
  verifyAudit(options?: { expectedHead?: AuditHead }): Promise<AuditVerification>;

  /** Release connections; the store cannot be used afterwards. */
  close(): Promise<void>;
}
