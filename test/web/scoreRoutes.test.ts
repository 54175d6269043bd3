/**
 * Scoring at the coordinator (src/web/scoreRoutes.ts) on the real app: a model version stored
 * as the job runner stores it becomes the same Scorer a lender node serves. Known answers: a
 * logistic regression with zero weights and bias ln(1/3) gives P(default) = 0.25 exactly and
 * 600 + (20 / ln 2)·(ln 3 − ln 50) = 518.82 → 519 points (the scale of src/scoring/scale.ts),
 * decision "review" (0.25 ≥ 1/6, below 0.5), no reasons; a hand-computed boosted stump gives
 * P = σ(±2) with TreeSHAP reason ±2; a trained model answers exactly what a Scorer built
 * directly from it answers, and with `?explain=true` its counterfactuals (the stump: "48 → 24
 * months" turns the decline into an approval). Also: newest approval wins, candidates are never
 * used, bad input gets coded issues, roles, and the audit entry without record values.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { float64ToBytes } from '../../src/coordinator/stateCodec.js';
import { germanSchema } from '../../src/data/builtin/german.js';
import { durationStump } from '../scoring/durationStump.js';
import type { Model } from '../../src/model/model.js';
import { counterfactuals } from '../../src/scoring/counterfactual.js';
import { Scorer } from '../../src/scoring/scorer.js';
import { parseRecords } from '../../src/scoring/validate.js';
import type { JsonObject } from '../../src/store/index.js';
import { MAX_EXPLAINED_RECORDS } from '../../src/web/scoreRoutes.js';
import { trained, SEED_RECORD } from '../scoring/fixture.js';
import { Browser, setupAdmin, signedInAs, startWeb } from './harness.js';
import type { WebFixture } from './harness.js';

let fx: WebFixture;
let admin: Browser;
let officer: Browser;

/** Store a model version the way the job runner does, optionally approve it; returns its id. */
async function storeModel(model: Model, options: { datasetKey: string; approve: boolean; kind?: string }): Promise<{ id: string; jobId: string }> {
  const { encoder, baseline } = trained();
  const job = await fx.store.createJob({ spec: { datasetKey: options.datasetKey, model: 'logreg', strategy: 'fedavg', hyperparameters: {}, rounds: 1, minNodes: 1, roundTimeoutMs: 1000, seed: 1 }, createdBy: 'test' });
  const version = await fx.store.createModelVersion({
    jobId: job.id, parameters: float64ToBytes(model.getParameters()),
    meta: { kind: options.kind ?? model.kind, config: {}, numFeatures: encoder.features.length, encoder: encoder as unknown as JsonObject, baseline: Array.from(baseline), datasetKey: options.datasetKey, schema: germanSchema as unknown as JsonObject, metrics: { auc: 0.75 } },
    lineage: { nodes: ['n1'], rounds: [1], settings: {}, feedbackIds: [] },
  });
  if (options.approve) await fx.store.approveModel(version.id);
  return { id: version.id, jobId: job.id };
}

/** A logistic regression with zero weights and the given bias. */
function constantModel(bias: number): Model {
  const model = trained().logreg.clone();
  const p = new Float64Array(model.numParameters);
  p[p.length - 1] = bias; // layout: weights, then bias
  model.setParameters(p);
  return model;
}

type Answer = { modelVersion: string; dataset: string; model: { id: string }; results: { probabilityOfDefault: number; score: number; decision: string; reasons: { field: string; description: string; contribution: number }[]; contributions: { field: string; contribution: number }[] }[] };

beforeAll(async () => {
  fx = await startWeb();
  admin = (await setupAdmin(fx)).browser;
  officer = await signedInAs(fx, 'risk_officer');
});
afterAll(async () => fx?.close());

describe('POST /api/v1/score', () => {
  it('answers the hand-computed score of a constant model (P = 0.25 → 519 points, review)', async () => {
    const { jobId } = await storeModel(constantModel(Math.log(1 / 3)), { datasetKey: 'constant', approve: true });
    const response = await officer.call('POST', '/api/v1/score', { dataset: 'constant', records: [SEED_RECORD] });
    expect(response.statusCode).toBe(200);
    const answer = response.json() as Answer;
    expect(answer.modelVersion).toBe(`${jobId}/v1`);
    const [result] = answer.results;
    expect(result.probabilityOfDefault).toBeCloseTo(0.25, 14);
    expect(result.score).toBe(519);
    expect(result.decision).toBe('review');
    expect(result.reasons).toEqual([]);
    expect(result.contributions.every((c) => c.contribution === 0)).toBe(true);
  });

  it('answers what a Scorer built directly from the trained model answers', async () => {
    const { logreg, encoder, baseline, table } = trained();
    await storeModel(logreg, { datasetKey: 'german-credit', approve: true });
    const records = [SEED_RECORD, { ...SEED_RECORD, existingchecking: 'A14', duration: 48, creditamount: 15000 }];
    const answer = (await officer.call('POST', '/api/v1/score', { dataset: 'german-credit', records })).json() as Answer;
    const direct = new Scorer({ schema: germanSchema, encoder, model: logreg, modelVersion: 'direct', baseline });
    const parsed = parseRecords(records, germanSchema);
    if (!parsed.ok) throw new Error('fixture records must parse');
    const expected = direct.score(parsed.table);
    expect(answer.results.map(({ contributions: _c, ...r }) => r)).toEqual(expected);
    // every model column's contribution is listed, and the reasons are the largest positive ones
    const explained = direct.explain(parsed.table);
    expect(answer.results[0].contributions.map((c) => c.contribution)).toEqual(Array.from(explained.contributions.slice(0, explained.columns.length)));
    expect(table.numRows).toBe(1000);
  });

  it('with ?explain=true adds what a Scorer’s counterfactuals answer, per record; without it, nothing', async () => {
    const { logreg, encoder, baseline } = trained();
    const records = [SEED_RECORD, { ...SEED_RECORD, existingchecking: 'A11', duration: 48, creditamount: 15000 }];
    const response = await officer.call('POST', '/api/v1/score?explain=true', { dataset: 'german-credit', records });
    expect(response.statusCode, response.body).toBe(200);
    const answer = response.json() as { results: { counterfactuals: unknown }[] };
    const direct = new Scorer({ schema: germanSchema, encoder, model: logreg, modelVersion: 'direct', baseline });
    const parsed = parseRecords(records, germanSchema);
    if (!parsed.ok) throw new Error('fixture records must parse');
    expect(answer.results.map((r) => r.counterfactuals)).toEqual(records.map((_, i) => JSON.parse(JSON.stringify(counterfactuals(direct, parsed.table, i)))));
    expect(answer.results[1].counterfactuals).toMatchObject({ decision: 'review', suggestions: expect.arrayContaining([expect.anything()]) });
    const plain = (await officer.call('POST', '/api/v1/score?explain=false', { dataset: 'german-credit', records })).json() as Answer;
    expect(plain.results.every((r) => !('counterfactuals' in r))).toBe(true);
  });

  it('refuses a bad query and too many records to explain, with coded issues', async () => {
    const body = { dataset: 'german-credit', records: [SEED_RECORD] };
    const cases: [string, unknown][] = [
      ['?explain=yes', { field: 'explain', code: 'wrong_type' }],
      ['?explain=true&explain=true', { field: 'explain', code: 'wrong_type' }],
      ['?verbose=1', { field: 'verbose', code: 'unknown_field' }],
    ];
    for (const [query, issue] of cases) {
      const response = await officer.call('POST', `/api/v1/score${query}`, body);
      expect(response.statusCode, query).toBe(400);
      expect((response.json() as { issues: unknown[] }).issues, query).toEqual([expect.objectContaining(issue as object)]);
    }
    const many = { dataset: 'german-credit', records: Array.from({ length: MAX_EXPLAINED_RECORDS + 1 }, () => SEED_RECORD) };
    const tooMany = await officer.call('POST', '/api/v1/score?explain=true', many);
    expect(tooMany.statusCode).toBe(400);
    expect((tooMany.json() as { issues: { code: string }[] }).issues[0].code).toBe('too_many_records');
    expect((await officer.call('POST', '/api/v1/score', many)).statusCode).toBe(200);
  });

  it('uses the newest approved model, never a candidate', async () => {
    const older = await storeModel(constantModel(-1), { datasetKey: 'versions', approve: true });
    fx.clock.nowMs += 60_000;
    const newer = await storeModel(constantModel(1), { datasetKey: 'versions', approve: true });
    fx.clock.nowMs += 60_000;
    await storeModel(constantModel(2), { datasetKey: 'versions', approve: false });
    const answer = (await officer.call('POST', '/api/v1/score', { dataset: 'versions', records: [SEED_RECORD] })).json() as Answer;
    expect(answer.model.id).toBe(newer.id);
    expect(answer.results[0].probabilityOfDefault).toBeCloseTo(1 / (1 + Math.exp(-1)), 14);
    expect(older.id).not.toBe(newer.id);
  });

  it('refuses bad requests with coded issues and unknown datasets with 404', async () => {
    const cases: [unknown, number, string][] = [
      [{ dataset: 'german-credit', records: [{ ...SEED_RECORD, duration: 'long' }] }, 400, 'invalid_request'],
      [{ dataset: 'german-credit', records: [] }, 400, 'invalid_request'],
      [{ dataset: 'german-credit' }, 400, 'invalid_request'],
      [{ dataset: 'german-credit', records: [SEED_RECORD], extra: 1 }, 400, 'invalid_request'],
      [{ dataset: 42, records: [SEED_RECORD] }, 400, 'invalid_request'],
      [[SEED_RECORD], 400, 'invalid_request'],
      [{ dataset: 'no-such-dataset', records: [SEED_RECORD] }, 404, 'no_model'],
    ];
    for (const [body, status, error] of cases) {
      const response = await officer.call('POST', '/api/v1/score', body);
      expect([response.statusCode, (response.json() as { error: string }).error], JSON.stringify(body)).toEqual([status, error]);
    }
    const typed = (await officer.call('POST', '/api/v1/score', { dataset: 'german-credit', records: [{ ...SEED_RECORD, duration: 'long' }] })).json() as { issues: { field: string; code: string; index: number }[] };
    expect(typed.issues).toEqual([expect.objectContaining({ index: 0, field: 'duration', code: 'wrong_type' })]);
  });

  it('is for risk officers and admins only, and audits who scored with which model (never the values)', async () => {
    const engineer = await signedInAs(fx, 'ml_engineer');
    expect((await engineer.call('POST', '/api/v1/score', { dataset: 'german-credit', records: [SEED_RECORD] })).statusCode).toBe(403);
    expect((await engineer.call('GET', '/api/v1/scoring/datasets')).statusCode).toBe(403);
    expect((await admin.call('POST', '/api/v1/score', { dataset: 'german-credit', records: [SEED_RECORD] })).statusCode).toBe(200);
    const entries = await fx.store.listAudit({ action: 'scoring.scored' });
    expect(entries.length).toBeGreaterThanOrEqual(4);
    // ids and hashes are random hex, which holds '1169' now and then: leave them out
    const text = JSON.stringify(entries).replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<id>').replace(/[0-9a-f]{64}/g, '<hash>');
    expect(text).not.toContain('A11');
    expect(text).not.toContain('1169');
    for (const e of entries) expect(Object.keys(e.details ?? {}).sort()).toEqual(['datasetKey', 'ip', 'jobId', 'numRecords', 'userAgent', 'version']);
    expect(entries.at(-1)!.details).toMatchObject({ datasetKey: 'german-credit', numRecords: 1 });
  });

  it('serves boosted trees with TreeSHAP reasons (hand-computed stump)', async () => {
    // leaves ∓2 and φ(duration) = ±2; the Scorer lists four reasons (see durationStump.ts)
    const stump = durationStump();
    const job = await fx.store.createJob({ spec: { datasetKey: 'trees', model: 'gbdt', strategy: 'fedavg', hyperparameters: {}, rounds: 1, minNodes: 1, roundTimeoutMs: 1000, seed: 1 }, createdBy: 'test' });
    const version = await fx.store.createModelVersion({
      jobId: job.id, parameters: new Uint8Array(0),
      meta: { kind: 'gbdt', ensemble: stump.toJSON() as unknown as JsonObject, numFeatures: 4, datasetKey: 'trees', schema: germanSchema as unknown as JsonObject, metrics: {} },
      lineage: { nodes: ['n1'], rounds: [1], settings: {}, feedbackIds: [] },
    });
    await fx.store.approveModel(version.id);
    const response = await officer.call('POST', '/api/v1/score', { dataset: 'trees', records: [{ ...SEED_RECORD, duration: 48 }, SEED_RECORD] });
    expect(response.statusCode, response.body).toBe(200);
    const answer = response.json() as Answer;
    const [long, short] = answer.results;
    expect(long.probabilityOfDefault).toBeCloseTo(1 / (1 + Math.exp(-2)), 12);
    expect(short.probabilityOfDefault).toBeCloseTo(1 / (1 + Math.exp(2)), 12);
    expect(long.reasons).toEqual([{ field: 'duration', value: 48, description: 'Duration of the credit: 48 months', contribution: expect.closeTo(2, 12) }]);
    expect(short.reasons).toEqual([]);
    expect(short.contributions.map((c) => [c.field, c.contribution])).toEqual([['duration', expect.closeTo(-2, 12)], ['creditamount', 0], ['installmentrate', 0], ['residencesince', 0]]);
  });

  it('explains the boosted stump: 48 → 24 months turns a decline into an approval; an approval gets its margin', async () => {
    const response = await officer.call('POST', '/api/v1/score?explain=true', { dataset: 'trees', records: [{ ...SEED_RECORD, duration: 48 }, SEED_RECORD] });
    expect(response.statusCode, response.body).toBe(200);
    type Explained = { decision: string; suggestions: { changes: { text: string }[]; decision: string }[]; margin: { probabilityOfDefault: number } | null };
    const [long, short] = (response.json() as { results: { counterfactuals: Explained }[] }).results.map((r) => r.counterfactuals);
    expect(long.suggestions.map((s) => [s.changes.map((c) => c.text), s.decision])).toEqual([[['Duration of the credit: 48 → 24 months'], 'approve']]);
    expect(long.margin).toBeNull();
    expect(short).toMatchObject({ decision: 'approve', suggestions: [] });
    expect(short.margin!.probabilityOfDefault).toBeCloseTo(1 / 6 - 1 / (1 + Math.exp(2)), 12);
  });

  it('does not serve an approved model of a kind it cannot score', async () => {
    await storeModel(constantModel(0), { datasetKey: 'other', approve: true, kind: 'svm' });
    const response = await officer.call('POST', '/api/v1/score', { dataset: 'other', records: [SEED_RECORD] });
    expect(response.statusCode).toBe(409);
    expect((response.json() as { error: string }).error).toBe('model_unsupported');
  });
});

describe('GET /api/v1/scoring/datasets', () => {
  it('lists each dataset key with its newest approved model and the form in the codebook’s words', async () => {
    const list = (await officer.call('GET', '/api/v1/scoring/datasets')).json() as { datasetKey: string; model: { version: number; kind: string }; schema: { name: string; columns: { name: string; labels?: Record<string, string>; usedByModel: boolean; protected?: boolean }[] } }[];
    expect(list.map((d) => d.datasetKey).sort()).toEqual(['constant', 'german-credit', 'trees', 'versions']); // 'other' cannot be scored
    const german = list.find((d) => d.datasetKey === 'german-credit')!;
    expect(german.schema.name).toBe('german');
    const checking = german.schema.columns.find((c) => c.name === 'existingchecking')!;
    expect(checking.labels?.A11).toBe('checking account < 0 DM');
    expect(checking.usedByModel).toBe(true);
    const age = german.schema.columns.find((c) => c.name === 'age')!;
    expect([age.protected, age.usedByModel]).toEqual([true, false]);
  });
});
