/**
 * Scoring a tree ensemble through code written for encoded matrices (`encodeTable(encoder,
 * table)` then `model.predictProba(x)`, as the simulation's exact scorer does). The adapter's
 * encoder is lossless for trees: a numeric column passes through unchanged (mean 0, std 1,
 * imputed 0) followed by a missing indicator, a categorical column becomes one indicator per
 * declared category plus a missing indicator; the adapter's `predictProba` decodes that back to
 * raw values bit for bit and asks the ensemble.
 */
import type { Matrix } from '../../math/linalg.js';
import type { EncoderSpec, FeatureSpec } from '../../preprocess/encoder.js';
import type { TreeEnsemble } from './ensemble.js';
import type { GbdtFeature } from './features.js';

/** The encoder whose output {@link ensembleScoringModel} decodes (see the module doc). */
export function treeEncoderSpec(features: readonly GbdtFeature[]): EncoderSpec {
  const out: FeatureSpec[] = [];
  for (const f of features) {
    if (f.kind === 'numeric') out.push({ kind: 'numeric', column: f.column, mean: 0, std: 1, impute: 0 });
    else for (const category of f.categories) out.push({ kind: 'category', column: f.column, category });
    out.push({ kind: 'missing', column: f.column });
  }
  return { format: 'fedcredit-encoder', version: 1, features: out };
}

/** What scoring code needs of a model: probabilities for an encoded matrix. */
export interface ProbabilityModel {
  predictProba(x: Matrix): Float64Array;
}

/** Decode a {@link treeEncoderSpec} matrix into the ensemble's raw matrix. */
export function rawFromTreeEncoding(features: readonly GbdtFeature[], x: Matrix): Matrix {
  const width = features.reduce((s, f) => s + (f.kind === 'numeric' ? 2 : f.categories.length + 1), 0);
  if (typeof x !== 'object' || x === null || !(x.data instanceof Float64Array) || x.cols !== width) throw new RangeError(`x: expected a matrix of ${width} columns (the tree encoder's width)`);
  const cols = features.length;
  const data = new Float64Array(x.rows * cols);
  for (let i = 0; i < x.rows; i++) {
    let k = i * width;
    features.forEach((f, j) => {
      if (f.kind === 'numeric') {
        data[i * cols + j] = x.data[k + 1] === 1 ? NaN : x.data[k];
        k += 2;
      } else {
        let value = NaN;
        for (let c = 0; c < f.categories.length; c++) if (x.data[k + c] === 1) value = c;
        data[i * cols + j] = value;
        k += f.categories.length + 1;
      }
    });
  }
  return { data, rows: x.rows, cols };
}

/**
 * A {@link ProbabilityModel} over `treeEncoderSpec(ensemble.features)` matrices.
 *
 * @example
 * scoreUnion(ensembleScoringModel(model), treeEncoderSpec(model.features), testTable);
 */
export function ensembleScoringModel(ensemble: TreeEnsemble): ProbabilityModel {
  return { predictProba: (x) => ensemble.predictProba(rawFromTreeEncoding(ensemble.features, x)) };
}
