/**
 * Fixtures of the scorecard tests: the German credit file binned on all of its rows, a WOE
 * logistic regression trained centrally on them (seeded), and the resulting scorecard; plus a
 * two-variable binning small enough to score by hand.
 */
import { loadBuiltin } from '../../src/data/builtin/index.js';
import { featureColumns, type Schema, type Table } from '../../src/data/schema.js';
import { deriveRandom } from '../../src/math/random.js';
import { LogisticRegression } from '../../src/model/logistic.js';
import { trainLocal } from '../../src/model/train.js';
import { labelsOf } from '../../src/preprocess/encoder.js';
import { fitBinning, type Binning } from '../../src/scorecard/binning.js';
import { woeMatrix } from '../../src/scorecard/encode.js';
import { localWoeCounts, woeCountsLayout } from '../../src/scorecard/fineCounts.js';
import { buildScorecard, type Scorecard } from '../../src/scorecard/points.js';

export interface GermanScorecard {
  readonly table: Table;
  readonly binning: Binning;
  readonly model: LogisticRegression;
  readonly card: Scorecard;
}

let cached: GermanScorecard | undefined;

/** The German scorecard (built once per test file). */
export function germanScorecard(): GermanScorecard {
  if (cached) return cached;
  const table = loadBuiltin('german');
  const layout = woeCountsLayout(featureColumns(table.schema));
  const binning = fitBinning(localWoeCounts(table, layout), layout);
  const x = woeMatrix(binning, table);
  const model = new LogisticRegression(x.cols);
  trainLocal(model, { x, y: labelsOf(table) }, { epochs: 40, lr: 0.05, optimizer: 'adam', l2: 1e-3, rng: deriveRandom(5, 'scorecard-fixture') });
  cached = { table, binning, model, card: buildScorecard({ binning, parameters: model.getParameters() }) };
  return cached;
}

/** Schema of the hand-made example: a code A (X, Y, Z) and a number B. */
export const tinySchema: Schema = {
  name: 'tiny',
  columns: [
    { name: 'A', kind: 'categorical', description: 'Colour', categories: ['X', 'Y', 'Z'], labels: { X: 'colour x', Y: 'colour y', Z: 'colour z' } },
    { name: 'B', kind: 'numeric', description: 'Size', unit: 'cm' },
  ],
  target: { name: 'y', bad: '1' },
  missingTokens: [],
};

const bin = (fields: Record<string, unknown>) => ({ numGood: 10, numBad: 10, iv: 0, label: 'l', words: 'w', ...fields });

/** A: X (WOE 0.5), Y (−0.5), Z never seen; B: < 10 (WOE 1), ≥ 10 (−1), no missing bin. */
export const tinyBinning: Binning = {
  format: 'fedcredit-woe-binning', version: 1, numGood: 20, numBad: 20,
  options: { maxBins: 6, minBinShare: 0.05, prebins: 20, minIv: 0.02 },
  variables: [
    { column: 'A', kind: 'categorical', description: 'Colour', trend: 'nominal', iv: 0.5, strength: 'strong', selected: true,
      bins: [bin({ kind: 'categories', categories: ['X'], woe: 0.5, label: 'X', words: 'colour x' }), bin({ kind: 'categories', categories: ['Y'], woe: -0.5, label: 'Y', words: 'colour y' })] } as never,
    { column: 'B', kind: 'numeric', description: 'Size', unit: 'cm', trend: 'increasing', iv: 0.3, strength: 'strong', selected: true,
      bins: [bin({ kind: 'range', lower: null, upper: 10, woe: 1, label: '< 10', words: 'Size: < 10 cm' }), bin({ kind: 'range', lower: 10, upper: null, woe: -1, label: '≥ 10', words: 'Size: ≥ 10 cm' })] } as never,
  ],
};

/** Rows (X, 5), (Y, 12), (Z, missing), (X, 10): the third falls in no bin of either variable. */
export function tinyTable(): Table {
  return {
    schema: tinySchema,
    numRows: 4,
    numeric: { B: Float64Array.of(5, 12, NaN, 10) },
    categorical: { A: ['X', 'Y', 'Z', 'X'] },
    label: Uint8Array.of(0, 1, 0, 1),
  };
}
