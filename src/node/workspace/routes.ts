/**
 * The lender workspace's API at a node (behind the workspace sign-in; who may call what is in
 * src/web/permissions.ts, WORKSPACE_ROUTE_PERMISSIONS):
 *
 * - `GET /api/v1/workspace`: this node, its dataset, the model being served, the thresholds,
 *   the flags and the form schema of a scoring request;
 * - `GET /api/v1/applications`: scored applications, paginated, filtered and sorted on the
 *   server (page, pageSize ≤ 200, decision, flag, pdMin/pdMax, q = part of the id, feedback =
 *   with|without, sort = time|pd|score, order = asc|desc);
 * - `POST /api/v1/applications` `{ records }`: score up to 100 applicants from the page and
 *   store them;
 * - `GET /api/v1/applications/:id`: reasons in words, every column's contribution, the record
 *   in words, the model version, the feedback, and what would change the decision;
 * - `POST /api/v1/applications/:id/feedback` `{ outcome, note? }`: stored at the node only,
 *   audited (outcome, never the note), used in the node's next local training;
 * - `GET /api/v1/audit`, `GET /api/v1/audit/verify`: the node's own audit log.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ColumnSpec, Schema } from '../../data/schema.js';
import { preview, type Issue } from '../../scoring/issues.js';
import { describeValue } from '../../scoring/reasons.js';
import type { Scorer } from '../../scoring/scorer.js';
import { parseRecords } from '../../scoring/validate.js';
import type { JsonObject, Store } from '../../store/index.js';
import { actorOf } from '../../web/authorize.js';
import { clientSummary } from '../../web/sessions.js';
import type { ApplicationStore } from './applicationStore.js';
import type { Application } from './applications.js';
import { FLAG_DESCRIPTIONS, FLAG_NAMES, flagNames, type InputRanges } from './flags.js';
import { parseApplicationQuery, parseFeedback } from './query.js';
import { applicationsOf } from './recorder.js';
import { recordCounterfactuals } from './whatIf.js';

/** Most records the page may score in one request. */
export const MAX_WORKSPACE_RECORDS = 100;

/** Suggestions of what would change a decision (default: src/scoring/counterfactual.ts through ./whatIf.ts). */
export type CounterfactualFinder = (scorer: Scorer, record: Readonly<Record<string, string | number | null>>) => unknown;

/** Options of {@link workspaceRoutes}. */
export interface WorkspaceRoutesOptions {
  /** Accounts and the node's audit log. */
  readonly store: Store;
  readonly applications: ApplicationStore;
  /** The scorer being served (undefined before the first approved model). */
  readonly getScorer: () => Scorer | undefined;
  /** The coordinator's id of the model being served. */
  readonly modelId: () => string | undefined;
  /** The dataset key scored applications are filed under. */
  readonly datasetKey: string;
  /** The node's training-data ranges of that dataset (out_of_range flag). */
  readonly ranges?: InputRanges;
  /** The schema of the dataset (words for the detail view when the model changed since). */
  readonly schema?: Schema;
  /** Who this node is (shown in the page header). */
  readonly node: () => { readonly nodeId: string | null; readonly institution: string; readonly nodeName: string };
  /** What would change a decision (default {@link recordCounterfactuals}). */
  readonly counterfactuals?: CounterfactualFinder;
}

const idParam = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } } as const;

/** Register the workspace routes (inside the scope guarded by webAuth). */
export async function workspaceRoutes(app: FastifyInstance, options: WorkspaceRoutesOptions): Promise<void> {
  const { store, applications } = options;
  const invalid = (reply: FastifyReply, issues: Issue[], what: string) => reply.code(400).send({ error: 'invalid_request', message: `${issues.length} problem(s) in the ${what}`, issues });

  app.get('/api/v1/workspace', { schema: { tags: ['workspace'], summary: 'This node, its dataset, the model served, thresholds, flags and the scoring form' } }, async () => {
    const scorer = options.getScorer();
    return {
      node: options.node(), datasetKey: options.datasetKey,
      model: scorer ? { version: scorer.modelVersion, id: options.modelId() ?? null, kind: scorer.modelKind } : null,
      thresholds: scorer ? { review: scorer.thresholds.review, decline: scorer.thresholds.decline } : null,
      flags: FLAG_NAMES.map((name) => ({ name, description: FLAG_DESCRIPTIONS[name] })),
      schema: scorer ? formSchema(scorer) : null,
      storedApplications: await applications.count(),
    };
  });

  app.get('/api/v1/applications', { schema: { tags: ['workspace'], summary: 'Scored applications, paginated, filtered and sorted on the server' } }, async (request, reply) => {
    const parsed = parseApplicationQuery(request.query);
    if (!parsed.ok) return invalid(reply, parsed.issues, 'query');
    const page = await applications.list(parsed.value);
    return { ...page, items: page.items.map((a) => ({ ...a, flags: flagNames(a.flags) })) };
  });

  app.post('/api/v1/applications', { bodyLimit: 1024 * MAX_WORKSPACE_RECORDS + 4096, schema: { tags: ['workspace'], summary: 'Score applicants from the page and store them', body: { type: 'object' } } }, async (request, reply) => {
    const body = request.body as Record<string, unknown>;
    const extra = Object.keys(body).filter((k) => k !== 'records');
    if (extra.length > 0 || !Object.hasOwn(body, 'records')) {
      return invalid(reply, [...extra.map((k): Issue => ({ field: k, code: 'unknown_field', expected: 'only records', got: preview(body[k]) })), ...(Object.hasOwn(body, 'records') ? [] : [{ field: 'records', code: 'missing', expected: 'an array of records', got: preview(undefined) } as Issue])], 'request');
    }
    const scorer = options.getScorer();
    if (scorer === undefined) return reply.code(503).send({ error: 'model_unavailable', message: 'no model is being served yet; retry after the first approved model' });
    const parsed = parseRecords(body.records, scorer.schema, { maxRecords: MAX_WORKSPACE_RECORDS });
    if (!parsed.ok) return reply.code(400).send({ error: 'invalid_request', message: `${parsed.numIssues} problem(s) in the records`, issues: parsed.issues, numIssues: parsed.numIssues });
    const results = scorer.score(parsed.table);
    const modelId = options.modelId();
    const ids = await applications.insert(applicationsOf(scorer, parsed.table, results, {
      datasetKey: options.datasetKey, source: 'workspace', scoredBy: actorOf(request), ranges: options.ranges, ...(modelId !== undefined ? { modelId } : {}),
    }));
    await audit(store, request, { action: 'applications.scored', subject: scorer.modelVersion, details: { numRecords: ids.length, source: 'workspace' } });
    return { modelVersion: scorer.modelVersion, items: results.map((r, i) => ({ id: ids[i], probabilityOfDefault: r.probabilityOfDefault, score: r.score, decision: r.decision })) };
  });

  app.get('/api/v1/applications/:id', { schema: { tags: ['workspace'], summary: 'One application: reasons, contributions, model version, feedback, what would change the decision', params: idParam } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const application = await applications.get(id);
    if (application === undefined) return reply.code(404).send({ error: 'not_found', message: `no application ${preview(id)}` });
    return detailOf(application, options);
  });

  app.post('/api/v1/applications/:id/feedback', { bodyLimit: 16_384, schema: { tags: ['workspace'], summary: 'Record the outcome (good, bad) or a false positive; stays at the node, used in its next local training', params: idParam } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const parsed = parseFeedback(request.body);
    if (!parsed.ok) return invalid(reply, parsed.issues, 'feedback');
    const feedback = await applications.addFeedback({ applicationId: id, ...parsed.value, createdBy: actorOf(request) });
    if (feedback === undefined) return reply.code(404).send({ error: 'not_found', message: `no application ${preview(id)}` });
    await audit(store, request, { action: 'application.feedback', subject: id, details: { feedbackId: feedback.id, outcome: feedback.outcome, withNote: feedback.note !== null } });
    return reply.code(201).send(feedback);
  });

  app.get('/api/v1/audit', { schema: { tags: ['audit'], summary: 'The node’s audit log', querystring: { type: 'object', properties: { actor: { type: 'string', maxLength: 200 }, action: { type: 'string', maxLength: 200 }, limit: { type: 'integer', minimum: 1, maximum: 10_000 } } } } }, async (request) => {
    const q = request.query as { actor?: string; action?: string; limit?: number };
    const entries = await store.listAudit({ ...(q.actor ? { actor: q.actor } : {}), ...(q.action ? { action: q.action } : {}) });
    return entries.slice(-(q.limit ?? 1000));
  });
  app.get('/api/v1/audit/verify', { schema: { tags: ['audit'], summary: 'Verify the node’s audit hash chain' } }, async () => store.verifyAudit());
}

/** The detail view of an application. */
function detailOf(application: Application, options: WorkspaceRoutesOptions) {
  const scorer = options.getScorer();
  const columns = new Map<string, ColumnSpec>([...(options.schema?.columns ?? []), ...(scorer?.schema.columns ?? [])].map((c) => [c.name, c]));
  const words = (field: string) => {
    const value = application.record[field] ?? null;
    const column = columns.get(field);
    return { field, title: column?.description ?? field, value, description: column ? describeValue(column, value) : `${field}: ${String(value)}` };
  };
  const decidedByCurrent = scorer !== undefined && scorer.modelVersion === application.modelVersion;
  let whatWouldChange: unknown = null;
  let whatWouldChangeNote: string;
  if (!decidedByCurrent) whatWouldChangeNote = `the model that decided (${application.modelVersion}) is no longer served; suggestions would come from another model`;
  else {
    whatWouldChange = (options.counterfactuals ?? recordCounterfactuals)(scorer, application.record) ?? null;
    whatWouldChangeNote = whatWouldChange === null ? 'the record no longer fits the model’s schema' : 'smallest changes of one or two fields that move the decision to a better class, under the model that decided';
  }
  const { feedback, record: _record, ...summary } = application;
  return {
    ...summary,
    flags: flagNames(application.flags),
    flagDescriptions: Object.fromEntries(flagNames(application.flags).map((f) => [f, FLAG_DESCRIPTIONS[f]])),
    outOfRange: application.outOfRange.map(words),
    contributions: application.contributions.map((c) => ({ ...words(c.field), contribution: c.contribution })),
    record: Object.keys(application.record).map(words),
    feedback,
    whatWouldChange, whatWouldChangeNote,
    modelServedNow: scorer?.modelVersion ?? null,
  };
}

/** The scorer's schema as a form: every column, marked whether the model reads it. */
function formSchema(scorer: Scorer) {
  const used = new Set(scorer.columns.map((c) => c.name));
  return { name: scorer.schema.name, description: scorer.schema.description ?? null, columns: scorer.schema.columns.map((c) => ({ ...c, usedByModel: used.has(c.name) })) };
}

async function audit(store: Store, request: FastifyRequest, entry: { action: string; subject: string; details: JsonObject }): Promise<void> {
  const client = clientSummary(request);
  await store.appendAudit({ actor: actorOf(request), action: entry.action, subject: entry.subject, details: { ...entry.details, ip: client.ip, userAgent: client.userAgent } });
}
