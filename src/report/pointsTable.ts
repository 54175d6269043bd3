/**
 * The model report's scorecard section, built from what a model version stores:
 *
 * - logistic regression (one-hot categories, standardised numbers; not WOE-binned): an
 *   attribute-points table from the coefficients with the scorecard scaling of
 *   ../scoring/scale.ts (PDO 20, 600 points at 50:1 by default), the intercept spread evenly
 *   over the m characteristics as in ../scorecard/points.ts (Siddiqi's allocation). A column c
 *   with features F_c is worth
 *
 *     points_c(x) = −(Σ_{j∈F_c} β_j·x_j + α/m)·factor + offset/m,
 *
 *   so an applicant's points add up to offset − factor·z, the score whose odds are the model's
 *   probability, exactly. A category's points are fixed; a numeric column's are linear in the
 *   value (a + b·value), shown with their slope and at a few values;
 * - boosted trees: a points table does not apply; the features ranked by total split gain (the
 *   loss reduction their splits brought, XGBoost's "gain" importance), which the ensemble stores;
 * - MLP: neither applies, and the report says so.
 */
import type { ColumnSpec, Schema } from '../data/schema.js';
import type { TreeEnsembleJson } from '../model/gbdt/ensemble.js';
import type { EncoderSpec, FeatureSpec } from '../preprocess/encoder.js';
import { scaleConstants } from '../scorecard/points.js';
import { DEFAULT_SCORE_SCALE, type ScoreScale } from '../scoring/scale.js';

/** One attribute row of a characteristic. */
export interface PointsRow {
  readonly attribute: string;
  /** The codebook's words, when the schema has them. */
  readonly words: string;
  readonly points: number;
}

/** One characteristic (a model column). */
export interface PointsCharacteristic {
  readonly column: string;
  readonly description: string;
  readonly kind: 'categorical' | 'numeric';
  /** Numeric: points = intercept + slope × value (missing values excepted). */
  readonly intercept?: number;
  readonly slope?: number;
  readonly unit?: string;
  readonly rows: readonly PointsRow[];
}

/** The attribute-points table of a logistic-regression model version. */
export interface LogregPointsTable {
  readonly scale: ScoreScale;
  readonly factor: number;
  readonly offset: number;
  readonly characteristics: readonly PointsCharacteristic[];
}

/** Columns in encoder order, each with the indices of its features. */
function columnsOf(encoder: EncoderSpec): { column: string; features: { index: number; spec: FeatureSpec }[] }[] {
  const out = new Map<string, { index: number; spec: FeatureSpec }[]>();
  encoder.features.forEach((spec, index) => {
    const list = out.get(spec.column) ?? [];
    list.push({ index, spec });
    out.set(spec.column, list);
  });
  return [...out].map(([column, features]) => ({ column, features }));
}

/** A few round values of a numeric column to illustrate its points: mean − sd, mean, mean + sd (within the schema's bounds; whole numbers for an integer column). */
function illustrativeValues(mean: number, std: number, spec: ColumnSpec | undefined): number[] {
  const nice = (v: number) => (spec?.integer ? Math.round(v) : v === 0 ? 0 : Number(v.toPrecision(2)));
  const lo = spec?.min ?? (mean > 0 ? 0 : -Infinity);
  const hi = spec?.max ?? Infinity;
  const values = [mean - std, mean, mean + std].map((v) => nice(Math.min(hi, Math.max(lo, v))));
  return [...new Set(values)];
}

/**
 * The points table of a logistic regression (see the module doc). `parameters` is the model's
 * [β_1 … β_d, α]; `schema` gives descriptions and codebook words.
 *
 * @example const table = logregPointsTable(meta.encoder, Float64Array.from(params), meta.schema);
 */
export function logregPointsTable(encoder: EncoderSpec, parameters: Float64Array, schema?: Schema, scale: ScoreScale = DEFAULT_SCORE_SCALE): LogregPointsTable {
  const d = encoder.features.length;
  if (parameters.length !== d + 1) throw new RangeError(`parameters: expected ${d + 1} values (one weight per feature, then the bias), got ${parameters.length}`);
  if (!parameters.every(Number.isFinite)) throw new RangeError('parameters: expected finite values');
  const { factor, offset } = scaleConstants(scale);
  const columns = columnsOf(encoder);
  const m = columns.length;
  const alpha = parameters[d];
  const share = (z: number) => -(z + alpha / m) * factor + offset / m;
  const specs = new Map((schema?.columns ?? []).map((c) => [c.name, c] as const));
  const characteristics = columns.map(({ column, features }): PointsCharacteristic => {
    const spec = specs.get(column);
    const description = spec?.description ?? column;
    const missing = features.find((f) => f.spec.kind === 'missing');
    const numeric = features.find((f) => f.spec.kind === 'numeric');
    if (numeric && numeric.spec.kind === 'numeric') {
      const { mean, std, impute } = numeric.spec;
      const beta = parameters[numeric.index];
      // points(v) = share(β·(v − mean)/std) = a + b·v
      const slope = (-beta * factor) / std;
      const intercept = share(-beta * mean / std);
      const rows: PointsRow[] = illustrativeValues(mean, std, spec).map((v) => ({ attribute: String(v), words: `${description}: ${v}${spec?.unit ? ` ${spec.unit}` : ''}`, points: share((beta * (v - mean)) / std) }));
      if (missing) rows.push({ attribute: 'missing', words: `${description}: not given`, points: share((beta * (impute - mean)) / std + parameters[missing.index]) });
      return { column, description, kind: 'numeric', intercept, slope, ...(spec?.unit ? { unit: spec.unit } : {}), rows };
    }
    const rows: PointsRow[] = features.map(({ index, spec: f }) => (f.kind === 'category'
      ? { attribute: f.category, words: spec?.labels?.[f.category] ?? f.category, points: share(parameters[index]) }
      : { attribute: 'missing', words: `${description}: not given`, points: share(parameters[index]) }));
    rows.push({ attribute: 'other', words: `${description}: any other value`, points: share(0) });
    return { column, description, kind: 'categorical', rows };
  });
  return { scale, factor, offset, characteristics };
}

/**
 * An applicant's points per characteristic from its encoded feature row (what the table says
 * the applicant scores); they add up to offset − factor·z.
 */
export function applicantPoints(encoder: EncoderSpec, parameters: Float64Array, row: ArrayLike<number>, scale: ScoreScale = DEFAULT_SCORE_SCALE): number[] {
  const { factor, offset } = scaleConstants(scale);
  const columns = columnsOf(encoder);
  const m = columns.length;
  const alpha = parameters[encoder.features.length];
  return columns.map(({ features }) => -(features.reduce((z, f) => z + parameters[f.index] * row[f.index], 0) + alpha / m) * factor + offset / m);
}

/** One feature's share of an ensemble's split gain. */
export interface GainImportance {
  readonly column: string;
  readonly description: string;
  readonly gain: number;
  /** gain / total gain. */
  readonly share: number;
  readonly splits: number;
}

/** Features of a tree ensemble (in its JSON form) by decreasing total split gain. */
export function gbdtGainImportance(ensemble: TreeEnsembleJson, schema?: Schema): GainImportance[] {
  const gain = new Float64Array(ensemble.features.length);
  const splits = new Int32Array(ensemble.features.length);
  for (const tree of ensemble.trees) {
    for (const node of tree.nodes) {
      if (node.kind === 'leaf') continue;
      gain[node.feature] += Math.max(0, node.gain);
      splits[node.feature]++;
    }
  }
  const total = gain.reduce((s, v) => s + v, 0);
  const specs = new Map((schema?.columns ?? []).map((c) => [c.name, c] as const));
  return ensemble.features
    .map((f, i) => ({ column: f.column, description: specs.get(f.column)?.description ?? f.column, gain: gain[i], share: total > 0 ? gain[i] / total : 0, splits: splits[i] }))
    .filter((g) => g.splits > 0)
    .sort((a, b) => b.gain - a.gain);
}
