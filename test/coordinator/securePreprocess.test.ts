/**
 * Preprocessing statistics under secure aggregation: the counts and the moments go through two
 * SecAgg sums, the coordinator only receives masked vectors, the counts come back exact and the
 * fitted encoder equals the plain one within the fixed-point step.
 */
import { describe, expect, it } from 'vitest';
import { builtinDataPath, getBuiltinSchema } from '../../src/data/builtin/index.js';
import { loadCsv } from '../../src/data/csv.js';
import { partition } from '../../src/data/partition.js';
import { featureColumns, selectRows } from '../../src/data/schema.js';
import { stratifiedSplit } from '../../src/data/split.js';
import { federatedPreprocess } from '../../src/coordinator/preprocess.js';
import { secureExchangeJoint } from '../../src/coordinator/secureAggregation.js';
import type { AggregationMode } from '../../src/coordinator/collect.js';
import { deriveRandom } from '../../src/math/random.js';
import { NodeApp } from '../../src/node/app.js';
import { createCreditHandlers } from '../../src/node/creditHandlers.js';
import { secAggMod } from '../../src/node/secaggMod.js';
import { localStats, mergeStatsParts, momentBounds, selectStats, statsLayout, statsPartIndices } from '../../src/preprocess/stats.js';
import type { Message, Reply } from '../../src/protocol/message.js';
import { InProcessTransport, type NodeEndpoint } from '../../src/transport/inProcess.js';

const schema = getBuiltinSchema('german');
const table = loadCsv(builtinDataPath('german'), schema);
const parts = partition(table, { scheme: 'iid' }, 4, deriveRandom(9, 'p'));
const datasets = parts.map((rows, i) => {
  const t = selectRows(table, rows);
  const s = stratifiedSplit(t.label, 0.2, deriveRandom(9, 's', i));
  return new Map([['german-credit', { key: 'german-credit', train: selectRows(t, s.train), test: selectRows(t, s.test) }]]);
});

async function preprocess(mode: AggregationMode) {
  const seen: { message: Message; reply: Reply }[] = [];
  const transport = new InProcessTransport(datasets.map((d, i) => {
    const app = new NodeApp({ nodeId: `n${i}`, handlers: createCreditHandlers(d), mods: [secAggMod()] });
    const endpoint: NodeEndpoint = { async handle(m: Message) { const r = await app.handle(m); seen.push({ message: m, reply: r }); return r; } };
    return [`n${i}`, endpoint];
  }));
  const result = await federatedPreprocess({ transport, jobId: 'j', datasetKey: 'german-credit', schema, nodeIds: ['n0', 'n1', 'n2', 'n3'], minNodes: 4, timeoutMs: 5000, aggregation: mode });
  return { ...result, seen };
}

describe('statistics parts', () => {
  const layout = statsLayout(featureColumns(schema));
  const local = localStats(datasets[0].get('german-credit')!.train, layout);

  it('splits the vector into counts and moments and puts it back together', () => {
    const counts = selectStats(local, layout, 'counts');
    const moments = selectStats(local, layout, 'moments');
    expect(counts.length + moments.length).toBe(layout.length);
    expect(moments.length).toBe(2 * layout.slots.filter((s) => s.column.kind === 'numeric').length);
    expect(Array.from(mergeStatsParts(layout, counts, moments))).toEqual(Array.from(local));
    expect(statsPartIndices(layout, 'all')).toHaveLength(layout.length);
  });

  it('bounds every node’s moments from the summed counts', () => {
    const all = datasets.map((d) => localStats(d.get('german-credit')!.train, layout));
    const summedCounts = selectStats(all.reduce((a, v) => a.map((x, i) => x + v[i])), layout, 'counts');
    const bounds = momentBounds(layout, summedCounts);
    for (const stats of all) {
      const moments = selectStats(stats, layout, 'moments');
      moments.forEach((m, k) => expect(Math.abs(m)).toBeLessThanOrEqual(bounds[k]));
    }
    // not vacuous: the bound on Σ credit amount is within a small factor of the real sum
    const amount = layout.slots.filter((s) => s.column.kind === 'numeric').findIndex((s) => s.column.name === 'creditamount');
    const sum = all.reduce((a, s) => a + selectStats(s, layout, 'moments')[2 * amount], 0);
    expect(bounds[2 * amount] / sum).toBeLessThan(10);
  });
});

describe('preprocessing under secure aggregation', () => {
  it('fits the same encoder as plain aggregation, with exact counts, from masked vectors only', async () => {
    const plain = await preprocess({ kind: 'plain' });
    const secure = await preprocess({ kind: 'secure' });
    expect(secure.participants).toEqual(['n0', 'n1', 'n2', 'n3']);
    expect(secure.numRows).toBe(plain.numRows);
    const layout = statsLayout(featureColumns(schema));
    expect(Array.from(selectStats(secure.stats, layout, 'counts'))).toEqual(Array.from(selectStats(plain.stats, layout, 'counts')));
    const ps = selectStats(plain.stats, layout, 'moments');
    const ss = selectStats(secure.stats, layout, 'moments');
    // the documented bound: each of the 4 nodes within half a step, step = bound / ⌊(2³¹ − 1)/4⌋
    const bounds = momentBounds(layout, selectStats(plain.stats, layout, 'counts'));
    const levels = Math.floor((2 ** 31 - 1) / 4);
    ss.forEach((v, k) => expect(Math.abs(v - ps[k])).toBeLessThanOrEqual((4 * bounds[k]) / levels / 2));
    expect(ss.some((v, k) => v !== ps[k])).toBe(true); // it did go through fixed point
    expect(secure.encoder.features.map((f) => [f.kind, f.column])).toEqual(plain.encoder.features.map((f) => [f.kind, f.column]));
    secure.encoder.features.forEach((f, i) => {
      const p = plain.encoder.features[i];
      if (f.kind === 'numeric' && p.kind === 'numeric') {
        expect(Math.abs(f.mean - p.mean)).toBeLessThanOrEqual(1e-7 * Math.abs(p.mean) + 1e-12);
        expect(Math.abs(f.std - p.std)).toBeLessThanOrEqual(1e-6 * p.std);
        expect(f.impute).toBe(p.impute);
      }
    });
    // the coordinator received no statistics in the clear: every stats reply is a masked ring vector
    const stats = secure.seen.filter((s) => s.message.type === 'stats');
    expect(stats).toHaveLength(8); // counts and moments from each of 4 nodes
    for (const { reply } of stats) {
      expect(reply.error).toBeUndefined();
      expect(Object.keys(reply.arrays)).toEqual(['secaggMasked']);
      expect(String(reply.config.secagg)).toMatch(/"stage":"collectMasked"/);
    }
    // while in plain mode each node's statistics travel as they are
    expect(plain.seen.filter((s) => s.message.type === 'stats').every((s) => s.reply.arrays.stats instanceof Float64Array)).toBe(true);
  });
});

describe('several sums in one SecAgg session', () => {
  it('gives each exchange exactly the sum it gets alone, with one key set-up for both', async () => {
    const layout = statsLayout(featureColumns(schema));
    const seen: Message[] = [];
    const transport = new InProcessTransport(datasets.map((d, i) => {
      const app = new NodeApp({ nodeId: `n${i}`, handlers: createCreditHandlers(d), mods: [secAggMod()] });
      return [`n${i}`, { handle: (m: Message) => { seen.push(m); return app.handle(m); } } satisfies NodeEndpoint];
    }));
    const nodeIds = ['n0', 'n1', 'n2', 'n3'];
    const base = { transport, jobId: 'j', round: 0, type: 'stats' as const, nodeIds, timeoutMs: 5000, minReplies: 4 };
    const counts = { ...base, config: { datasetKey: 'german-credit', statsPart: 'counts' }, vectorLength: statsPartIndices(layout, 'counts').length, clip: 2 ** 31 - 1, integers: true };
    const plainCounts = selectStats(datasets.map((d) => localStats(d.get('german-credit')!.train, layout)).reduce((a, v) => a.map((x, i) => x + v[i])), layout, 'counts');
    const entryBounds = momentBounds(layout, plainCounts);
    const moments = { ...base, config: { datasetKey: 'german-credit', statsPart: 'moments' }, vectorLength: entryBounds.length, clip: 1, entryBounds };
    const [jointCounts, jointMoments] = await secureExchangeJoint([counts, moments], {});
    const aloneMoments = await secureExchangeJoint([moments], {});
    expect(Array.from(jointCounts.sum)).toEqual(Array.from(plainCounts));
    jointMoments.sum.forEach((v, k) => expect(Math.abs(v - aloneMoments[0].sum[k])).toBeLessThanOrEqual((4 * entryBounds[k]) / Math.floor((2 ** 31 - 1) / 4)));
    expect(jointCounts.included).toEqual(nodeIds);
    expect(jointMoments.replies.map((r) => r.nodeId).sort()).toEqual(nodeIds);
    // one session: setup, shareKeys and unmask once per node for both sums, plus once for the lone sum
    expect(seen.filter((m) => m.type === 'secagg')).toHaveLength(2 * 3 * 4);
    await expect(secureExchangeJoint([counts, { ...moments, nodeIds: ['n0', 'n1', 'n2'] }], {})).rejects.toThrow(/same nodes/);
  });
});
