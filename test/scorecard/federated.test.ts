import { describe, expect, it } from 'vitest';
import { plainAggregator } from '../../src/coordinator/aggregation.js';
import { exchange } from '../../src/coordinator/exchange.js';
import { featureColumns } from '../../src/data/schema.js';
import { auc } from '../../src/metrics/ranking.js';
import { NodeApp } from '../../src/node/app.js';
import type { NodeDataset } from '../../src/node/jobContext.js';
import { createMessage, type Message, type Reply } from '../../src/protocol/message.js';
import { fitBinning } from '../../src/scorecard/binning.js';
import { federatedBinning, trainScorecard } from '../../src/scorecard/federated.js';
import { localWoeCounts, woeCountsLayout } from '../../src/scorecard/fineCounts.js';
import { createScorecardHandlers, SCORECARD_MESSAGES } from '../../src/scorecard/handlers.js';
import { scoreTable } from '../../src/scorecard/points.js';
import { retypeTransport } from '../../src/scorecard/retypedTransport.js';
import { concatTables, dealToNodes, loadSource } from '../../src/simulation/dataset.js';
import { defaultTrainSettings, simulationOptions } from '../../src/simulation/options.js';
import type { PartitionSpec } from '../../src/data/partition.js';
import { InProcessTransport } from '../../src/transport/inProcess.js';

const german = loadSource({ builtin: 'german' });
const nodeIds = ['node-1', 'node-2', 'node-3'];

function federation(partition: PartitionSpec, dataset = german) {
  const nodes = dealToNodes(dataset, simulationOptions({ dataset: { builtin: dataset.datasetKey as 'german' }, numNodes: 3, partition, seed: 11 }))[0];
  const apps = nodes.map((d, i) => new NodeApp({ nodeId: nodeIds[i], handlers: createScorecardHandlers(new Map([[dataset.datasetKey, d]])) }));
  const transport = new InProcessTransport(apps.map((a, i) => [nodeIds[i], a]));
  return { nodes, apps, transport, target: { transport, jobId: 'job-sc', datasetKey: dataset.datasetKey, nodeIds, minNodes: 3, timeoutMs: 30_000 } };
}

function pooledBinning(nodes: readonly NodeDataset[]) {
  const pooled = concatTables(nodes.map((n) => n.train));
  const layout = woeCountsLayout(featureColumns(pooled.schema));
  return fitBinning(localWoeCounts(pooled, layout), layout);
}

describe('federated WOE binning', () => {
  it.each([
    ['IID', { scheme: 'iid' } as PartitionSpec],
    ['Dirichlet 0.3 label skew', { scheme: 'dirichlet', alpha: 0.3 } as PartitionSpec],
  ])('equals the pooled binning exactly with 3 nodes (%s)', async (_name, partition) => {
    const { nodes, target } = federation(partition);
    const { binning, participants } = await federatedBinning({ ...target, schema: german.table.schema });
    expect(participants).toEqual(nodeIds);
    expect(binning).toEqual(pooledBinning(nodes));
  });

  it('equals the pooled binning on credit_data, missing values included', async () => {
    const creditData = loadSource({ builtin: 'credit_data' });
    const { nodes, target } = federation({ scheme: 'iid' }, creditData);
    const { binning } = await federatedBinning({ ...target, schema: creditData.table.schema });
    expect(binning).toEqual(pooledBinning(nodes));
    expect(binning.variables.find((v) => v.column === 'Income')!.bins.some((b) => b.kind === 'missing')).toBe(true);
  });

  it('adds the nodes’ counts through the aggregation seam', async () => {
    const { target } = federation({ scheme: 'iid' });
    const seen: number[] = [];
    const counting = { name: 'counting', sum: (c: Parameters<typeof plainAggregator.sum>[0]) => { seen.push(c.length); return plainAggregator.sum(c); } };
    await federatedBinning({ ...target, schema: german.table.schema, aggregator: counting });
    expect(seen).toEqual([3]);
  });

  it('trains the WOE logistic regression by FedAvg and turns it into points that rank applicants', async () => {
    const { nodes, target } = federation({ scheme: 'iid' });
    const { binning } = await federatedBinning({ ...target, schema: german.table.schema });
    const result = await trainScorecard({ ...target, binning, seed: 3, rounds: 10, train: defaultTrainSettings('logreg'), evaluateEveryRound: true });
    expect(result.history).toHaveLength(10);
    expect(result.history[9].metrics!.auc).toBeGreaterThan(0.7);
    expect(result.parameters).toHaveLength(binning.variables.filter((v) => v.selected).length + 1);
    const test = concatTables(nodes.map((n) => n.test));
    const { probabilities } = scoreTable(result.scorecard, test);
    expect(auc(probabilities, test.label)).toBeGreaterThan(0.7);
    // same seed, same scorecard
    const again = await trainScorecard({ ...target, jobId: 'job-sc-2', binning, seed: 3, rounds: 10, train: defaultTrainSettings('logreg') });
    expect(Array.from(again.parameters)).toEqual(Array.from(result.parameters));
  });
});

describe('scorecard node handlers', () => {
  const { apps } = federation({ scheme: 'iid' });
  const ask = (type: string, config: Message['config'], arrays: Message['arrays'] = {}): Promise<Reply> =>
    apps[0].handle(createMessage({ type, jobId: 'j', round: 0, nodeId: 'node-1', config, arrays }));

  it('answer woeCounts with counts only: one value per fine bin and class, summing to twice the rows per column', async () => {
    const reply = await ask(SCORECARD_MESSAGES.counts, { datasetKey: 'german' });
    expect(reply.error).toBeUndefined();
    expect(Object.keys(reply.arrays)).toEqual(['counts']);
    const layout = woeCountsLayout(featureColumns(german.table.schema));
    expect(reply.arrays.counts).toHaveLength(layout.length);
    expect(reply.arrays.counts.reduce((s, v) => s + v, 0)).toBe(layout.slots.length * Number(reply.config.numRows));
  });

  it.each([
    ['an unknown dataset', SCORECARD_MESSAGES.counts, { datasetKey: 'nope' }, 'DATASET_UNKNOWN'],
    ['a bad coarsening', SCORECARD_MESSAGES.counts, { datasetKey: 'german', gridCoarsening: 3 }, 'BAD_MESSAGE'],
    ['a string coarsening', SCORECARD_MESSAGES.counts, { datasetKey: 'german', gridCoarsening: 'x' }, 'BAD_MESSAGE'],
    ['a binning that is not JSON', SCORECARD_MESSAGES.setup, { datasetKey: 'german', binning: '{' }, 'BAD_MESSAGE'],
    ['a binning of the wrong shape', SCORECARD_MESSAGES.setup, { datasetKey: 'german', binning: '{"format":"x"}' }, 'BAD_MESSAGE'],
    ['training a job never set up', SCORECARD_MESSAGES.train, {}, 'JOB_UNKNOWN'],
    ['evaluating a job never set up', SCORECARD_MESSAGES.evaluate, {}, 'JOB_UNKNOWN'],
  ])('refuse %s with a coded error', async (_name, type, config, code) => {
    const reply = await ask(type, config as Message['config']);
    expect(reply.error?.code).toBe(code);
  });

  it('refuse a binning over columns the dataset lacks, and wrong-length parameters', async () => {
    const layout = woeCountsLayout(featureColumns(german.table.schema));
    const binning = fitBinning(localWoeCounts(german.table, layout), layout);
    const foreign = { ...binning, variables: binning.variables.map((v, i) => (i === 0 ? { ...v, column: 'nope' } : v)) };
    expect((await ask(SCORECARD_MESSAGES.setup, { datasetKey: 'german', binning: JSON.stringify(foreign) })).error?.message).toMatch(/"nope"/);
    expect((await ask(SCORECARD_MESSAGES.setup, { datasetKey: 'german', binning: JSON.stringify(binning) })).error).toBeUndefined();
    const bad = await ask(SCORECARD_MESSAGES.train, {}, { parameters: new Float64Array(2) });
    expect(bad.error?.code).toBe('BAD_MESSAGE');
    const nan = await ask(SCORECARD_MESSAGES.train, {}, { parameters: new Float64Array(binning.variables.filter((v) => v.selected).length + 1).fill(NaN) });
    expect(nan.error?.code).toBe('BAD_MESSAGE');
  });
});

describe('retypeTransport', () => {
  it('renames message types on the way out and restores them on the replies', async () => {
    const seen: string[] = [];
    const app = new NodeApp({ nodeId: 'n', handlers: { renamed: async (m) => { seen.push(m.type); return { replyTo: m.messageId, type: m.type, jobId: m.jobId, round: m.round, nodeId: m.nodeId, arrays: {}, config: {} }; } } });
    const view = retypeTransport(new InProcessTransport([['n', app]]), { train: 'renamed' });
    const { replies } = await exchange({ transport: view, jobId: 'j', round: 1, type: 'train', nodeIds: ['n'], timeoutMs: 1000, minReplies: 1 });
    expect(seen).toEqual(['renamed']);
    expect(replies[0].type).toBe('train');
    const other = await exchange({ transport: view, jobId: 'j', round: 1, type: 'stats', nodeIds: ['n'], timeoutMs: 1000, minReplies: 0 });
    expect(other.failures[0].code).toBe('UNKNOWN_MESSAGE_TYPE'); // unlisted types pass unchanged
    expect(() => retypeTransport(view, { train: '' })).toThrow(/renames.train/);
  });
});
