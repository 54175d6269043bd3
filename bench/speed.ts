/**
 * Speed benchmark (`npm run bench:speed`): wall time and memory of a 5-node × 30-round German
 * simulation (logistic regression, FedAvg, in-process transport: federated preprocessing, setup,
 * 30 rounds of local training, aggregation and federated evaluation) versus pooled training of
 * the same model on the same rows for the same number of passes, in the same process. Each is
 * repeated and the median reported; writes bench/results/speed.json.
 *
 * Usage: node --import tsx bench/speed.ts [--repeats N]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { simulate } from '../src/simulation/simulate.js';
import { simulationOptions } from '../src/simulation/options.js';
import { concatTables, dealToNodes, loadSource } from '../src/simulation/dataset.js';
import { encoderFor, trainCentral } from '../src/simulation/baselines.js';

const repeatsArg = process.argv.indexOf('--repeats');
const repeats = repeatsArg > 0 ? Number(process.argv[repeatsArg + 1]) : 7;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const options = simulationOptions({ dataset: { builtin: 'german' }, numNodes: 5, rounds: 30, seed: 42, baselines: false });
const fullOptions = simulationOptions({ dataset: { builtin: 'german' }, numNodes: 5, rounds: 30, seed: 42, baselines: true });

// warm-up (JIT), not measured
await simulate(options);

const federatedMs: number[] = [], simulateWallMs: number[] = [], fullWallMs: number[] = [], pooledMs: number[] = [];
let peakRss = 0;
for (let i = 0; i < repeats; i++) {
  const report = await simulate(options);
  federatedMs.push(report.federatedMs);
  simulateWallMs.push(report.wallMs);
  fullWallMs.push((await simulate(fullOptions)).wallMs);
  const data = loadSource(options.dataset);
  const nodes = dealToNodes(data, options)[0];
  const pooledTrain = concatTables(nodes.map((n) => n.train));
  const t0 = performance.now();
  trainCentral(pooledTrain, encoderFor(pooledTrain), options, 'pooled');
  pooledMs.push(performance.now() - t0);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}

const result = {
  benchmark: 'speed',
  setting: 'German credit, 5 nodes × 30 rounds, logreg, FedAvg, 1 local epoch, in-process transport, evaluation every round',
  node: process.version,
  repeats,
  federatedMsMedian: Math.round(median(federatedMs)),
  simulateWallMsMedian: Math.round(median(simulateWallMs)),
  simulateWithBaselinesWallMsMedian: Math.round(median(fullWallMs)),
  pooledTrainingMsMedian: Math.round(median(pooledMs) * 10) / 10,
  federatedOverPooled: Math.round((median(federatedMs) / median(pooledMs)) * 10) / 10,
  peakRssMiB: Math.round(peakRss / 2 ** 20),
  heapUsedMiB: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
  target: { simulateWallMs: '≤ 3000', met: median(simulateWallMs) <= 3000 },
};
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/speed.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
