import { describe, expect, it } from 'vitest';
import type { GbdtFeature } from '../../src/model/gbdt/features.js';
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
  it('answers the four boosting messages', async () => {
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
});
