/**
 * A node's local training step as a swappable function, so the audit can attack a federation
 * whose local training is not (yet) one of the node's train handlers: a new private mechanism,
 * or a deliberately overfitting one. The handlers' own paths (plain and DP-SGD via
 * `config.privacy`) need no TrainFn. Randomness is derived from (job seed, node, round,
 * purpose), as in the real train handler, so a federation is reproducible bit for bit.
 */
import type { TrainSettings } from '../../coordinator/roundLoop.js';
import { deriveRandom } from '../../math/random.js';
import type { Model } from '../../model/model.js';
import { trainLocal, type TrainData } from '../../model/train.js';

/** Which node trains in which round of which job. */
export interface TrainContext {
  readonly nodeId: string;
  readonly round: number;
  readonly seed: number | string;
}

/** What a local training step reports back to the coordinator. */
export interface LocalTrainResult {
  readonly numExamples: number;
  /** Mean training loss, or undefined when it must not leave the node (DP: it is not private). */
  readonly meanLoss?: number;
}

/** Train `model` in place on a node's encoded rows, starting from the global parameters. */
export type TrainFn = (model: Model, data: TrainData, context: TrainContext) => LocalTrainResult;

/**
 * Plain local training with the job's settings, exactly as the node's `train` handler does it
 * (same batch-order stream `deriveRandom(seed, 'train', nodeId, round)`), so a federation run with
 * it gives the same parameters as one run with the real handlers.
 */
export function plainTrainFn(settings: TrainSettings): TrainFn {
  if (typeof settings !== 'object' || settings === null) throw new TypeError('settings: expected TrainSettings');
  return (model, data, context) => {
    const result = trainLocal(model, data, {
      epochs: settings.epochs,
      batchSize: settings.batchSize,
      lr: settings.lr,
      optimizer: settings.optimizer,
      l2: settings.l2,
      classWeights: settings.classWeights === 'balanced' ? 'balanced' : undefined,
      rng: deriveRandom(context.seed, 'train', context.nodeId, context.round),
    });
    return { numExamples: result.numExamples, meanLoss: result.meanLoss };
  };
}
