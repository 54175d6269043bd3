/**
 * Paillier as an aggregation mode, in process: the nodes set up a distributed key (a node deals,
 * each holds one share), preprocessing statistics, model updates and evaluation histograms all
 * travel encrypted, and the run reaches the plain run's encoder and model within the fixed-point
 * step. The coordinator never receives a contribution in the clear, nor a key share it could open.
 */
import { describe, expect, it } from 'vitest';
import { builtinDataPath, getBuiltinSchema } from '../../src/data/builtin/index.js';
import { loadCsv } from '../../src/data/csv.js';
import { partition } from '../../src/data/partition.js';
import { featureColumns, selectRows } from '../../src/data/schema.js';
import { stratifiedSplit } from '../../src/data/split.js';
import { exchange } from '../../src/coordinator/exchange.js';
import { federatedPreprocess } from '../../src/coordinator/preprocess.js';
import { runRounds } from '../../src/coordinator/roundLoop.js';
import { collectSum, type AggregationMode } from '../../src/coordinator/collect.js';
import { aggregationModeOf } from '../../src/coordinator/aggregationMode.js';
import { deriveRandom } from '../../src/math/random.js';
import { createModel } from '../../src/model/factory.js';
import { NodeApp } from '../../src/node/app.js';
import { createCreditHandlers } from '../../src/node/creditHandlers.js';
import { secAggMod } from '../../src/node/secaggMod.js';
import { selectStats, statsLayout, statsPartIndices } from '../../src/preprocess/stats.js';
import type { Message, Reply } from '../../src/protocol/message.js';
import { createStrategy } from '../../src/strategy/index.js';
import { InProcessTransport, type NodeEndpoint } from '../../src/transport/inProcess.js';

const schema = getBuiltinSchema('german');
const table = loadCsv(builtinDataPath('german'), schema);
const parts = partition(table, { scheme: 'iid' }, 3, deriveRandom(3, 'p'));
const datasets = parts.map((rows, i) => {
  const t = selectRows(table, rows);
  const s = stratifiedSplit(t.label, 0.2, deriveRandom(3, 's', i));
  return new Map([['german-credit', { key: 'german-credit', train: selectRows(t, s.train), test: selectRows(t, s.test) }]]);
});
const nodeIds = ['n0', 'n1', 'n2'];
const moments = statsPartIndices(statsLayout(featureColumns(schema)), 'moments').length;
const train = { epochs: 1, batchSize: 32, lr: 0.01, optimizer: 'adam' as const, l2: 1e-3, classWeights: 'none' as const };

function federation(options: { silentAt?: { nodeId: string; stage: string } } = {}) {
  const seen: { message: Message; reply: Reply }[] = [];
  const transport = new InProcessTransport(datasets.map((d, i) => {
    const id = nodeIds[i];
    // 512-bit keys keep the test quick; real nodes accept 2048 bits and up
    const app = new NodeApp({ nodeId: id, handlers: createCreditHandlers(d), mods: [secAggMod({ paillier: { minKeyBits: 512 } })] });
    const endpoint: NodeEndpoint = {
      async handle(m: Message) {
        if (options.silentAt?.nodeId === id && m.type === 'paillier' && String(m.config.paillier).includes(`"stage":"${options.silentAt.stage}"`)) return new Promise<Reply>(() => {});
        const r = await app.handle(m);
        seen.push({ message: m, reply: r });
        return r;
      },
    };
    return [id, endpoint];
  }));
  return { transport, seen };
}

async function run(mode: AggregationMode) {
  const { transport, seen } = federation();
  const pre = await federatedPreprocess({ transport, jobId: 'j', datasetKey: 'german-credit', schema, nodeIds, minNodes: 3, timeoutMs: 60_000, aggregation: mode });
  await exchange({ transport, jobId: 'j', round: 0, type: 'setup', nodeIds, minReplies: 3, timeoutMs: 5000, config: { datasetKey: 'german-credit', encoder: JSON.stringify(pre.encoder), model: JSON.stringify({ kind: 'logreg', config: {} }), seed: 1 } });
  const initial = createModel('logreg', pre.encoder.features.length, {}, deriveRandom(1, 'init'));
  const result = await runRounds({ transport, strategy: createStrategy('fedavg'), jobId: 'j', seed: 1, rounds: 2, initialParameters: initial.getParameters(), train, minNodes: 3, timeoutMs: 60_000, aggregation: mode, totalRows: pre.numRows });
  return { ...result, pre, seen };
}

describe('Paillier aggregation in the round loop', () => {
  it('fits the same encoder and model as plain aggregation; every sum travels encrypted', async () => {
    const plain = await run({ kind: 'plain' });
    const mode = aggregationModeOf({ aggregation: 'paillier', paillierKeyBits: 512 });
    const he = await run(mode);
    const layout = statsLayout(featureColumns(schema));
    expect(Array.from(selectStats(he.pre.stats, layout, 'counts'))).toEqual(Array.from(selectStats(plain.pre.stats, layout, 'counts')));
    he.pre.encoder.features.forEach((f, i) => {
      const p = plain.pre.encoder.features[i];
      expect(f.kind).toBe(p.kind);
      if (f.kind === 'numeric' && p.kind === 'numeric') {
        expect(Math.abs(f.mean - p.mean)).toBeLessThanOrEqual(1e-7 * Math.abs(p.mean) + 1e-12);
        expect(Math.abs(f.std - p.std)).toBeLessThanOrEqual(1e-6 * p.std);
      }
    });
    for (let i = 0; i < plain.parameters.length; i++) expect(Math.abs(he.parameters[i] - plain.parameters[i])).toBeLessThan(1e-4);
    expect(Math.abs(he.history[1].metrics!.auc - plain.history[1].metrics!.auc)).toBeLessThan(0.002);
    expect(he.history[1].participants).toEqual(nodeIds);

    const summed = he.seen.filter((s) => ['stats', 'train', 'evaluate'].includes(s.message.type));
    expect(summed.filter((s) => s.message.type === 'stats')).toHaveLength(6); // counts and moments of 3 nodes
    for (const { reply } of summed) {
      expect(reply.error).toBeUndefined();
      expect(Object.keys(reply.arrays)).toEqual([]); // nothing in the clear
      expect(String(reply.config.paillier)).toMatch(/^\{"kind":"paillier-vector"/);
    }
    // one key for the whole job: one dealer, shares sealed per holder, every sum decrypted by all three
    const stages = he.seen.filter((s) => s.message.type === 'paillier').map((s) => JSON.parse(String(s.message.config.paillier)) as { stage: string });
    expect(stages.filter((s) => s.stage === 'deal')).toHaveLength(1);
    expect(stages.filter((s) => s.stage === 'decrypt')).toHaveLength(3 * (2 + 2 + 2)); // 2 stats sums + 2 × (train + evaluate)
    const deal = he.seen.find((s) => s.message.type === 'paillier' && String(s.message.config.paillier).includes('"stage":"deal"'))!;
    expect(Object.keys(JSON.parse(String(deal.reply.config.paillier)).boxes).sort()).toEqual(['n1', 'n2']);
    expect(mode.kind === 'paillier' && mode.keys?.current?.holders).toEqual(nodeIds);
  }, 120_000);

  it('fails a sum whose holder does not decrypt, and sets up a new key for the next one', async () => {
    const { transport } = federation({ silentAt: { nodeId: 'n2', stage: 'decrypt' } });
    const mode = aggregationModeOf({ aggregation: 'paillier', paillierKeyBits: 512 });
    const request = { transport, jobId: 'j', round: 1, type: 'stats' as const, nodeIds, config: { datasetKey: 'german-credit', statsPart: 'moments' }, timeoutMs: 1000, minReplies: 3, vectorLength: moments, clip: 1, entryBounds: new Float64Array(moments).fill(1e12) };
    await expect(collectSum(request, mode)).rejects.toThrow(/PAILLIER_DECRYPTION_FAILED|no partial decryption from n2/);
    expect(mode.kind === 'paillier' && mode.keys?.current).toBeUndefined();
  }, 60_000);

  it('nodes refuse to decrypt a sum twice or a single contribution', async () => {
    const { transport, seen } = federation();
    const mode = aggregationModeOf({ aggregation: 'paillier', paillierKeyBits: 512 });
    const request = { transport, jobId: 'j', round: 1, type: 'stats' as const, nodeIds, config: { datasetKey: 'german-credit', statsPart: 'moments' }, timeoutMs: 5000, minReplies: 3, vectorLength: moments, clip: 1, entryBounds: new Float64Array(moments).fill(1e12) };
    await collectSum(request, mode);
    const decrypt = seen.find((s) => s.message.type === 'paillier' && String(s.message.config.paillier).includes('"stage":"decrypt"'))!;
    const again = await transport.sendAndReceive([{ ...decrypt.message, messageId: 'replay' }], { timeoutMs: 5000 });
    expect(again[0].error?.code).toBe('PAILLIER_REFUSED');
    const payload = JSON.parse(String(decrypt.message.config.paillier)) as { sumId: string; aggregate: { numParties: number; maxParties: number } };
    const single = { ...payload, sumId: 'another-sum-id', aggregate: { ...payload.aggregate, numParties: 1 } };
    const refused = await transport.sendAndReceive([{ ...decrypt.message, messageId: 'single', config: { ...decrypt.message.config, paillier: JSON.stringify(single) } }], { timeoutMs: 5000 });
    expect(refused[0].error?.code).toBe('PAILLIER_REFUSED');
    expect(refused[0].error?.message).toMatch(/fewer than 2/);
  }, 60_000);
});
