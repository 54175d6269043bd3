/**
 * Officers' feedback in the node's next local training: applications with a known outcome
 * become labelled training rows for that dataset key at the next job's setup, and the train
 * replies report their feedback ids (ids only) for the model's lineage; the round loop gathers
 * them.
 */
import { describe, expect, it } from 'vitest';
import { builtinDataPath, getBuiltinSchema } from '../../../src/data/builtin/index.js';
import { loadCsv } from '../../../src/data/csv.js';
import { partition } from '../../../src/data/partition.js';
import { selectRows } from '../../../src/data/schema.js';
import { stratifiedSplit } from '../../../src/data/split.js';
import { exchange } from '../../../src/coordinator/exchange.js';
import { federatedPreprocess } from '../../../src/coordinator/preprocess.js';
import { runRounds } from '../../../src/coordinator/roundLoop.js';
import { deriveRandom } from '../../../src/math/random.js';
import { createModel } from '../../../src/model/factory.js';
import { NodeApp } from '../../../src/node/app.js';
import { createCreditHandlers } from '../../../src/node/creditHandlers.js';
import { secAggMod } from '../../../src/node/secaggMod.js';
import { ApplicationStore } from '../../../src/node/workspace/applicationStore.js';
import { feedbackRowsFor } from '../../../src/node/workspace/trainingRows.js';
import { MAX_REPORTED_FEEDBACK_IDS, feedbackIdsConfig, readFeedbackIds } from '../../../src/protocol/feedbackIds.js';
import type { Reply } from '../../../src/protocol/message.js';
import { createStrategy } from '../../../src/strategy/index.js';
import { InProcessTransport } from '../../../src/transport/inProcess.js';
import { recordOf } from '../../scoring/fixture.js';

const schema = getBuiltinSchema('german');
const table = loadCsv(builtinDataPath('german'), schema);

async function storeWithFeedback(outcomes: readonly ('good' | 'bad' | 'false-positive' | null)[]): Promise<{ applications: ApplicationStore; feedbackIds: string[] }> {
  const applications = await ApplicationStore.open(':memory:');
  const ids = await applications.insert(outcomes.map((_, i) => ({
    datasetKey: 'german-credit', modelVersion: 'j0/v1', source: 'api' as const, probabilityOfDefault: 0.6, score: 500, decision: 'decline' as const, flags: 1,
    outOfRange: [], reasons: [], contributions: [], record: recordOf(table, 900 + i),
  })));
  const feedbackIds: string[] = [];
  for (const [i, outcome] of outcomes.entries()) {
    if (outcome === null) continue;
    feedbackIds.push((await applications.addFeedback({ applicationId: ids[i], outcome, createdBy: 'officer' }))!.id);
  }
  return { applications, feedbackIds };
}

describe('feedback rows', () => {
  it('label bad as 1, good and false-positive as 0, in the dataset schema; other keys get nothing', async () => {
    const { applications, feedbackIds } = await storeWithFeedback(['bad', 'good', null, 'false-positive']);
    const dataset = { key: 'german-credit', train: table, test: table };
    const rows = (await feedbackRowsFor(applications, dataset))!;
    expect(rows.ids).toEqual(feedbackIds);
    expect(Array.from(rows.table.label)).toEqual([1, 0, 0]);
    expect(rows.table.numeric.creditamount[0]).toBe(table.numeric.creditamount[900]);
    expect(rows.table.categorical.purpose[2]).toBe(table.categorical.purpose[903]);
    expect(await feedbackRowsFor(applications, { ...dataset, key: 'other' })).toBeUndefined();
    // newer feedback on the same application replaces the older one
    const first = (await applications.labelledFeedback('german-credit', 10))[0];
    const again = await applications.addFeedback({ applicationId: first.applicationId, outcome: 'good', createdBy: 'officer' });
    const relabelled = (await feedbackRowsFor(applications, dataset))!;
    expect(relabelled.ids[0]).toBe(again!.id);
    expect(relabelled.table.label[0]).toBe(0);
    await applications.close();
  });

  it('travel as ids only, bounded, and malformed ids from a node are dropped', () => {
    const ids = Array.from({ length: 150 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    const config = feedbackIdsConfig(ids);
    expect(config.numFeedback).toBe(150);
    expect(readFeedbackIds(config)).toHaveLength(MAX_REPORTED_FEEDBACK_IDS);
    expect(readFeedbackIds({ feedbackIds: 'ok-1,bad id,<script>,ok-2,ok-1' })).toEqual(['ok-1', 'ok-2']);
    expect(readFeedbackIds({ feedbackIds: 5 })).toEqual([]);
    expect(feedbackIdsConfig([])).toEqual({});
  });
});

describe('a job after feedback', () => {
  it.each(['plain', 'secure'] as const)('trains on the labelled rows at the node that holds them and reports their ids every round (%s aggregation)', async (kind) => {
    const parts = partition(table, { scheme: 'iid' }, 3, deriveRandom(2, 'p'));
    const { applications, feedbackIds } = await storeWithFeedback(['bad', 'good', 'false-positive', null]);
    const replies: Reply[] = [];
    const nodes = parts.map((rows, i) => {
      const t = selectRows(table, rows);
      const s = stratifiedSplit(t.label, 0.2, deriveRandom(2, 's', i));
      const dataset = { key: 'german-credit', train: selectRows(t, s.train), test: selectRows(t, s.test) };
      const handlers = createCreditHandlers(new Map([['german-credit', dataset]]), i === 0 ? { trainingFeedback: (d) => feedbackRowsFor(applications, d) } : {});
      const app = new NodeApp({ nodeId: `n${i}`, handlers, mods: [secAggMod()] });
      return { id: `n${i}`, dataset, endpoint: { handle: async (m: Parameters<NodeApp['handle']>[0]) => { const r = await app.handle(m); replies.push(r); return r; } } };
    });
    const transport = new InProcessTransport(nodes.map((n) => [n.id, n.endpoint]));
    const nodeIds = nodes.map((n) => n.id);
    const pre = await federatedPreprocess({ transport, jobId: 'j', datasetKey: 'german-credit', schema, nodeIds, minNodes: 3, timeoutMs: 5000, aggregation: { kind } });
    const setup = await exchange({ transport, jobId: 'j', round: 0, type: 'setup', nodeIds, minReplies: 3, timeoutMs: 5000, config: { datasetKey: 'german-credit', encoder: JSON.stringify(pre.encoder), model: JSON.stringify({ kind: 'logreg', config: {} }), seed: 1 } });
    const numTrain = Object.fromEntries(setup.replies.map((r) => [r.nodeId, r.config.numTrain]));
    expect(numTrain.n0).toBe(nodes[0].dataset.train.numRows + 3);
    expect(numTrain.n1).toBe(nodes[1].dataset.train.numRows);
    const initial = createModel('logreg', pre.encoder.features.length, {}, deriveRandom(1, 'init'));
    const { history } = await runRounds({ transport, strategy: createStrategy('fedavg'), jobId: 'j', seed: 1, rounds: 2, initialParameters: initial.getParameters(), train: { epochs: 1, batchSize: 32, lr: 0.01, optimizer: 'adam', l2: 1e-3, classWeights: 'none' }, minNodes: 3, timeoutMs: 5000, aggregation: { kind }, totalRows: pre.numRows });
    for (const report of history) expect(report.feedbackIds).toEqual([...feedbackIds].sort());
    const trains = replies.filter((r) => r.type === 'train');
    expect(trains.filter((r) => r.nodeId === 'n0').every((r) => r.config.feedbackIds === feedbackIds.join(',') && r.config.numExamples === numTrain.n0)).toBe(true);
    if (kind === 'secure') expect(trains.every((r) => Object.keys(r.arrays).every((k) => k === 'secaggMasked'))).toBe(true); // masked: the ids travel beside the masked sum
    expect(trains.filter((r) => r.nodeId !== 'n0').every((r) => r.config.feedbackIds === undefined)).toBe(true);
    await applications.close();
  });
});
