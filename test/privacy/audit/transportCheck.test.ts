import { describe, expect, it } from 'vitest';
import type { TrainSettings } from '../../../src/coordinator/roundLoop.js';
import { loadBuiltin } from '../../../src/data/builtin/index.js';
import type { Schema, Table } from '../../../src/data/schema.js';
import type { NodeDataset } from '../../../src/node/jobContext.js';
import type { AuditPrivacy } from '../../../src/privacy/audit/federated.js';
import { runTransportCheck, scanReplies } from '../../../src/privacy/audit/transportCheck.js';
import { dealWorld } from '../../../src/privacy/audit/worlds.js';
import type { Message, Reply } from '../../../src/protocol/message.js';
import type { NodeEndpoint } from '../../../src/transport/inProcess.js';

const german = loadBuiltin('german');
const nodes = dealWorld(german, { numNodes: 3, memberFraction: 0.8, datasetKey: 'german', seed: [3, 'tc'] });
const train: TrainSettings = { epochs: 1, batchSize: 32, lr: 0.01, optimizer: 'adam', l2: 1e-3, classWeights: 'none' };
const job = { nodes, model: { kind: 'logreg' as const, config: {} }, rounds: 3, train, seed: 9 };
const privacy: AuditPrivacy = { mechanism: 'dpsgd', noiseMultiplier: 1.2, maxGradNorm: 1, sampleRate: 0.1, delta: 1e-5, rounds: 3, epochs: 1 };
const numericColumns = german.schema.columns.filter((c) => c.kind === 'numeric').map((c) => c.name);

/** A node wrapper that edits replies of one type: a deliberately leaky handler. */
function leaky(type: string, edit: (reply: Reply, dataset: NodeDataset) => Reply) {
  return (_nodeId: string, endpoint: NodeEndpoint, dataset: NodeDataset): NodeEndpoint => ({
    async handle(message: Message) {
      const reply = await endpoint.handle(message);
      return reply.type === type && !reply.error ? edit(reply, dataset) : reply;
    },
  });
}

/** The row with the largest credit amount (far above any count a node could report). */
function bigRow(dataset: NodeDataset): number {
  const a = dataset.train.numeric.creditamount;
  return a.indexOf(Math.max(...a));
}

describe('runTransportCheck on the real handlers', () => {
  it.each([['without DP', undefined], ['with DP-SGD', privacy]])('passes a full job %s: every reply scanned, no record value', async (_name, p) => {
    const r = await runTransportCheck({ ...job, privacy: p });
    expect(r.repliesScanned).toBe(3 * (3 + 2 * 3));
    expect(r.repliesByType).toEqual({ describe: 3, stats: 3, setup: 3, train: 9, evaluate: 9 });
    expect(r.valuesScanned).toBeGreaterThan(10_000);
    expect(r.findings).toEqual([]);
    expect(r.ok).toBe(true);
  });
});

describe('runTransportCheck flags leaky handlers', () => {
  it.each([
    ['a credit amount echoed in config', 'train', 'config.echo', 'record value',
      (r: Reply, d: NodeDataset) => ({ ...r, config: { ...r.config, echo: d.train.numeric.creditamount[bigRow(d)] } })],
    ['a credit amount hidden in the parameters (float32)', 'train', 'arrays.parameters', 'record value',
      (r: Reply, d: NodeDataset) => {
        const parameters = Float64Array.from(r.arrays.parameters);
        parameters[3] = Math.fround(d.train.numeric.creditamount[bigRow(d)]);
        return { ...r, arrays: { ...r.arrays, parameters } };
      }],
    ['a row\'s numeric fields', 'stats', 'arrays.debug', 'row run',
      (r: Reply, d: NodeDataset) => ({ ...r, arrays: { ...r.arrays, debug: Float64Array.from([0, ...numericColumns.map((c) => d.test.numeric[c][0]), 0]) } })],
    ['per-row scores', 'evaluate', 'arrays.scores', 'row-length array',
      (r: Reply, d: NodeDataset) => ({ ...r, arrays: { ...r.arrays, scores: new Float64Array(d.test.numRows).fill(0.5) } })],
    ['a category code', 'setup', 'config.purpose', 'category code',
      (r: Reply, d: NodeDataset) => ({ ...r, config: { ...r.config, purpose: d.train.categorical.purpose[0]! } })],
  ] as const)('%s', async (_name, type, field, reason, edit) => {
    const r = await runTransportCheck({ ...job, wrapEndpoint: leaky(type, edit) });
    expect(r.ok).toBe(false);
    const hits = r.findings.filter((f) => f.field === field && f.reason === reason);
    expect(hits.length).toBeGreaterThan(0);
    expect(hits.every((f) => f.messageType === type)).toBe(true);
    expect(new Set(hits.map((f) => f.nodeId))).toEqual(new Set(['node-1', 'node-2', 'node-3']));
  });
});

describe('scanReplies', () => {
  const schema: Schema = {
    name: 'toy', target: { name: 'y', bad: '1' }, missingTokens: [],
    columns: [{ name: 'amount', kind: 'numeric' }, { name: 'age', kind: 'numeric' }, { name: 'kind', kind: 'categorical', categories: ['K1', 'K2'] }],
  };
  const table = (amount: number[], age: number[]): Table => ({
    schema, numRows: amount.length, numeric: { amount: Float64Array.from(amount), age: Float64Array.from(age) },
    categorical: { kind: amount.map(() => 'K1') }, label: new Uint8Array(amount.length),
  });
  // Three rows held: 300, 400 and 700 cannot be counts. The train total of amount is 700, which
  // equals the test row's amount by coincidence; the test "total" of one row is the row itself.
  const holdings = new Map([['n1', [table([300, 400], [30, 41]), table([700], [55])]]]);
  const reply = (arrays: Record<string, number[]>, config: Reply['config'] = {}): Reply => ({
    replyTo: 'm', type: 'stats', jobId: 'j', round: 0, nodeId: 'n1', config,
    arrays: Object.fromEntries(Object.entries(arrays).map(([k, v]) => [k, Float64Array.from(v)])),
  });

  it('excuses a value that is a column total over two or more rows, but not one over a single row', () => {
    expect(scanReplies([reply({ stats: [2, 700, 250_000, 0, 1, 1] })], holdings).ok).toBe(true);
    const single = scanReplies([reply({ stats: [1, 55, 0, 0, 1, 1] })], holdings);
    expect(single.findings.map((f) => [f.reason, f.detail])).toEqual([['record value', 'entry 1 = 55']]);
  });

  it('flags record values in arrays and config, row runs, row-length arrays and codes, and counts every value', () => {
    const r = scanReplies([
      reply({ a: [1, 300] }), reply({}, { amount: 400 }), reply({ b: [0, 700, 55, 0, 9] }), reply({ c: [0.1, 0.2] }), reply({}, { note: 'kind=["K2"]' }),
      { ...reply({ d: [300] }), nodeId: 'stranger' },
    ], holdings);
    expect(r.repliesScanned).toBe(6);
    expect(r.valuesScanned).toBe(2 + 1 + 5 + 2 + 1 + 1);
    // a: two values, as many as the train rows, one of them a record's; b: 700 is excused as the
    // train total but starts the test row (700, 55); c: as long as the train table.
    expect(r.findings.map((f) => `${f.field}:${f.reason}`)).toEqual([
      'arrays.a:row-length array', 'arrays.a:record value', 'config.amount:record value',
      'arrays.b:row run', 'arrays.b:record value', 'arrays.c:row-length array', 'config.note:category code',
    ]);
    expect(r.numFindings).toBe(7);
  });

  it('lets describe send the schema with its codebook', () => {
    const describe = { ...reply({}, { schema: JSON.stringify(schema) }), type: 'describe' };
    expect(scanReplies([describe], holdings).ok).toBe(true);
    expect(scanReplies([{ ...describe, type: 'train' }], holdings).ok).toBe(false);
  });

  it.each([
    ['replies not an array', () => scanReplies({} as never, holdings), TypeError],
    ['holdings not a Map', () => scanReplies([], {} as never), TypeError],
    ['a node holding no table', () => scanReplies([], new Map([['n1', []]])), RangeError],
  ])('rejects %s', (_name, call, type) => {
    expect(call).toThrow(type);
  });
});
