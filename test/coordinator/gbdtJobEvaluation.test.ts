/**
 * A boosting job's model version carries the final evaluation the model report reads, as a
 * logistic-regression job's does: the whole ensemble's 100-bin score histograms and the fairness
 * counts of the German protected attributes, summed over the lenders' test splits. Run through
 * the real job runner, a real SQLite store and in-process lenders, with plain and with secure
 * aggregation: the stored sums are those of the final ensemble on the pooled test rows (exact in
 * plain mode; in secure mode counts are whole numbers and sums within the fixed-point error),
 * and the coordinator never receives a node's evaluation in the clear under secure aggregation.
 */
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { JobRunner } from '../../src/coordinator/jobRunner.js';
import { builtinDataPath, getBuiltinSchema } from '../../src/data/builtin/index.js';
import { loadCsv } from '../../src/data/csv.js';
import { partition } from '../../src/data/partition.js';
import { selectRows } from '../../src/data/schema.js';
import { stratifiedSplit } from '../../src/data/split.js';
import { localFairnessCounts } from '../../src/fairness/counts.js';
import { roundFairnessCounts } from '../../src/fairness/evaluation.js';
import { GERMAN_FAIRNESS_ATTRIBUTES, groupIndex } from '../../src/fairness/groups.js';
import { deriveRandom } from '../../src/math/random.js';
import { localEvaluationSums, metricsFromSums } from '../../src/metrics/histogram.js';
import { auc } from '../../src/metrics/ranking.js';
import { TreeEnsemble, type TreeEnsembleJson } from '../../src/model/gbdt/ensemble.js';
import { NodeApp } from '../../src/node/app.js';
import { createCreditHandlers } from '../../src/node/creditHandlers.js';
import { createGbdtHandlers } from '../../src/node/gbdtHandlers.js';
import { secAggMod } from '../../src/node/secaggMod.js';
import type { Message, Reply } from '../../src/protocol/message.js';
import { renderModelReport } from '../../src/report/modelReport.js';
import { concatTables } from '../../src/simulation/dataset.js';
import { openStore, type JsonObject, type Store } from '../../src/store/index.js';
import { InProcessTransport, type NodeEndpoint } from '../../src/transport/inProcess.js';

const KEY = 'german-credit';
const schema = getBuiltinSchema('german');
const table = loadCsv(builtinDataPath('german'), schema);
const datasets = partition(table, { scheme: 'iid' }, 4, deriveRandom(5, 'p')).map((rows) => {
  const t = selectRows(table, rows);
  const s = stratifiedSplit(t.label, 0.25, deriveRandom(5, 's', rows.length));
  return { key: KEY, train: selectRows(t, s.train), test: selectRows(t, s.test) };
});
const nodeIds = datasets.map((_, i) => `bank-${i}`);
const pooledTest = concatTables(datasets.map((d) => d.test));
const stores: Store[] = [];
afterAll(async () => {
  for (const s of stores) await s.close();
});

async function runJob(secure: boolean) {
  const seen: { message: Message; reply: Reply }[] = [];
  const transport = new InProcessTransport(datasets.map((d, i) => {
    const held = new Map([[KEY, d]]);
    const app = new NodeApp({ nodeId: nodeIds[i], handlers: { ...createCreditHandlers(held), ...createGbdtHandlers(held) }, mods: secure ? [secAggMod()] : [] });
    const endpoint: NodeEndpoint = {
      async handle(message: Message) {
        const reply = await app.handle(message);
        seen.push({ message, reply });
        return reply;
      },
    };
    return [nodeIds[i], endpoint];
  }));
  const store = await openStore(':memory:');
  stores.push(store);
  const job = await store.createJob({
    createdBy: 'test',
    spec: { datasetKey: KEY, model: 'gbdt', strategy: 'fedavg', hyperparameters: { depth: 3, learningRate: 0.2, maxBins: 32 }, rounds: 6, minNodes: 3, roundTimeoutMs: 20_000, seed: 4, options: secure ? { secureAggregation: true } : {} },
  });
  const runner = new JobRunner({ store, transport, logger: pino({ level: 'silent' }), pollIntervalMs: 20 });
  const done = new Promise<void>((resolve, reject) => runner.on('status', (e: { status: string; error?: string }) => {
    if (e.status === 'completed') resolve();
    if (e.status === 'failed') reject(new Error(e.error));
  }));
  runner.start();
  await done;
  await runner.stop();
  await transport.close();
  const [model] = await store.listModelVersions({ jobId: job.id });
  const rounds = await store.listRounds(job.id);
  return { model, rounds, job: await store.getJob(job.id), seen };
}

/** What the pooled test rows give for the model version's ensemble (what the nodes' sums must add up to). */
function pooled(meta: Record<string, unknown>) {
  const p = TreeEnsemble.fromJSON(meta.ensemble as TreeEnsembleJson).predictTable(pooledTest);
  const fairness = { attributes: GERMAN_FAIRNESS_ATTRIBUTES, threshold: (meta.fairness as { threshold: number }).threshold, numBins: 20 };
  return {
    p,
    sums: localEvaluationSums(p, pooledTest.label, 100),
    counts: localFairnessCounts(fairness.attributes, fairness.attributes.map((a) => groupIndex(pooledTest, a)), p, pooledTest.label, fairness),
  };
}

interface StoredMeta { evaluation: { numBins: number; sums: number[]; participants: string[] }; fairness: { attributes: { name: string }[]; threshold: number; numBins: number; counts: number[] }; metrics: JsonObject }

describe('final evaluation of a GBDT job', () => {
  it('plain: the model version stores the ensemble’s 100-bin sums and fairness counts of the pooled test rows; the report renders them', async () => {
    const { model, rounds, job } = await runJob(false);
    const meta = model.meta as unknown as StoredMeta & Record<string, unknown>;
    expect(meta.evaluation.numBins).toBe(100);
    expect(meta.evaluation.participants).toEqual(nodeIds);
    expect(meta.fairness.attributes.map((a) => a.name)).toEqual(['sex', 'marital status', 'age band', 'foreign worker']);
    expect(meta.fairness.numBins).toBe(20);
    const reference = pooled(meta);
    expect(meta.evaluation.sums).toHaveLength(reference.sums.length);
    meta.evaluation.sums.forEach((v, i) => expect(Math.abs(v - reference.sums[i]), `sum ${i}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(reference.sums[i]))));
    expect(meta.fairness.counts).toHaveLength(reference.counts.length);
    meta.fairness.counts.forEach((v, i) => expect(Math.abs(v - reference.counts[i]), `count ${i}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(reference.counts[i]))));
    // the AUC the report shows is the final ensemble's federated AUC, within histogram resolution
    const stored = metricsFromSums(Float64Array.from(meta.evaluation.sums), 100);
    expect(stored.numExamples).toBe(pooledTest.numRows);
    expect(Math.abs(stored.auc - auc(reference.p, pooledTest.label))).toBeLessThan(0.01);
    expect(Math.abs(stored.auc - (rounds[rounds.length - 1].metrics.auc as number))).toBeLessThan(0.01);
    expect(stored.auc).toBeGreaterThan(0.7);

    const html = renderModelReport({ model, job, rounds });
    expect(html).toContain(`<td>${stored.auc.toFixed(3)}</td><td>${stored.ks.toFixed(3)}</td>`);
    expect(html).toContain('ROC curve');
    expect(html).toContain('aria-label="Fairness by foreign worker"');
    expect(html).not.toContain('carries no evaluation histograms');
    expect(html).not.toContain('carries no fairness counts');
  });

  it('secure: the same sums through secure aggregation, counts whole numbers, no node’s evaluation in the clear', async () => {
    const { model, seen } = await runJob(true);
    const meta = model.meta as unknown as StoredMeta & Record<string, unknown>;
    expect(meta.evaluation.participants).toEqual(nodeIds);
    const reference = pooled(meta);
    const numBins = 100;
    meta.evaluation.sums.forEach((v, i) => {
      if (i <= 2 * numBins) {
        expect(Number.isInteger(v), `count ${i}`).toBe(true);
        expect(v, `count ${i}`).toBe(reference.sums[i]);
      } else expect(Math.abs(v - reference.sums[i]), `sum ${i}`).toBeLessThan(1e-3);
    });
    // fairness counts: within the fixed-point error of the pooled ones, and the count entries whole
    // numbers (rounding them again changes nothing), so equal to the pooled counts
    expect(meta.fairness.counts).toHaveLength(reference.counts.length);
    meta.fairness.counts.forEach((v, i) => expect(Math.abs(v - reference.counts[i]), `fairness ${i}`).toBeLessThan(1e-3));
    const fairness = { attributes: GERMAN_FAIRNESS_ATTRIBUTES, threshold: meta.fairness.threshold, numBins: meta.fairness.numBins };
    expect(Array.from(roundFairnessCounts(Float64Array.from(meta.fairness.counts), fairness))).toEqual(meta.fairness.counts);
    expect(meta.fairness.counts.filter((v) => v >= 1 && Number.isInteger(v)).length).toBeGreaterThan(20);
    const evaluations = seen.filter((x) => x.message.type === 'gbdt.evaluate');
    expect(evaluations.length).toBeGreaterThanOrEqual(nodeIds.length);
    for (const { reply } of evaluations) {
      expect(reply.error).toBeUndefined();
      expect(reply.arrays.sums).toBeUndefined();
    }
    expect(evaluations.some((x) => String(x.reply.config.secagg).includes('"stage":"collectMasked"'))).toBe(true);
  });
});
