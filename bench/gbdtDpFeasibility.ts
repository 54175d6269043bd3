/**
 * Feasibility study, not a feature: how much accuracy would record-level differential privacy
 * leave federated boosted trees if each level's gradient/hessian histograms were released with
 * Gaussian noise (`node --import tsx bench/gbdtDpFeasibility.ts`). No DP mechanism for GBDT is
 * implemented; this script adds the noise a DP version would need inside a SumAggregator and
 * measures the AUC, to decide whether one is worth building and with which settings.
 *
 * Mechanism studied: per level, each open tree node's [G, H, N] histogram. Adding or removing one
 * row changes one bin per feature by (g, h, 1) with |g| < 1 (logistic gradient p − y) and
 * 0 < h ≤ 1/4, so the L2 sensitivity of a level release is Δ = √(F·33/16) for F features.
 * Noise N(0, (zΔ)²) per entry, z calibrated by the RDP accountant (Gaussian mechanism, sampling
 * rate 1) for trees × depth + 1 releases at δ = 1e-5 (the + 1: label counts for the base margin).
 * - `central`: the noise of one release in total, shared out by the nodes (each adds
 *   N(0, (zΔ)²/n)); only private against the coordinator under secure aggregation.
 * - `local`: each node adds the whole N(0, (zΔ)²) (private without secure aggregation).
 * Not covered here (would need their own budget): quantile sketches, loss sums, evaluation.
 *
 * 5 nodes, IID, one 80/20 split per node, seed 3, 5 noise draws per noisy setting (mean, min
 * and max AUC); writes bench/results/gbdt-dp-feasibility.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import type { SumAggregator } from '../src/coordinator/aggregation.js';
import { federatedGbdtBinning } from '../src/coordinator/gbdtBinning.js';
import { trainFederatedGbdt } from '../src/coordinator/gbdtTrainer.js';
import { partition } from '../src/data/partition.js';
import { selectRows, type Table } from '../src/data/schema.js';
import { stratifiedSplit } from '../src/data/split.js';
import { deriveRandom } from '../src/math/random.js';
import { binLayout } from '../src/model/gbdt/features.js';
import { gbdtParams, type GbdtParams } from '../src/model/gbdt/params.js';
import { NodeApp } from '../src/node/app.js';
import { createCreditHandlers } from '../src/node/creditHandlers.js';
import { createGbdtHandlers } from '../src/node/gbdtHandlers.js';
import { calibrateForBudget } from '../src/privacy/plan.js';
import { seededNoiseSource } from '../src/privacy/noiseSource.js';
import { loadSource } from '../src/simulation/dataset.js';
import { InProcessTransport } from '../src/transport/inProcess.js';

const NODES = 5;
/** Noise draws per noisy setting (the AUC of one draw varies a lot). */
const REPEATS = 5;
const DELTA = 1e-5;
const settings = [
  { name: 'default (200 trees, depth 3, 32 bins)', numTrees: 200, maxDepth: 3, learningRate: 0.05, maxBins: 32 },
  { name: '30 trees, depth 2, 32 bins', numTrees: 30, maxDepth: 2, learningRate: 0.3, maxBins: 32 },
  { name: '20 trees, depth 2, 8 bins', numTrees: 20, maxDepth: 2, learningRate: 0.3, maxBins: 8, minChildWeight: 5 },
  { name: '10 stumps, 4 bins', numTrees: 10, maxDepth: 1, learningRate: 0.5, maxBins: 4, minChildWeight: 5 },
];
const epsilons = [Infinity, 8, 3, 1];
const round = (x: number) => Math.round(x * 1000) / 1000;
const rows: Record<string, unknown>[] = [];
const started = performance.now();

type Noise = 'none' | 'central' | 'local';

/** AUC of one federated run with `noise` at ε (∞: none), and the noise it used. */
async function runOnce(data: { dataset: string; nodes: { key: string; train: Table; test: Table }[] }, params: GbdtParams, epsilon: number, noise: Noise, seed: string): Promise<{ auc: number; z: number; sd: number }> {
  const nodeIds = data.nodes.map((_, i) => `n${i}`);
  const transport = new InProcessTransport(data.nodes.map((d, i) => {
    const held = new Map([[data.dataset, d]]);
    return [nodeIds[i], new NodeApp({ nodeId: nodeIds[i], handlers: { ...createCreditHandlers(held), ...createGbdtHandlers(held) } })];
  }));
  const common = { transport, jobId: 'dp', datasetKey: data.dataset, nodeIds, minNodes: NODES, timeoutMs: 30_000 };
  const { features } = await federatedGbdtBinning({ ...common, schema: data.nodes[0].train.schema, maxBins: params.maxBins });
  const histogramLength = binLayout(features).totalBins * 3;
  const z = noise === 'none' ? 0 : calibrateForBudget({ targetEpsilon: epsilon, delta: DELTA, sampleRate: 1, steps: params.numTrees * params.maxDepth + 1 });
  const sd = z * Math.sqrt((features.length * 33) / 16);
  const gaussian = seededNoiseSource(deriveRandom(3, 'noise', seed));
  const aggregator: SumAggregator = {
    name: `noisy-${noise}`,
    sum(contributions) {
      const out = new Float64Array(contributions[0].vector.length);
      const isLevel = out.length >= histogramLength && out.length % histogramLength === 0;
      const perNode = noise === 'central' ? sd / Math.sqrt(contributions.length) : sd;
      for (const c of contributions) for (let i = 0; i < out.length; i++) out[i] += c.vector[i] + (isLevel && perNode > 0 ? perNode * gaussian.normal() : 0);
      if (isLevel) for (let i = 0; i < out.length; i += 3) { out[i + 1] = Math.max(0, out[i + 1]); out[i + 2] = Math.max(0, out[i + 2]); }
      return out;
    },
  };
  const { history } = await trainFederatedGbdt({ ...common, features, params, evaluateEvery: params.numTrees, aggregator });
  await transport.close();
  return { auc: history.at(-1)!.metrics!.auc, z, sd: noise === 'local' ? sd * Math.sqrt(NODES) : sd };
}

for (const dataset of ['german', 'credit_data'] as const) {
  const { table } = loadSource({ builtin: dataset });
  const nodes = partition(table, { scheme: 'iid' }, NODES, deriveRandom(3, 'p')).map((r, i) => {
    const t = selectRows(table, r);
    const s = stratifiedSplit(t.label, 0.2, deriveRandom(3, 's', i));
    return { key: dataset, train: selectRows(t, s.train), test: selectRows(t, s.test) };
  });
  for (const setting of settings) {
    const params = gbdtParams(setting);
    for (const epsilon of epsilons) {
      for (const noise of epsilon === Infinity ? (['none'] as const) : (['central', 'local'] as const)) {
        const runs = [];
        for (let repeat = 0; repeat < (noise === 'none' ? 1 : REPEATS); repeat++) runs.push(await runOnce({ dataset, nodes }, params, epsilon, noise, `${dataset}/${setting.name}/${epsilon}/${noise}/${repeat}`));
        const aucs = runs.map((r) => r.auc);
        const row = {
          dataset, setting: setting.name, epsilon: Number.isFinite(epsilon) ? epsilon : null, noise, noiseMultiplier: round(runs[0].z),
          noiseSdPerEntryOfSum: round(runs[0].sd), meanAuc: round(aucs.reduce((a, b) => a + b, 0) / aucs.length), minAuc: round(Math.min(...aucs)), maxAuc: round(Math.max(...aucs)), runs: aucs.length,
        };
        rows.push(row);
        process.stderr.write(`${JSON.stringify(row)}\n`);
      }
    }
  }
}

const result = {
  benchmark: 'gbdt-dp-feasibility', note: 'no DP for GBDT is implemented: this measures the accuracy the noise of one would leave',
  setting: `${NODES} nodes, IID, one 80/20 split per node, seed 3, δ = ${DELTA}, ${REPEATS} noise draws per noisy setting`, node: process.version, wallMs: Math.round(performance.now() - started), rows,
};
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/gbdt-dp-feasibility.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
