/**
 * Secure aggregation in the round loop: the same federated training with plain and with
 * secure aggregation reaches the same model (within the fixed-point step), the coordinator only
 * ever receives masked vectors for train and evaluate, and a node that drops out after sending
 * its masked update is still counted exactly (its masks are rebuilt from the others' shares).
 */
import { describe, expect, it } from 'vitest';
import { builtinDataPath, getBuiltinSchema } from '../../src/data/builtin/index.js';
import { loadCsv } from '../../src/data/csv.js';
import { partition } from '../../src/data/partition.js';
import { selectRows } from '../../src/data/schema.js';
import { stratifiedSplit } from '../../src/data/split.js';
import { exchange } from '../../src/coordinator/exchange.js';
import { federatedPreprocess } from '../../src/coordinator/preprocess.js';
import { runRounds } from '../../src/coordinator/roundLoop.js';
import type { AggregationMode } from '../../src/coordinator/collect.js';
import { deriveRandom } from '../../src/math/random.js';
import { createModel } from '../../src/model/factory.js';
import { NodeApp } from '../../src/node/app.js';
import { createCreditHandlers } from '../../src/node/creditHandlers.js';
import { secAggMod } from '../../src/node/secaggMod.js';
import { jobGraphSeed } from '../../src/coordinator/secureAggregation.js';
import { decodeSecAgg } from '../../src/secagg/index.js';
import type { Message, Reply } from '../../src/protocol/message.js';
import { createStrategy } from '../../src/strategy/index.js';
import { InProcessTransport, type NodeEndpoint } from '../../src/transport/inProcess.js';

const schema = getBuiltinSchema('german');
const table = loadCsv(builtinDataPath('german'), schema);
const parts = partition(table, { scheme: 'iid' }, 4, deriveRandom(5, 'p'));
const datasets = parts.map((rows, i) => {
  const t = selectRows(table, rows);
  const s = stratifiedSplit(t.label, 0.2, deriveRandom(5, 's', i));
  return new Map([['german-credit', { key: 'german-credit', train: selectRows(t, s.train), test: selectRows(t, s.test) }]]);
});
const train = { epochs: 1, batchSize: 32, lr: 0.01, optimizer: 'adam' as const, l2: 1e-3, classWeights: 'none' as const };

async function run(mode: AggregationMode, options: { dropAfterMasking?: string; fractionFit?: number; keyLifetime?: 'job' | 'session' } = {}) {
  const seen: Reply[] = [];
  const transport = new InProcessTransport(datasets.map((d, i) => {
    const id = `n${i}`;
    const app = new NodeApp({ nodeId: id, handlers: createCreditHandlers(d), mods: [secAggMod({ keyLifetime: options.keyLifetime })] });
    const endpoint: NodeEndpoint = {
      async handle(m: Message) {
        // a node that goes silent after masking: it never answers an unmask stage
        if (id === options.dropAfterMasking && m.type === 'secagg' && String(m.config.secagg).includes('"unmask"')) return new Promise<Reply>(() => {});
        const r = await app.handle(m);
        seen.push(r);
        return r;
      },
    };
    return [id, endpoint];
  }));
  const nodeIds = datasets.map((_, i) => `n${i}`);
  // every sum of the run goes through the mode, the preprocessing statistics included
  const pre = await federatedPreprocess({ transport, jobId: 'j', datasetKey: 'german-credit', schema, nodeIds, minNodes: 4, timeoutMs: options.dropAfterMasking ? 400 : 5000, aggregation: mode });
  await exchange({ transport, jobId: 'j', round: 0, type: 'setup', nodeIds, minReplies: 4, timeoutMs: 5000, config: { datasetKey: 'german-credit', encoder: JSON.stringify(pre.encoder), model: JSON.stringify({ kind: 'logreg', config: {} }), seed: 1 } });
  const initial = createModel('logreg', pre.encoder.features.length, {}, deriveRandom(1, 'init'));
  const result = await runRounds({ transport, strategy: createStrategy('fedavg'), jobId: 'j', seed: 1, rounds: 3, initialParameters: initial.getParameters(), train, minNodes: 3, fractionFit: options.fractionFit, timeoutMs: options.dropAfterMasking ? 400 : 5000, aggregation: mode, totalRows: pre.numRows });
  return { ...result, seen };
}

describe('secure aggregation in the round loop', () => {
  it('trains the same model as plain aggregation, and the coordinator sees only masked updates', async () => {
    const plain = await run({ kind: 'plain' });
    const secure = await run({ kind: 'secure' });
    for (let i = 0; i < plain.parameters.length; i++) expect(Math.abs(secure.parameters[i] - plain.parameters[i])).toBeLessThan(1e-4);
    expect(Math.abs(secure.history[2].metrics!.auc - plain.history[2].metrics!.auc)).toBeLessThan(0.002);
    const summed = secure.seen.filter((r) => r.type === 'train' || r.type === 'evaluate' || r.type === 'stats');
    expect(summed.filter((r) => r.type === 'stats')).toHaveLength(8); // counts and moments of 4 nodes
    expect(summed.length).toBeGreaterThan(0);
    for (const r of summed) {
      // no plain parameters or histograms: the masked vector (raw ring words) or nothing
      expect(Object.keys(r.arrays)).toEqual(r.config.secagg === undefined ? [] : ['secaggMasked']);
      if (r.config.secagg !== undefined) expect(r.arrays.secaggMasked.every((w) => Number.isInteger(w) && w >= 0 && w < 2 ** 32)).toBe(true);
      if (r.config.secagg !== undefined) expect(String(r.config.secagg)).toMatch(/"stage":"collectMasked"/);
    }
    // rounds 1 and 2 were evaluated in one session with the next round's training: each node sent
    // one masked vector for both, and answered the other message with its metadata only
    const withoutMask = summed.filter((r) => r.config.secagg === undefined);
    expect(withoutMask).toHaveLength(2 * 4);
    expect(secure.history.map((h) => h.metrics?.auc ?? NaN).every((a) => a > 0.5)).toBe(true);
  });

  it('recovers the exact sum when a node drops after sending its masked update', async () => {
    const full = await run({ kind: 'secure' });
    const dropped = await run({ kind: 'secure' }, { dropAfterMasking: 'n2' });
    // n2's update is still in every round's sum: same participants, same model within the step
    expect(dropped.history[0].participants).toEqual(['n0', 'n1', 'n2', 'n3']);
    for (let i = 0; i < full.parameters.length; i++) expect(Math.abs(dropped.parameters[i] - full.parameters[i])).toBeLessThan(1e-6);
  });

  it('evaluates on its own when a sample of the nodes trains the next round', async () => {
    const plain = await run({ kind: 'plain' }, { fractionFit: 0.75 });
    const secure = await run({ kind: 'secure' }, { fractionFit: 0.75 });
    expect(secure.history.map((h) => h.participants.length)).toEqual([3, 3, 3]);
    expect(secure.history.map((h) => h.participants)).toEqual(plain.history.map((h) => h.participants));
    for (const [i, h] of secure.history.entries()) expect(Math.abs(h.metrics!.auc - plain.history[i].metrics!.auc)).toBeLessThan(0.002);
    // no joint sessions: every masked reply carries its own masked vector
    expect(secure.seen.filter((r) => (r.type === 'train' || r.type === 'evaluate') && r.config.secagg === undefined)).toEqual([]);
  });

  it('keeps each node’s key pair and its neighbours for the job; session nonces are fresh every session', async () => {
    const secure = await run({ kind: 'secure' });
    const setups = secure.seen.filter((r) => r.type === 'secagg').map((r) => ({ nodeId: r.nodeId, reply: decodeSecAgg(String(r.config.secagg)) as { stage: string; publicKey?: Uint8Array; sessionNonce?: Uint8Array } }))
      .filter((x) => x.reply.stage === 'setup');
    // preprocessing (2 sums) and 3 rounds with joint evaluation: 6 sessions, each advertised by all 4 nodes
    expect(setups.length).toBe(6 * 4);
    const hex = (b: Uint8Array | undefined) => Buffer.from(b!).toString('hex');
    for (const id of ['n0', 'n1', 'n2', 'n3']) {
      const own = setups.filter((x) => x.nodeId === id);
      expect(new Set(own.map((x) => hex(x.reply.publicKey))).size).toBe(1);
      expect(new Set(own.map((x) => hex(x.reply.sessionNonce))).size).toBe(own.length);
    }
    // a node set to fresh keys advertises a new key every session, and the sums stay right
    const fresh = await run({ kind: 'secure' }, { keyLifetime: 'session' });
    const freshKeys = fresh.seen.filter((r) => r.type === 'secagg' && r.nodeId === 'n0').map((r) => decodeSecAgg(String(r.config.secagg)) as { stage: string; publicKey?: Uint8Array })
      .filter((x) => x.stage === 'setup').map((x) => hex(x.publicKey));
    expect(new Set(freshKeys).size).toBe(6);
    expect(fresh.history.map((h) => h.metrics?.auc)).toEqual(secure.history.map((h) => h.metrics?.auc));
    // one SecAgg+ graph per job (so the same neighbours meet again), another for another job
    expect(jobGraphSeed('job-a')).toBe(jobGraphSeed('job-a'));
    expect(jobGraphSeed('job-a')).not.toBe(jobGraphSeed('job-b'));
  });

  it('refuses robust strategies, which need each node’s update', async () => {
    const idle: NodeEndpoint = { handle: () => new Promise<Reply>(() => {}) };
    const transport = new InProcessTransport([['a', idle], ['b', idle]]);
    await expect(runRounds({ transport, strategy: createStrategy('median'), jobId: 'j', seed: 1, rounds: 1, initialParameters: new Float64Array(2), train, minNodes: 2, timeoutMs: 100, aggregation: { kind: 'secure' } })).rejects.toThrow(/secure aggregation hides/);
  });
});
