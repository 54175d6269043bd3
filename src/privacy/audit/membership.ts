/**
 * Membership-inference attacks on a trained credit model, for the privacy audit. The attacker
 * holds the final model only (in the federated setting: the global model a job released) and a
 * record with its label, and guesses whether the record was in the training data.
 *
 * - Loss threshold (Yeom, Giacomelli, Fredrikson & Jha, CSF 2018, §3.2): training minimises the
 *   loss, so members tend to have lower loss; the attack score is −loss.
 * - Shadow models (Shokri, Stronati, Song & Shmatikov, "Membership Inference Attacks Against
 *   Machine Learning Models", S&P 2017, §IV): the attacker trains k shadow models the way the
 *   target was trained, on data of the same distribution whose membership it knows, and learns
 *   from them a classifier of (loss, predicted probability, label) → in/out, which it then
 *   applies to the target's predictions. Shokri et al. train one attack model per class; with a
 *   binary label as a feature, one logistic regression does the same job here.
 *
 * Both attacks are scored on balanced sets (as many members as non-members), where an advantage
 * of 0 is chance; see attackMetrics.ts for why the threshold choice matters.
 */
import type { Matrix } from '../../math/linalg.js';
import type { Random } from '../../math/random.js';
import { logLossTerm } from '../../metrics/probabilistic.js';
import { LogisticRegression } from '../../model/logistic.js';
import { trainLocal } from '../../model/train.js';
import { advantageAt, bestAdvantage, calibratedAdvantage, membershipAuc, nullBestAdvantage } from './attackMetrics.js';

/** A model's predicted probabilities of bad on labelled rows (labels 1 = bad). */
export interface LabelledPredictions {
  readonly proba: Float64Array;
  readonly labels: Float64Array | Uint8Array;
}

/** Predictions of one model on its members (training rows) and on non-members of the same distribution. */
export interface MembershipObservation {
  readonly members: LabelledPredictions;
  readonly nonMembers: LabelledPredictions;
}

function checkPredictions(name: string, p: LabelledPredictions): void {
  if (typeof p !== 'object' || p === null) throw new TypeError(`${name}: expected { proba, labels }`);
  if (!(p.proba instanceof Float64Array)) throw new TypeError(`${name}.proba: expected a Float64Array`);
  if (!(p.labels instanceof Float64Array || p.labels instanceof Uint8Array)) throw new TypeError(`${name}.labels: expected a Float64Array or Uint8Array`);
  if (p.labels.length !== p.proba.length) throw new RangeError(`${name}.labels: expected length ${p.proba.length}, got ${p.labels.length}`);
  if (p.proba.length < 2) throw new RangeError(`${name}: expected at least two rows`);
  for (let i = 0; i < p.proba.length; i++) {
    if (!(p.proba[i] >= 0 && p.proba[i] <= 1)) throw new RangeError(`${name}.proba: entry ${i} is ${p.proba[i]}, expected a probability`);
    if (p.labels[i] !== 0 && p.labels[i] !== 1) throw new RangeError(`${name}.labels: entry ${i} is ${p.labels[i]}, expected 0 or 1`);
  }
}

function checkObservation(name: string, o: MembershipObservation): void {
  if (typeof o !== 'object' || o === null) throw new TypeError(`${name}: expected { members, nonMembers }`);
  checkPredictions(`${name}.members`, o.members);
  checkPredictions(`${name}.nonMembers`, o.nonMembers);
}

/** Log loss of each row (clipped like the metrics' log loss, so it is finite). */
export function perExampleLoss(p: LabelledPredictions): Float64Array {
  checkPredictions('predictions', p);
  return Float64Array.from(p.proba, (q, i) => logLossTerm(q, p.labels[i]));
}

function take(p: LabelledPredictions, rows: ArrayLike<number>): LabelledPredictions {
  return { proba: Float64Array.from(rows, (i) => p.proba[i]), labels: Float64Array.from(rows, (i) => p.labels[i]) };
}

/** The same observation with the larger side subsampled at random to the size of the smaller. */
export function balanceObservation(observation: MembershipObservation, rng: Random): MembershipObservation {
  checkObservation('observation', observation);
  const n = Math.min(observation.members.proba.length, observation.nonMembers.proba.length);
  const pick = (p: LabelledPredictions) => (p.proba.length === n ? p : take(p, rng.permutation(p.proba.length).subarray(0, n).sort()));
  return { members: pick(observation.members), nonMembers: pick(observation.nonMembers) };
}

/** Members first, then non-members: one score per row and the membership labels. */
function stack(observation: MembershipObservation, score: (p: LabelledPredictions) => Float64Array): { scores: Float64Array; isMember: Uint8Array } {
  const a = score(observation.members);
  const b = score(observation.nonMembers);
  const scores = new Float64Array(a.length + b.length);
  scores.set(a);
  scores.set(b, a.length);
  const isMember = new Uint8Array(scores.length);
  isMember.fill(1, 0, a.length);
  return { scores, isMember };
}

/** Result of {@link lossThresholdAttack}. */
export interface LossAttackResult {
  /** Rows per side after balancing. */
  readonly numMembers: number;
  readonly numNonMembers: number;
  /** AUC of −loss as a membership score. */
  readonly auc: number;
  /** Optimistic: best threshold chosen on the evaluation rows (attackMetrics.ts). */
  readonly bestAdvantage: number;
  /** The loss below or at which that rule says "member". */
  readonly bestLossThreshold: number;
  /** Honest: threshold chosen on one half, measured on the other, both ways. */
  readonly calibratedAdvantage: number;
  /** What bestAdvantage reports with membership labels permuted: its noise floor at this size. */
  readonly nullBestAdvantage: number;
}

/**
 * Yeom et al.'s loss-threshold attack on balanced members/non-members. Deterministic for `rng`.
 *
 * @example const r = lossThresholdAttack({ members, nonMembers }, { rng: deriveRandom(seed, 'loss-attack') });
 */
export function lossThresholdAttack(observation: MembershipObservation, options: { readonly rng: Random; readonly numPermutations?: number }): LossAttackResult {
  const { rng } = options;
  const balanced = balanceObservation(observation, rng);
  const { scores, isMember } = stack(balanced, (p) => perExampleLoss(p).map((l) => -l));
  const best = bestAdvantage(scores, isMember);
  return {
    numMembers: balanced.members.proba.length,
    numNonMembers: balanced.nonMembers.proba.length,
    auc: membershipAuc(scores, isMember),
    bestAdvantage: best.advantage,
    bestLossThreshold: -best.threshold,
    calibratedAdvantage: calibratedAdvantage(scores, isMember, rng),
    nullBestAdvantage: nullBestAdvantage(scores, isMember, rng, options.numPermutations ?? 200),
  };
}

/** Names of the attack classifier's input features, in column order. */
export const ATTACK_FEATURES = Object.freeze(['loss', 'proba', 'label'] as const);

/** The attack classifier's raw features of each row: [loss, predicted probability, label]. */
export function attackFeatures(p: LabelledPredictions): Matrix {
  const loss = perExampleLoss(p);
  const cols = ATTACK_FEATURES.length;
  const data = new Float64Array(loss.length * cols);
  for (let i = 0; i < loss.length; i++) {
    data[i * cols] = loss[i];
    data[i * cols + 1] = p.proba[i];
    data[i * cols + 2] = p.labels[i];
  }
  return { data, rows: loss.length, cols };
}

/** A trained attack classifier: standardisation of the features, then a logistic regression. */
export interface AttackClassifier {
  readonly means: Float64Array;
  readonly scales: Float64Array;
  readonly model: LogisticRegression;
}

function standardize(x: Matrix, means: Float64Array, scales: Float64Array): Matrix {
  const data = Float64Array.from(x.data, (v, k) => (v - means[k % x.cols]) / scales[k % x.cols]);
  return { data, rows: x.rows, cols: x.cols };
}

/**
 * Fit the attack classifier on shadow models' observations (members labelled 1). Features are
 * standardised first (the loss spans a much wider range than the probability), each shadow's
 * observation is balanced, and training is plain logistic regression (Adam, 50 epochs).
 */
export function trainAttackClassifier(shadows: readonly MembershipObservation[], options: { readonly rng: Random; readonly epochs?: number }): AttackClassifier {
  if (!Array.isArray(shadows) || shadows.length === 0) throw new RangeError('shadows: expected at least one shadow observation');
  shadows.forEach((s, i) => checkObservation(`shadows[${i}]`, s));
  const parts: Matrix[] = [];
  const labels: number[] = [];
  for (const shadow of shadows) {
    const b = balanceObservation(shadow, options.rng);
    parts.push(attackFeatures(b.members), attackFeatures(b.nonMembers));
    labels.push(...new Array<number>(b.members.proba.length).fill(1), ...new Array<number>(b.nonMembers.proba.length).fill(0));
  }
  const cols = ATTACK_FEATURES.length;
  const rows = labels.length;
  const raw = new Float64Array(rows * cols);
  let offset = 0;
  for (const m of parts) { raw.set(m.data, offset); offset += m.data.length; }
  const means = new Float64Array(cols);
  const scales = new Float64Array(cols);
  for (let k = 0; k < raw.length; k++) means[k % cols] += raw[k] / rows;
  for (let k = 0; k < raw.length; k++) scales[k % cols] += (raw[k] - means[k % cols]) ** 2 / rows;
  // A constant feature (e.g. every label equal) keeps scale 1 rather than dividing by zero.
  for (let j = 0; j < cols; j++) scales[j] = scales[j] > 1e-24 ? Math.sqrt(scales[j]) : 1;
  const model = new LogisticRegression(cols);
  trainLocal(model, { x: standardize({ data: raw, rows, cols }, means, scales), y: Float64Array.from(labels) }, {
    epochs: options.epochs ?? 50, batchSize: 64, lr: 0.05, optimizer: 'adam', l2: 1e-4, rng: options.rng,
  });
  return { means, scales, model };
}

/** The attack classifier's probability that each row is a member. */
export function attackScores(classifier: AttackClassifier, p: LabelledPredictions): Float64Array {
  return classifier.model.predictProba(standardize(attackFeatures(p), classifier.means, classifier.scales));
}

/** Result of {@link shadowModelAttack}. */
export interface ShadowAttackResult {
  readonly numShadows: number;
  /** Rows the attack classifier was trained on (all shadows, balanced). */
  readonly numAttackExamples: number;
  readonly numMembers: number;
  readonly numNonMembers: number;
  /** AUC of the attack classifier's output on the target's members vs non-members. */
  readonly auc: number;
  /** TPR − FPR of the classifier's own decision (probability ≥ ½): honest, chosen on shadow data. */
  readonly advantage: number;
  /** Optimistic: best threshold on the target's rows. */
  readonly bestAdvantage: number;
}

/**
 * Shokri et al.'s shadow-model attack: train the attack classifier on the shadows'
 * observations, then score the target's balanced members and non-members.
 *
 * @example const r = shadowModelAttack({ shadows, target, rng: deriveRandom(seed, 'shadow-attack') });
 */
export function shadowModelAttack(options: { readonly shadows: readonly MembershipObservation[]; readonly target: MembershipObservation; readonly rng: Random }): ShadowAttackResult {
  const { shadows, rng } = options;
  checkObservation('target', options.target);
  const classifier = trainAttackClassifier(shadows, { rng });
  const target = balanceObservation(options.target, rng);
  const { scores, isMember } = stack(target, (p) => attackScores(classifier, p));
  return {
    numShadows: shadows.length,
    numAttackExamples: shadows.reduce((s, o) => s + 2 * Math.min(o.members.proba.length, o.nonMembers.proba.length), 0),
    numMembers: target.members.proba.length,
    numNonMembers: target.nonMembers.proba.length,
    auc: membershipAuc(scores, isMember),
    advantage: advantageAt(scores, isMember, 0.5),
    bestAdvantage: bestAdvantage(scores, isMember).advantage,
  };
}
