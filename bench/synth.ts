/**
 * Class-imbalance benchmark (node --import tsx bench/synth.ts): on
 * credit_data, a stratified 80/20 split per seed; the bad loans of the TRAINING part subsampled
 * to 5 %; then logistic regression trained with
 *   - no oversampling, without and with balanced class weights,
 *   - SMOTE-NC oversampling of bads to 30 %,
 *   - CTGAN-style GAN oversampling of bads to 30 % (the GAN trained on the node's training rows),
 *     with CTGAN's batch of 500 (the default) and with batches of 100 (5× more steps, same compute),
 * scored on the untouched test part (natural bad rate) by AUC and recall at a 10 % flag rate.
 * For both synthesizers it also reports fidelity (synthetic bads against all real bads of the
 * training part, before subsampling: the distribution a perfect generator would reproduce),
 * privacy (DCR to the training rows vs test bads) and, once, the GAN's wall time on 4,000 rows.
 * Prints JSON and writes bench/results/synth.json. Numbers are what they are: see
 * docs/synthetic-data.md for the reading.
 *
 * Usage: node --import tsx bench/synth.ts [--seeds N] [--epochs E] [--quick]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { loadBuiltin } from '../src/data/builtin/index.js';
import { selectRows, type Table } from '../src/data/schema.js';
import { indicesByClass, stratifiedSplit } from '../src/data/split.js';
import { deriveRandom } from '../src/math/random.js';
import { CtganSynthesizer } from '../src/synth/ctgan.js';
import { fidelity } from '../src/synth/fidelity.js';
import { appendTables, oversampleBad } from '../src/synth/oversample.js';
import { privacy } from '../src/synth/privacy.js';
import { SmoteNc } from '../src/synth/smotenc.js';
import type { Synthesizer } from '../src/synth/synthesizer.js';
import { trainAndScore, type ClassifierScores } from '../src/synth/utility.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const at = args.indexOf(name);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const quick = args.includes('--quick');
const numSeeds = flag('--seeds', quick ? 1 : 3);
const epochs = flag('--epochs', quick ? 20 : 60);
const BAD_SHARE_TRAIN = 0.05;
const TARGET_SHARE = 0.3;
const FLAG_RATE = 0.1;

const full = loadBuiltin('credit_data');
const started = performance.now();
const perSeed: Record<string, unknown>[] = [];
const arms: Record<string, ClassifierScores[]> = { none: [], noneBalanced: [], smotenc: [], gan: [], ganBatch100: [] };
const synthStats: Record<string, Record<string, number>[]> = { smotenc: [], gan: [], ganBatch100: [] };

for (let seed = 1; seed <= numSeeds; seed++) {
  const split = stratifiedSplit(full.label, 0.2, deriveRandom(seed, 'bench-synth', 'split'));
  const trainAll = selectRows(full, split.train);
  const test = selectRows(full, split.test);
  const train = subsampleBads(trainAll, BAD_SHARE_TRAIN, seed);
  const realBads = selectRows(trainAll, indicesByClass(trainAll.label)[1]);
  const testBads = selectRows(test, indicesByClass(test.label)[1]);
  const classifier = { seed, flagRate: FLAG_RATE };
  const score = (t: Table, extra: object = {}) => trainAndScore(t, train, test, { ...classifier, ...extra });
  const row: Record<string, unknown> = { seed, trainRows: train.numRows, trainBads: count(train.label), testRows: test.numRows, testBadRate: round(count(test.label) / test.numRows) };
  arms.none.push(score(train));
  arms.noneBalanced.push(score(train, { classWeights: 'balanced' }));
  const smote = SmoteNc.fit(train);
  const gan = CtganSynthesizer.fit(train, { seed, epochs });
  const ganBatch100 = CtganSynthesizer.fit(train, { seed, epochs, batchSize: 100 });
  row.ganTrainMs = Math.round(gan.trainMs);
  row.ganBatch100TrainMs = Math.round(ganBatch100.trainMs);
  for (const [name, synthesizer] of [['smotenc', smote], ['gan', gan], ['ganBatch100', ganBatch100]] as [string, Synthesizer][]) {
    const { table, synthetic } = oversampleBad(train, synthesizer, TARGET_SHARE, deriveRandom(seed, 'bench-synth', name));
    arms[name].push(score(table));
    const f = fidelity(realBads, synthetic);
    const p = privacy(train, synthetic, testBads);
    const tstrRng = deriveRandom(seed, 'bench-synth', name, 'tstr');
    const tstr = score(appendTables(synthesizer.sample(train.numRows - count(train.label), 0, tstrRng), synthesizer.sample(count(train.label), 1, tstrRng)));
    synthStats[name].push({ tstrAuc: tstr.auc, tstrRecallAt10: tstr.recallAtFlagRate, syntheticRows: synthetic.numRows, meanKs: f.meanKs, meanTvd: f.meanTvd, correlationDifference: f.correlationDifference, dcrMedian: p.dcrMedian, dcr5th: p.dcr5th, exactCopyRate: p.exactCopyRate, holdoutDcrMedian: p.holdoutDcrMedian, holdoutDcr5th: p.holdoutDcr5th });
  }
  row.auc = Object.fromEntries(Object.entries(arms).map(([k, v]) => [k, round(v[v.length - 1].auc)]));
  perSeed.push(row);
  process.stderr.write(`${JSON.stringify(row)}\n`);
}

const timing = ganTiming(epochs);
const result = {
  benchmark: 'synth',
  setting: `credit_data, stratified 80/20 split per seed, training bads subsampled to ${BAD_SHARE_TRAIN * 100} %, oversampled to ${TARGET_SHARE * 100} %, logistic regression (Adam, 30 epochs), recall at ${FLAG_RATE * 100} % flag rate; GAN ${epochs} epochs, lr 2e-4, G/D 64-wide, batch 500 (gan) or 100 (ganBatch100); TSTR = trained on as many synthetic goods and bads as the real training rows`,
  node: process.version,
  seeds: numSeeds,
  arms: Object.fromEntries(Object.entries(arms).map(([k, v]) => [k, { auc: meanSd(v.map((s) => s.auc)), recallAt10: meanSd(v.map((s) => s.recallAtFlagRate)) }])),
  synthetic: Object.fromEntries(Object.entries(synthStats).map(([k, v]) => [k, Object.fromEntries(Object.keys(v[0]).map((m) => [m, meanSd(v.map((s) => s[m]))]))])),
  ganTiming: timing,
  perSeed,
  wallMs: Math.round(performance.now() - started),
};
console.log(JSON.stringify(result, null, 2));
if (!quick) {
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(new URL('./results/synth.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
}

/** Keep every good row and a random subset of bads so that bads make `share` of the result. */
function subsampleBads(table: Table, share: number, seed: number): Table {
  const [good, bad] = indicesByClass(table.label);
  const keep = Math.round((share / (1 - share)) * good.length);
  const chosen = deriveRandom(seed, 'bench-synth', 'subsample').shuffle(bad.slice()).subarray(0, keep);
  return selectRows(table, Uint32Array.from([...good, ...chosen]).sort());
}

/** GAN wall time on 4,000 rows × 13 columns of credit_data with the benchmark's settings. */
function ganTiming(numEpochs: number): Record<string, number> {
  const rows = deriveRandom(0, 'bench-synth', 'timing').permutation(full.numRows).subarray(0, 4000).sort();
  const table = selectRows(full, rows);
  const cpuStart = process.cpuUsage().user;
  const gan = CtganSynthesizer.fit(table, { seed: 0, epochs: numEpochs });
  // CPU time next to wall time: on a shared machine the wall clock also counts other processes.
  const cpuMs = (process.cpuUsage().user - cpuStart) / 1000;
  return { rows: 4000, columns: full.schema.columns.length, epochs: numEpochs, batchSize: 500, trainMs: Math.round(gan.trainMs), cpuMs: Math.round(cpuMs), loadAverage1m: Number(loadavg()[0].toFixed(2)) };
}

function count(labels: Uint8Array): number {
  return labels.reduce((s, y) => s + y, 0);
}

function meanSd(values: number[]): { mean: number; sd: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = values.length > 1 ? Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1)) : 0;
  return { mean: round(mean), sd: round(sd) };
}

function round(v: number): number {
  return Number(v.toFixed(4));
}
