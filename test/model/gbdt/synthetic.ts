/**
 * Seeded synthetic credit tables for the GBDT tests: two numeric columns (one with missing
 * values), a categorical column with four categories (and missing values) and a binary column;
 * the label follows a logistic model with an interaction, so trees have something to find.
 */
import type { Schema, Table } from '../../../src/data/schema.js';
import { deriveRandom } from '../../../src/math/random.js';

export const syntheticSchema: Schema = {
  name: 'synthetic',
  columns: [
    { name: 'income', kind: 'numeric' },
    { name: 'debt', kind: 'numeric' },
    { name: 'home', kind: 'categorical', categories: ['rent', 'own', 'parents', 'other'] },
    { name: 'records', kind: 'binary', categories: ['no', 'yes'] },
  ],
  target: { name: 'bad', bad: '1' },
  missingTokens: ['NA'],
};

/** `numRows` rows drawn from the seed (`seed` and `part` name the stream). */
export function syntheticTable(numRows: number, seed: number | string, part = 'rows'): Table {
  const rng = deriveRandom(seed, 'synthetic', part);
  const income = new Float64Array(numRows);
  const debt = new Float64Array(numRows);
  const home: (string | null)[] = [];
  const records: (string | null)[] = [];
  const label = new Uint8Array(numRows);
  const homes = ['rent', 'own', 'parents', 'other'];
  const homeEffect = [0.6, -0.7, 0.2, 0.9];
  for (let i = 0; i < numRows; i++) {
    income[i] = Math.round(Math.exp(7 + 0.5 * rng.normal()));
    debt[i] = rng.next() < 0.1 ? NaN : Math.round(2000 * rng.next());
    const h = rng.int(4);
    home.push(rng.next() < 0.05 ? null : homes[h]);
    const rec = rng.next() < 0.2;
    records.push(rec ? 'yes' : 'no');
    const z = -1 + 1.2 * (Math.log(income[i]) < 6.8 ? 1 : 0) + (Number.isNaN(debt[i]) ? 0.8 : debt[i] / 1500) + homeEffect[h] + (rec ? 1.5 : 0) * (debt[i] > 1000 ? 1 : 0.3);
    label[i] = rng.next() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  return { schema: syntheticSchema, numRows, numeric: { income, debt }, categorical: { home, records }, label };
}
