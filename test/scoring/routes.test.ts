import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import { germanSchema } from '../../src/data/builtin/german.js';
import { selectRows } from '../../src/data/schema.js';
import { encodeTable } from '../../src/preprocess/encoder.js';
import { scoringRoutes, type ScoredBatchInfo } from '../../src/scoring/routes.js';
import { Scorer } from '../../src/scoring/scorer.js';
import { recordOf, SEED_RECORD, trained } from './fixture.js';

const fx = trained();
const scorer = new Scorer({ schema: germanSchema, encoder: fx.encoder, model: fx.logreg, modelVersion: 'job-1/round-30', baseline: fx.baseline });
const seed = () => ({ ...SEED_RECORD }) as Record<string, unknown>;
const withField = (field: string, value: unknown) => ({ ...seed(), [field]: value });

let app: FastifyInstance;
let current: Scorer | undefined = scorer;
const scored: ScoredBatchInfo[] = [];
const logLines: string[] = [];

beforeAll(async () => {
  // Capture the server log to prove record values never reach it.
  app = Fastify({ logger: { level: 'trace', stream: { write: (line: string) => void logLines.push(line) } } });
  await app.register(scoringRoutes, {
    getScorer: (dataset) => (dataset === undefined || dataset === 'german' ? current : undefined),
    hasDataset: (dataset) => dataset === 'german' || dataset === 'credit_data',
    onScored: (info) => void scored.push(info),
  });
  await app.ready();
});
afterAll(() => app.close());

const post = (url: string, payload: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  app.inject({ method: 'POST', url, headers, payload: typeof payload === 'string' ? payload : JSON.stringify(payload) });

describe('POST /predictCreditRisk (old contract)', () => {
  it('answers the seed payload with [[1]] or [[2]] as application/json', async () => {
    const res = await post('/predictCreditRisk', [seed()]);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const expected = scorer.classify(selectRows(fx.table, [0]))[0];
    expect(res.body).toBe(`[[${expected}]]`);
  });

  it('answers the first 100 German rows with 100 arrays that agree with model.predictProba at the threshold', async () => {
    const records = Array.from({ length: 100 }, (_, i) => recordOf(fx.table, i));
    const res = await post('/predictCreditRisk', records);
    expect(res.statusCode).toBe(200);
    const body = res.json() as number[][];
    const p = fx.logreg.predictProba(encodeTable(fx.encoder, selectRows(fx.table, Array.from({ length: 100 }, (_, i) => i))));
    expect(body).toEqual(Array.from(p, (v) => [v >= scorer.thresholds.classify ? 2 : 1]));
    expect(new Set(body.map((b) => b[0]))).toEqual(new Set([1, 2]));
    expect(scored.at(-1)).toMatchObject({ route: '/predictCreditRisk', dataset: 'german', modelVersion: 'job-1/round-30', numRecords: 100 });
  });

  it('accepts the JSON body whatever the content type (old clients posting with curl -d)', async () => {
    const res = await post('/predictCreditRisk', [seed()], { 'content-type': 'application/x-www-form-urlencoded' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toHaveLength(1);
  });

  // [case, body (string = raw text), status, error, expected issue (index, field, code)]
  const hostile: [string, unknown, number, string, { index?: number; field?: string; code: string } | undefined][] = [
    ['missing field', [seed(), (({ duration: _d, ...r }) => r)(seed())], 400, 'invalid_request', { index: 1, field: 'duration', code: 'missing' }],
    ['unknown code A99', [withField('existingchecking', 'A99')], 400, 'invalid_request', { index: 0, field: 'existingchecking', code: 'unknown_code' }],
    ['string for a number', [withField('duration', 'six')], 400, 'invalid_request', { index: 0, field: 'duration', code: 'wrong_type' }],
    ['null (JSON has no NaN)', [withField('creditamount', null)], 400, 'invalid_request', { index: 0, field: 'creditamount', code: 'missing' }],
    ['"NaN" string', [withField('creditamount', 'NaN')], 400, 'invalid_request', { index: 0, field: 'creditamount', code: 'wrong_type' }],
    ['1e999 (Infinity)', `[${JSON.stringify(seed()).replace('"creditamount":1169', '"creditamount":1e999')}]`, 400, 'invalid_request', { index: 0, field: 'creditamount', code: 'not_finite' }],
    ['negative duration', [withField('duration', -12)], 400, 'invalid_request', { index: 0, field: 'duration', code: 'out_of_range' }],
    ['float age 30.5', [withField('age', 30.5)], 400, 'invalid_request', { index: 0, field: 'age', code: 'not_integer' }],
    ['10,001 records', Array.from({ length: 10_001 }, seed), 400, 'invalid_request', { code: 'too_many_records' }],
    ['non-array body', seed(), 400, 'invalid_request', { code: 'not_an_array' }],
    ['array of non-objects', [1, 'two', null], 400, 'invalid_request', { index: 2, code: 'not_an_object' }],
    ['empty array', [], 400, 'invalid_request', { code: 'empty' }],
    ['extra unknown field', [withField('classification', '1')], 400, 'invalid_request', { index: 0, field: 'classification', code: 'unknown_field' }],
    ['huge string', [withField('purpose', 'x'.repeat(500_000))], 400, 'invalid_request', { index: 0, field: 'purpose', code: 'unknown_code' }],
    ['malformed JSON', '[{"existingchecking": "A11",', 400, 'invalid_json', undefined],
    ['empty body', '', 400, 'invalid_json', undefined],
    ['prototype poisoning', '[{"__proto__": {"x": 1}}]', 400, 'invalid_json', undefined],
  ];

  it.each(hostile)('%s → 4xx with a JSON error listing index and field', async (_name, body, status, error, want) => {
    const res = await post('/predictCreditRisk', body);
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const answer = res.json();
    expect(answer.error).toBe(error);
    expect(typeof answer.message).toBe('string');
    if (want) {
      expect(answer.issues).toContainEqual(expect.objectContaining(want));
      for (const issue of answer.issues) expect(issue.got.length).toBeLessThanOrEqual(101);
    }
  }, 20_000);

  it('lists every problem at once, with the count in the message', async () => {
    const res = await post('/predictCreditRisk', [withField('duration', -1), withField('age', 'old'), seed(), withField('housing', 'castle')]);
    expect(res.statusCode).toBe(400);
    const answer = res.json();
    expect(answer.issues.map((i: { index: number; field: string }) => `${i.index}.${i.field}`)).toEqual(['0.duration', '1.age', '3.housing']);
    expect(answer.message).toBe('3 problems in the request');
    expect(answer.numIssues).toBe(3);
  });

  it('malformed JSON in another content type is invalid_json too', async () => {
    const res = await post('/predictCreditRisk', 'not json at all', { 'content-type': 'text/plain' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('invalid_json');
  });

  it('owns its parsers: a host app with its own catch-all parser and odd content types change nothing', async () => {
    const host = Fastify();
    host.addContentTypeParser('*', (_request, _payload, done) => done(null, 'host parser'));
    await host.register(scoringRoutes, { getScorer: () => scorer });
    const send = (contentType: string, payload: string) =>
      host.inject({ method: 'POST', url: '/predictCreditRisk', headers: { 'content-type': contentType }, payload });
    for (const contentType of ['text/csv', 'application/json; charset=utf-8', 'application/x-www-form-urlencoded']) {
      expect((await send(contentType, JSON.stringify([seed()]))).statusCode, contentType).toBe(200);
    }
    const garbage = await send('garbage', JSON.stringify([seed()])); // not a media type at all
    expect(garbage.statusCode).toBe(415);
    expect(garbage.json().error).toBe('unsupported_media_type');
    const poisoned = await send('text/plain', '[{"__proto__": {"x": 1}}]');
    expect(poisoned.json().error).toBe('invalid_json');
    await host.close();
  });

  it('answers 413 payload_too_large for a body over the limit', async () => {
    const small = Fastify();
    await small.register(scoringRoutes, { getScorer: () => scorer, bodyLimitBytes: 2048 });
    const res = await small.inject({ method: 'POST', url: '/predictCreditRisk', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(Array.from({ length: 10 }, seed)) });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({ error: 'payload_too_large', message: 'the request body exceeds 2048 bytes' });
    await small.close();
  });

  it('a failing host callback is a JSON 500 (getScorer) or ignored (onScored), never a crash', async () => {
    const broken = Fastify({ logger: false });
    let calls = 0;
    await broken.register(scoringRoutes, {
      getScorer: () => {
        if (calls++ === 0) throw new Error('store down');
        return scorer;
      },
      onScored: () => {
        throw new Error('metrics down');
      },
    });
    const send = () => broken.inject({ method: 'POST', url: '/predictCreditRisk', headers: { 'content-type': 'application/json' }, payload: JSON.stringify([seed()]) });
    const first = await send();
    expect(first.statusCode).toBe(500);
    expect(first.json().error).toBe('internal_error');
    expect((await send()).statusCode).toBe(200);
    await broken.close();
  });

  it('answers 503 while no model is served', async () => {
    current = undefined;
    try {
      const res = await post('/predictCreditRisk', [seed()]);
      expect(res.statusCode).toBe(503);
      expect(res.json().error).toBe('model_unavailable');
    } finally {
      current = scorer;
    }
  });

  it('never writes record values to the log', () => {
    // without the fields whose digits are noise (clock, pid, host, response time), which could
    // hold '1169' by chance
    const log = logLines.map((line) => {
      const { time: _t, pid: _p, hostname: _h, responseTime: _r, ...rest } = JSON.parse(line) as Record<string, unknown>;
      return JSON.stringify(rest);
    }).join('\n');
    expect(log.length).toBeGreaterThan(0);
    for (const secret of ['A99', 'castle', '30.5', 'xxxxxxxx', '1169', 'not json at all']) expect(log).not.toContain(secret);
  });
});

describe('POST /api/v1/score', () => {
  it('returns probability, score, decision and four reasons in the codebook’s words', async () => {
    const risky = withField('duration', 60);
    const res = await post('/api/v1/score', { dataset: 'german', records: [seed(), risky] });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ dataset: 'german', modelVersion: 'job-1/round-30', thresholds: { review: 1 / 6, decline: 0.5 } });
    expect(body.results).toHaveLength(2);
    const [first] = body.results;
    expect(first.probabilityOfDefault).toBeGreaterThan(0);
    expect(Number.isInteger(first.score)).toBe(true);
    expect(['approve', 'review', 'decline']).toContain(first.decision);
    expect(first.reasons).toHaveLength(4);
    // the seed applicant has an overdrawn checking account (A11), its strongest risk marker
    expect(first.reasons).toContainEqual(expect.objectContaining({ field: 'existingchecking', value: 'A11', description: 'checking account < 0 DM' }));
    expect(body.results[1].reasons).toContainEqual(expect.objectContaining({ field: 'duration', value: 60, description: 'Duration of the credit: 60 months' }));
    const direct = scorer.score(selectRows(fx.table, [0]))[0];
    expect(first).toEqual(direct);
  });

  it('uses the default model when no dataset is named', async () => {
    const res = await post('/api/v1/score', { records: [seed()] });
    expect(res.statusCode).toBe(200);
    expect(scored.at(-1)).toMatchObject({ route: '/api/v1/score', numRecords: 1 });
  });

  it('404 for an unknown dataset, 503 for a known one without a model', async () => {
    expect((await post('/api/v1/score', { dataset: 'nope', records: [seed()] })).statusCode).toBe(404);
    const res = await post('/api/v1/score', { dataset: 'credit_data', records: [{}] });
    expect(res.statusCode).toBe(503);
    expect(res.json().error).toBe('model_unavailable');
  });

  it('rejects a bad envelope and bad records with issues', async () => {
    const array = await post('/api/v1/score', [seed()]);
    expect(array.statusCode).toBe(400);
    expect(array.json().issues[0].code).toBe('not_an_object');
    const envelope = await post('/api/v1/score', { dataset: 7, rows: [] });
    expect(envelope.json().issues.map((i: { field: string; code: string }) => `${i.field}:${i.code}`).sort()).toEqual([
      'dataset:wrong_type',
      'records:missing',
      'rows:unknown_field',
    ]);
    const records = await post('/api/v1/score', { records: [withField('duration', -1)] });
    expect(records.statusCode).toBe(400);
    expect(records.json().issues[0]).toMatchObject({ index: 0, field: 'duration', code: 'out_of_range' });
  });

  it('scores 10,000 records in one batch', async () => {
    const records = Array.from({ length: 10_000 }, (_, i) => recordOf(fx.table, i % fx.table.numRows));
    const res = await post('/api/v1/score', { records });
    expect(res.statusCode).toBe(200);
    expect(res.json().results).toHaveLength(10_000);
  }, 20_000); // generous: the machine is shared, the speed target is measured by bench/scoring.ts
});

describe('OpenAPI', () => {
  it('documents both routes with the record schema and the error shape', async () => {
    const docs = Fastify();
    await docs.register(swagger, { openapi: { info: { title: 'FedCredit node', version: '0' } } });
    await docs.register(scoringRoutes, { getScorer: () => scorer });
    await docs.ready();
    const spec = docs.swagger() as { paths: Record<string, { post: { requestBody: { content: Record<string, { schema: Record<string, unknown> }> }; responses: Record<string, unknown> } }> };
    const legacy = spec.paths['/predictCreditRisk'].post;
    const body = legacy.requestBody.content['application/json'].schema as { items: { required: string[]; properties: Record<string, { enum?: string[] }> } };
    expect(body.items.required).toHaveLength(20);
    expect(body.items.properties.existingchecking.enum).toEqual(['A11', 'A12', 'A13', 'A14']);
    expect(Object.keys(legacy.responses)).toEqual(expect.arrayContaining(['200', '4XX', '5XX']));
    expect(spec.paths['/api/v1/score'].post.responses).toHaveProperty('200');
    await docs.close();
  });
});
