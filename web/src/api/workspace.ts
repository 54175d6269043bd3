/**
 * Types of the lender workspace's API at a node (src/node/workspace/routes.ts): scored
 * applications, their detail, feedback, and what the node serves.
 */
import type { Contribution, FieldChange, FormColumn } from './types.js';

export type Decision = 'approve' | 'review' | 'decline';
export type FeedbackOutcome = 'good' | 'bad' | 'false-positive';

/** GET /api/v1/workspace. */
export interface WorkspaceInfo {
  readonly node: { readonly nodeId: string | null; readonly institution: string; readonly nodeName: string };
  readonly datasetKey: string;
  readonly model: { readonly version: string; readonly id: string | null; readonly kind: string } | null;
  readonly thresholds: { readonly review: number; readonly decline: number } | null;
  readonly flags: readonly { readonly name: string; readonly description: string }[];
  readonly schema: { readonly name: string; readonly description: string | null; readonly columns: readonly FormColumn[] } | null;
  readonly storedApplications: number;
}

/** One row of the list. */
export interface ApplicationSummary {
  readonly id: string;
  readonly datasetKey: string;
  readonly scoredAt: number;
  readonly modelVersion: string;
  readonly modelId: string | null;
  readonly source: 'api' | 'legacy' | 'workspace';
  readonly probabilityOfDefault: number;
  readonly score: number;
  readonly decision: Decision;
  readonly flags: readonly string[];
  readonly feedbackOutcome: FeedbackOutcome | null;
}

/** GET /api/v1/applications. */
export interface ApplicationPage {
  readonly total: number;
  readonly page: number;
  readonly pageSize: number;
  readonly items: readonly ApplicationSummary[];
}

/** A field of the record, in words. */
export interface FieldInWords {
  readonly field: string;
  readonly title: string;
  readonly value: string | number | null;
  readonly description: string;
}

export interface Feedback {
  readonly id: string;
  readonly applicationId: string;
  readonly outcome: FeedbackOutcome;
  readonly note: string | null;
  readonly createdAt: number;
  readonly createdBy: string;
}

/** GET /api/v1/applications/:id. */
export interface ApplicationDetail extends ApplicationSummary {
  readonly scoredBy: string | null;
  readonly flagDescriptions: Readonly<Record<string, string>>;
  readonly reasons: readonly Contribution[];
  readonly contributions: readonly (FieldInWords & { readonly contribution: number })[];
  readonly record: readonly FieldInWords[];
  readonly outOfRange: readonly FieldInWords[];
  readonly feedback: readonly Feedback[];
  readonly whatWouldChange: {
    readonly decision: Decision;
    readonly suggestions: readonly { readonly changes: readonly FieldChange[]; readonly probabilityOfDefault: number; readonly score: number; readonly decision: Decision }[];
    readonly margin: { readonly probabilityOfDefault: number; readonly points: number } | null;
  } | null;
  readonly whatWouldChangeNote: string;
  readonly modelServedNow: string | null;
}

/** Words for the flag names. */
export const FLAG_LABELS: Readonly<Record<string, string>> = {
  decline: 'Declined',
  review: 'Review',
  high_pd: 'High PD',
  near_threshold: 'Near threshold',
  out_of_range: 'Out of range',
};

export const OUTCOME_LABELS: Readonly<Record<FeedbackOutcome, string>> = {
  good: 'Good: repaid as agreed',
  bad: 'Bad: defaulted',
  'false-positive': 'False positive: flagged, but a good applicant',
};

export const SOURCE_LABELS: Readonly<Record<string, string>> = { api: 'scoring API', legacy: 'old scoring API', workspace: 'workspace' };
