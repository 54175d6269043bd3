/**
 * Scorecard points from a logistic regression on WOE features (Siddiqi, "Credit Risk
 * Scorecards", Wiley 2006, ch. 6 "Scaling"; scaling constants from ../scoring/scale.ts).
 *
 * The model predicts the logit of *default* z = α + Σ_j β_j·WOE_j over m characteristics. The
 * scale says score = offset + factor·ln(odds of good) = offset − factor·z, with
 * factor = PDO / ln 2 and offset = base − factor·ln(base odds). Spreading the intercept evenly
 * over the characteristics (Siddiqi's allocation), attribute i of characteristic j is worth
 *
 *   points_ij = −(β_j·WOE_ij + α/m)·factor + offset/m,
 *
 * so an applicant's points add up to offset − factor·z exactly (up to floating-point
 * rounding, about 1e-13 points), and the probability of default is recovered from the score as
 * p = 1 / (1 + exp(−(offset − score)/factor)). Points are kept unrounded for that reason; round
 * them only for display.
 *
 * Values that fall in no bin (a category or a missing value unseen in training) get the
 * "other" attribute: WOE 0, i.e. −(α/m)·factor + offset/m, the points of average evidence.
 */
import type { Table } from '../data/schema.js';
import { sigmoid } from '../math/linalg.js';
import { checkScoreScale, DEFAULT_SCORE_SCALE, type ScoreScale } from '../scoring/scale.js';
import type { Binning } from './binning.js';
import { assignBins, selectedVariables } from './encode.js';

/** One attribute (row) of a characteristic. */
export interface ScorecardAttribute {
  /** Index of the coarse bin in the variable's bins; −1 for the "other" attribute. */
  readonly bin: number;
  readonly label: string;
  readonly words: string;
  readonly woe: number;
  readonly points: number;
}

/** One characteristic: a selected variable with its coefficient and attribute points. */
export interface Characteristic {
  readonly column: string;
  readonly description?: string;
  /** β_j of the WOE feature (negative when the WOE sign convention holds). */
  readonly coefficient: number;
  /** The variable's bins in order, then the "other" attribute. */
  readonly attributes: readonly ScorecardAttribute[];
  /** Highest points over the bins ("other" excluded): the baseline of reason codes. */
  readonly maxPoints: number;
  readonly minPoints: number;
}

/** A points scorecard in its JSON form. */
export interface Scorecard {
  readonly format: 'fedcredit-scorecard';
  readonly version: 1;
  readonly scale: ScoreScale;
  /** PDO / ln 2. */
  readonly factor: number;
  /** base − factor·ln(base odds). */
  readonly offset: number;
  /** α of the WOE logistic regression. */
  readonly intercept: number;
  readonly binning: Binning;
  /** In the order of the selected variables of `binning`. */
  readonly characteristics: readonly Characteristic[];
}

/** Options of {@link buildScorecard}. */
export interface ScorecardOptions {
  readonly binning: Binning;
  /** Logistic-regression parameters [β_1 … β_m, α] (the LogisticRegression layout). */
  readonly parameters: Float64Array;
  /** Default 600 points at 50:1, 20 points to double the odds. */
  readonly scale?: ScoreScale;
}

/** factor and offset of a scale (see the module doc). */
export function scaleConstants(scale: ScoreScale): { factor: number; offset: number } {
  checkScoreScale(scale);
  const factor = scale.pointsToDouble / Math.LN2;
  return { factor, offset: scale.basePoints - factor * Math.log(scale.baseOdds) };
}

/**
 * Turn a WOE logistic regression into attribute points (see the module doc).
 *
 * @example const card = buildScorecard({ binning, parameters: model.getParameters() });
 */
export function buildScorecard(options: ScorecardOptions): Scorecard {
  if (typeof options !== 'object' || options === null) throw new TypeError('options: expected { binning, parameters, scale? }');
  const { binning, parameters } = options;
  const scale = Object.freeze({ ...checkScoreScale(options.scale ?? DEFAULT_SCORE_SCALE, 'options.scale') });
  if (typeof binning !== 'object' || binning === null || !Array.isArray(binning.variables)) throw new TypeError('options.binning: expected a Binning');
  const variables = selectedVariables(binning);
  const m = variables.length;
  if (m === 0) throw new RangeError('options.binning: no variable is selected (every IV is below minIv)');
  if (!(parameters instanceof Float64Array)) throw new TypeError('options.parameters: expected a Float64Array');
  if (parameters.length !== m + 1) throw new RangeError(`options.parameters: expected ${m + 1} values (one weight per selected variable, then the bias), got ${parameters.length}`);
  if (!parameters.every(Number.isFinite)) throw new RangeError('options.parameters: expected finite values');
  const { factor, offset } = scaleConstants(scale);
  const intercept = parameters[m];
  const pointsOf = (beta: number, woe: number) => -(beta * woe + intercept / m) * factor + offset / m;
  const characteristics = variables.map((v, j): Characteristic => {
    const beta = parameters[j];
    const attributes: ScorecardAttribute[] = v.bins.map((b, k) => ({ bin: k, label: b.label, words: b.words, woe: b.woe, points: pointsOf(beta, b.woe) }));
    const binPoints = attributes.map((a) => a.points);
    attributes.push({ bin: -1, label: 'other', words: `${v.description ?? v.column}: any other value`, woe: 0, points: pointsOf(beta, 0) });
    return {
      column: v.column,
      ...(v.description !== undefined ? { description: v.description } : {}),
      coefficient: beta,
      attributes,
      maxPoints: Math.max(...binPoints),
      minPoints: Math.min(...binPoints),
    };
  });
  return { format: 'fedcredit-scorecard', version: 1, scale, factor, offset, intercept, binning, characteristics };
}

/** Points of every applicant. */
export interface ScoredTable {
  readonly numRows: number;
  /** Number of characteristics m. */
  readonly numCharacteristics: number;
  /** Row-major numRows × m: the points of each characteristic. */
  readonly points: Float64Array;
  /** Row-major numRows × m: the attribute index (into `characteristic.attributes`). */
  readonly attributes: Int32Array;
  /** Total score per row (sum of its points). */
  readonly scores: Float64Array;
  /** Probability of default recovered from the score. */
  readonly probabilities: Float64Array;
}

/** The probability of default a score stands for: 1 / (1 + exp(−(offset − score)/factor)). */
export function probabilityFromScore(card: Pick<Scorecard, 'factor' | 'offset'>, score: number): number {
  return sigmoid((card.offset - score) / card.factor);
}

/**
 * Score every row of `table`: each characteristic's attribute and points, the total and the
 * probability of default.
 *
 * @example scoreTable(card, applicants).scores[0] // e.g. 612.4
 */
export function scoreTable(card: Scorecard, table: Table): ScoredTable {
  const variables = selectedVariables(card.binning);
  const m = card.characteristics.length;
  if (variables.length !== m) throw new RangeError(`card: ${m} characteristics but ${variables.length} selected variables`);
  const n = table.numRows;
  const points = new Float64Array(n * m);
  const attributes = new Int32Array(n * m);
  const scores = new Float64Array(n);
  variables.forEach((v, j) => {
    const attrs = card.characteristics[j].attributes;
    const other = attrs.length - 1;
    const bins = assignBins(v, table);
    for (let i = 0; i < n; i++) {
      const a = bins[i] < 0 ? other : bins[i];
      attributes[i * m + j] = a;
      points[i * m + j] = attrs[a].points;
    }
  });
  const probabilities = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < m; j++) s += points[i * m + j];
    scores[i] = s;
    probabilities[i] = probabilityFromScore(card, s);
  }
  return { numRows: n, numCharacteristics: m, points, attributes, scores, probabilities };
}
