/**
 * Counterfactual benchmark ("what would change the decision", src/scoring/counterfactual.ts):
 * time per record over all 1000 German applicants for a logistic regression, an MLP and boosted
 * trees trained on the German file (seeded; GBDT with the default 200 trees of depth 3), after a
 * warm-up pass. Reports mean / median / p95 / max ms per record, the same split by decision
 * (approvals only compute a margin), the share of records that needed the pair search, rows
 * scored per record, and the time of a 1000-record batch (what POST /api/v1/score would add with
 * `explain=true`). Prints JSON and writes bench/results/counterfactual.json.
 *
 * Usage: node --import tsx bench/counterfactual.ts [--records N]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { germanSchema } from '../src/data/builtin/german.js';
import { loadBuiltin } from '../src/data/builtin/index.js';
import { featureColumns } from '../src/data/schema.js';
import { deriveRandom } from '../src/math/random.js';
import { trainGbdtOnTable } from '../src/model/gbdt/local.js';
import { gbdtParams } from '../src/model/gbdt/params.js';
import { LogisticRegression } from '../src/model/logistic.js';
import { Mlp } from '../src/model/mlp.js';
import { trainLocal } from '../src/model/train.js';
import { encodeTable, fitEncoder, labelsOf } from '../src/preprocess/encoder.js';
import { localStats, statsLayout } from '../src/preprocess/stats.js';
import { baselineFromStats } from '../src/scoring/baseline.js';
import { counterfactuals } from '../src/scoring/counterfactual.js';
import { Scorer } from '../src/scoring/scorer.js';
import { TreeAttributor } from '../src/scoring/treeAttributor.js';

const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const round3 = (x: number) => Math.round(x * 1000) / 1000;

function summary(ms: number[]) {
  if (ms.length === 0) return null;
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { count: ms.length, meanMs: round3(ms.reduce((s, x) => s + x, 0) / ms.length), medianMs: round3(at(0.5)), p95Ms: round3(at(0.95)), maxMs: round3(sorted[sorted.length - 1]) };
}

function scorers(): Record<string, Scorer> {
  const table = loadBuiltin('german');
  const layout = statsLayout(featureColumns(germanSchema));
  const stats = localStats(table, layout);
  const encoder = fitEncoder(layout.slots.map((s) => s.column), stats, layout);
  const x = encodeTable(encoder, table);
  const y = labelsOf(table);
  const baseline = baselineFromStats(encoder, stats, layout);
  const logreg = new LogisticRegression(x.cols);
  trainLocal(logreg, { x, y }, { epochs: 30, lr: 0.05, l2: 1e-3, rng: deriveRandom(1, 'bench-counterfactual', 'logreg') });
  const mlp = new Mlp(x.cols, { hidden: [16, 8], activation: 'tanh' }, deriveRandom(1, 'bench-counterfactual', 'mlp-init'));
  trainLocal(mlp, { x, y }, { epochs: 20, lr: 0.01, optimizer: 'adam', rng: deriveRandom(1, 'bench-counterfactual', 'mlp') });
  const trees = new TreeAttributor(trainGbdtOnTable(table, gbdtParams()));
  return {
    logreg: new Scorer({ schema: germanSchema, encoder, model: logreg, modelVersion: 'bench', baseline }),
    mlp: new Scorer({ schema: germanSchema, encoder, model: mlp, modelVersion: 'bench', baseline }),
    gbdt: new Scorer({ schema: germanSchema, encoder: trees.encoder, attributor: trees, modelVersion: 'bench' }),
  };
}

function main(): void {
  const table = loadBuiltin('german');
  const numRecords = Math.min(table.numRows, arg('records', table.numRows));
  const results: Record<string, unknown> = {};
  for (const [name, scorer] of Object.entries(scorers())) {
    for (let i = 0; i < Math.min(100, numRecords); i++) counterfactuals(scorer, table, i); // warm-up (JIT)
    const all: number[] = [];
    const byDecision: Record<string, number[]> = { approve: [], review: [], decline: [] };
    let pairs = 0;
    let none = 0;
    let evaluations = 0;
    const batchStart = performance.now();
    for (let i = 0; i < numRecords; i++) {
      const t0 = performance.now();
      const answer = counterfactuals(scorer, table, i);
      const ms = performance.now() - t0;
      all.push(ms);
      byDecision[answer.decision].push(ms);
      evaluations += answer.evaluations;
      if (answer.suggestions.some((s) => s.changes.length === 2)) pairs++;
      if (answer.decision !== 'approve' && answer.suggestions.length === 0) none++;
    }
    const batchMs = performance.now() - batchStart;
    results[name] = {
      perRecord: summary(all),
      byDecision: { approve: summary(byDecision.approve), review: summary(byDecision.review), decline: summary(byDecision.decline) },
      shareNeedingPairs: round3(pairs / numRecords),
      notApprovedWithoutSuggestion: none,
      rowsScoredPerRecord: round3(evaluations / numRecords),
      batchOf: numRecords,
      batchMs: Math.round(batchMs),
    };
  }
  const out = {
    benchmark: 'counterfactual',
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', node: process.version },
    dataset: 'german (1000 applicants), thresholds review 1/6, decline 0.5',
    models: { logreg: '30 epochs SGD', mlp: 'hidden [16, 8] tanh, 20 epochs Adam', gbdt: 'GBDT_DEFAULTS (200 trees, depth 3)' },
    results,
  };
  const text = JSON.stringify(out, null, 2);
  console.log(text);
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(new URL('./results/counterfactual.json', import.meta.url), `${text}\n`);
}

main();
