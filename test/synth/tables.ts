/** Small seeded tables for the synth tests: two numeric columns (one bimodal, one integer) and one categorical, with missing values. */
import type { Schema, Table } from '../../src/data/schema.js';
import { deriveRandom } from '../../src/math/random.js';

export const toySchema: Schema = {
  name: 'toy',
  columns: [
    { name: 'amount', kind: 'numeric', min: 0 },
    { name: 'age', kind: 'numeric', integer: true, min: 18, max: 99 },
    { name: 'home', kind: 'categorical', categories: ['rent', 'own', 'other'] },
  ],
  target: { name: 'status', bad: 'bad', good: 'good' },
  missingTokens: ['NA', ''],
};

/**
 * `numRows` rows: bads (share `badShare`) borrow around 5,000, goods around 1,000 (σ 100);
 * age uniform 18–70; home rent/own/other with class-dependent odds; ~5 % of amounts and homes missing.
 */
export function toyTable(numRows: number, seed = 1, badShare = 0.3): Table {
  const rng = deriveRandom(seed, 'toy-table');
  const amount = new Float64Array(numRows);
  const age = new Float64Array(numRows);
  const home: (string | null)[] = [];
  const label = new Uint8Array(numRows);
  for (let i = 0; i < numRows; i++) {
    const bad = rng.next() < badShare ? 1 : 0;
    label[i] = bad;
    amount[i] = rng.next() < 0.05 ? NaN : Math.max(0, (bad ? 5000 : 1000) + 100 * rng.normal());
    age[i] = 18 + rng.int(53);
    const u = rng.next();
    home.push(u < 0.05 ? null : u < (bad ? 0.7 : 0.3) ? 'rent' : u < 0.9 ? 'own' : 'other');
  }
  return { schema: toySchema, numRows, numeric: { amount, age }, categorical: { home }, label };
}
