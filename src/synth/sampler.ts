/**
 * Condition vectors and CTGAN's *training-by-sampling* (Xu et al., NeurIPS 2019, §4.3), with
 * the class added as an always-present condition so that the generator can be asked for bad
 * loans specifically.
 *
 * A condition vector is [class one-hot (good, bad)] followed by one block per categorical
 * column, in which at most one slot is hot: the column/category the generator is asked to
 * produce. For a training example: (1) the class is drawn with probability ∝ log(1 + count),
 * so that a 5 % minority is seen about as often as the majority; (2) a categorical column is
 * drawn uniformly; (3) its category with probability ∝ log(1 + count within that class), so
 * rare categories are trained too; (4) a real row with that class and category is drawn
 * uniformly, and it is what the discriminator compares with the generated row. To *generate*, the
 * class is fixed and the category is drawn with its empirical frequency within the class (as
 * CTGAN samples), so the mixture over conditions reproduces p(x | class).
 */
import type { Random } from '../math/random.js';
import type { TabularTransformer } from './transform.js';

/** Where one categorical column sits in the data vector and in the condition vector. */
export interface DiscreteBlock {
  readonly dataOffset: number;
  readonly condOffset: number;
  readonly size: number;
}

/** A batch of conditions: the vectors, and per row the real row matched and the column/category asked for. */
export interface ConditionBatch {
  /** numRows × condWidth, row-major. */
  readonly cond: Float64Array;
  /** Index of the matched real row (training only). */
  readonly rows: Uint32Array;
  /** Index into {@link ConditionSampler.blocks} of the conditioned column, −1 for none. */
  readonly block: Int32Array;
  /** Category asked for in that column. */
  readonly category: Int32Array;
}

/** Number of classes in the class block (0 = good, 1 = bad). */
export const NUM_CLASSES = 2;

/**
 * Draws condition vectors for training and for generation from a table's encoded rows.
 *
 * @example
 * const sampler = new ConditionSampler(transformer, table.label);
 * sampler.training(batch, rng); sampler.generation(batch, 1, rng);
 */
export class ConditionSampler {
  readonly blocks: readonly DiscreteBlock[];
  readonly width: number;
  /** rowsOf[class][block][category]: matching rows. */
  private readonly rowsOf: Uint32Array[][][];
  private readonly rowsOfClass: Uint32Array[];
  private readonly classLogProb: Float64Array;
  /** Per class and block: cumulative probabilities, log-frequency (training) and frequency (generation). */
  private readonly trainCdf: Float64Array[][];
  private readonly sampleCdf: Float64Array[][];

  constructor(transformer: TabularTransformer, encoded: { readonly data: Float64Array; readonly rows: number; readonly cols: number }, label: Uint8Array) {
    if (!(label instanceof Uint8Array) || label.length !== encoded.rows) throw new TypeError(`label: expected a Uint8Array of length ${encoded.rows}`);
    const blocks: DiscreteBlock[] = [];
    let condOffset = NUM_CLASSES;
    for (const c of transformer.columns) {
      if (c.kind !== 'categorical') continue;
      blocks.push({ dataOffset: c.offset, condOffset, size: c.categories.length });
      condOffset += c.categories.length;
    }
    this.blocks = blocks;
    this.width = condOffset;
    const w = encoded.cols;
    const lists = Array.from({ length: NUM_CLASSES }, () => blocks.map((b) => Array.from({ length: b.size }, () => [] as number[])));
    const classLists: number[][] = Array.from({ length: NUM_CLASSES }, () => []);
    for (let i = 0; i < encoded.rows; i++) {
      const y = label[i];
      if (y > 1) throw new RangeError(`label: entry ${i} is ${y}, expected 0 or 1`);
      classLists[y].push(i);
      blocks.forEach((b, d) => {
        for (let k = 0; k < b.size; k++) if (encoded.data[i * w + b.dataOffset + k] === 1) lists[y][d][k].push(i);
      });
    }
    this.rowsOf = lists.map((perClass) => perClass.map((perBlock) => perBlock.map((rows) => Uint32Array.from(rows))));
    this.rowsOfClass = classLists.map((rows) => Uint32Array.from(rows));
    this.classLogProb = cdf(classLists.map((rows) => Math.log1p(rows.length)));
    this.trainCdf = this.rowsOf.map((perClass) => perClass.map((perBlock) => cdf(perBlock.map((rows) => Math.log1p(rows.length)))));
    this.sampleCdf = this.rowsOf.map((perClass) => perClass.map((perBlock) => cdf(perBlock.map((rows) => rows.length))));
  }

  /** Whether the training rows held any row of class `label`. */
  hasClass(label: number): boolean {
    return this.rowsOfClass[label]?.length > 0;
  }

  /** Training conditions with matched real rows (training-by-sampling, see the module comment). */
  training(numRows: number, rng: Random): ConditionBatch {
    const batch = emptyBatch(numRows, this.width);
    for (let i = 0; i < numRows; i++) {
      const y = drawFrom(this.classLogProb, rng);
      batch.cond[i * this.width + y] = 1;
      if (this.blocks.length === 0) {
        const rows = this.rowsOfClass[y];
        batch.rows[i] = rows[rng.int(rows.length)];
        batch.block[i] = -1;
        continue;
      }
      const d = rng.int(this.blocks.length);
      const k = drawFrom(this.trainCdf[y][d], rng);
      const rows = this.rowsOf[y][d][k];
      batch.rows[i] = rows[rng.int(rows.length)];
      this.setCategory(batch, i, d, k);
    }
    return batch;
  }

  /** Generation conditions for class `label`: category drawn with its frequency within the class. */
  generation(numRows: number, label: number, rng: Random): ConditionBatch {
    if (!this.hasClass(label)) throw new RangeError(`label: class ${label} did not occur in the training rows`);
    const batch = emptyBatch(numRows, this.width);
    for (let i = 0; i < numRows; i++) {
      batch.cond[i * this.width + label] = 1;
      if (this.blocks.length === 0) { batch.block[i] = -1; continue; }
      const d = rng.int(this.blocks.length);
      this.setCategory(batch, i, d, drawFrom(this.sampleCdf[label][d], rng));
    }
    return batch;
  }

  private setCategory(batch: ConditionBatch, i: number, d: number, k: number): void {
    batch.cond[i * this.width + this.blocks[d].condOffset + k] = 1;
    batch.block[i] = d;
    batch.category[i] = k;
  }
}

function emptyBatch(numRows: number, width: number): ConditionBatch {
  return { cond: new Float64Array(numRows * width), rows: new Uint32Array(numRows), block: new Int32Array(numRows), category: new Int32Array(numRows) };
}

/** Cumulative distribution of non-negative weights (all-zero weights give an all-zero CDF). */
function cdf(weights: readonly number[]): Float64Array {
  const total = weights.reduce((a, b) => a + b, 0);
  const out = new Float64Array(weights.length);
  let acc = 0;
  weights.forEach((w, k) => (out[k] = total > 0 ? (acc += w) / total : 0));
  return out;
}

function drawFrom(cumulative: Float64Array, rng: Random): number {
  const u = rng.next();
  for (let k = 0; k < cumulative.length - 1; k++) if (u < cumulative[k]) return k;
  return cumulative.length - 1;
}
