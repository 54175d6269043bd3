/**
 * Federated boosting under secure aggregation: the sketches, label counts, level histograms,
 * loss sums and evaluation histograms all go through SecAgg sessions. The trees match plain
 * aggregation's (same bins, same splits, leaf values within the fixed-point error), and the
 * coordinator only ever receives masked vectors: every summed reply it gets carries no plain
 * array, and its masked input differs from the node's quantized contribution.
 */
import { describe, expect, it } from 'vitest';
import type { AggregationMode } from '../../src/coordinator/collect.js';
import { federatedGbdtBinning } from '../../src/coordinator/gbdtBinning.js';
import { trainFederatedGbdt } from '../../src/coordinator/gbdtTrainer.js';
import { parseJobSubmission } from '../../src/coordinator/jobSpec.js';
import { builtinDataPath, getBuiltinSchema } from '../../src/data/builtin/index.js';
import { loadCsv } from '../../src/data/csv.js';
import { partition } from '../../src/data/partition.js';
import { selectRows } from '../../src/data/schema.js';
import { stratifiedSplit } from '../../src/data/split.js';
import { deriveRandom } from '../../src/math/random.js';
import { gbdtParams } from '../../src/model/gbdt/params.js';
import type { Tree } from '../../src/model/gbdt/tree.js';
import { NodeApp } from '../../src/node/app.js';
import { createCreditHandlers } from '../../src/node/creditHandlers.js';
import { createGbdtHandlers } from '../../src/node/gbdtHandlers.js';
import { secAggMod } from '../../src/node/secaggMod.js';
import { isSummedType } from '../../src/protocol/contributions.js';
import type { Message, Reply } from '../../src/protocol/message.js';
import { maskedInputFromArray, quantize } from '../../src/secagg/index.js';
import { InProcessTransport, type NodeEndpoint } from '../../src/transport/inProcess.js';

const KEY = 'german-credit';
const schema = getBuiltinSchema('german');
const table = loadCsv(builtinDataPath('german'), schema);
const datasets = partition(table, { scheme: 'iid' }, 5, deriveRandom(3, 'p')).map((rows) => {
  const t = selectRows(table, rows);
  const s = stratifiedSplit(t.label, 0.2, deriveRandom(3, 's', rows.length));
  return { key: KEY, train: selectRows(t, s.train), test: selectRows(t, s.test) };
});
const params = gbdtParams({ numTrees: 15, maxDepth: 3, learningRate: 0.1, maxBins: 32 });
const nodeIds = datasets.map((_, i) => `n${i}`);

interface Seen { message: Message; reply: Reply; plain?: Reply }

async function run(aggregation: AggregationMode, options: { silentAt?: { node: string; tree: number }; noCount?: string; resumeAfter?: number } = {}) {
  const seen: Seen[] = [];
  const transport = new InProcessTransport(datasets.map((d, i) => {
    const held = new Map([[KEY, d]]);
    const app = new NodeApp({ nodeId: nodeIds[i], handlers: { ...createCreditHandlers(held), ...createGbdtHandlers(held) }, mods: [secAggMod()] });
    const endpoint: NodeEndpoint = {
      async handle(m: Message) {
        if (options.silentAt?.node === nodeIds[i] && m.type === 'gbdt.level' && m.config.tree === options.silentAt.tree) return new Promise<Reply>(() => {});
        if (options.noCount === nodeIds[i] && m.type === 'describe') return { ...(await app.handle(m)), config: { numTrain: 'many' } };
        // levels are stateless: the same request without the session shows what the node would send in the clear
        const plain = m.type === 'gbdt.level' && m.config.secagg !== undefined
          ? await app.handle({ ...m, config: Object.fromEntries(Object.entries(m.config).filter(([k]) => !k.startsWith('secagg'))) })
          : undefined;
        const reply = await app.handle(m);
        seen.push({ message: m, reply, plain });
        return reply;
      },
    };
    return [nodeIds[i], endpoint];
  }));
  const timeoutMs = options.silentAt ? 500 : 10_000;
  const binning = await federatedGbdtBinning({ transport, jobId: 'job', datasetKey: KEY, schema, nodeIds, minNodes: 3, timeoutMs, maxBins: params.maxBins, aggregation });
  const train = (o: Partial<Parameters<typeof trainFederatedGbdt>[0]> = {}) =>
    trainFederatedGbdt({ transport, jobId: 'job', datasetKey: KEY, features: binning.features, params, nodeIds, minNodes: 3, timeoutMs, evaluateEvery: 5, aggregation, rows: binning.rows, ...o });
  let result = await train(options.resumeAfter ? { params: { ...params, numTrees: options.resumeAfter } } : {});
  // a restarted coordinator: the trees so far, no row counts (asked again with describe)
  if (options.resumeAfter) result = await train({ initial: result.ensemble, rows: undefined });
  await transport.close();
  return { ...result, binning, seen };
}

const shape = (tree: Tree) => tree.nodes.map((n) => (n.kind === 'leaf' ? { kind: 'leaf', count: n.count } : { ...n, gain: 0 }));

describe('federated GBDT with secure aggregation', () => {
  it('grows the trees plain aggregation grows; the coordinator only receives masked vectors', async () => {
    const plain = await run({ kind: 'plain' });
    const secure = await run({ kind: 'secure' });

    // bins and base margin from securely summed counts are exact
    expect(secure.binning.features).toEqual(plain.binning.features);
    expect(secure.binning.numRows).toBe(plain.binning.numRows);
    expect(secure.ensemble.baseMargin).toBe(plain.ensemble.baseMargin);
    // same splits and leaf counts in every tree; leaf values within the fixed-point error
    let worst = 0;
    secure.ensemble.trees.forEach((tree, t) => {
      expect(shape(tree), `tree ${t}`).toEqual(shape(plain.ensemble.trees[t]));
      tree.nodes.forEach((node, j) => {
        const other = plain.ensemble.trees[t].nodes[j];
        if (node.kind === 'leaf' && other.kind === 'leaf') worst = Math.max(worst, Math.abs(node.value - other.value));
      });
    });
    expect(worst).toBeLessThan(1e-6);
    const [p, s] = [plain.history.at(-1)!, secure.history.at(-1)!];
    expect(Math.abs(s.metrics!.auc - p.metrics!.auc)).toBeLessThan(0.002);
    expect(s.metrics!.auc).toBeGreaterThan(0.7);
    expect(s.numExamples).toBe(p.numExamples);
    expect(Math.abs(s.trainLoss - p.trainLoss)).toBeLessThan(1e-6);
    expect(s.participants).toEqual(nodeIds);

    // what the coordinator received: for every summed message, a masked vector and no plain array
    const summed = secure.seen.filter((x) => x.message.type.startsWith('gbdt.') && isSummedType(x.message.type));
    expect(new Set(summed.map((x) => x.message.type))).toEqual(new Set(['gbdt.sketch', 'gbdt.setup', 'gbdt.level', 'gbdt.trees']));
    // evaluations travel with their tree's loss sums: the same masked vectors
    expect(summed.filter((x) => x.message.type === 'gbdt.trees' && x.message.config.evaluateBins !== undefined).length).toBe(3 * nodeIds.length);
    for (const { reply } of summed) {
      expect(reply.error).toBeUndefined();
      expect(Object.keys(reply.arrays), reply.type).toEqual(['secaggMasked']);
      expect(String(reply.config.secagg)).toMatch(/"stage":"collectMasked"/);
    }
    // a masked level histogram looks nothing like the node's quantized histogram
    const levels = summed.filter((x) => x.message.type === 'gbdt.level');
    expect(levels.length).toBeGreaterThanOrEqual(5 * params.numTrees);
    for (const { message, reply, plain: clear } of levels) {
      const masked = maskedInputFromArray(reply.arrays.secaggMasked) as Uint32Array;
      expect(masked).toBeInstanceOf(Uint32Array);
      const encoded = quantize(clear!.arrays.histograms, { clip: Number(message.config.secaggClip), maxClients: Number(message.config.secaggClients) });
      expect(masked.length).toBe(encoded.length);
      let same = 0;
      for (let k = 0; k < masked.length; k++) if (masked[k] === encoded[k]) same++;
      expect(same / masked.length).toBeLessThan(0.01);
      // the bound the node clipped with never cut an honest entry
      expect(clear!.arrays.histograms.every((v) => Math.abs(v) <= Number(message.config.secaggClip))).toBe(true);
    }
    // plain mode, for contrast, does hand the coordinator each node's histogram
    expect(plain.seen.some((x) => x.message.type === 'gbdt.level' && x.reply.arrays.histograms instanceof Float64Array)).toBe(true);
  }, 60_000);

  it('grows a tree again without a node that goes silent mid-tree, and the job goes on', async () => {
    const { ensemble, history } = await run({ kind: 'secure' }, { silentAt: { node: 'n3', tree: 2 } });
    expect(ensemble.numTrees).toBe(params.numTrees);
    expect(history[1].participants).toEqual(nodeIds);
    expect(history[2].participants).toEqual(['n0', 'n1', 'n2', 'n4']);
    expect(history[2].failures.some((f) => f.nodeId === 'n3')).toBe(true);
    // back in the next tree (it caught up, with no loss sum sent in the clear)
    expect(history[3].participants).toEqual(nodeIds);
  }, 60_000);

  it('resumes from stored trees (row counts asked again) and grows the same ensemble', async () => {
    const straight = await run({ kind: 'secure' });
    const resumed = await run({ kind: 'secure' }, { resumeAfter: 6 });
    expect(resumed.ensemble.numTrees).toBe(params.numTrees);
    resumed.ensemble.trees.forEach((tree, t) => expect(shape(tree), `tree ${t}`).toEqual(shape(straight.ensemble.trees[t])));
    expect(resumed.seen.filter((x) => x.message.type === 'describe')).toHaveLength(2 * nodeIds.length);
  }, 60_000);

  it('leaves out a node that does not publish its row count (its sums could exceed the bounds)', async () => {
    const { members, binning, history } = await run({ kind: 'secure' }, { noCount: 'n1' });
    expect(binning.participants).toEqual(['n0', 'n2', 'n3', 'n4']);
    expect(members).toEqual(['n0', 'n2', 'n3', 'n4']);
    expect(history.at(-1)!.participants).toEqual(['n0', 'n2', 'n3', 'n4']);
  }, 60_000);

  it('is accepted in a job spec', () => {
    const parsed = parseJobSubmission({ datasetKey: KEY, model: 'gbdt', rounds: 10, minNodes: 3, options: { secureAggregation: true } });
    expect(parsed.ok).toBe(true);
  });
});
