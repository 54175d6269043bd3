/**
 * A real model for the scoring tests: logistic regression (and a small MLP) trained on the
 * German credit file with the federated preprocessing path (statistics → encoder), built once
 * per test file. Seeds are fixed, so every run trains the same parameters.
 */
import { builtinDataPath, getBuiltinSchema } from '../../src/data/builtin/index.js';
import { loadCsv } from '../../src/data/csv.js';
import { featureColumns, type Table } from '../../src/data/schema.js';
import { deriveRandom } from '../../src/math/random.js';
import { LogisticRegression } from '../../src/model/logistic.js';
import { Mlp } from '../../src/model/mlp.js';
import type { Model } from '../../src/model/model.js';
import { trainLocal } from '../../src/model/train.js';
import { encodeTable, fitEncoder, labelsOf, type EncoderSpec } from '../../src/preprocess/encoder.js';
import { localStats, statsLayout, type StatsLayout } from '../../src/preprocess/stats.js';
import { baselineFromStats } from '../../src/scoring/baseline.js';

export interface Trained {
  readonly table: Table;
  readonly encoder: EncoderSpec;
  readonly layout: StatsLayout;
  readonly stats: Float64Array;
  readonly baseline: Float64Array;
  readonly logreg: Model;
  readonly mlp: Model;
}

let cached: Trained | undefined;

/** Train (once) and return the German fixtures. */
export function trained(): Trained {
  if (cached) return cached;
  const schema = getBuiltinSchema('german');
  const table = loadCsv(builtinDataPath('german'), schema);
  const layout = statsLayout(featureColumns(schema));
  const stats = localStats(table, layout);
  const encoder = fitEncoder(layout.slots.map((s) => s.column), stats, layout);
  const x = encodeTable(encoder, table);
  const y = labelsOf(table);
  const logreg = new LogisticRegression(x.cols);
  trainLocal(logreg, { x, y }, { epochs: 30, lr: 0.05, l2: 1e-3, rng: deriveRandom(11, 'scoring-test', 'logreg') });
  const mlp = new Mlp(x.cols, { hidden: [8, 4], activation: 'tanh' }, deriveRandom(11, 'scoring-test', 'mlp-init'));
  trainLocal(mlp, { x, y }, { epochs: 5, lr: 0.01, optimizer: 'adam', rng: deriveRandom(11, 'scoring-test', 'mlp') });
  cached = { table, encoder, layout, stats, baseline: baselineFromStats(encoder, stats, layout), logreg, mlp };
  return cached;
}

/** The seed request of the old /predictCreditRisk API (first row of the German file). */
export const SEED_RECORD = Object.freeze({
  existingchecking: 'A11',
  duration: 6,
  credithistory: 'A34',
  purpose: 'A43',
  creditamount: 1169,
  savings: 'A65',
  employmentsince: 'A75',
  installmentrate: 4,
  statussex: 'A93',
  otherdebtors: 'A101',
  residencesince: 4,
  property: 'A121',
  age: 67,
  otherinstallmentplans: 'A143',
  housing: 'A152',
  existingcredits: 2,
  job: 'A173',
  peopleliable: 1,
  telephone: 'A192',
  foreignworker: 'A201',
});

/** Row `i` of a table as a request record (numbers as JSON numbers, codes as strings). */
export function recordOf(table: Table, i: number): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const c of table.schema.columns) {
    out[c.name] = c.kind === 'numeric' ? table.numeric[c.name][i] : (table.categorical[c.name][i] as string);
  }
  return out;
}
