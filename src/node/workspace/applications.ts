/**
 * What the lender workspace stores and lists: a scored application, its feedback, the list's
 * query and page, and the labelled rows feedback turns into for the node's next training.
 * Shared by the store (applicationStore.ts), the recorder, the routes and the query parser.
 */
import type { Decision } from '../../scoring/scorer.js';

/** Feedback an officer can give: the applicant turned out good or bad, or the flag was wrong. */
export const FEEDBACK_OUTCOMES = ['good', 'bad', 'false-positive'] as const;
export type FeedbackOutcome = (typeof FEEDBACK_OUTCOMES)[number];

/**
 * The training label of an outcome: bad → 1 (default); good and false-positive (flagged or
 * declined, but the officer judges the applicant good) → 0.
 */
export function labelOf(outcome: FeedbackOutcome): 0 | 1 {
  return outcome === 'bad' ? 1 : 0;
}

/** A raw record value as stored: a code, a number, or missing. */
export type RecordValue = string | number | null;

/** One contribution to the logit of default, by column. */
export interface StoredContribution {
  readonly field: string;
  readonly contribution: number;
}

/** One reason as stored (the scorer's Reason). */
export interface StoredReason {
  readonly field: string;
  readonly value: RecordValue;
  readonly description: string;
  readonly contribution: number;
}

/** What a scored record becomes. */
export interface NewApplication {
  readonly datasetKey: string;
  readonly modelVersion: string;
  readonly modelId?: string;
  /** Where it was scored: the machine API, the old binary API, or the workspace page. */
  readonly source: 'api' | 'legacy' | 'workspace';
  readonly scoredBy?: string;
  readonly probabilityOfDefault: number;
  readonly score: number;
  readonly decision: Decision;
  readonly flags: number;
  readonly outOfRange: readonly string[];
  readonly reasons: readonly StoredReason[];
  readonly contributions: readonly StoredContribution[];
  readonly record: Readonly<Record<string, RecordValue>>;
}

/** A stored application as the list shows it. */
export interface ApplicationSummary {
  readonly id: string;
  readonly datasetKey: string;
  readonly scoredAt: number;
  readonly modelVersion: string;
  readonly modelId: string | null;
  readonly source: string;
  readonly probabilityOfDefault: number;
  readonly score: number;
  readonly decision: Decision;
  readonly flags: number;
  readonly feedbackOutcome: FeedbackOutcome | null;
}

/** The whole stored application. */
export interface Application extends ApplicationSummary {
  readonly scoredBy: string | null;
  readonly outOfRange: string[];
  readonly reasons: StoredReason[];
  readonly contributions: StoredContribution[];
  readonly record: Record<string, RecordValue>;
  readonly feedback: FeedbackRecord[];
}

/** One feedback. */
export interface FeedbackRecord {
  readonly id: string;
  readonly applicationId: string;
  readonly outcome: FeedbackOutcome;
  readonly note: string | null;
  readonly createdAt: number;
  readonly createdBy: string;
}

/** Sort keys of the list. */
export const SORT_KEYS = ['time', 'pd', 'score'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

/** A validated list query. */
export interface ApplicationQuery {
  readonly page: number;
  readonly pageSize: number;
  readonly decision?: Decision;
  /** Bit of a flag that must be set. */
  readonly flagBit?: number;
  readonly pdMin?: number;
  readonly pdMax?: number;
  /** Substring of the id. */
  readonly idContains?: string;
  /** Only applications with (true) or without (false) feedback. */
  readonly hasFeedback?: boolean;
  readonly sort: SortKey;
  readonly order: 'asc' | 'desc';
}

/** A page of the list. */
export interface ApplicationPage {
  readonly total: number;
  readonly page: number;
  readonly pageSize: number;
  readonly items: ApplicationSummary[];
}

/** A labelled row for the node's next local training. */
export interface LabelledFeedback {
  readonly applicationId: string;
  readonly feedbackId: string;
  readonly label: 0 | 1;
  readonly record: Record<string, RecordValue>;
}
