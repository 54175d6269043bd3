/**
 * CTGAN's data transformer (Xu et al., "Modeling Tabular Data using Conditional GAN", NeurIPS
 * 2019, §4.2): turns a table into the vectors the GAN sees and back.
 *
 * - numeric column → mode-specific normalisation: a 1-D Gaussian mixture (gmm.ts) gives modes
 *   (μ_k, σ_k); a value x is represented by a one-hot β of its mode k (sampled from the
 *   posterior, as CTGAN does, or the most likely mode) and a scalar α = (x − μ_k)/(4σ_k) clipped
 *   to [−0.99, 0.99]. Missing values get one more slot in β ("the missing mode") with α = 0, so
 *   missingness is generated like any category instead of being imputed away;
 * - categorical / ordinal / binary column → one-hot over the categories seen, plus a slot for
 *   missing when missing values occur.
 *
 * The inverse reads α and argmax β (argmax of the one-hot for categories), clamps numbers to the
 * range seen in training and rounds integer columns.
 */
import type { Matrix } from '../math/linalg.js';
import type { Random } from '../math/random.js';
import type { Schema, Table } from '../data/schema.js';
import { fitGaussianMixture, modePosteriors, type GaussianMixture1D } from './gmm.js';

/** How one output block is activated by the generator: tanh for α, softmax for one-hots. */
export interface OutputSpan {
  readonly activation: 'tanh' | 'softmax';
  readonly offset: number;
  readonly size: number;
}

/** The fitted transform of a numeric column. */
export interface NumericTransform {
  readonly kind: 'numeric';
  readonly name: string;
  /** Position of α; the mode one-hot follows (modes, then the missing slot if any). */
  readonly offset: number;
  readonly gmm: GaussianMixture1D;
  readonly hasMissing: boolean;
  readonly min: number;
  readonly max: number;
  readonly integer: boolean;
}

/** The fitted transform of a categorical column: one slot per category (null = missing). */
export interface CategoricalTransform {
  readonly kind: 'categorical';
  readonly name: string;
  readonly offset: number;
  readonly categories: readonly (string | null)[];
}

export type ColumnTransform = NumericTransform | CategoricalTransform;

/** Options of {@link TabularTransformer.fit}. */
export interface TransformerOptions {
  /** Largest number of modes per numeric column (1–10). Default 10. */
  readonly maxModes?: number;
  /** Generator for the mixture seeding. */
  readonly rng: Random;
}

/** How {@link TabularTransformer.transform} picks the mode of a value. */
export type ModeSelection = { readonly rng: Random } | 'argmax';

// Mixtures are fitted on at most this many values: EM costs rows × modes × iterations.
const MAX_FIT_ROWS = 20_000;

/**
 * A fitted CTGAN-style transformer for every column of a schema.
 *
 * @example
 * const tf = TabularTransformer.fit(table, { rng: deriveRandom(seed, 'transform') });
 * const x = tf.transform(table, { rng });      // rows × tf.width
 * const back = tf.inverse(x, table.label);     // ≈ table
 */
export class TabularTransformer {
  readonly schema: Schema;
  readonly columns: readonly ColumnTransform[];
  readonly spans: readonly OutputSpan[];
  readonly width: number;

  private constructor(schema: Schema, columns: ColumnTransform[]) {
    this.schema = schema;
    this.columns = columns;
    const spans: OutputSpan[] = [];
    let width = 0;
    for (const c of columns) {
      if (c.kind === 'numeric') {
        spans.push({ activation: 'tanh', offset: width, size: 1 });
        spans.push({ activation: 'softmax', offset: width + 1, size: numericSlots(c) });
        width += 1 + numericSlots(c);
      } else {
        spans.push({ activation: 'softmax', offset: width, size: c.categories.length });
        width += c.categories.length;
      }
    }
    this.spans = spans;
    this.width = width;
  }

  /** Fit on `table` (every column of its schema). */
  static fit(table: Table, options: TransformerOptions): TabularTransformer {
    checkTable(table);
    if (table.numRows === 0) throw new RangeError('table: expected at least one row');
    const columns: ColumnTransform[] = [];
    let offset = 0;
    for (const spec of table.schema.columns) {
      if (spec.kind === 'numeric') {
        const values = table.numeric[spec.name];
        if (!values) throw new TypeError(`table: missing numeric column "${spec.name}"`);
        const present = values.filter((v) => !Number.isNaN(v));
        const hasMissing = present.length < values.length;
        const sample = present.length > MAX_FIT_ROWS ? subsample(present, options.rng) : present;
        const gmm = present.length > 0 ? fitGaussianMixture(sample, { maxModes: options.maxModes, rng: options.rng }) : emptyMixture();
        let min = Infinity;
        let max = -Infinity;
        let integral = true;
        for (const v of present) {
          if (v < min) min = v;
          if (v > max) max = v;
          if (!Number.isInteger(v)) integral = false;
        }
        const column: NumericTransform = { kind: 'numeric', name: spec.name, offset, gmm, hasMissing, min, max, integer: spec.integer === true || integral };
        columns.push(column);
        offset += 1 + numericSlots(column);
      } else {
        const values = table.categorical[spec.name];
        if (!values) throw new TypeError(`table: missing categorical column "${spec.name}"`);
        const seen = new Set(values);
        const categories: (string | null)[] = (spec.categories ?? []).filter((c) => seen.has(c));
        for (const v of values) if (v !== null && !categories.includes(v)) categories.push(v);
        if (seen.has(null)) categories.push(null);
        columns.push({ kind: 'categorical', name: spec.name, offset, categories });
        offset += categories.length;
      }
    }
    return new TabularTransformer(table.schema, columns);
  }

  /** Encode every row of `table` (rows × {@link width}). */
  transform(table: Table, modes: ModeSelection): Matrix {
    checkTable(table);
    const w = this.width;
    const data = new Float64Array(table.numRows * w);
    const posterior = new Float64Array(10);
    for (const c of this.columns) {
      if (c.kind === 'numeric') {
        const values = table.numeric[c.name];
        if (!values) throw new TypeError(`table: missing numeric column "${c.name}"`);
        const k = c.gmm.means.length;
        for (let i = 0; i < table.numRows; i++) {
          const o = i * w + c.offset;
          const x = values[i];
          if (Number.isNaN(x)) {
            if (!c.hasMissing) throw new RangeError(`table: column "${c.name}" has a missing value but had none when fitted`);
            data[o + 1 + k] = 1;
            continue;
          }
          modePosteriors(c.gmm, x, posterior);
          const mode = modes === 'argmax' ? argmax(posterior, 0, k) : drawIndex(posterior, k, modes.rng);
          const alpha = (x - c.gmm.means[mode]) / (4 * c.gmm.stds[mode]);
          data[o] = Math.min(0.99, Math.max(-0.99, alpha));
          data[o + 1 + mode] = 1;
        }
      } else {
        const values = table.categorical[c.name];
        if (!values) throw new TypeError(`table: missing categorical column "${c.name}"`);
        const slot = new Map(c.categories.map((cat, j) => [cat, j]));
        for (let i = 0; i < table.numRows; i++) {
          const j = slot.get(values[i]);
          if (j === undefined) throw new RangeError(`table: column "${c.name}" has value ${JSON.stringify(values[i])} not seen when fitted`);
          data[i * w + c.offset + j] = 1;
        }
      }
    }
    return { data, rows: table.numRows, cols: w };
  }

  /**
   * Decode generator output (or {@link transform} output) into a table with labels `label`.
   * Modes and categories are read by argmax, so soft one-hots decode too.
   */
  inverse(x: Matrix, label: Uint8Array): Table {
    if (typeof x !== 'object' || x === null || !(x.data instanceof Float64Array) || x.cols !== this.width || x.data.length !== x.rows * x.cols) {
      throw new TypeError(`x: expected a Matrix with ${this.width} columns`);
    }
    if (!(label instanceof Uint8Array) || label.length !== x.rows) throw new TypeError(`label: expected a Uint8Array of length ${x.rows}`);
    const n = x.rows;
    const w = this.width;
    const numeric: Record<string, Float64Array> = {};
    const categorical: Record<string, (string | null)[]> = {};
    for (const c of this.columns) {
      if (c.kind === 'numeric') {
        const out = new Float64Array(n);
        const k = c.gmm.means.length;
        for (let i = 0; i < n; i++) {
          const o = i * w + c.offset;
          const mode = argmax(x.data, o + 1, numericSlots(c));
          // A column with no value at all when fitted (min > max) can only be generated missing.
          if (mode === k || !(c.max >= c.min)) { out[i] = NaN; continue; }
          const alpha = Math.min(1, Math.max(-1, x.data[o]));
          let v = alpha * 4 * c.gmm.stds[mode] + c.gmm.means[mode];
          v = Math.min(c.max, Math.max(c.min, v));
          out[i] = c.integer ? Math.round(v) : v;
        }
        numeric[c.name] = out;
      } else {
        const out = new Array<string | null>(n);
        for (let i = 0; i < n; i++) out[i] = c.categories[argmax(x.data, i * w + c.offset, c.categories.length)];
        categorical[c.name] = out;
      }
    }
    return { schema: this.schema, numRows: n, numeric, categorical, label: label.slice() };
  }
}

/** Slots of a numeric column's mode one-hot: its modes plus one for missing values if any. */
export function numericSlots(c: NumericTransform): number {
  return c.gmm.means.length + (c.hasMissing ? 1 : 0);
}

/** Index of the largest of `size` entries starting at `offset` (first one on ties). */
export function argmax(values: Float64Array, offset: number, size: number): number {
  let best = 0;
  for (let k = 1; k < size; k++) if (values[offset + k] > values[offset + best]) best = k;
  return best;
}

function drawIndex(p: Float64Array, size: number, rng: Random): number {
  let u = rng.next();
  for (let k = 0; k < size - 1; k++) {
    u -= p[k];
    if (u < 0) return k;
  }
  return size - 1;
}

function emptyMixture(): GaussianMixture1D {
  return { weights: Float64Array.of(1), means: Float64Array.of(0), stds: Float64Array.of(1) };
}

function subsample(values: Float64Array, rng: Random): Float64Array {
  const order = rng.permutation(values.length);
  return Float64Array.from(order.subarray(0, MAX_FIT_ROWS), (i) => values[i]);
}

function checkTable(table: Table): void {
  if (typeof table !== 'object' || table === null || !table.schema || !Number.isInteger(table.numRows)) throw new TypeError('table: expected a Table');
}
