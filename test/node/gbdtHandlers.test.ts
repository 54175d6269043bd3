import { describe, expect, it } from 'vitest';
import { builtinDataPath, getBuiltinSchema } from '../../src/data/builtin/index.js';
import { loadCsv } from '../../src/data/csv.js';
import { selectRows } from '../../src/data/schema.js';
import { localFairnessCounts } from '../../src/fairness/counts.js';
import { fairnessConfig } from '../../src/fairness/evaluation.js';
import { GERMAN_FAIRNESS_ATTRIBUTES, groupIndex } from '../../src/fairness/groups.js';
import { localEvaluationSums } from '../../src/metrics/histogram.js';
import { TreeEnsemble } from '../../src/model/gbdt/ensemble.js';
import type { GbdtFeature } from '../../src/model/gbdt/features.js';
import { featuresOfTable, trainGbdtOnTable } from '../../src/model/gbdt/local.js';
import { gbdtParams } from '../../src/model/gbdt/params.js';
import { NodeApp } from '../../src/node/app.js';
import { createGbdtHandlers, GBDT_MESSAGE_TYPES } from '../../src/node/gbdtHandlers.js';
import { createMessage, type ConfigValue, type Reply } from '../../src/protocol/message.js';
import { syntheticTable } from '../model/gbdt/synthetic.js';

const features: GbdtFeature[] = [
  { kind: 'numeric', column: 'income', edges: [800, 1100, 1500] },
  { kind: 'categorical', column: 'home', categories: ['rent', 'own', 'parents', 'other'] },
];
const root = JSON.stringify({ nodes: [{ kind: 'leaf', value: 0, count: 0 }] });
const stump = { nodes: [
  { kind: 'numeric', feature: 0, threshold: 1100, missingLeft: false, left: 1, right: 2, gain: 1, count: 100 },
  { kind: 'leaf', value: 0.1, count: 50 }, { kind: 'leaf', value: -0.1, count: 50 },
] };

function node() {
  const dataset = { key: 'synthetic', train: syntheticTable(100, 2), test: syntheticTable(40, 2, 'test') };
  const app = new NodeApp({ nodeId: 'n1', handlers: createGbdtHandlers(new Map([['synthetic', dataset]])) });
  const send = (type: string, config: Record<string, ConfigValue>, jobId = 'job'): Promise<Reply> => app.handle(createMessage({ type, jobId, round: 1, nodeId: 'n1', config }));
  const setup = () => send('gbdt.setup', { datasetKey: 'synthetic', features: JSON.stringify(features) });
  return { app, send, setup };
}

describe('gbdt node handlers', () => {
  it('answers the boosting messages', async () => {
    const { app, send, setup } = node();
    expect(app.messageTypes.sort()).toEqual([...GBDT_MESSAGE_TYPES].sort());
    const s = await setup();
    expect(s.error).toBeUndefined();
    expect(s.arrays.labelSums[0]).toBe(100);
    const level = await send('gbdt.level', { tree: 0, baseMargin: 0, partialTree: root, openNodes: '[0]' });
    expect(level.arrays.histograms).toHaveLength((5 + 5) * 3); // 3 edges + missing, 4 categories + missing
    // the same request twice gets the same answer (levels are stateless)
    const again = await send('gbdt.level', { tree: 0, baseMargin: 0, partialTree: root, openNodes: '[0]' });
    expect(Array.from(again.arrays.histograms)).toEqual(Array.from(level.arrays.histograms));
    const trees = await send('gbdt.trees', { firstTree: 0, trees: JSON.stringify([stump]), baseMargin: 0 });
    expect(trees.config.numTrees).toBe(1);
    expect(trees.arrays.lossSums[1]).toBe(100);
    // a replayed tree is accepted without being added twice
    expect((await send('gbdt.trees', { firstTree: 0, trees: JSON.stringify([stump]), baseMargin: 0 })).config.numTrees).toBe(1);
    // a catch-up send under secure aggregation asks for no loss sum: none leaves the node
    const quiet = await send('gbdt.trees', { firstTree: 0, trees: JSON.stringify([stump]), baseMargin: 0, lossSums: false });
    expect(quiet.config.numTrees).toBe(1);
    expect(quiet.arrays).toEqual({});
    // the quantile sketch: row count, then the grid histogram of the one numeric feature column
    const sketch = await send('gbdt.sketch', { datasetKey: 'synthetic' });
    expect(sketch.arrays.sketch[0]).toBe(100);
    expect(sketch.arrays.sketch.length).toBeGreaterThan(1);
    expect((await send('gbdt.sketch', { datasetKey: 'other' })).error?.code).toBe('DATASET_UNKNOWN');
    // a tree and its evaluation in one reply: loss sums, then the test split's evaluation sums
    const evaluated = await send('gbdt.trees', { firstTree: 0, trees: JSON.stringify([stump]), baseMargin: 0, evaluateBins: 10 });
    expect(evaluated.arrays.lossSums).toHaveLength(2 + 23);
    expect(Array.from(evaluated.arrays.lossSums.subarray(0, 2))).toEqual(Array.from(trees.arrays.lossSums));
    expect(evaluated.arrays.lossSums[2 + 20]).toBe(40); // the test rows counted
    expect((await send('gbdt.trees', { firstTree: 0, trees: JSON.stringify([stump]), baseMargin: 0, evaluateBins: 5 })).error?.code).toBe('BAD_MESSAGE');
    const evaluation = await send('gbdt.evaluate', { numTrees: 1, baseMargin: 0, numBins: 10 });
    expect(evaluation.arrays.sums).toHaveLength(23);
    expect(evaluation.config.numExamples).toBe(40);
  });

  it('refuses hostile or out-of-sync messages with coded errors', async () => {
    const { send, setup } = node();
    const cases: [string, Record<string, ConfigValue>, string, RegExp?][] = [
      ['gbdt.setup', { datasetKey: 'other', features: JSON.stringify(features) }, 'DATASET_UNKNOWN'],
      ['gbdt.setup', { datasetKey: 'synthetic', features: '{not json' }, 'BAD_MESSAGE', /features/],
      ['gbdt.setup', { datasetKey: 'synthetic', features: JSON.stringify([{ kind: 'numeric', column: 'salary', edges: [] }]) }, 'BAD_MESSAGE', /salary/],
      ['gbdt.setup', { datasetKey: 'synthetic', features: JSON.stringify([{ kind: 'numeric', column: 'home', edges: [] }]) }, 'BAD_MESSAGE', /categorical here/],
      ['gbdt.level', { tree: 0, baseMargin: 0, partialTree: root, openNodes: '[0]' }, 'JOB_UNKNOWN'],
    ];
    for (const [type, config, code, message] of cases) {
      const r = await send(type, config);
      expect(r.error?.code, `${type} ${JSON.stringify(config).slice(0, 60)}`).toBe(code);
      if (message) expect(r.error?.message).toMatch(message);
    }
    await setup();
    const afterSetup: [string, Record<string, ConfigValue>, string, RegExp?][] = [
      ['gbdt.level', { tree: 1, baseMargin: 0, partialTree: root, openNodes: '[0]' }, 'GBDT_OUT_OF_SYNC'],
      ['gbdt.level', { tree: 0, baseMargin: 0, partialTree: '{"nodes":[]}', openNodes: '[0]' }, 'BAD_MESSAGE', /partialTree/],
      ['gbdt.level', { tree: 0, baseMargin: 0, partialTree: root, openNodes: '[1]' }, 'BAD_MESSAGE', /openNodes/],
      ['gbdt.level', { tree: 0, baseMargin: 0, partialTree: root, openNodes: '[]' }, 'BAD_MESSAGE', /openNodes/],
      ['gbdt.level', { tree: 0, baseMargin: 0, partialTree: root, openNodes: '["0"]' }, 'BAD_MESSAGE', /openNodes/],
      ['gbdt.level', { tree: 0, partialTree: root, openNodes: '[0]' }, 'BAD_MESSAGE', /baseMargin/],
      ['gbdt.level', { tree: 0, baseMargin: Number.NaN, partialTree: root, openNodes: '[0]' }, 'BAD_MESSAGE', /baseMargin/],
      ['gbdt.trees', { firstTree: 3, trees: JSON.stringify([stump]), baseMargin: 0 }, 'GBDT_OUT_OF_SYNC'],
      ['gbdt.trees', { firstTree: 0, trees: '[]', baseMargin: 0 }, 'BAD_MESSAGE', /trees/],
      ['gbdt.trees', { firstTree: 0, trees: JSON.stringify([{ nodes: [{ ...stump.nodes[0], feature: 1 }, stump.nodes[1], stump.nodes[2]] }]), baseMargin: 0 }, 'BAD_MESSAGE', /categorical/],
      ['gbdt.evaluate', { numTrees: 2, baseMargin: 0 }, 'GBDT_OUT_OF_SYNC'],
    ];
    for (const [type, config, code, message] of afterSetup) {
      const r = await send(type, config);
      expect(r.error?.code, `${type} ${JSON.stringify(config).slice(0, 80)}`).toBe(code);
      if (message) expect(r.error?.message).toMatch(message);
    }
    // a job starts with one base margin; another one later is refused
    expect((await send('gbdt.trees', { firstTree: 0, trees: JSON.stringify([stump]), baseMargin: 0 })).error).toBeUndefined();
    expect((await send('gbdt.evaluate', { numTrees: 1, baseMargin: 0.5 })).error?.code).toBe('BAD_REQUEST');
    // a different tree at an index the node holds
    const other = { nodes: [{ ...stump.nodes[0], threshold: 800 }, stump.nodes[1], stump.nodes[2]] };
    expect((await send('gbdt.trees', { firstTree: 0, trees: JSON.stringify([other]), baseMargin: 0 })).error?.code).toBe('GBDT_CONFLICT');
  });

  it('gbdt.evaluate appends the fairness counts of the test rows when asked (the final evaluation of a job)', async () => {
    const schema = getBuiltinSchema('german');
    const table = loadCsv(builtinDataPath('german'), schema);
    const dataset = { key: 'german', train: selectRows(table, Array.from({ length: 700 }, (_, i) => i)), test: selectRows(table, Array.from({ length: 300 }, (_, i) => 700 + i)) };
    const params = gbdtParams({ numTrees: 4, maxDepth: 3, maxBins: 16 });
    const trained = trainGbdtOnTable(dataset.train, params, featuresOfTable(dataset.train, 16));
    const app = new NodeApp({ nodeId: 'n1', handlers: createGbdtHandlers(new Map([['german', dataset]])) });
    const send = (type: string, config: Record<string, ConfigValue>): Promise<Reply> => app.handle(createMessage({ type, jobId: 'job', round: 1, nodeId: 'n1', config }));
    expect((await send('gbdt.setup', { datasetKey: 'german', features: JSON.stringify(trained.features) })).error).toBeUndefined();
    const baseMargin = trained.baseMargin;
    expect((await send('gbdt.trees', { firstTree: 0, trees: JSON.stringify(trained.trees), baseMargin })).config.numTrees).toBe(4);
    const fairness = { attributes: GERMAN_FAIRNESS_ATTRIBUTES, threshold: 1 / 6, numBins: 20 };
    const reply = await send('gbdt.evaluate', { numTrees: 4, baseMargin, split: 'test', numBins: 100, ...fairnessConfig(fairness) });
    expect(reply.error).toBeUndefined();
    // the node's answer is the sums over its test rows of the ensemble it holds, nothing else
    const p = new TreeEnsemble({ features: trained.features, baseMargin, params, trees: trained.trees }).predictTable(dataset.test);
    const expected = [...localEvaluationSums(p, dataset.test.label, 100), ...localFairnessCounts(fairness.attributes, fairness.attributes.map((a) => groupIndex(dataset.test, a)), p, dataset.test.label, fairness)];
    expect(reply.arrays.sums).toHaveLength(expected.length);
    reply.arrays.sums.forEach((v, i) => expect(Math.abs(v - expected[i]), `entry ${i}`).toBeLessThanOrEqual(1e-9));
    // without the setting: the histograms alone; a hostile setting: a coded refusal
    expect((await send('gbdt.evaluate', { numTrees: 4, baseMargin, numBins: 100 })).arrays.sums).toHaveLength(203);
    for (const bad of ['{', JSON.stringify({ ...fairness, numBins: 1e6 }), JSON.stringify({ ...fairness, attributes: [{ ...fairness.attributes[0], column: 'nope' }] })]) {
      expect((await send('gbdt.evaluate', { numTrees: 4, baseMargin, numBins: 100, fairness: bad })).error?.code, bad.slice(0, 40)).toBe('BAD_MESSAGE');
    }
  });
});
