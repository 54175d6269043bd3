/**
 * The scoring HTTP routes every lender node serves, as a Fastify plugin:
 *
 * - `POST /predictCreditRisk`: the old system's contract, unchanged. Body: an array of records
 *   with the 20 German-credit fields in UCI codes; answer: one single-element array per record,
 *   `[[1]]` good or `[[2]]` bad (see Scorer's `classify` threshold).
 * - `POST /api/v1/score`: body `{ dataset?, records }` for any registered schema; answer per
 *   record: probability of default, points, decision and the top reasons in the codebook's words.
 *
 * Bad input never becomes a 500: the body is parsed by ./validate.ts (Fastify's own validation is
 * switched off for these routes) and answered `400 { error: 'invalid_request', message, issues }`;
 * malformed JSON is `400 invalid_json`; a body over the limit is `413 payload_too_large`; no model
 * yet is `503 model_unavailable`. Bodies in any content type are read as JSON text, so old clients
 * that post without `application/json` (e.g. `curl -d`) keep working; keys that could poison
 * prototypes ("__proto__", "constructor.prototype") make the body `invalid_json`. Nothing here
 * logs a record value: only error codes and counts.
 *
 * Register with `app.register(scoringRoutes, options)` (not through fastify-plugin): the JSON
 * parser, error handler and validator settings then apply to these routes only.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { germanSchema } from '../data/builtin/german.js';
import type { Schema, Table } from '../data/schema.js';
import { parseScoreEnvelope } from './envelope.js';
import { preview, type Issue } from './issues.js';
import {
  errorJsonSchema,
  legacyResponseJsonSchema,
  recordJsonSchema,
  scoreRequestJsonSchema,
  scoreResponseJsonSchema,
} from './routeSchemas.js';
import type { Scorer, ScoreResult } from './scorer.js';
import { DEFAULT_MAX_ISSUES, DEFAULT_MAX_RECORDS, parseRecords } from './validate.js';

/** What {@link ScoringRoutesOptions.onScored} hears about a scored batch (never record values). */
export interface ScoredBatchInfo {
  readonly route: '/predictCreditRisk' | '/api/v1/score';
  /** Name of the schema the model was trained on. */
  readonly dataset: string;
  readonly modelVersion: string;
  readonly numRecords: number;
  /** Validation plus scoring, without HTTP parsing and serialization. */
  readonly durationMs: number;
}

/** Options of {@link scoringRoutes}. */
export interface ScoringRoutesOptions {
  /**
   * The scorer for a dataset key, or the node's default scorer when the key is undefined;
   * undefined when no model is being served (yet). `/predictCreditRisk` asks for
   * `legacySchema.name` first, then for the default.
   */
  readonly getScorer: (dataset?: string) => Scorer | undefined;
  /** Whether a dataset key exists at all (404 instead of 503 for an unknown one). Optional. */
  readonly hasDataset?: (dataset: string) => boolean;
  /** Schema of the `/predictCreditRisk` request (default the German credit schema). */
  readonly legacySchema?: Schema;
  /** Largest batch (default 10,000 records). */
  readonly maxRecords?: number;
  /** Issues listed in one 400 answer (default 1000). */
  readonly maxIssues?: number;
  /** Largest request body in bytes (default 1 KiB per allowed record plus 64 KiB). */
  readonly bodyLimitBytes?: number;
  /** Called after each successfully scored batch (metrics, audit). Must not throw. */
  readonly onScored?: (info: ScoredBatchInfo) => void;
  /**
   * Called with every scored batch before the answer is sent (the node's workspace stores the
   * records here). Awaited; a failure is logged by code and does not fail the request. With it,
   * `/predictCreditRisk` also computes the full results (probability, reasons) of its batch.
   */
  readonly onResults?: (batch: ScoredBatch) => Promise<void> | void;
}

/** A scored batch with its records, for {@link ScoringRoutesOptions.onResults}. */
export interface ScoredBatch {
  readonly route: ScoredBatchInfo['route'];
  readonly scorer: Scorer;
  readonly table: Table;
  readonly results: readonly ScoreResult[];
}

/** Largest dataset key accepted in `/api/v1/score`. */

/**
 * Register the scoring routes on `app`.
 *
 * @example
 * await app.register(scoringRoutes, { getScorer: () => currentScorer, onScored: (i) => scoredCounter.inc(i.numRecords) });
 */
export async function scoringRoutes(app: FastifyInstance, options: ScoringRoutesOptions): Promise<void> {
  const settings = checkOptions(options);
  const { legacySchema, maxRecords, maxIssues, bodyLimitBytes } = settings;

  // Every content type is read as JSON, with Fastify's hardened parser (it refuses
  // "__proto__" and "constructor.prototype" keys); this context's own parsers replace whatever
  // the parent registered, so the behaviour does not depend on the host application.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: bodyLimitBytes }, parseJson);
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: bodyLimitBytes }, parseJson);
  app.setErrorHandler(errorHandler);
  // Bodies are validated by parseRecords; the schemas below document the routes only.
  app.setValidatorCompiler(() => () => true);

  const respond = (reply: FastifyReply, status: number, error: string, message: string, issues?: Issue[], numIssues?: number) =>
    reply.code(status).send(issues === undefined ? { error, message } : { error, message, issues, numIssues });
  const invalid = (reply: FastifyReply, issues: Issue[], numIssues: number) =>
    respond(reply, 400, 'invalid_request', summary(issues.length, numIssues), issues, numIssues);
  const keep = async (request: FastifyRequest, batch: ScoredBatch) => {
    try {
      await settings.onResults?.(batch);
    } catch (err) {
      request.log.error({ code: (err as { code?: string }).code, name: (err as Error).name }, 'storing the scored batch failed');
    }
  };
  const report = (info: ScoredBatchInfo) => {
    try {
      settings.onScored?.(info);
    } catch {
      // A metrics callback must not turn a scored request into a failure.
    }
  };

  app.post(
    '/predictCreditRisk',
    {
      bodyLimit: bodyLimitBytes,
      schema: {
        summary: 'Classify applicants (old API): 1 good, 2 bad',
        tags: ['scoring'],
        body: { type: 'array', minItems: 1, maxItems: maxRecords, items: recordJsonSchema(legacySchema) },
        response: { 200: legacyResponseJsonSchema, '4xx': errorJsonSchema, '5xx': errorJsonSchema },
      },
    },
    async (request, reply) => {
      const scorer = settings.getScorer(legacySchema.name) ?? settings.getScorer();
      if (scorer === undefined) return respond(reply, 503, 'model_unavailable', 'no model is being served yet; retry after the first training job');
      if (!scorer.accepts(legacySchema)) {
        return respond(reply, 503, 'model_unavailable', `the model being served reads columns that schema "${legacySchema.name}" lacks`);
      }
      const started = performance.now();
      const parsed = parseRecords(request.body, legacySchema, { maxRecords, maxIssues });
      if (!parsed.ok) return invalid(reply, parsed.issues, parsed.numIssues);
      const classes = scorer.classify(parsed.table);
      const answer = new Array<number[]>(classes.length);
      for (let i = 0; i < classes.length; i++) answer[i] = [classes[i]];
      if (settings.onResults) await keep(request, { route: '/predictCreditRisk', scorer, table: parsed.table, results: scorer.score(parsed.table) });
      report({ route: '/predictCreditRisk', dataset: scorer.schema.name, modelVersion: scorer.modelVersion, numRecords: classes.length, durationMs: performance.now() - started });
      return reply.send(answer);
    },
  );

  app.post(
    '/api/v1/score',
    {
      bodyLimit: bodyLimitBytes,
      // The schema documents the answer; JSON.stringify writes it: for 10,000 results with
      // reasons it is about 3× faster than the schema-compiled serializer (measured).
      serializerCompiler: () => (data) => JSON.stringify(data),
      schema: {
        summary: 'Probability of default, score, decision and reasons',
        tags: ['scoring'],
        body: scoreRequestJsonSchema(maxRecords, legacySchema),
        response: { 200: scoreResponseJsonSchema, '4xx': errorJsonSchema, '5xx': errorJsonSchema },
      },
    },
    async (request, reply) => {
      const envelope = parseScoreEnvelope(request.body);
      if (!envelope.ok) return invalid(reply, envelope.issues, envelope.issues.length);
      const { dataset } = envelope;
      if (dataset !== undefined && settings.hasDataset !== undefined && !settings.hasDataset(dataset)) {
        return respond(reply, 404, 'unknown_dataset', `no dataset ${preview(dataset)} on this node`);
      }
      const scorer = settings.getScorer(dataset);
      if (scorer === undefined) {
        return respond(reply, 503, 'model_unavailable', `no model is being served${dataset === undefined ? '' : ` for dataset ${preview(dataset)}`} yet`);
      }
      const started = performance.now();
      const parsed = parseRecords(envelope.records, scorer.schema, { maxRecords, maxIssues });
      if (!parsed.ok) return invalid(reply, parsed.issues, parsed.numIssues);
      const results = scorer.score(parsed.table);
      if (settings.onResults) await keep(request, { route: '/api/v1/score', scorer, table: parsed.table, results });
      report({ route: '/api/v1/score', dataset: scorer.schema.name, modelVersion: scorer.modelVersion, numRecords: results.length, durationMs: performance.now() - started });
      const { review, decline } = scorer.thresholds;
      return reply.send({ dataset: scorer.schema.name, modelVersion: scorer.modelVersion, thresholds: { review, decline }, results });
    },
  );
}

interface Settings extends ScoringRoutesOptions {
  readonly legacySchema: Schema;
  readonly maxRecords: number;
  readonly maxIssues: number;
  readonly bodyLimitBytes: number;
}

function checkOptions(options: ScoringRoutesOptions): Settings {
  if (typeof options !== 'object' || options === null) throw new TypeError('options: expected an object');
  if (typeof options.getScorer !== 'function') throw new TypeError('options.getScorer: expected a function');
  if (options.hasDataset !== undefined && typeof options.hasDataset !== 'function') throw new TypeError('options.hasDataset: expected a function');
  if (options.onScored !== undefined && typeof options.onScored !== 'function') throw new TypeError('options.onScored: expected a function');
  if (options.onResults !== undefined && typeof options.onResults !== 'function') throw new TypeError('options.onResults: expected a function');
  const maxRecords = options.maxRecords ?? DEFAULT_MAX_RECORDS;
  if (!Number.isInteger(maxRecords) || maxRecords < 1) throw new RangeError(`options.maxRecords: expected a positive integer, got ${String(maxRecords)}`);
  const maxIssues = options.maxIssues ?? DEFAULT_MAX_ISSUES;
  if (!Number.isInteger(maxIssues) || maxIssues < 1) throw new RangeError(`options.maxIssues: expected a positive integer, got ${String(maxIssues)}`);
  const bodyLimitBytes = options.bodyLimitBytes ?? 1024 * maxRecords + 65_536;
  if (!Number.isInteger(bodyLimitBytes) || bodyLimitBytes < 1) throw new RangeError(`options.bodyLimitBytes: expected a positive integer, got ${String(bodyLimitBytes)}`);
  const legacySchema = options.legacySchema ?? germanSchema;
  if (typeof legacySchema !== 'object' || legacySchema === null || !Array.isArray(legacySchema.columns)) throw new TypeError('options.legacySchema: expected a Schema');
  return { ...options, legacySchema, maxRecords, maxIssues, bodyLimitBytes };
}

function summary(numListed: number, numIssues: number): string {
  const found = `${numIssues} problem${numIssues === 1 ? '' : 's'} in the request`;
  return numListed < numIssues ? `${found}; the first ${numListed} are listed` : found;
}

/**
 * Turns every failure on these routes into our JSON error shape: parser and size errors keep
 * their 4xx meaning, anything unexpected is a 500 without details. Only codes are logged.
 */
function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return reply.code(413).send({ error: 'payload_too_large', message: `the request body exceeds ${request.routeOptions.bodyLimit} bytes` });
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return reply.code(400).send({ error: 'invalid_json', message: 'the request body is not valid JSON' });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      // Only a content-type header that is not a media type at all gets here: '*' takes the rest.
      return reply.code(415).send({ error: 'unsupported_media_type', message: 'the content-type header is not a valid media type; send application/json' });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return reply.code(400).send({ error: 'invalid_json', message: 'the request body is empty; expected JSON' });
  }
  const status = error.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    request.log.debug({ code: error.code, status }, 'scoring request refused');
    return reply.code(status).send({ error: 'bad_request', message: error.message });
  }
  request.log.error({ code: error.code, name: error.name, stack: error.stack }, 'scoring route failed');
  return reply.code(500).send({ error: 'internal_error', message: 'internal error while scoring; the request was not processed' });
}
