/**
 * Validation of the workspace's untrusted inputs: the list query string and the feedback body.
 * Every problem is listed (field, expected, got); nothing is echoed beyond a short preview.
 */
import { preview, type Issue } from '../../scoring/issues.js';
import type { Decision } from '../../scoring/scorer.js';
import { FEEDBACK_OUTCOMES, SORT_KEYS, type ApplicationQuery, type FeedbackOutcome, type SortKey } from './applications.js';
import { FLAG_BITS, FLAG_NAMES, type FlagName } from './flags.js';

/** Largest page. */
export const MAX_PAGE_SIZE = 200;
export const DEFAULT_PAGE_SIZE = 50;
/** Longest feedback note (characters). */
export const MAX_NOTE_CHARS = 2000;
const MAX_PAGE = 1_000_000;
const DECISIONS: readonly Decision[] = ['approve', 'review', 'decline'];
const QUERY_KEYS = ['page', 'pageSize', 'decision', 'flag', 'pdMin', 'pdMax', 'q', 'feedback', 'sort', 'order'];
const ID_SEARCH = /^[A-Za-z0-9-]{1,64}$/;

type Parsed<T> = { ok: true; value: T } | { ok: false; issues: Issue[] };

/** Parse `GET /api/v1/applications` query parameters. */
export function parseApplicationQuery(raw: unknown): Parsed<ApplicationQuery> {
  const issues: Issue[] = [];
  const q = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  for (const key of Object.keys(q)) if (!QUERY_KEYS.includes(key)) issues.push({ field: key, code: 'unknown_field', expected: `one of ${QUERY_KEYS.join(', ')}`, got: preview(q[key]) });
  const single = (key: string): string | undefined => {
    const v = q[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') {
      issues.push({ field: key, code: 'wrong_type', expected: 'a single value', got: preview(v) });
      return undefined;
    }
    return v;
  };
  const integer = (key: string, min: number, max: number, fallback: number): number => {
    const v = single(key);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!/^\d+$/.test(v) || n < min || n > max) {
      issues.push({ field: key, code: 'out_of_range', expected: `a whole number from ${min} to ${max}`, got: preview(v) });
      return fallback;
    }
    return n;
  };
  const probability = (key: string): number | undefined => {
    const v = single(key);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) {
      issues.push({ field: key, code: 'out_of_range', expected: 'a probability from 0 to 1', got: preview(v) });
      return undefined;
    }
    return n;
  };
  const oneOf = <T extends string>(key: string, allowed: readonly T[]): T | undefined => {
    const v = single(key);
    if (v === undefined || v === '') return undefined;
    if (!(allowed as readonly string[]).includes(v)) {
      issues.push({ field: key, code: 'unknown_code', expected: `one of ${allowed.join(', ')}`, got: preview(v) });
      return undefined;
    }
    return v as T;
  };
  const page = integer('page', 1, MAX_PAGE, 1);
  const pageSize = integer('pageSize', 1, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE);
  const decision = oneOf<Decision>('decision', DECISIONS);
  const flag = oneOf<FlagName>('flag', FLAG_NAMES);
  const pdMin = probability('pdMin');
  const pdMax = probability('pdMax');
  if (pdMin !== undefined && pdMax !== undefined && pdMin > pdMax) issues.push({ field: 'pdMax', code: 'out_of_range', expected: `at least pdMin (${pdMin})`, got: preview(pdMax) });
  const search = single('q');
  if (search !== undefined && search !== '' && !ID_SEARCH.test(search)) issues.push({ field: 'q', code: 'wrong_type', expected: 'part of an application id: 1 to 64 letters, digits or dashes', got: preview(search) });
  const feedback = oneOf<'with' | 'without'>('feedback', ['with', 'without']);
  const sort = oneOf<SortKey>('sort', SORT_KEYS) ?? 'time';
  const order = oneOf<'asc' | 'desc'>('order', ['asc', 'desc']) ?? 'desc';
  if (issues.length > 0) return { ok: false, issues };
  return {
    ok: true,
    value: {
      page, pageSize, sort, order,
      ...(decision !== undefined ? { decision } : {}),
      ...(flag !== undefined ? { flagBit: FLAG_BITS[flag] } : {}),
      ...(pdMin !== undefined ? { pdMin } : {}),
      ...(pdMax !== undefined ? { pdMax } : {}),
      ...(search !== undefined && search !== '' ? { idContains: search } : {}),
      ...(feedback !== undefined ? { hasFeedback: feedback === 'with' } : {}),
    },
  };
}

/** Parse a feedback body `{ outcome, note? }`. */
export function parseFeedback(body: unknown): Parsed<{ outcome: FeedbackOutcome; note?: string }> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, issues: [{ code: 'not_an_object', expected: 'an object { outcome, note? }', got: preview(body) }] };
  const fields = body as Record<string, unknown>;
  const issues: Issue[] = [];
  for (const key of Object.keys(fields)) if (key !== 'outcome' && key !== 'note') issues.push({ field: key, code: 'unknown_field', expected: 'only outcome and note', got: preview(fields[key]) });
  const { outcome, note } = fields;
  if (!(FEEDBACK_OUTCOMES as readonly unknown[]).includes(outcome)) issues.push({ field: 'outcome', code: outcome === undefined ? 'missing' : 'unknown_code', expected: `one of ${FEEDBACK_OUTCOMES.join(', ')}`, got: preview(outcome) });
  if (note !== undefined && (typeof note !== 'string' || note.length > MAX_NOTE_CHARS)) issues.push({ field: 'note', code: 'wrong_type', expected: `text of at most ${MAX_NOTE_CHARS} characters`, got: preview(typeof note === 'string' ? `${note.length} characters` : note) });
  if (issues.length > 0) return { ok: false, issues };
  const trimmed = typeof note === 'string' ? note.trim() : '';
  return { ok: true, value: { outcome: outcome as FeedbackOutcome, ...(trimmed !== '' ? { note: trimmed } : {}) } };
}
