import { describe, expect, it } from 'vitest';
import { plainAggregator, type SumAggregator } from '../../src/coordinator/aggregation.js';
import { RoundError } from '../../src/coordinator/errors.js';
import { trainFederatedGbdt, type FederatedGbdtOptions } from '../../src/coordinator/gbdtTrainer.js';
import { federatedPreprocess } from '../../src/coordinator/preprocess.js';
import { featureColumns } from '../../src/data/schema.js';
import { TreeEnsemble } from '../../src/model/gbdt/ensemble.js';
import { binningFromStats, rawMatrix, type GbdtFeature } from '../../src/model/gbdt/features.js';
import { trainGbdtLocal } from '../../src/model/gbdt/local.js';
import { gbdtParams } from '../../src/model/gbdt/params.js';
import type { Tree } from '../../src/model/gbdt/tree.js';
import { localEvaluationSums } from '../../src/metrics/histogram.js';
import { NodeApp } from '../../src/node/app.js';
import { createCreditHandlers } from '../../src/node/creditHandlers.js';
import { createGbdtHandlers } from '../../src/node/gbdtHandlers.js';
import type { NodeDataset } from '../../src/node/jobContext.js';
import type { Message, Reply } from '../../src/protocol/message.js';
import { concatTables } from '../../src/simulation/dataset.js';
import { InProcessTransport, type NodeEndpoint } from '../../src/transport/inProcess.js';
import { syntheticTable } from '../model/gbdt/synthetic.js';

const KEY = 'synthetic';
/** Three lenders of different sizes, each with its own rows. */
const datasets: NodeDataset[] = [250, 400, 330].map((n, i) => ({ key: KEY, train: syntheticTable(n, 11, `train-${i}`), test: syntheticTable(120, 11, `test-${i}`) }));
const params = gbdtParams({ numTrees: 12, maxDepth: 3, learningRate: 0.2, maxBins: 16 });

const app = (id: string, d: NodeDataset) => {
  const held = new Map([[KEY, d]]);
  return new NodeApp({ nodeId: id, handlers: { ...createCreditHandlers(held), ...createGbdtHandlers(held) } });
};
const endpoints = (data: readonly NodeDataset[], wrap: (id: string, inner: NodeApp) => NodeEndpoint = (_, a) => a): [string, NodeEndpoint][] =>
  data.map((d, i) => [`n${i + 1}`, wrap(`n${i + 1}`, app(`n${i + 1}`, d))]);

async function featuresOf(transport: InProcessTransport, nodeIds: string[]): Promise<GbdtFeature[]> {
  const schema = datasets[0].train.schema;
  const pre = await federatedPreprocess({ transport, jobId: 'job', datasetKey: KEY, schema, nodeIds, minNodes: nodeIds.length, timeoutMs: 5000 });
  return binningFromStats(featureColumns(schema), pre.stats, params.maxBins);
}

async function run(nodes: [string, NodeEndpoint][], overrides: Partial<FederatedGbdtOptions> = {}) {
  const transport = new InProcessTransport(nodes);
  const nodeIds = nodes.map(([id]) => id);
  const features = overrides.features ?? (await featuresOf(transport, nodeIds));
  const result = await trainFederatedGbdt({ transport, jobId: 'job', datasetKey: KEY, features, params, nodeIds, minNodes: 2, timeoutMs: 5000, evaluateEvery: 4, ...overrides });
  return { ...result, features, transport };
}

const shape = (tree: Tree) => tree.nodes.map((n) => (n.kind === 'leaf' ? { kind: 'leaf', count: n.count } : { ...n, gain: 0 }));

/** A node whose replies to `type` are rewritten by `tamper` (all other messages answered honestly). */
const tampering = (type: string, tamper: (reply: Reply) => Reply) => (_: string, inner: NodeApp): NodeEndpoint => ({
  async handle(m: Message) {
    const reply = await inner.handle(m);
    return m.type === type ? tamper(reply) : reply;
  },
});

describe('federated GBDT', () => {
  it('grows the very trees pooled training grows on the same rows and bins (structure exact, values within 1e-12)', async () => {
    const { ensemble, features, history, members } = await run(endpoints(datasets));
    const pooled = concatTables(datasets.map((d) => d.train));
    const reference = trainGbdtLocal(features, { raw: rawMatrix(features, pooled), labels: pooled.label }, params);
    expect(members).toEqual(['n1', 'n2', 'n3']);
    expect(ensemble.baseMargin).toBe(reference.baseMargin);
    expect(ensemble.numTrees).toBe(params.numTrees);
    ensemble.trees.forEach((tree, t) => {
      expect(shape(tree), `tree ${t}`).toEqual(shape(reference.trees[t]));
      tree.nodes.forEach((node, j) => {
        const other = reference.trees[t].nodes[j];
        if (node.kind === 'leaf' && other.kind === 'leaf') expect(Math.abs(node.value - other.value)).toBeLessThanOrEqual(1e-12);
        if (node.kind !== 'leaf' && other.kind !== 'leaf') expect(Math.abs(node.gain - other.gain)).toBeLessThanOrEqual(1e-9 * Math.abs(other.gain));
      });
    });
    expect(ensemble.trees.some((t) => t.nodes.some((n) => n.kind === 'categorical'))).toBe(true);
    // the per-tree reports: train loss falls, evaluation every 4 trees and after the last
    expect(history.map((h) => h.round)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(history[11].trainLoss).toBeLessThan(history[0].trainLoss);
    expect(history.filter((h) => h.metrics).map((h) => h.round)).toEqual([4, 8, 12]);
    expect(history[11].metrics!.auc).toBeGreaterThan(0.6);
    expect(history[11].numExamples).toBe(980);
  });

  it('uses at most depth + 1 exchanges per tree, and every sum goes through the aggregator', async () => {
    const sums: number[] = [];
    const counting: SumAggregator = { name: 'counting', sum: (c) => { sums.push(c[0].vector.length); return plainAggregator.sum(c); } };
    const log: Message[] = [];
    const nodes = endpoints(datasets, (_, inner) => ({ handle: (m) => { log.push(m); return inner.handle(m); } }));
    const { ensemble } = await run(nodes, { aggregator: counting, evaluateEvery: 0 });
    for (let t = 0; t < params.numTrees; t++) {
      const types = log.filter((m) => m.round === t + 1 && m.nodeId === 'n1').map((m) => m.type);
      const levels = types.filter((x) => x === 'gbdt.level').length;
      expect(levels).toBeGreaterThanOrEqual(1);
      expect(levels).toBeLessThanOrEqual(params.maxDepth);
      expect(types.length).toBe(levels + 1);
    }
    const levelMessages = log.filter((m) => m.type === 'gbdt.level' && m.nodeId === 'n1').length;
    // setup label sums + one histogram sum per level + one loss sum per tree
    expect(sums.filter((len) => len === 2).length).toBe(1 + params.numTrees);
    expect(sums.filter((len) => len > 2).length).toBe(levelMessages);
    expect(ensemble.numTrees).toBe(params.numTrees);
  });

  it('is deterministic', async () => {
    const a = await run(endpoints(datasets));
    const b = await run(endpoints(datasets));
    expect(a.ensemble.serialize()).toBe(b.ensemble.serialize());
  });

  const hostile: [string, (r: Reply) => Reply][] = [
    ['a histogram of the wrong length', (r) => ({ ...r, arrays: { histograms: r.arrays.histograms.subarray(1) } })],
    ['NaN in the histogram', (r) => ({ ...r, arrays: { histograms: r.arrays.histograms.map((v, i) => (i === 7 ? NaN : v)) } })],
    ['a negative count', (r) => ({ ...r, arrays: { histograms: r.arrays.histograms.map((v, i) => (i === 5 ? -3 : v)) } })],
    ['no histogram at all', (r) => ({ ...r, arrays: {} })],
  ];
  for (const [what, tamper] of hostile) {
    it(`rejects a node that sends ${what}, and boosts on the honest nodes alone`, async () => {
      const honest = endpoints(datasets);
      const bad = endpoints([datasets[0]], tampering('gbdt.level', tamper)).map(([, e]) => ['evil', e] as [string, NodeEndpoint]);
      const withEvil = await run([...honest, ...bad], { evaluateEvery: 0 });
      expect(withEvil.history[0].failures).toEqual([expect.objectContaining({ nodeId: 'evil', code: 'BAD_REPLY' })]);
      expect(withEvil.history.every((h) => h.dropped.includes('evil') && !h.participants.includes('evil'))).toBe(true);
      // same trees as a federation of the honest nodes with the same bins and base margin
      const start = new TreeEnsemble({ features: withEvil.features, baseMargin: withEvil.ensemble.baseMargin, params, trees: [] });
      const clean = await run(endpoints(datasets), { features: withEvil.features, initial: start, evaluateEvery: 0 });
      expect(withEvil.ensemble.serialize()).toBe(clean.ensemble.serialize());
    });
  }

  it('fails with TOO_FEW_NODES when rejections leave fewer than minNodes', async () => {
    const nodes = endpoints(datasets, (id, inner) => (id === 'n1' ? inner : tampering('gbdt.level', (r) => ({ ...r, arrays: {} }))(id, inner)));
    await expect(run(nodes, { minNodes: 2 })).rejects.toThrow(RoundError);
    await expect(run(endpoints(datasets), { minNodes: 4 })).rejects.toThrow(/TOO_FEW|at least 4/);
  });

  it('a node that misses a tree gets it back before taking part again; one silent during a tree is left out of it', async () => {
    let dropped = false;
    const missesTree = (id: string, inner: NodeApp): NodeEndpoint => ({
      handle(m) {
        if (id === 'n2' && m.type === 'gbdt.trees' && m.config.firstTree === 2 && !dropped) { dropped = true; return new Promise<Reply>(() => {}); }
        return inner.handle(m);
      },
    });
    const reference = await run(endpoints(datasets), { evaluateEvery: 0 });
    const flaky = await run(endpoints(datasets, missesTree), { timeoutMs: 300, evaluateEvery: 1 });
    expect(flaky.history[2].failures).toEqual([expect.objectContaining({ nodeId: 'n2', code: 'NO_REPLY' })]);
    expect(flaky.history[3].participants).toEqual(['n1', 'n2', 'n3']);
    expect(flaky.ensemble.serialize()).toBe(reference.ensemble.serialize());

    const silentDuringTree = (id: string, inner: NodeApp): NodeEndpoint => ({
      handle: (m) => (id === 'n3' && m.type === 'gbdt.level' && m.round === 2 ? new Promise<Reply>(() => {}) : inner.handle(m)),
    });
    const partial = await run(endpoints(datasets, silentDuringTree), { timeoutMs: 300, evaluateEvery: 1 });
    expect(partial.history[1].participants).toEqual(['n1', 'n2']);
    expect(partial.history[1].dropped).toEqual(['n3']);
    expect(partial.history[2].participants).toEqual(['n1', 'n2', 'n3']);
    expect(partial.history[11].metrics!.numExamples).toBe(360); // all three test splits: n3 caught up
  });

  it('resumes from an ensemble: fresh nodes receive the earlier trees and the result is unchanged', async () => {
    const full = await run(endpoints(datasets), { evaluateEvery: 0 });
    const resumed = await run(endpoints(datasets), { features: full.features, initial: full.ensemble.truncate(5), evaluateEvery: 0 });
    expect(resumed.history[0].round).toBe(6);
    expect(resumed.ensemble.serialize()).toBe(full.ensemble.serialize());
  });

  it('final evaluation: the whole ensemble on every test split, also after a restart that left no tree to grow; a failed one keeps the ensemble', async () => {
    const full = await run(endpoints(datasets), { evaluateEvery: 0, finalEvaluation: { numBins: 100 } });
    const pooled = concatTables(datasets.map((d) => d.test));
    const expected = localEvaluationSums(full.ensemble.predictTable(pooled), pooled.label, 100);
    expect(full.evaluation!.participants).toEqual(['n1', 'n2', 'n3']);
    expect(full.evaluation!.fairnessCounts).toBeUndefined();
    full.evaluation!.sums.forEach((v, i) => expect(Math.abs(v - expected[i]), `sum ${i}`).toBeLessThanOrEqual(1e-9 * Math.max(1, expected[i])));
    expect(full.evaluation!.numExamples).toBe(360);
    // a coordinator restarted after the last tree: fresh nodes get every tree, then evaluate
    const resumed = await run(endpoints(datasets), { features: full.features, initial: full.ensemble, evaluateEvery: 0, finalEvaluation: { numBins: 100 } });
    expect(resumed.history).toHaveLength(0);
    expect(Array.from(resumed.evaluation!.sums)).toEqual(Array.from(full.evaluation!.sums));
    // a node refuses the evaluation and minNodes = 3: no evaluation, the ensemble is intact
    const refusing = endpoints(datasets, (id, inner) => (id === 'n2' ? tampering('gbdt.evaluate', (r) => ({ ...r, arrays: {}, error: { code: 'INTERNAL', message: 'no' } }))(id, inner) : inner));
    const failed = await run(refusing, { features: full.features, evaluateEvery: 0, minNodes: 3, finalEvaluation: { numBins: 100 } });
    expect(failed.evaluation).toBeUndefined();
    expect(failed.evaluationError).toMatch(/gbdt\.evaluate.*at least 3 needed/);
    expect(failed.ensemble.serialize()).toBe(full.ensemble.serialize());
  });

  it('checks its arguments', async () => {
    const transport = new InProcessTransport(endpoints(datasets));
    const base = { transport, jobId: 'j', datasetKey: KEY, features: [{ kind: 'numeric', column: 'income', edges: [] }] as GbdtFeature[], params, nodeIds: ['n1'], timeoutMs: 1000 };
    await expect(trainFederatedGbdt({ ...base, minNodes: 0 })).rejects.toThrow(/minNodes/);
    await expect(trainFederatedGbdt({ ...base, minNodes: 1, evaluateEvery: -1 })).rejects.toThrow(/evaluateEvery/);
  });
});
