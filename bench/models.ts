/**
 * Model training speed: one local epoch of logistic regression and of MLPs on a synthetic
 * 800 × 60 matrix (the size of German credit's training split after encoding), plus the
 * 160-row share one of five nodes trains each round. Prints JSON; not a test.
 *
 * Run: node --import tsx bench/models.ts
 */
import { performance } from 'node:perf_hooks';
import { deriveRandom } from '../src/math/random.js';
import type { Matrix } from '../src/math/linalg.js';
import { createModel, trainLocal, type Model, type ModelConfig, type TrainOptions } from '../src/model/index.js';

function syntheticData(numRows: number, numFeatures: number): { x: Matrix; y: Float64Array } {
  const rng = deriveRandom(1, 'bench-data');
  const w = Array.from({ length: numFeatures }, () => rng.normal() / Math.sqrt(numFeatures));
  const x = new Float64Array(numRows * numFeatures);
  const y = new Float64Array(numRows);
  for (let i = 0; i < numRows; i++) {
    let z = -1;
    for (let j = 0; j < numFeatures; j++) z += w[j] * (x[i * numFeatures + j] = rng.normal());
    y[i] = rng.next() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  return { x: { data: x, rows: numRows, cols: numFeatures }, y };
}

interface Case {
  readonly name: string;
  readonly kind: 'logreg' | 'mlp';
  readonly config: ModelConfig;
  readonly numRows: number;
  readonly options: Omit<TrainOptions, 'rng'>;
}

function measure(c: Case): Record<string, unknown> {
  const data = syntheticData(c.numRows, 60);
  const model: Model = createModel(c.kind, 60, c.config, deriveRandom(1, 'init'));
  const start = model.getParameters();
  const run = (i: number) => {
    model.setParameters(start);
    return trainLocal(model, data, { ...c.options, rng: deriveRandom(1, 'train', i) });
  };
  for (let i = 0; i < 20; i++) run(i); // warm up the JIT
  const timesMs: number[] = [];
  const deadline = performance.now() + 1500;
  for (let i = 0; timesMs.length < 10 || (performance.now() < deadline && timesMs.length < 2000); i++) {
    const t0 = performance.now();
    run(i);
    timesMs.push(performance.now() - t0);
  }
  timesMs.sort((a, b) => a - b);
  const medianMs = timesMs[Math.floor(timesMs.length / 2)];
  return {
    name: c.name,
    numRows: c.numRows,
    numFeatures: 60,
    numParameters: model.numParameters,
    repetitions: timesMs.length,
    medianMsPerEpoch: Number(medianMs.toFixed(4)),
    epochsPerSec: Math.round(1000 / medianMs),
    rowsPerSec: Math.round((c.numRows * 1000) / medianMs),
  };
}

const sgd = { epochs: 1, batchSize: 32, lr: 0.05, optimizer: 'sgd', l2: 1e-3 } as const;
const adam = { ...sgd, optimizer: 'adam' } as const;
const cases: Case[] = [
  { name: 'logreg sgd', kind: 'logreg', config: {}, numRows: 800, options: sgd },
  { name: 'logreg adam', kind: 'logreg', config: {}, numRows: 800, options: adam },
  { name: 'logreg sgd, one node of five', kind: 'logreg', config: {}, numRows: 160, options: sgd },
  { name: 'logreg fedprox mu=0.1, one node of five', kind: 'logreg', config: {}, numRows: 160, options: { ...sgd, proximalMu: 0.1 } },
  { name: 'mlp [32] relu sgd', kind: 'mlp', config: { hidden: [32] }, numRows: 800, options: sgd },
  { name: 'mlp [32] relu adam', kind: 'mlp', config: { hidden: [32] }, numRows: 800, options: adam },
  { name: 'mlp [32, 16] tanh adam', kind: 'mlp', config: { hidden: [32, 16], activation: 'tanh' }, numRows: 800, options: adam },
];
console.log(JSON.stringify({ node: process.version, results: cases.map(measure) }, null, 2));
