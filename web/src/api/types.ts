/**
 * The shapes of the coordinator's answers the dashboard reads (see docs/web-api.md and the
 * OpenAPI document at /docs). Only the fields the pages use are listed.
 */

/** The four roles of the federation's people. */
export type Role = 'admin' | 'risk_officer' | 'ml_engineer' | 'auditor';

/** Words for each role, as the pages show them. */
export const ROLE_LABELS: Readonly<Record<Role, string>> = {
  admin: 'Administrator',
  risk_officer: 'Risk officer',
  ml_engineer: 'ML engineer',
  auditor: 'Auditor',
};

/** A person's account. Times are epoch milliseconds. */
export interface User {
  readonly id: string;
  readonly email: string;
  readonly displayName: string;
  readonly role: Role | null;
  readonly status: 'pending' | 'active' | 'disabled';
  readonly institutionId: string | null;
  readonly requestedInstitution: string | null;
  readonly totpEnabled: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly notificationPrefs?: Record<string, boolean>;
  readonly lockedUntil?: number;
  /** Institution name (GET /profile only). */
  readonly institution?: string | null;
}

/** When a session ends (server clock, epoch ms). */
export interface SessionTiming {
  readonly expiresAt: number;
  readonly warningAt: number;
  readonly timeoutMinutes: number;
}

/** GET /api/v1/session and the sign-in answer. */
export interface Session extends SessionTiming {
  readonly user: User;
  readonly role: Role;
  readonly csrfToken: string;
  readonly totpEnrolmentRequired: boolean;
  /** "METHOD /path" keys of the routes this role may call. */
  readonly permissions: readonly string[];
}

/** An enrolled lender node (GET /api/v1/nodes). */
export interface NodeInfo {
  readonly id: string;
  readonly institutionId: string;
  readonly institution?: string;
  readonly online: boolean;
  readonly createdAt: number;
  readonly lastSeenAt?: number;
  readonly revokedAt?: number;
}

/** A training job (GET /api/v1/jobs). */
export interface Job {
  readonly id: string;
  readonly status: string;
  readonly currentRound: number;
  readonly createdAt: number;
  readonly createdBy?: string;
  readonly error?: string;
  readonly spec: { readonly datasetKey: string; readonly model: string; readonly strategy: string; readonly rounds: number; readonly minNodes: number };
}

/** Metrics the coordinator stores per committed round. */
export interface RoundMetrics {
  readonly trainLoss?: number | null;
  readonly numExamples?: number;
  readonly durationMs?: number;
  readonly dropped?: readonly string[];
  readonly auc?: number;
  readonly ks?: number;
  readonly brier?: number;
  readonly logLoss?: number;
  readonly numTestExamples?: number;
}

/** A committed round (inside GET /api/v1/jobs/:id). */
export interface Round {
  readonly round: number;
  readonly status: string;
  readonly startedAt: number;
  readonly completedAt?: number;
  readonly participants: readonly string[];
  readonly metrics: RoundMetrics;
}

/** A model version without its parameters. */
export interface ModelVersion {
  readonly id: string;
  readonly jobId: string;
  readonly version: number;
  readonly status: 'candidate' | 'approved' | 'retired';
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly meta: { readonly kind?: string; readonly datasetKey?: string; readonly metrics?: RoundMetrics } & Record<string, unknown>;
  readonly lineage?: { readonly nodes: readonly string[]; readonly rounds: readonly number[]; readonly feedbackIds?: readonly string[] };
}

/** GET /api/v1/jobs/:id. */
export interface JobDetail extends Job {
  readonly rounds: readonly Round[];
  readonly models: readonly ModelVersion[];
}

/** One entry of the hash-chained audit log. */
export interface AuditEntry {
  readonly seq: number;
  readonly at: number;
  readonly actor: string;
  readonly action: string;
  readonly subject: string;
  readonly details: Record<string, unknown>;
  readonly prevHash: string;
  readonly hash: string;
}

/** GET /api/v1/audit/verify. */
export type AuditVerification =
  | { readonly ok: true; readonly count: number; readonly head: { readonly seq: number; readonly hash: string } }
  | { readonly ok: false; readonly firstBadSeq: number; readonly reason: 'edited' | 'deleted' | 'reordered' };

/** A column of a scoring form (GET /api/v1/scoring/datasets). */
export interface FormColumn {
  readonly name: string;
  readonly kind: 'numeric' | 'categorical' | 'ordinal' | 'binary';
  readonly description?: string;
  readonly unit?: string;
  readonly min?: number;
  readonly max?: number;
  readonly integer?: boolean;
  readonly categories?: readonly string[];
  readonly labels?: Readonly<Record<string, string>>;
  readonly protected?: boolean;
  readonly usedByModel: boolean;
}

/** The model that scores a dataset key. */
export interface ScoringModel {
  readonly id: string;
  readonly jobId: string;
  readonly version: number;
  readonly kind: string;
  readonly approvedAt: number;
  readonly metrics: RoundMetrics | null;
}

/** A dataset key that can be scored, with its form. */
export interface ScoringDataset {
  readonly datasetKey: string;
  readonly model: ScoringModel;
  readonly schema: { readonly name: string; readonly description: string | null; readonly columns: readonly FormColumn[] };
}

/** One column's part in a score. */
export interface Contribution {
  readonly field: string;
  readonly value: string | number | null;
  readonly description: string;
  readonly contribution: number;
}

/** One field changed by a counterfactual suggestion (src/scoring/counterfactual.ts). */
export interface FieldChange {
  readonly field: string;
  readonly title: string;
  readonly from: string | number;
  readonly to: string | number;
  /** In the codebook's words, e.g. 'Duration of the credit: 48 → 24 months'. */
  readonly text: string;
}

/** What would change the decision for one applicant (POST /api/v1/score?explain=true). */
export interface CounterfactualAnswer {
  readonly decision: 'approve' | 'review' | 'decline';
  readonly probabilityOfDefault: number;
  readonly suggestions: readonly {
    readonly changes: readonly FieldChange[];
    readonly probabilityOfDefault: number;
    readonly score: number;
    readonly decision: 'approve' | 'review' | 'decline';
    readonly cost: number;
  }[];
  readonly margin: { readonly probabilityOfDefault: number; readonly points: number } | null;
  readonly fields: readonly { readonly field: string; readonly title: string; readonly actionability: 'actionable' | 'immutable' | 'protected'; readonly why: string }[];
}

/** POST /api/v1/score. */
export interface ScoreAnswer {
  readonly dataset: string;
  readonly schema: string;
  readonly model: ScoringModel;
  readonly modelVersion: string;
  readonly thresholds: { readonly review: number; readonly decline: number };
  readonly reasonMethod: string;
  readonly results: readonly {
    readonly probabilityOfDefault: number;
    readonly score: number;
    readonly decision: 'approve' | 'review' | 'decline';
    readonly reasons: readonly Contribution[];
    readonly contributions: readonly Contribution[];
    /** With `?explain=true` only. */
    readonly counterfactuals?: CounterfactualAnswer;
  }[];
}

/** A message of the live websocket. */
export type LiveMessage =
  | { readonly type: 'hello'; readonly role: string }
  | { readonly type: 'round'; readonly jobId: string; readonly round: number; readonly trainLoss: number; readonly numExamples: number; readonly participants: number; readonly dropped: number; readonly durationMs: number; readonly metrics?: { readonly auc?: number; readonly ks?: number } }
  | { readonly type: 'status'; readonly jobId: string; readonly status: string; readonly error?: string; readonly modelVersion?: string };
