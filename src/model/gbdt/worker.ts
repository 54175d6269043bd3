/**
 * The row-holding side of boosting: what a lender computes over its own rows. It keeps the
 * margin of every row under the ensemble so far (base margin plus every tree received), derives
 * the log-loss gradient g = p − y and hessian h = p(1 − p) (floored at 1e-16 like XGBoost) once
 * per tree, and answers histogram requests: for a partial tree and its open nodes, the [G, H, N]
 * sums per open node × feature × bin. Only these sums, label counts and loss sums leave it.
 * Local (pooled, node-alone) training drives one worker directly; a federation drives one per
 * lender through messages and adds their answers.
 */
import { sigmoid, softplus, type Matrix } from '../../math/linalg.js';
import { binLayout, binMatrix, checkRaw, type BinLayout, type GbdtFeature } from './features.js';
import { HIST_STRIDE } from './split.js';
import { compileTree, leafOf, type CompiledTree, type Tree } from './tree.js';

/** Rows with labels (1 = bad, 0 = good). */
export interface LabelledRows {
  readonly raw: Matrix;
  readonly labels: ArrayLike<number>;
}

interface Split {
  readonly raw: Matrix;
  readonly labels: Float64Array;
  readonly margins: Float64Array;
}

/** Smallest hessian used, so a saturated row never yields H = 0 (XGBoost's kRtEps floor). */
export const MIN_HESSIAN = 1e-16;

/** A lender's boosting state for one job; see the module doc. */
export class GbdtWorker {
  readonly features: readonly GbdtFeature[];
  readonly layout: BinLayout;
  private readonly train: Split;
  private readonly test: Split | undefined;
  private readonly bins: Uint16Array;
  private readonly trees: Tree[] = [];
  private baseMargin: number | undefined;
  private gradients: { numTrees: number; g: Float64Array; h: Float64Array } | undefined;

  constructor(features: readonly GbdtFeature[], train: LabelledRows, test?: LabelledRows) {
    this.features = features;
    this.layout = binLayout(features);
    this.train = split(features, train, 'train');
    this.test = test ? split(features, test, 'test') : undefined;
    this.bins = binMatrix(features, train.raw);
  }

  /** Trees received so far. */
  get numTrees(): number {
    return this.trees.length;
  }

  /** Number of training rows. */
  get numTrain(): number {
    return this.train.labels.length;
  }

  /** The base margin, once {@link start} was called. */
  get base(): number | undefined {
    return this.baseMargin;
  }

  /** [numRows, numBad] of the training rows: what the base margin is computed from. */
  labelSums(): Float64Array {
    let bad = 0;
    for (const y of this.train.labels) bad += y;
    return Float64Array.of(this.train.labels.length, bad);
  }

  /** Set every margin to `baseMargin` (again with the same value: no-op; another value: RangeError). */
  start(baseMargin: number): void {
    if (!Number.isFinite(baseMargin)) throw new RangeError(`baseMargin: expected a finite number, got ${baseMargin}`);
    if (this.baseMargin !== undefined) {
      if (this.baseMargin !== baseMargin) throw new RangeError(`baseMargin: this job started with ${this.baseMargin}, got ${baseMargin}`);
      return;
    }
    this.baseMargin = baseMargin;
    this.train.margins.fill(baseMargin);
    this.test?.margins.fill(baseMargin);
  }

  /**
   * [G, H, N] per open node × feature × bin (open nodes in the given order) for the rows that
   * reach each open node of `partial`, with gradients at the current margins.
   */
  histograms(partial: Tree, open: readonly number[]): Float64Array {
    this.requireStarted();
    const compiled = compileTree(partial, this.features);
    const slotOf = new Int32Array(partial.nodes.length).fill(-1);
    open.forEach((id, slot) => {
      if (!Number.isInteger(id) || id < 0 || id >= partial.nodes.length || partial.nodes[id].kind !== 'leaf' || slotOf[id] !== -1) throw new RangeError(`open[${slot}]: expected distinct leaf indices of the partial tree, got ${id}`);
      slotOf[id] = slot;
    });
    const { g, h } = this.currentGradients();
    const { rows, cols, data } = this.train.raw;
    const stride = this.layout.totalBins * HIST_STRIDE;
    const out = new Float64Array(open.length * stride);
    const offsets = this.layout.offsets;
    const bins = this.bins;
    const S = HIST_STRIDE; // a local: imported bindings can cost a getter call per access under some loaders
    for (let i = 0; i < rows; i++) {
      const slot = slotOf[leafOf(compiled, data, i, cols)];
      if (slot < 0) continue;
      const base = slot * stride;
      const gi = g[i], hi = h[i];
      for (let f = 0; f < cols; f++) {
        const k = base + (offsets[f] + bins[i * cols + f]) * S;
        out[k] += gi; out[k + 1] += hi; out[k + 2] += 1;
      }
    }
    return out;
  }

  /** Append a finished tree and move every margin by its leaf value. */
  addTree(tree: Tree): void {
    this.requireStarted();
    const compiled = compileTree(tree, this.features);
    addLeafValues(compiled, this.train);
    if (this.test) addLeafValues(compiled, this.test);
    this.trees.push(tree);
  }

  /** The i-th tree received. */
  tree(index: number): Tree {
    const t = this.trees[index];
    if (!t) throw new RangeError(`index: expected a tree index below ${this.trees.length}, got ${index}`);
    return t;
  }

  /** [Σ log loss, numRows] of the training rows at the current margins. */
  lossSums(): Float64Array {
    this.requireStarted();
    const { margins, labels } = this.train;
    let loss = 0;
    for (let i = 0; i < margins.length; i++) loss += softplus(margins[i]) - labels[i] * margins[i];
    return Float64Array.of(loss, margins.length);
  }

  /** Probabilities of bad and labels of a split at the current margins. */
  scores(which: 'train' | 'test'): { probabilities: Float64Array; labels: Float64Array } {
    this.requireStarted();
    const s = which === 'train' ? this.train : this.test;
    if (!s) throw new RangeError('which: this worker holds no test rows');
    return { probabilities: s.margins.map(sigmoid), labels: s.labels };
  }

  private currentGradients(): { g: Float64Array; h: Float64Array } {
    if (this.gradients?.numTrees !== this.trees.length) {
      const { margins, labels } = this.train;
      const g = new Float64Array(margins.length), h = new Float64Array(margins.length);
      for (let i = 0; i < margins.length; i++) {
        const p = sigmoid(margins[i]);
        g[i] = p - labels[i];
        h[i] = Math.max(p * (1 - p), MIN_HESSIAN);
      }
      this.gradients = { numTrees: this.trees.length, g, h };
    }
    return this.gradients;
  }

  private requireStarted(): void {
    if (this.baseMargin === undefined) throw new RangeError('worker: start(baseMargin) was not called');
  }
}

function split(features: readonly GbdtFeature[], rows: LabelledRows, name: string): Split {
  checkRaw(features, rows.raw, `${name}.raw`);
  if (rows.labels.length !== rows.raw.rows) throw new RangeError(`${name}.labels: expected ${rows.raw.rows} labels, got ${rows.labels.length}`);
  const labels = Float64Array.from(rows.labels);
  if (!labels.every((y) => y === 0 || y === 1)) throw new RangeError(`${name}.labels: expected 0 or 1`);
  return { raw: rows.raw, labels, margins: new Float64Array(labels.length) };
}

function addLeafValues(tree: CompiledTree, s: Split): void {
  const { rows, cols, data } = s.raw;
  for (let i = 0; i < rows; i++) s.margins[i] += tree.value[leafOf(tree, data, i, cols)];
}
