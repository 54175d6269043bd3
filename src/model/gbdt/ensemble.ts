/**
 * A trained tree ensemble: features (with their bins), a base margin (the log-odds of the
 * federation's bad rate) and the trees. margin(x) = baseMargin + Σ_t tree_t(x), probability of
 * bad = σ(margin). Trees are not a parameter vector, so this is not a {@link Model}: it has its
 * own versioned JSON form ({@link GBDT_FORMAT}) and scores raw matrices (see ./features.ts);
 * ./adapter.ts lets code written for encoded matrices score it.
 */
import type { Table } from '../../data/schema.js';
import { sigmoid, type Matrix } from '../../math/linalg.js';
import { checkRaw, parseFeatures, rawMatrix, type GbdtFeature } from './features.js';
import { gbdtParams, GBDT_LIMITS, type GbdtParams } from './params.js';
import { compileTree, leafOf, parseTree, type CompiledTree, type Tree } from './tree.js';

/** The `format` tag of a serialized ensemble. */
export const GBDT_FORMAT = 'fedcredit-gbdt';

/** JSON form of a {@link TreeEnsemble} (version 1). */
export interface TreeEnsembleJson {
  readonly format: typeof GBDT_FORMAT;
  readonly version: 1;
  readonly features: readonly GbdtFeature[];
  readonly baseMargin: number;
  /** The settings it was trained with (for the record; scoring does not need them). */
  readonly params: GbdtParams;
  readonly trees: readonly Tree[];
}

/** A boosted tree ensemble; see the module doc. */
export class TreeEnsemble {
  readonly features: readonly GbdtFeature[];
  readonly baseMargin: number;
  readonly params: GbdtParams;
  readonly trees: readonly Tree[];
  private compiled: CompiledTree[] | undefined;

  /** Build from parts (trees are trusted here; use {@link TreeEnsemble.fromJSON} for untrusted input). */
  constructor(fields: { features: readonly GbdtFeature[]; baseMargin: number; params: GbdtParams; trees: readonly Tree[] }) {
    if (!Array.isArray(fields.features) || fields.features.length === 0) throw new TypeError('features: expected a non-empty array');
    if (!Number.isFinite(fields.baseMargin)) throw new RangeError(`baseMargin: expected a finite number, got ${fields.baseMargin}`);
    if (!Array.isArray(fields.trees) || fields.trees.length > GBDT_LIMITS.maxTrees) throw new RangeError(`trees: expected an array of at most ${GBDT_LIMITS.maxTrees} trees`);
    this.features = fields.features;
    this.baseMargin = fields.baseMargin;
    this.params = fields.params;
    this.trees = [...fields.trees];
  }

  get numTrees(): number {
    return this.trees.length;
  }

  /** Margin (log-odds of bad) of every row of a raw matrix; trees are added in order. */
  predictMargin(raw: Matrix): Float64Array {
    checkRaw(this.features, raw, 'raw');
    const compiled = (this.compiled ??= this.trees.map((t) => compileTree(t, this.features)));
    const out = new Float64Array(raw.rows).fill(this.baseMargin);
    for (let i = 0; i < raw.rows; i++) {
      let m = out[i];
      for (const tree of compiled) m += tree.value[leafOf(tree, raw.data, i, raw.cols)];
      out[i] = m;
    }
    return out;
  }

  /** Probability of bad of every row of a raw matrix. */
  predictProba(raw: Matrix): Float64Array {
    return this.predictMargin(raw).map(sigmoid);
  }

  /** Probability of bad of every row of a table (columns looked up by name). */
  predictTable(table: Table): Float64Array {
    return this.predictProba(rawMatrix(this.features, table));
  }

  /** The ensemble of the first `numTrees` trees (the model as it was after that round). */
  truncate(numTrees: number): TreeEnsemble {
    if (!Number.isInteger(numTrees) || numTrees < 0 || numTrees > this.trees.length) throw new RangeError(`numTrees: expected an integer from 0 to ${this.trees.length}, got ${numTrees}`);
    return new TreeEnsemble({ features: this.features, baseMargin: this.baseMargin, params: this.params, trees: this.trees.slice(0, numTrees) });
  }

  /** The JSON form (see {@link TreeEnsembleJson}). */
  toJSON(): TreeEnsembleJson {
    return { format: GBDT_FORMAT, version: 1, features: this.features, baseMargin: this.baseMargin, params: this.params, trees: this.trees };
  }

  /** Serialize to a JSON string (doubles round-trip exactly). */
  serialize(): string {
    return JSON.stringify(this.toJSON());
  }

  /** Parse and validate the JSON form; throws TypeError/RangeError naming what is wrong. */
  static fromJSON(value: unknown): TreeEnsemble {
    const v = value as Partial<TreeEnsembleJson>;
    if (typeof v !== 'object' || v === null || v.format !== GBDT_FORMAT || v.version !== 1) throw new TypeError(`ensemble: expected { format: "${GBDT_FORMAT}", version: 1, ... }`);
    const features = parseFeatures(v.features);
    if (typeof v.baseMargin !== 'number' || !Number.isFinite(v.baseMargin)) throw new TypeError('ensemble.baseMargin: expected a finite number');
    if (!Array.isArray(v.trees) || v.trees.length > GBDT_LIMITS.maxTrees) throw new TypeError(`ensemble.trees: expected an array of at most ${GBDT_LIMITS.maxTrees} trees`);
    const trees = v.trees.map((t, i) => {
      try {
        return parseTree(t, features);
      } catch (err) {
        throw new TypeError(`ensemble.trees[${i}]: ${(err as Error).message}`);
      }
    });
    return new TreeEnsemble({ features, baseMargin: v.baseMargin, params: gbdtParams(v.params ?? {}), trees });
  }

  /** Inverse of {@link serialize}. */
  static deserialize(text: string): TreeEnsemble {
    if (typeof text !== 'string') throw new TypeError('text: expected a JSON string');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new TypeError('text: not valid JSON');
    }
    return TreeEnsemble.fromJSON(parsed);
  }
}
