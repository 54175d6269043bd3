/**
 * Scoring at the coordinator, for the dashboard's risk workspace: a risk officer scores an
 * applicant with the newest *approved* model of a dataset key, without a lender node in the
 * loop. The model version is read from the store and turned into the same Scorer a node serves
 * (src/node/runtime.ts `scorerFor`), so the probability, points, decision and reasons are those
 * a node would answer for the same model.
 *
 * - `GET /api/v1/scoring/datasets`: every dataset key with an approved model, that model, and
 *   the schema the scorer validates against (columns with their codebook words), so the page
 *   can build its form from exactly what the server will check.
 * - `POST /api/v1/score` `{ dataset?, records }`: per record the probability of default,
 *   points, decision, top reasons in words and every model column's contribution to the logit.
 *   With `?explain=true` (at most {@link MAX_EXPLAINED_RECORDS} records) also `counterfactuals`:
 *   what would change the decision (src/scoring/counterfactual.ts). It is opt-in because it
 *   re-scores each record a few hundred times: bench/counterfactual.ts measures ~0.5–1.4 ms per
 *   record on average (logreg, MLP, 200-tree GBDT), i.e. up to ~1.4 s for a 1000-record batch
 *   against a few ms for scoring alone.
 *
 * Lives in src/web (not coordinator/) because it joins the node-side scorer with the
 * coordinator's store; dependencies point from web to both. Every call is audited (who, which
 * model, how many records; never a record value).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { bytesToFloat64 } from '../coordinator/stateCodec.js';
import { parseSchemaJson } from '../data/schemaJson.js';
import type { Schema } from '../data/schema.js';
import { scorerFor } from '../node/runtime.js';
import { counterfactuals, DEFAULT_THRESHOLDS, describeValue, parseRecords, parseScoreEnvelope, preview, rawValue, Scorer, type Issue } from '../scoring/index.js';
import type { ModelVersionRecord, Store } from '../store/index.js';
import { actorOf, createAuthorizer, refuse } from './authorize.js';
import type { AuthHook } from './authorize.js';
import { clientSummary } from './sessions.js';

/** Most records one dashboard request may score (the page sends one; a pasted batch a few). */
export const MAX_DASHBOARD_RECORDS = 1000;
/** Most records one request may ask counterfactuals for (each costs a few hundred scorings). */
export const MAX_EXPLAINED_RECORDS = 100;
/** Scorers kept in memory, newest used last (a scorer holds one model's parameters). */
const MAX_CACHED_SCORERS = 16;

/** Options of {@link scoreRoutes}. */
export interface ScoreRoutesOptions {
  readonly store: Store;
  /** The authorization hook of the dashboard layer; without it, the admin bearer token only. */
  readonly authorize?: AuthHook;
  /** Needed when `authorize` is absent. */
  readonly adminToken?: string;
}

/** A column of a scoring form: what the page shows and what the server checks. */
export interface FormColumn {
  readonly name: string;
  readonly kind: string;
  readonly description?: string;
  readonly unit?: string;
  readonly min?: number;
  readonly max?: number;
  readonly integer?: boolean;
  readonly categories?: readonly string[];
  readonly labels?: Readonly<Record<string, string>>;
  /** Required in the request but not read by the model (kept for fairness monitoring). */
  readonly protected?: boolean;
  /** Whether the model reads this column. */
  readonly usedByModel: boolean;
}

/** Register the coordinator's scoring routes (needs the permissions table entries). */
export async function scoreRoutes(app: FastifyInstance, options: ScoreRoutesOptions): Promise<void> {
  if (typeof options !== 'object' || options === null) throw new TypeError('options: expected an object');
  const { store } = options;
  if (typeof store !== 'object' || store === null) throw new TypeError('options.store: expected a Store');
  if (options.authorize === undefined && (typeof options.adminToken !== 'string' || options.adminToken === '')) throw new TypeError('options.adminToken: required without options.authorize');
  app.addHook('onRequest', options.authorize ?? createAuthorizer({ adminToken: options.adminToken! }));
  const scorers = new ScorerCache();

  app.get('/api/v1/scoring/datasets', {
    schema: { tags: ['models'], summary: 'Dataset keys with an approved model, that model, and the schema a scoring request must follow' },
  }, async () => {
    const newest = newestApprovedByDataset(await store.listModelVersions({ status: 'approved' }));
    const out = [];
    for (const [datasetKey, model] of newest) {
      let scorer: Scorer;
      try {
        scorer = scorers.get(model);
      } catch {
        continue; // a model the scorer cannot serve (unknown kind, broken meta) is not offered
      }
      out.push({ datasetKey, model: modelSummary(model, scorer), schema: formSchema(scorer.schema, scorer) });
    }
    return out;
  });

  app.post('/api/v1/score', {
    schema: { tags: ['models'], summary: 'Score applicants with the newest approved model of a dataset key: probability of default, points, decision, reasons', body: { type: 'object' } },
  }, async (request, reply) => {
    const query = parseQuery(request.query);
    if (!query.ok) return reply.code(400).send({ error: 'invalid_request', message: `${query.issues.length} problem(s) in the query`, issues: query.issues });
    const envelope = parseScoreEnvelope(request.body);
    if (!envelope.ok) return reply.code(400).send({ error: 'invalid_request', message: `${envelope.issues.length} problem(s) in the request`, issues: envelope.issues });
    const approved = newestApprovedByDataset(await store.listModelVersions({ status: 'approved' }));
    const model = envelope.dataset === undefined ? newestOf([...approved.values()]) : approved.get(envelope.dataset);
    if (model === undefined) {
      return refuse(reply, 404, 'no_model', envelope.dataset === undefined ? 'no model has been approved yet' : `no approved model for dataset ${preview(envelope.dataset)} yet`);
    }
    let scorer: Scorer;
    try {
      scorer = scorers.get(model);
    } catch (err) {
      request.log.error({ modelId: model.id, err }, 'approved model cannot be turned into a scorer');
      return refuse(reply, 409, 'model_unsupported', `model ${model.id} cannot be served for scoring: ${(err as Error).message}`);
    }
    const parsed = parseRecords(envelope.records, scorer.schema, { maxRecords: query.explain ? MAX_EXPLAINED_RECORDS : MAX_DASHBOARD_RECORDS });
    if (!parsed.ok) return reply.code(400).send({ error: 'invalid_request', message: `${parsed.numIssues} problem(s) in the records`, issues: parsed.issues, numIssues: parsed.numIssues });
    const results = scorer.score(parsed.table);
    const explanation = scorer.explain(parsed.table);
    const numColumns = scorer.columns.length;
    const withContributions = results.map((result, i) => ({
      ...result,
      contributions: scorer.columns.map((column, c) => {
        const value = rawValue(parsed.table, column, i);
        return { field: column.name, value, description: describeValue(column, value), contribution: explanation.contributions[i * numColumns + c] };
      }),
      ...(query.explain ? { counterfactuals: counterfactuals(scorer, parsed.table, i) } : {}),
    }));
    await audit(store, request, model, results.length);
    const { review, decline } = scorer.thresholds;
    return {
      dataset: String(model.meta.datasetKey), schema: scorer.schema.name, model: modelSummary(model, scorer), modelVersion: scorer.modelVersion,
      thresholds: { review, decline }, reasonMethod: scorer.reasonMethod, results: withContributions,
    };
  });
}

/** The newest approved model of every dataset key (same rule as the nodes' GET /node/model). */
function newestApprovedByDataset(models: readonly ModelVersionRecord[]): Map<string, ModelVersionRecord> {
  const out = new Map<string, ModelVersionRecord>();
  for (const m of models) {
    const key = m.meta.datasetKey;
    if (m.status !== 'approved' || typeof key !== 'string') continue;
    const current = out.get(key);
    if (current === undefined || newestOf([current, m]) === m) out.set(key, m);
  }
  return out;
}

/** Approved last wins (approval bumps updatedAt), then created last. */
function newestOf(models: readonly ModelVersionRecord[]): ModelVersionRecord | undefined {
  return [...models].sort((a, b) => b.updatedAt - a.updatedAt || b.createdAt - a.createdAt)[0];
}

function modelSummary(model: ModelVersionRecord, scorer: Scorer) {
  return { id: model.id, jobId: model.jobId, version: model.version, kind: scorer.modelKind, approvedAt: model.updatedAt, metrics: model.meta.metrics ?? null };
}

/** The schema as a form: every column the request needs, marked whether the model reads it. */
function formSchema(schema: Schema, scorer: Scorer) {
  const used = new Set(scorer.columns.map((c) => c.name));
  const columns: FormColumn[] = schema.columns.map((c) => ({ ...c, usedByModel: used.has(c.name) }));
  return { name: schema.name, description: schema.description ?? null, columns };
}

/** The query string: only `explain` (`true` or `false`). */
function parseQuery(query: unknown): { ok: true; explain: boolean } | { ok: false; issues: Issue[] } {
  const fields = (typeof query === 'object' && query !== null ? query : {}) as Record<string, unknown>;
  const issues: Issue[] = [];
  for (const key of Object.keys(fields)) {
    if (key !== 'explain') issues.push({ field: key, code: 'unknown_field', expected: 'only the query parameter explain', got: preview(fields[key]) });
  }
  const explain = fields.explain;
  if (explain !== undefined && explain !== 'true' && explain !== 'false') issues.push({ field: 'explain', code: 'wrong_type', expected: 'true or false', got: preview(explain) });
  return issues.length > 0 ? { ok: false, issues } : { ok: true, explain: explain === 'true' };
}

async function audit(store: Store, request: FastifyRequest, model: ModelVersionRecord, numRecords: number): Promise<void> {
  const client = clientSummary(request);
  await store.appendAudit({
    actor: actorOf(request), action: 'scoring.scored', subject: model.id,
    details: { datasetKey: String(model.meta.datasetKey), jobId: model.jobId, version: model.version, numRecords, ip: client.ip, userAgent: client.userAgent },
  });
}

/** Scorers by model id; a model version is immutable, so a cached scorer never goes stale. */
class ScorerCache {
  private readonly byId = new Map<string, Scorer>();

  /** The scorer of `model`; throws when the model cannot be served (unknown kind, bad meta). */
  get(model: ModelVersionRecord): Scorer {
    const cached = this.byId.get(model.id);
    if (cached !== undefined) {
      this.byId.delete(model.id); // re-insert: Map order is the recency order
      this.byId.set(model.id, cached);
      return cached;
    }
    const kind = model.meta.kind;
    if (kind !== 'logreg' && kind !== 'mlp' && kind !== 'gbdt') throw new RangeError(`model kind ${JSON.stringify(kind)} is not served for scoring (logreg, mlp and gbdt are)`);
    parseSchemaJson(model.meta.schema); // fail here with a clear message rather than deep inside
    const scorer = scorerFor({ id: model.id, jobId: model.jobId, version: model.version, meta: model.meta, parameters: bytesToFloat64(model.parameters) }, DEFAULT_THRESHOLDS);
    this.byId.set(model.id, scorer);
    if (this.byId.size > MAX_CACHED_SCORERS) this.byId.delete(this.byId.keys().next().value!);
    return scorer;
  }
}

