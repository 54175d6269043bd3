import { describe, expect, it } from 'vitest';
import { featureColumns, selectRows, type Schema, type Table } from '../../src/data/schema.js';
import { fairnessLayout, localFairnessCounts } from '../../src/fairness/counts.js';
import { federatedFairness } from '../../src/fairness/federated.js';
import { groupIndex, type FairnessAttribute } from '../../src/fairness/groups.js';
import { createFairnessHandlers, FAIRNESS_MESSAGES } from '../../src/fairness/handlers.js';
import { fairnessFromCounts } from '../../src/fairness/metrics.js';
import { deriveRandom } from '../../src/math/random.js';
import { LogisticRegression } from '../../src/model/logistic.js';
import { NodeApp } from '../../src/node/app.js';
import type { NodeDataset } from '../../src/node/jobContext.js';
import { encodeTable, fitEncoder, labelsOf } from '../../src/preprocess/encoder.js';
import { localStats, statsLayout } from '../../src/preprocess/stats.js';
import { createMessage } from '../../src/protocol/message.js';
import { concatTables } from '../../src/simulation/dataset.js';
import { InProcessTransport } from '../../src/transport/inProcess.js';

/**
 * Synthetic lenders: `group` (protected) is carried almost entirely by the feature `proxy`;
 * `coin` (protected) is independent of every feature. Defaults depend on `proxy` and `noise`.
 */
const schema: Schema = {
  name: 'synthetic', target: { name: 'y', bad: '1' }, missingTokens: [],
  columns: [
    { name: 'proxy', kind: 'numeric' },
    { name: 'noise', kind: 'numeric' },
    { name: 'group', kind: 'categorical', categories: ['a', 'b'], protected: true },
    { name: 'coin', kind: 'categorical', categories: ['h', 't'], protected: true },
  ],
};
const attributes: FairnessAttribute[] = [
  { name: 'group', column: 'group', groups: [{ name: 'a', values: ['a'] }, { name: 'b', values: ['b'] }] },
  { name: 'coin', column: 'coin', groups: [{ name: 'heads', values: ['h'] }, { name: 'tails', values: ['t'] }] },
];

function syntheticTable(numRows: number): Table {
  const rng = deriveRandom(99, 'fairness-synthetic');
  const proxy = new Float64Array(numRows);
  const noise = new Float64Array(numRows);
  const group: string[] = [];
  const coin: string[] = [];
  const label = new Uint8Array(numRows);
  for (let i = 0; i < numRows; i++) {
    const inA = rng.next() < 0.4;
    group.push(inA ? 'a' : 'b');
    coin.push(rng.next() < 0.5 ? 'h' : 't');
    proxy[i] = (inA ? 1.5 : -1.5) + 0.7 * rng.normal();
    noise[i] = rng.normal();
    label[i] = rng.next() < 1 / (1 + Math.exp(-(-1 + 0.8 * proxy[i] + 0.3 * noise[i]))) ? 1 : 0;
  }
  return { schema, numRows, numeric: { proxy, noise }, categorical: { group, coin }, label };
}

const table = syntheticTable(900);
const nodes: NodeDataset[] = [0, 1, 2].map((n) => {
  const rows = Array.from({ length: 300 }, (_, i) => n * 300 + i);
  return { key: 'syn', train: selectRows(table, rows.slice(0, 240)), test: selectRows(table, rows.slice(240)) };
});
const nodeIds = ['node-1', 'node-2', 'node-3'];
const transport = new InProcessTransport(nodes.map((d, i) => [nodeIds[i], new NodeApp({ nodeId: nodeIds[i], handlers: createFairnessHandlers(new Map([['syn', d]])) })]));
const target = { transport, jobId: 'fair', datasetKey: 'syn', nodeIds, minNodes: 3, timeoutMs: 30_000 };

const pooledTrain = concatTables(nodes.map((n) => n.train));
const layout = statsLayout(featureColumns(schema));
const encoder = fitEncoder(layout.slots.map((s) => s.column), localStats(pooledTrain, layout), layout);
const model = new LogisticRegression(encoder.features.length);
model.setParameters(Float64Array.of(0.9, 0.3, -0.8));

describe('federated fairness report', () => {
  it('sums the nodes’ counts to the pooled counts (exact counts; sums of probabilities up to rounding)', async () => {
    const report = await federatedFairness({ ...target, encoder, model: { kind: 'logreg', config: {} }, parameters: model.getParameters(), attributes, threshold: 0.3, proxy: false });
    const pooledTest = concatTables(nodes.map((n) => n.test));
    const p = model.predictProba(encodeTable(encoder, pooledTest));
    const counts = localFairnessCounts(attributes, attributes.map((a) => groupIndex(pooledTest, a)), p, labelsOf(pooledTest), { threshold: 0.3, numBins: 10 });
    const expected = fairnessFromCounts(counts, attributes, 10);
    // Σ p is added in another order than the pooled sum: compare to 12 significant digits.
    const rounded = (x: unknown) => JSON.parse(JSON.stringify(x, (_, v: unknown) => (typeof v === 'number' ? Number(v.toPrecision(12)) : v)));
    expect(rounded(report.attributes.map(({ excludedFromFeatures: _e, proxiesRemain: _p, ...rest }) => rest))).toEqual(rounded(expected));
    expect(report.attributes[0].groups.map((g) => [g.numGood, g.numBad])).toEqual(expected[0].groups.map((g) => [g.numGood, g.numBad]));
    expect(report.numApplicants).toBe(180);
    expect(report.attributes.every((a) => a.excludedFromFeatures && a.proxiesRemain === null)).toBe(true);
    // group a has high `proxy`, hence higher predicted risk and fewer approvals
    const group = report.attributes[0];
    expect(group.referenceGroup).toBe('b');
    expect(group.disparateImpactFlag).toBe(true);
    expect(fairnessLayout(attributes, 10).length).toBe(2 * 3 * (4 + 30));
  });

  it('finds the proxy of a protected attribute left out of the features, and no proxy of an independent one', async () => {
    const report = await federatedFairness({
      ...target, encoder, model: { kind: 'logreg', config: {} }, parameters: model.getParameters(), attributes,
      proxy: { seed: 1, rounds: 15 },
    });
    const [group, coin] = report.attributes;
    expect(group.proxy!.groups).toHaveLength(1); // two groups: one regression
    expect(group.proxy!.maxAuc).toBeGreaterThan(0.9);
    expect(group.proxiesRemain).toBe(true);
    expect(coin.proxy!.maxAuc).toBeLessThan(0.7);
    expect(coin.proxiesRemain).toBe(false);
  });

  it('marks an attribute that is itself a feature as not excluded, without a proxy check', async () => {
    const withGroup = { ...encoder, features: [...encoder.features, { kind: 'category' as const, column: 'group', category: 'a' }] };
    const params = new Float64Array(withGroup.features.length + 1);
    const report = await federatedFairness({ ...target, jobId: 'fair-2', encoder: withGroup, model: { kind: 'logreg', config: {} }, parameters: params, attributes: [attributes[0]], proxy: { seed: 1, rounds: 2 } });
    expect(report.attributes[0]).toMatchObject({ excludedFromFeatures: false, proxiesRemain: true });
    expect(report.attributes[0].proxy).toBeUndefined();
  });

  it('refuses hostile requests at the node with coded errors', async () => {
    const app = new NodeApp({ nodeId: 'n', handlers: createFairnessHandlers(new Map([['syn', nodes[0]]])) });
    const ask = (type: string, config: Record<string, string | number | boolean>, arrays: Record<string, Float64Array> = {}) =>
      app.handle(createMessage({ type, jobId: 'h', round: 0, nodeId: 'n', config, arrays }));
    const base = { datasetKey: 'syn', encoder: JSON.stringify(encoder), model: JSON.stringify({ kind: 'logreg', config: {} }), attributes: JSON.stringify(attributes), threshold: 0.3 };
    expect((await ask(FAIRNESS_MESSAGES.counts, base, { parameters: model.getParameters() })).error).toBeUndefined();
    expect((await ask(FAIRNESS_MESSAGES.counts, base, { parameters: new Float64Array(2) })).error?.code).toBe('BAD_MESSAGE');
    expect((await ask(FAIRNESS_MESSAGES.counts, { ...base, threshold: 2 }, { parameters: model.getParameters() })).error?.code).toBe('BAD_MESSAGE');
    expect((await ask(FAIRNESS_MESSAGES.counts, { ...base, attributes: '[{"name":"x","column":"nope","groups":[{"name":"g"}]}]' }, { parameters: model.getParameters() })).error?.message).toMatch(/"nope"/);
    expect((await ask(FAIRNESS_MESSAGES.counts, { ...base, attributes: '"x"' }, { parameters: model.getParameters() })).error?.code).toBe('BAD_MESSAGE');
    expect((await ask(FAIRNESS_MESSAGES.counts, { ...base, model: '{"kind":"svm"}' }, { parameters: model.getParameters() })).error?.code).toBe('BAD_MESSAGE');
    expect((await ask(FAIRNESS_MESSAGES.proxySetup, { datasetKey: 'syn', encoder: JSON.stringify(encoder), attribute: JSON.stringify(attributes[0]), group: 5 })).error?.code).toBe('BAD_MESSAGE');
    expect((await ask(FAIRNESS_MESSAGES.proxyTrain, {}, { parameters: new Float64Array(4) })).error?.code).toBe('JOB_UNKNOWN');
  });
});
