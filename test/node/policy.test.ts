import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { builtinDataPath, getBuiltinSchema } from '../../src/data/builtin/index.js';
import { loadCsv } from '../../src/data/csv.js';
import { selectRows } from '../../src/data/schema.js';
import { ConfigError } from '../../src/errors.js';
import { NodeApp, NodeError } from '../../src/node/app.js';
import { parseNodeConfig, type PolicyConfig } from '../../src/node/config.js';
import { createCreditHandlers } from '../../src/node/creditHandlers.js';
import type { NodeDataset } from '../../src/node/jobContext.js';
import { createApprovals, datasetRowsOf, describeModel, MODEL_NOT_ANNOUNCED, policyMod, type JobApprovals } from '../../src/node/policy.js';
import { createMessage, type ConfigValue } from '../../src/protocol/message.js';

const table = loadCsv(builtinDataPath('german'), getBuiltinSchema('german'));
const rowsFrom = (start: number, count: number) => selectRows(table, Array.from({ length: count }, (_, i) => start + i));
const dataset = (key: string, numTrain: number): NodeDataset => ({ key, train: rowsFrom(0, numTrain), test: rowsFrom(numTrain, 50) });

const dir = mkdtempSync(join(tmpdir(), 'fedcredit-policy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const policyOf = (yaml: string): PolicyConfig => {
  writeFileSync(join(dir, 'a.csv'), 'unused');
  return parseNodeConfig(`institution: Bank A\nnodeName: bank-a\ndatasets: [{ key: german-credit, file: a.csv, schema: german }, { key: retail, file: a.csv, schema: german }]\n${yaml}`, { file: 'node.yaml', baseDir: dir }).policy;
};

const encoder = JSON.stringify({ format: 'fedcredit-encoder', version: 1, features: [{ kind: 'numeric', column: 'duration', mean: 20, std: 12, impute: 18 }] });
const logreg = JSON.stringify({ kind: 'logreg', config: {} });
const mlp = JSON.stringify({ kind: 'mlp', config: { hidden: [16, 8], activation: 'tanh' } });

function node(policy: PolicyConfig, approvals: JobApprovals, datasets = new Map([['german-credit', dataset('german-credit', 200)], ['retail', dataset('retail', 120)]])) {
  const app = new NodeApp({ nodeId: 'bank-a', handlers: createCreditHandlers(datasets), mods: [policyMod(policy, approvals, { datasetRows: datasetRowsOf(datasets) })] });
  const send = async (type: string, config: Record<string, ConfigValue> = {}, o: { round?: number; jobId?: string } = {}) => {
    const arrays: Record<string, Float64Array> = type === 'train' || type === 'evaluate' ? { parameters: new Float64Array(2) } : {};
    return app.handle(createMessage({ type, jobId: o.jobId ?? 'job-1', round: o.round ?? 1, nodeId: 'bank-a', config, arrays }));
  };
  const stats = (o: { jobId?: string; datasetKey?: string } = {}) => send('stats', { datasetKey: o.datasetKey ?? 'german-credit' }, o);
  const setup = (model = logreg, o: { jobId?: string; datasetKey?: string; rounds?: number } = {}) =>
    send('setup', { datasetKey: o.datasetKey ?? 'german-credit', encoder, model, seed: 1, ...(o.rounds !== undefined ? { rounds: o.rounds } : {}) }, o);
  return { send, stats, setup, datasets };
}

describe('policyMod with the real credit handlers', () => {
  it('auto mode approves on first sight and the whole job runs', async () => {
    const approvals = createApprovals({ mode: 'auto', now: () => 1000 });
    const n = node(policyOf(''), approvals);
    expect((await n.stats()).error).toBeUndefined();
    expect(approvals.list()).toEqual([{ jobId: 'job-1', status: 'approved', summary: { datasetKey: 'german-credit', model: MODEL_NOT_ANNOUNCED }, requestedAt: 1000 }]);
    expect((await n.setup()).error).toBeUndefined();
    expect(approvals.list()[0].summary.model).toBe('logreg'); // filled in once setup announces it
    const train = await n.send('train');
    expect(train.error).toBeUndefined();
    expect(train.config.numExamples).toBe(200);
    expect((await n.send('evaluate')).error).toBeUndefined();
  });

  it('admits a job by the key stage of a protected statistics sum, which names the dataset; other stages need an admitted job', async () => {
    const approvals = createApprovals({ mode: 'auto', now: () => 7 });
    const n = node(policyOf('policy: { allowedDatasets: [german-credit] }'), approvals);
    // no secure-aggregation mod here: an admitted key stage reaches the handlers, which do not know it
    const admitted = await n.send('secagg', { datasetKey: 'german-credit' }, { round: 0, jobId: 'job-s' });
    expect(admitted.error?.code).toBe('UNKNOWN_MESSAGE_TYPE');
    expect(approvals.status('job-s')).toBe('approved');
    expect((await n.send('paillier', { datasetKey: 'retail' }, { round: 0, jobId: 'job-p' })).error?.code).toBe('POLICY_DATASET_NOT_ALLOWED');
    expect((await n.send('secagg', {}, { round: 0, jobId: 'job-u' })).error?.code).toBe('JOB_UNKNOWN');
    expect((await n.send('secagg', { datasetKey: 'german-credit' }, { round: 3, jobId: 'job-v' })).error?.code).toBe('JOB_UNKNOWN');
  });

  it('manual mode: pending until the owner approves, then the job proceeds', async () => {
    const approvals = createApprovals({ mode: 'manual', now: () => 5 });
    const n = node(policyOf('policy: { approval: manual }'), approvals);
    const first = await n.setup(mlp, { rounds: 20 });
    expect(first.error?.code).toBe('JOB_PENDING_APPROVAL');
    expect(first.error?.message).toContain('german-credit');
    expect(approvals.list()).toEqual([{ jobId: 'job-1', status: 'pending', summary: { datasetKey: 'german-credit', model: 'mlp(hidden=16x8, tanh)', rounds: 20 }, requestedAt: 5 }]);
    expect((await n.send('train')).error?.code).toBe('JOB_PENDING_APPROVAL');
    expect((await n.stats()).error?.code).toBe('JOB_PENDING_APPROVAL');
    approvals.approve('job-1');
    expect(approvals.list()[0]).toMatchObject({ status: 'approved', decidedAt: 5 });
    expect((await n.stats()).error).toBeUndefined();
    expect((await n.setup(logreg)).error).toBeUndefined();
    expect((await n.send('train')).error).toBeUndefined();
  });

  it('rejected jobs are refused everywhere, and withdrawing an approval stops training', async () => {
    const approvals = createApprovals({ mode: 'manual' });
    const n = node(policyOf('policy: { approval: manual }'), approvals);
    await n.stats({ jobId: 'job-x' });
    approvals.reject('job-x');
    for (const reply of [await n.stats({ jobId: 'job-x' }), await n.setup(logreg, { jobId: 'job-x' }), await n.send('train', {}, { jobId: 'job-x' })]) {
      expect(reply.error?.code).toBe('JOB_REJECTED');
    }
    await n.setup();
    approvals.approve('job-1');
    expect((await n.setup()).error).toBeUndefined();
    expect((await n.send('train')).error).toBeUndefined();
    approvals.reject('job-1');
    expect((await n.send('train', {}, { round: 2 })).error?.code).toBe('JOB_REJECTED');
    expect((await n.send('evaluate')).error?.code).toBe('JOB_REJECTED');
  });

  it('refuses a model the owner does not allow, naming it and the allowed list, without asking the owner', async () => {
    const approvals = createApprovals({ mode: 'manual' });
    const n = node(policyOf('policy: { allowedModels: [logreg], approval: manual }'), approvals);
    const reply = await n.setup(mlp);
    expect(reply.error).toEqual({ code: 'POLICY_MODEL_NOT_ALLOWED', message: 'model "mlp" is not allowed at this node; the owner allows: logreg' });
    expect((await n.send('stats', { datasetKey: 'german-credit', model: mlp })).error?.code).toBe('POLICY_MODEL_NOT_ALLOWED');
    expect(approvals.list()).toEqual([]);
  });

  it('enforces maxRounds on train rounds and on announced rounds', async () => {
    const n = node(policyOf('policy: { maxRounds: 3 }'), createApprovals({ mode: 'auto' }));
    expect((await n.setup(logreg, { rounds: 4 })).error).toEqual({ code: 'POLICY_MAX_ROUNDS', message: "round 4 is past the owner's limit of 3 rounds" });
    expect((await n.setup(logreg, { rounds: 3 })).error).toBeUndefined();
    expect((await n.send('train', {}, { round: 3 })).error).toBeUndefined();
    expect((await n.send('train', {}, { round: 4 })).error?.code).toBe('POLICY_MAX_ROUNDS');
    expect((await n.send('evaluate', {}, { round: 4 })).error).toBeUndefined(); // evaluating the final model is not training
  });

  it('enforces minRowsPerUpdate: at admission, and at train when the owner reloads a smaller dataset', async () => {
    const n = node(policyOf('policy: { minRowsPerUpdate: 150 }'), createApprovals({ mode: 'auto' }));
    expect((await n.stats({ datasetKey: 'retail' })).error).toEqual({ code: 'POLICY_MIN_ROWS', message: 'dataset "retail" has 120 training rows; the owner requires at least 150 behind any update' });
    expect((await n.setup(logreg, { datasetKey: 'retail', jobId: 'job-r' })).error?.code).toBe('POLICY_MIN_ROWS');
    expect((await n.setup()).error).toBeUndefined();
    expect((await n.send('train')).error).toBeUndefined();
    n.datasets.set('german-credit', dataset('german-credit', 149));
    expect((await n.send('train', {}, { round: 2 })).error?.code).toBe('POLICY_MIN_ROWS');
  });

  it('keeps jobs to allowed, registered datasets and to the dataset they were admitted for', async () => {
    const n = node(policyOf('policy: { allowedDatasets: [german-credit] }'), createApprovals({ mode: 'auto' }));
    expect((await n.stats({ datasetKey: 'retail' })).error?.code).toBe('POLICY_DATASET_NOT_ALLOWED');
    expect((await n.send('describe', { datasetKey: 'retail' })).error?.code).toBe('POLICY_DATASET_NOT_ALLOWED');
    const open = node(policyOf(''), createApprovals({ mode: 'auto' }));
    expect((await open.stats({ datasetKey: 'nope' })).error?.code).toBe('DATASET_UNKNOWN');
    expect((await open.stats()).error).toBeUndefined();
    expect((await open.setup(logreg, { datasetKey: 'retail' })).error?.code).toBe('POLICY_DATASET_MISMATCH');
    expect((await open.send('train', {}, { jobId: 'never-seen' })).error?.code).toBe('JOB_UNKNOWN');
  });

  it('answers malformed messages with BAD_MESSAGE replies, not exceptions', async () => {
    const n = node(policyOf(''), createApprovals({ mode: 'auto' }));
    expect((await n.send('stats', {})).error?.code).toBe('BAD_MESSAGE');
    expect((await n.setup('{not json')).error?.code).toBe('BAD_MESSAGE');
    expect((await n.setup(JSON.stringify({ kind: 'gbdt' }))).error?.code).toBe('BAD_MESSAGE');
    expect((await n.send('setup', { datasetKey: 'german-credit', encoder, model: logreg, rounds: 'many' })).error?.code).toBe('BAD_MESSAGE');
  });

  it('checks its arguments', () => {
    const policy = policyOf('');
    const approvals = createApprovals({ mode: 'auto' });
    expect(() => policyMod(policy, approvals, {} as never)).toThrow(/options.datasetRows/);
    expect(() => policyMod({ ...policy, maxRounds: -1 }, approvals, { datasetRows: () => 1 })).toThrow(RangeError);
    expect(() => policyMod(policy, {} as JobApprovals, { datasetRows: () => 1 })).toThrow(/approvals/);
    expect(() => createApprovals({ mode: 'sometimes' as 'auto' })).toThrow(/options.mode/);
    expect(() => approvals.request('', { datasetKey: 'a', model: 'logreg' })).toThrow(/jobId/);
    expect(() => approvals.request('j', { datasetKey: 'a', model: 'logreg', rounds: -1 })).toThrow(/summary: rounds/);
    expect(() => approvals.approve('unknown')).toThrow(NodeError);
  });
});

describe('createApprovals persistence', () => {
  it('keeps decisions across re-creation from the same file, written atomically', async () => {
    const file = join(dir, 'state', 'approvals.json');
    const first = createApprovals({ mode: 'manual', file, now: () => 42 });
    const n = node(policyOf('policy: { approval: manual }'), first);
    await n.setup(logreg, { jobId: 'job-a' });
    await n.setup(logreg, { jobId: 'job-b' });
    first.approve('job-a');
    first.reject('job-b');
    expect(readdirSync(join(dir, 'state'))).toEqual(['approvals.json']); // no temporary files left
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ format: 'fedcredit-approvals', version: 1 });

    const second = createApprovals({ mode: 'manual', file });
    expect(second.list()).toEqual(first.list());
    expect([second.status('job-a'), second.status('job-b'), second.status('job-c')]).toEqual(['approved', 'rejected', 'pending']);
    // After a restart the mod recovers the job's dataset from the book: no second question to the owner.
    const restarted = node(policyOf('policy: { approval: manual }'), second);
    expect((await restarted.send('train', {}, { jobId: 'job-a' })).error?.code).toBe('JOB_UNKNOWN'); // the handler's: set up again
    expect((await restarted.setup(logreg, { jobId: 'job-b' })).error?.code).toBe('JOB_REJECTED');
    expect((await restarted.setup(logreg, { jobId: 'job-a', datasetKey: 'retail' })).error?.code).toBe('POLICY_DATASET_MISMATCH');
    expect((await restarted.setup(logreg, { jobId: 'job-a' })).error).toBeUndefined();
  });

  it('auto mode approves requests left pending by an earlier manual run, but never overrides a rejection', () => {
    const file = join(dir, 'switch.json');
    const manual = createApprovals({ mode: 'manual', file });
    manual.request('p', { datasetKey: 'german-credit', model: 'logreg' });
    manual.request('r', { datasetKey: 'german-credit', model: 'logreg' });
    manual.reject('r');
    const auto = createApprovals({ mode: 'auto', file });
    auto.request('p', { datasetKey: 'german-credit', model: 'logreg' });
    auto.request('r', { datasetKey: 'german-credit', model: 'logreg' });
    expect([auto.status('p'), auto.status('r')]).toEqual(['approved', 'rejected']);
  });

  it('refuses a corrupt book, naming the file, instead of forgetting decisions', () => {
    const cases: [string, RegExp][] = [
      ['{not json', /not valid JSON/],
      ['{"format":"other","version":1,"jobs":[]}', /expected \{ "format": "fedcredit-approvals"/],
      ['{"format":"fedcredit-approvals","version":1,"jobs":[{"jobId":"j","status":"maybe","summary":{"datasetKey":"a","model":"m"},"requestedAt":1}]}', /jobs\[0\]\.status: expected one of/],
      ['{"format":"fedcredit-approvals","version":1,"jobs":[{"jobId":"j","status":"approved","summary":{"datasetKey":"","model":"m"},"requestedAt":1}]}', /jobs\[0\]\.summary\.datasetKey/],
    ];
    for (const [text, pattern] of cases) {
      const file = join(dir, 'corrupt.json');
      writeFileSync(file, text);
      expect(() => createApprovals({ mode: 'auto', file })).toThrow(ConfigError);
      expect(() => createApprovals({ mode: 'auto', file })).toThrow(pattern);
      expect(() => createApprovals({ mode: 'auto', file })).toThrow(file);
    }
    expect(existsSync(join(dir, 'fresh.json'))).toBe(false);
    expect(createApprovals({ mode: 'auto', file: join(dir, 'fresh.json') }).list()).toEqual([]);
  });
});

describe('describeModel', () => {
  it('describes models for the owner', () => {
    expect(describeModel({ kind: 'logreg', config: {} })).toBe('logreg');
    expect(describeModel({ kind: 'mlp', config: { hidden: [32] } })).toBe('mlp(hidden=32, relu)');
  });
});
