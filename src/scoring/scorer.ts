/**
 * The scoring service's core: one trained model with its encoder, turning a validated table of
 * applicants into probabilities of default, credit-score points, decisions and reasons.
 *
 * Decisions are cut-offs on the probability of default (calibrated probabilities assumed):
 * - `review` defaults to 1/6, the Bayes-optimal threshold of the UCI German cost matrix
 *   (approving a bad applicant costs 5, refusing a good one 1; Elkan 2001): below it approving
 *   has the lower expected cost, so those applicants are approved automatically;
 * - `decline` defaults to 0.5: default is more likely than not, refused without review;
 *   in between, a person looks at the file.
 * - `classify` is the single cut-off of the old binary API (/predictCreditRisk: 1 good, 2 bad).
 *   It defaults to the review threshold, i.e. the cost-optimal Bayes decision: "bad" means "not
 *   approvable at the German costs", which is what a binary good/bad answer is used for. Set it
 *   to 0.5 to mimic a plain accuracy-maximising classifier.
 * These defaults come from the German data's costs; a job for another dataset should set its own.
 *
 * Reasons are the columns with the largest positive contributions to the logit (see
 * ./attribution.ts) relative to `baseline`, the mean encoded applicant when given (see
 * ./baseline.ts), else the zero vector (then a categorical column contributes its active
 * category's weight, and standardised numbers their deviation from the mean).
 */
import type { ColumnSpec, Schema, Table } from '../data/schema.js';
import { sigmoid } from '../math/linalg.js';
import { bayesThreshold, GERMAN_COSTS } from '../metrics/threshold.js';
import type { Model } from '../model/model.js';
import { encodeTable, type EncoderSpec } from '../preprocess/encoder.js';
import { attributorFor, type Attribution, type Attributor } from './attribution.js';
import { describeValue, rawValue, topPositive, type Reason } from './reasons.js';
import { checkScoreScale, DEFAULT_SCORE_SCALE, pointsFromLogit, type ScoreScale } from './scale.js';

/** Probability-of-default cut-offs (decide "at or above"). */
export interface Thresholds {
  /** At or above: manual review instead of automatic approval. */
  readonly review: number;
  /** At or above: decline. */
  readonly decline: number;
  /** At or above: class 2 (bad) in the old binary API. */
  readonly classify: number;
}

/** review = classify = 1/6 (Bayes threshold of the German cost matrix), decline = 0.5. */
export const DEFAULT_THRESHOLDS: Thresholds = Object.freeze({
  review: bayesThreshold(GERMAN_COSTS),
  decline: 0.5,
  classify: bayesThreshold(GERMAN_COSTS),
});

/** Outcome of the decision rule. */
export type Decision = 'approve' | 'review' | 'decline';

/** The score of one applicant. */
export interface ScoreResult {
  readonly probabilityOfDefault: number;
  /** Credit-score points (higher is safer), rounded to an integer; see ./scale.ts. */
  readonly score: number;
  readonly decision: Decision;
  /** Up to `numReasons` columns that pushed the risk up, largest first. */
  readonly reasons: Reason[];
}

/** Per-row logits and contributions with the columns they refer to. */
export interface Explanation extends Attribution {
  /** Original column names, in the order of a contributions row. */
  readonly columns: readonly string[];
}

/** Options of {@link Scorer}. */
export interface ScorerOptions {
  readonly schema: Schema;
  readonly encoder: EncoderSpec;
  /** The model (logistic regression or MLP); omit when `attributor` scores instead (trees). */
  readonly model?: Model;
  /** Scores and explains encoded rows itself (boosted trees: TreeSHAP); replaces `model`. */
  readonly attributor?: Attributor;
  /** Shown to clients with every answer, e.g. 'job-7/round-30'. */
  readonly modelVersion: string;
  /** Cut-offs; a missing `classify` defaults to the (given or default) review threshold. */
  readonly thresholds?: Partial<Thresholds>;
  /** Points scale (default 600 at 50:1, 20 points to double the odds). */
  readonly scale?: ScoreScale;
  /** Reference applicant in encoded space (length = encoder features); default zeros. */
  readonly baseline?: Float64Array;
  /** Reasons per applicant, 0…number of model columns (default 4). */
  readonly numReasons?: number;
}

/**
 * A model ready to score applicants of one schema. Immutable: the model's parameters are
 * copied at construction, so a new model version means a new Scorer.
 *
 * @example
 * const scorer = new Scorer({ schema: germanSchema, encoder, model, modelVersion: 'v1', baseline });
 * const parsed = parseRecords(body, germanSchema);
 * if (parsed.ok) scorer.score(parsed.table); // [{ probabilityOfDefault, score, decision, reasons }]
 */
export class Scorer {
  readonly schema: Schema;
  readonly encoder: EncoderSpec;
  readonly modelVersion: string;
  readonly modelKind: Model['kind'] | 'gbdt';
  readonly thresholds: Thresholds;
  readonly scale: ScoreScale;
  readonly numReasons: number;
  /** The original columns the model reads, in order of first use by the encoder. */
  readonly columns: readonly ColumnSpec[];
  /** How reasons are computed: 'exact-linear' or 'gradient-x-input'. */
  readonly reasonMethod: Attributor['method'];
  private readonly attributor: Attributor;
  private readonly baseline: Float64Array;
  private readonly featureColumn: Int32Array;
  private readonly accepted = new WeakMap<Schema, boolean>();

  constructor(options: ScorerOptions) {
    if (typeof options !== 'object' || options === null) throw new TypeError('options: expected an object');
    const { schema, encoder, model, modelVersion, attributor } = options;
    if (typeof schema !== 'object' || schema === null || !Array.isArray(schema.columns)) throw new TypeError('options.schema: expected a Schema');
    if (typeof encoder !== 'object' || encoder === null || !Array.isArray(encoder.features)) throw new TypeError('options.encoder: expected an EncoderSpec');
    if (attributor === undefined && (typeof model !== 'object' || model === null || typeof model.clone !== 'function')) throw new TypeError('options.model: expected a Model');
    if (attributor !== undefined && (typeof attributor.attribute !== 'function' || typeof attributor.logits !== 'function')) throw new TypeError('options.attributor: expected an Attributor');
    if (typeof modelVersion !== 'string' || modelVersion.length === 0) throw new TypeError('options.modelVersion: expected a non-empty string');
    if (model && model.numFeatures !== encoder.features.length) {
      throw new RangeError(`options.model: expects ${model.numFeatures} features, the encoder makes ${encoder.features.length}`);
    }
    this.schema = schema;
    this.encoder = encoder;
    this.modelVersion = modelVersion;
    this.modelKind = model?.kind ?? 'gbdt';
    this.thresholds = resolveThresholds(options.thresholds);
    this.scale = Object.freeze({ ...checkScoreScale(options.scale ?? DEFAULT_SCORE_SCALE, 'options.scale') });
    const { columns, featureColumn } = modelColumns(schema, encoder);
    this.columns = columns;
    this.featureColumn = featureColumn;
    this.numReasons = options.numReasons ?? Math.min(4, columns.length);
    if (!Number.isInteger(this.numReasons) || this.numReasons < 0 || this.numReasons > columns.length) {
      throw new RangeError(`options.numReasons: expected an integer from 0 to ${columns.length}, got ${String(options.numReasons)}`);
    }
    this.baseline = checkBaseline(options.baseline, encoder.features.length);
    this.attributor = attributor ?? attributorFor(model!.clone());
    this.reasonMethod = this.attributor.method;
  }

  /**
   * Whether tables of `schema` carry every column this model reads, with the same kind (number
   * or code): the HTTP layer checks this before scoring a request parsed with another schema.
   */
  accepts(schema: Schema): boolean {
    let answer = this.accepted.get(schema);
    if (answer === undefined) {
      answer = this.columns.every((c) => {
        const other = schema.columns.find((o) => o.name === c.name);
        return other !== undefined && (other.kind === 'numeric') === (c.kind === 'numeric');
      });
      this.accepted.set(schema, answer); // asked on every request: schemas are immutable, so remember
    }
    return answer;
  }

  /**
   * A typical spread (about one standard deviation in the training data) of numeric column
   * `column`: the encoder's standardisation when it has one, else what the attributor knows
   * (trees: from their bin edges); undefined when neither knows (or the column is not read).
   */
  numericSpread(column: string): number | undefined {
    const feature = this.encoder.features.find((f) => f.kind === 'numeric' && f.column === column);
    if (feature?.kind === 'numeric' && !(feature.mean === 0 && feature.std === 1 && feature.impute === 0)) return feature.std;
    return this.attributor.numericSpread?.(column);
  }

  /** Probability of default of every row (equals the model's predictProba). */
  probabilities(table: Table): Float64Array {
    const logits = this.attributor.logits(encodeTable(this.encoder, table));
    const out = new Float64Array(logits.length);
    for (let i = 0; i < logits.length; i++) out[i] = sigmoid(logits[i]);
    return out;
  }

  /** The old API's classes: 2 (bad) when P(default) ≥ thresholds.classify, else 1 (good). */
  classify(table: Table): Uint8Array {
    const p = this.probabilities(table);
    const out = new Uint8Array(p.length);
    for (let i = 0; i < p.length; i++) out[i] = p[i] >= this.thresholds.classify ? 2 : 1;
    return out;
  }

  /** The decision for one probability of default. */
  decide(probabilityOfDefault: number): Decision {
    const t = this.thresholds;
    return probabilityOfDefault >= t.decline ? 'decline' : probabilityOfDefault >= t.review ? 'review' : 'approve';
  }

  /** Logits and every column's contribution for every row (what reasons are picked from). */
  explain(table: Table): Explanation {
    const attribution = this.attributor.attribute(encodeTable(this.encoder, table), this.baseline, this.featureColumn, this.columns.length);
    return { ...attribution, columns: this.columns.map((c) => c.name) };
  }

  /** Probability, points, decision and reasons for every row of `table`, in row order. */
  score(table: Table): ScoreResult[] {
    const numColumns = this.columns.length;
    const { logits, contributions } = this.attributor.attribute(encodeTable(this.encoder, table), this.baseline, this.featureColumn, numColumns);
    const results = new Array<ScoreResult>(logits.length);
    for (let i = 0; i < logits.length; i++) {
      const probabilityOfDefault = sigmoid(logits[i]);
      const reasons = topPositive(contributions, i * numColumns, numColumns, this.numReasons).map((c): Reason => {
        const column = this.columns[c];
        const value = rawValue(table, column, i);
        return { field: column.name, value, description: describeValue(column, value), contribution: contributions[i * numColumns + c] };
      });
      results[i] = {
        probabilityOfDefault,
        score: Math.round(pointsFromLogit(logits[i], this.scale)),
        decision: this.decide(probabilityOfDefault),
        reasons,
      };
    }
    return results;
  }
}

function resolveThresholds(given: Partial<Thresholds> | undefined): Thresholds {
  if (given !== undefined && (typeof given !== 'object' || given === null)) throw new TypeError('options.thresholds: expected an object');
  const review = given?.review ?? DEFAULT_THRESHOLDS.review;
  const decline = given?.decline ?? DEFAULT_THRESHOLDS.decline;
  const classify = given?.classify ?? review;
  for (const [name, v] of [['review', review], ['decline', decline], ['classify', classify]] as const) {
    if (typeof v !== 'number' || !(v > 0 && v <= 1)) throw new RangeError(`options.thresholds.${name}: expected a probability in (0, 1], got ${String(v)}`);
  }
  if (review > decline) throw new RangeError(`options.thresholds: review (${review}) must not exceed decline (${decline})`);
  return Object.freeze({ review, decline, classify });
}

/** The distinct columns the encoder reads, checked against the schema, and each feature's column index. */
function modelColumns(schema: Schema, encoder: EncoderSpec): { columns: ColumnSpec[]; featureColumn: Int32Array } {
  const byName = new Map(schema.columns.map((c) => [c.name, c] as const));
  const index = new Map<string, number>();
  const columns: ColumnSpec[] = [];
  const featureColumn = new Int32Array(encoder.features.length);
  encoder.features.forEach((f, j) => {
    const column = byName.get(f.column);
    if (column === undefined) throw new RangeError(`options.encoder: feature ${j} reads column "${f.column}", which schema "${schema.name}" lacks`);
    if ((f.kind === 'numeric') !== (column.kind === 'numeric') && f.kind !== 'missing') {
      throw new RangeError(`options.encoder: feature ${j} treats column "${f.column}" as ${f.kind}, the schema says ${column.kind}`);
    }
    let c = index.get(f.column);
    if (c === undefined) {
      c = columns.length;
      index.set(f.column, c);
      columns.push(column);
    }
    featureColumn[j] = c;
  });
  return { columns, featureColumn };
}

function checkBaseline(baseline: Float64Array | undefined, numFeatures: number): Float64Array {
  if (baseline === undefined) return new Float64Array(numFeatures);
  if (!(baseline instanceof Float64Array)) throw new TypeError('options.baseline: expected a Float64Array');
  if (baseline.length !== numFeatures) throw new RangeError(`options.baseline: length ${baseline.length}, expected ${numFeatures}`);
  if (!baseline.every(Number.isFinite)) throw new RangeError('options.baseline: expected finite values');
  return baseline.slice();
}
