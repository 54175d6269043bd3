/**
 * Utility of synthetic rows: does a credit model trained with them rank real applicants well?
 * The model is FedCredit's logistic regression (Adam, mini-batches of 32, light L2, the
 * simulation defaults) on features from an encoder fitted on the real training rows, scored on
 * real test rows by AUC and by recall at a fixed flag rate: a lender that reviews the riskiest
 * 10 % of applicants wants to know which share of the defaults that review catches.
 *
 * Two protocols: TSTR, train on synthetic rows of both classes and test on real ones (Esteban,
 * Hyland & Rätsch 2017), and augmentation, train on the real rows plus synthetic bads, which is
 * what oversampling is for.
 */
import type { Table } from '../data/schema.js';
import { deriveRandom } from '../math/random.js';
import { auc } from '../metrics/ranking.js';
import { LogisticRegression } from '../model/logistic.js';
import type { Model } from '../model/model.js';
import { trainLocal } from '../model/train.js';
import { encodeTable, labelsOf, type EncoderSpec } from '../preprocess/encoder.js';
import { evaluationEncoder } from './fidelity.js';

/** Options of the evaluation classifier. */
export interface ClassifierOptions {
  readonly seed: number | string;
  /** Passes over the training rows. Default 30. */
  readonly epochs?: number;
  /** Default 0.01. */
  readonly lr?: number;
  /** Default 1e-3. */
  readonly l2?: number;
  /** 'balanced' weighs classes n/(2·n_class) (scikit-learn's convention). Default none. */
  readonly classWeights?: 'balanced';
  /** Share of test rows flagged for recall. Default 0.1. */
  readonly flagRate?: number;
}

/** Test scores of a classifier. */
export interface ClassifierScores {
  readonly auc: number;
  /** Share of test bads among the top `flagRate` scores. */
  readonly recallAtFlagRate: number;
}

/**
 * Recall when the `flagRate` share of rows with the highest scores is flagged:
 * (bads flagged)/(all bads), with round(flagRate·n) rows flagged (at least one); ties at the cut
 * are broken by row order.
 *
 * @example recallAtFlagRate(Float64Array.of(0.9, 0.8, 0.1, 0.7), Uint8Array.of(1, 0, 1, 0), 0.25) // 0.5
 */
export function recallAtFlagRate(scores: Float64Array, labels: Uint8Array, flagRate: number): number {
  if (!(scores instanceof Float64Array) || !(labels instanceof Uint8Array) || scores.length !== labels.length) {
    throw new TypeError('scores, labels: expected a Float64Array and a Uint8Array of one length');
  }
  if (!(flagRate > 0 && flagRate <= 1)) throw new RangeError(`flagRate: expected a number in (0, 1], got ${flagRate}`);
  let numBad = 0;
  for (const y of labels) numBad += y;
  if (numBad === 0) throw new RangeError('labels: recall needs at least one bad row');
  const order = Array.from(scores.keys()).sort((a, b) => scores[b] - scores[a] || a - b);
  const flagged = Math.max(1, Math.round(flagRate * scores.length));
  let caught = 0;
  for (let r = 0; r < flagged; r++) caught += labels[order[r]];
  return caught / numBad;
}

/** Train the evaluation logistic regression on `train` with `encoder`. */
export function trainClassifier(train: Table, encoder: EncoderSpec, options: ClassifierOptions): Model {
  const x = encodeTable(encoder, train);
  const model = new LogisticRegression(x.cols);
  trainLocal(model, { x, y: labelsOf(train) }, {
    epochs: options.epochs ?? 30,
    batchSize: 32,
    lr: options.lr ?? 0.01,
    optimizer: 'adam',
    l2: options.l2 ?? 1e-3,
    classWeights: options.classWeights,
    rng: deriveRandom(options.seed, 'synth', 'classifier'),
  });
  return model;
}

/** AUC and recall at the flag rate of `model` on `test`. */
export function scoreClassifier(model: Model, encoder: EncoderSpec, test: Table, flagRate = 0.1): ClassifierScores {
  const scores = model.predictProba(encodeTable(encoder, test));
  return { auc: auc(scores, test.label), recallAtFlagRate: recallAtFlagRate(scores, test.label, flagRate) };
}

/**
 * Train on `train` (real, synthetic or both) and score on real `test`; the encoder is fitted on
 * `encoderRows` (the real training rows), so every arm sees the same features.
 *
 * @example trainAndScore(realTrain, realTrain, realTest, { seed: 1 })
 */
export function trainAndScore(train: Table, encoderRows: Table, test: Table, options: ClassifierOptions): ClassifierScores {
  const encoder = evaluationEncoder(encoderRows, false);
  return scoreClassifier(trainClassifier(train, encoder, options), encoder, test, options.flagRate ?? 0.1);
}
