/**
 * SMOTE-NC, the baseline oversampler for mixed numeric/nominal data (Chawla, Bowyer, Hall &
 * Kegelmeyer, "SMOTE: Synthetic Minority Over-sampling Technique", JAIR 16, 2002, §6.1):
 *
 * 1. Med = the median, over numeric columns, of the standard deviation within the class;
 * 2. the distance between two rows of the class is the Euclidean distance over numeric columns
 *    plus Med² for every nominal column where they differ;
 * 3. a new row takes a random row of the class and one of its k nearest neighbours (same class),
 *    interpolates every numeric column at one random gap u ~ U(0, 1) and gives every nominal
 *    column the value held by most of the k nearest neighbours.
 *
 * Numeric columns are first standardised with the mean and standard deviation of the whole
 * table (credit amounts in thousands would otherwise drown ages in tens); Med is then taken in
 * those units, as the paper does on its (unscaled) features. Missing values, which the paper
 * does not treat: a numeric value missing on one side counts as a Med² mismatch and on both
 * sides as equal; a new row keeps the base row's missing value, and uses the base value when
 * only the neighbour's is missing; a missing category is one more category. Ties of the vote go
 * to the base row's value if it is among them, otherwise to the nearest neighbour's. Integer
 * columns (declared so, or with only whole values) are rounded, so exports pass the strict loader.
 */
import type { Table } from '../data/schema.js';
import type { Random } from '../math/random.js';
import { checkSampleArgs, type Synthesizer } from './synthesizer.js';

/** Options of {@link SmoteNc.fit}. */
export interface SmoteNcOptions {
  /** Neighbours per row (the paper and imbalanced-learn: 5); capped at the class size − 1. */
  readonly k?: number;
}

interface NumericColumn {
  readonly name: string;
  readonly values: Float64Array;
  readonly mean: number;
  readonly std: number;
  readonly integer: boolean;
}

/** A fitted SMOTE-NC oversampler; neighbour lists are built per class on first use. */
export class SmoteNc implements Synthesizer {
  readonly method = 'smotenc' as const;
  readonly k: number;
  private readonly table: Table;
  private readonly numeric: readonly NumericColumn[];
  private readonly nominal: readonly { readonly name: string; readonly values: readonly (string | null)[] }[];
  private readonly neighbours = new Map<number, { rows: Uint32Array; knn: Uint32Array; k: number }>();

  private constructor(table: Table, k: number) {
    this.table = table;
    this.k = k;
    this.numeric = table.schema.columns
      .filter((c) => c.kind === 'numeric')
      .map((c) => {
        const values = table.numeric[c.name];
        if (!values) throw new TypeError(`table: missing numeric column "${c.name}"`);
        const { mean, std, integral } = summary(values, [...values.keys()]);
        return { name: c.name, values, mean, std: std > 0 ? std : 1, integer: c.integer === true || integral };
      });
    this.nominal = table.schema.columns
      .filter((c) => c.kind !== 'numeric')
      .map((c) => {
        const values = table.categorical[c.name];
        if (!values) throw new TypeError(`table: missing categorical column "${c.name}"`);
        return { name: c.name, values };
      });
  }

  /**
   * Prepare SMOTE-NC on `table`'s rows (the node's own).
   *
   * @example
   * const smote = SmoteNc.fit(train, { k: 5 });
   * const bads = smote.sample(500, 1, deriveRandom(seed, 'smote'));
   */
  static fit(table: Table, options: SmoteNcOptions = {}): SmoteNc {
    if (typeof table !== 'object' || table === null || !(table.label instanceof Uint8Array)) throw new TypeError('table: expected a Table');
    const k = options.k ?? 5;
    if (!Number.isInteger(k) || k < 1 || k > 100) throw new RangeError(`options.k: expected an integer in [1, 100], got ${k}`);
    return new SmoteNc(table, k);
  }

  /** The median within-class standard deviation Med of class `label`, in standardised units. */
  medianStd(label: 0 | 1): number {
    const rows = this.rowsOf(label);
    const stds = this.numeric.map((c) => summary(c.values, rows).std / c.std).sort((a, b) => a - b);
    if (stds.length === 0) return 1; // nominal columns only: any constant orders neighbours alike
    const mid = stds.length >> 1;
    return stds.length % 2 === 1 ? stds[mid] : (stds[mid - 1] + stds[mid]) / 2;
  }

  /** Squared SMOTE-NC distance between rows a and b of the table, given Med². */
  distanceSquared(a: number, b: number, medSquared: number): number {
    let d = 0;
    for (const c of this.numeric) {
      const x = c.values[a];
      const y = c.values[b];
      const missing = (Number.isNaN(x) ? 1 : 0) + (Number.isNaN(y) ? 1 : 0);
      if (missing === 1) d += medSquared;
      else if (missing === 0) {
        const z = (x - y) / c.std;
        d += z * z;
      }
    }
    for (const c of this.nominal) if (c.values[a] !== c.values[b]) d += medSquared;
    return d;
  }

  /** The k nearest neighbours (row indices of the table, nearest first) of row `row` within its class. */
  nearestNeighbours(row: number): number[] {
    const label = this.table.label[row] as 0 | 1;
    const { rows, knn, k } = this.neighbourIndex(label);
    const at = rows.indexOf(row);
    if (at < 0) throw new RangeError(`row: expected a row index in [0, ${this.table.numRows}), got ${row}`);
    return Array.from(knn.subarray(at * k, (at + 1) * k), (j) => rows[j]);
  }

  /** `numRows` new rows of class `label`; see {@link Synthesizer.sample}. */
  sample(numRows: number, label: 0 | 1, rng: Random): Table {
    checkSampleArgs(numRows, label);
    const { rows, knn, k } = this.neighbourIndex(label);
    const numeric: Record<string, Float64Array> = Object.fromEntries(this.numeric.map((c) => [c.name, new Float64Array(numRows)]));
    const nominal: Record<string, (string | null)[]> = Object.fromEntries(this.nominal.map((c) => [c.name, new Array<string | null>(numRows)]));
    for (let s = 0; s < numRows; s++) {
      const b = rng.int(rows.length);
      const base = rows[b];
      const other = rows[knn[b * k + rng.int(k)]];
      const gap = rng.next();
      for (const c of this.numeric) {
        const x = c.values[base];
        const y = c.values[other];
        const v = Number.isNaN(y) || Number.isNaN(x) ? x : x + gap * (y - x);
        numeric[c.name][s] = c.integer ? Math.round(v) : v;
      }
      for (const c of this.nominal) nominal[c.name][s] = vote(c.values, base, knn.subarray(b * k, (b + 1) * k), rows);
    }
    return { schema: this.table.schema, numRows, numeric, categorical: nominal, label: new Uint8Array(numRows).fill(label) };
  }

  private rowsOf(label: 0 | 1): number[] {
    const rows: number[] = [];
    for (let i = 0; i < this.table.numRows; i++) if (this.table.label[i] === label) rows.push(i);
    return rows;
  }

  /** Brute-force k-NN within the class (O(n_class²)), computed once per class. */
  private neighbourIndex(label: 0 | 1): { rows: Uint32Array; knn: Uint32Array; k: number } {
    const cached = this.neighbours.get(label);
    if (cached) return cached;
    const rows = Uint32Array.from(this.rowsOf(label));
    if (rows.length < 2) throw new RangeError(`label: SMOTE-NC needs at least 2 rows of class ${label}, found ${rows.length}`);
    const k = Math.min(this.k, rows.length - 1);
    const med = this.medianStd(label);
    const knn = new Uint32Array(rows.length * k);
    const dist = new Float64Array(rows.length);
    const order = new Uint32Array(rows.length);
    for (let a = 0; a < rows.length; a++) {
      for (let b = 0; b < rows.length; b++) {
        dist[b] = b === a ? Infinity : this.distanceSquared(rows[a], rows[b], med * med);
        order[b] = b;
      }
      // Stable on ties (earlier rows first), so the result does not depend on the sort engine.
      order.sort((p, q) => dist[p] - dist[q] || p - q);
      knn.set(order.subarray(0, k), a * k);
    }
    const index = { rows, knn, k };
    this.neighbours.set(label, index);
    return index;
  }
}

/** Majority category among the neighbours; ties to the base row's value, else the nearest's. */
function vote(values: readonly (string | null)[], base: number, neighbours: Uint32Array, rows: Uint32Array): string | null {
  const counts = new Map<string | null, number>();
  for (const j of neighbours) counts.set(values[rows[j]], (counts.get(values[rows[j]]) ?? 0) + 1);
  const best = Math.max(...counts.values());
  if (counts.get(values[base]) === best) return values[base];
  for (const j of neighbours) if (counts.get(values[rows[j]]) === best) return values[rows[j]];
  return values[base];
}

/** Mean, population standard deviation and integrality of the present values of `rows`. */
function summary(values: Float64Array, rows: readonly number[]): { mean: number; std: number; integral: boolean } {
  let n = 0;
  let sum = 0;
  let integral = true;
  for (const i of rows) {
    const v = values[i];
    if (Number.isNaN(v)) continue;
    n++;
    sum += v;
    if (!Number.isInteger(v)) integral = false;
  }
  const mean = n > 0 ? sum / n : 0;
  let sq = 0;
  for (const i of rows) if (!Number.isNaN(values[i])) sq += (values[i] - mean) * (values[i] - mean);
  return { mean, std: n > 0 ? Math.sqrt(sq / n) : 0, integral };
}
