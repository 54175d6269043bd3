/**
 * The `{ dataset?, records }` wrapper of a `POST /api/v1/score` request, as both the node's
 * scoring route (routes.ts) and the coordinator's dashboard scoring (src/web/scoreRoutes.ts)
 * accept it: unknown fields, a malformed dataset key and missing records are coded issues.
 */
import { preview, type Issue } from './issues.js';

/** Longest dataset key a request may name. */
export const MAX_DATASET_KEY_CHARS = 200;

export type ScoreEnvelope = { ok: true; dataset: string | undefined; records: unknown } | { ok: false; issues: Issue[] };

/** Check the `{ dataset?, records }` wrapper of `/api/v1/score`; the records are parsed later, against the model's schema. */
export function parseScoreEnvelope(body: unknown): ScoreEnvelope {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, issues: [{ code: 'not_an_object', expected: 'an object { dataset?, records }', got: preview(body) }] };
  }
  const fields = body as Record<string, unknown>;
  const issues: Issue[] = [];
  for (const key of Object.keys(fields)) {
    if (key !== 'dataset' && key !== 'records') issues.push({ field: key, code: 'unknown_field', expected: 'only dataset and records', got: preview(fields[key]) });
  }
  const dataset = Object.hasOwn(fields, 'dataset') ? fields.dataset : undefined;
  if (dataset !== undefined && (typeof dataset !== 'string' || dataset.length === 0 || dataset.length > MAX_DATASET_KEY_CHARS)) {
    issues.push({ field: 'dataset', code: 'wrong_type', expected: `a dataset key (a string of 1 to ${MAX_DATASET_KEY_CHARS} characters)`, got: preview(dataset) });
  }
  if (!Object.hasOwn(fields, 'records')) issues.push({ field: 'records', code: 'missing', expected: 'an array of records', got: preview(undefined) });
  return issues.length > 0 ? { ok: false, issues } : { ok: true, dataset: dataset as string | undefined, records: fields.records };
}
