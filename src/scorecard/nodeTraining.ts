/**
 * Local training and evaluation of a logistic regression on a node's own derived features (WOE
 * features for a scorecard, a protected attribute as label for a fairness proxy check). The
 * message carries the global parameters and the same training settings as the core `train`
 * message (src/node/creditHandlers.ts), so the coordinator's round loop drives these jobs
 * unchanged; only parameters and sums over rows leave the node.
 */
import type { Matrix } from '../math/linalg.js';
import type { SeedPart } from '../math/random.js';
import { localEvaluationSums } from '../metrics/histogram.js';
import { LogisticRegression } from '../model/logistic.js';
import { trainLocal } from '../model/train.js';
import { readArray, readNumber, readString } from '../protocol/config.js';
import { readTrainOptions } from '../node/trainConfig.js';
import { replyTo, type Message, type Reply } from '../protocol/message.js';

/** Defaults when the coordinator does not say (those of the core train handler). */
export { TRAIN_DEFAULTS as LOCAL_TRAIN_DEFAULTS } from '../node/trainConfig.js';

function modelFrom(message: Message, numFeatures: number): LogisticRegression {
  const model = new LogisticRegression(numFeatures);
  model.setParameters(readArray(message.arrays, 'parameters', model.numParameters));
  return model;
}

/**
 * Train from the message's global parameters on (x, y) and reply with the new parameters
 * (rounded to float32, as the core handler does, so every transport gives the same model).
 */
export function trainReply(message: Message, x: Matrix, y: Float64Array, seed: SeedPart): Reply {
  const model = modelFrom(message, x.cols);
  const result = trainLocal(model, { x, y }, readTrainOptions(message, seed));
  const parameters = model.getParameters().map(Math.fround);
  return replyTo(message, { arrays: { parameters }, config: { numExamples: result.numExamples, loss: result.meanLoss } });
}

/** Score (x, y) with the message's parameters and reply with the federated evaluation sums. */
export function evaluateReply(message: Message, x: Matrix, y: Float64Array): Reply {
  const numBins = readNumber(message.config, 'numBins', { min: 10, max: 100_000, integer: true, fallback: 1000 });
  const scores = modelFrom(message, x.cols).predictProba(x);
  return replyTo(message, { arrays: { sums: localEvaluationSums(scores, y, numBins) }, config: { numExamples: x.rows } });
}

/** The split a message asks for. */
export function readSplit(message: Message): 'train' | 'test' {
  return readString<'train' | 'test'>(message.config, 'split', { allowed: ['train', 'test'] as const, fallback: 'test' });
}
