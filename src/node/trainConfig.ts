/**
 * The local-training settings a `train`-like message carries, read once for every handler that
 * trains (the core credit handler, the scorecard's WOE regression, the fairness proxy check):
 * bounded and validated, with the defaults used when the coordinator does not say.
 */
import { deriveRandom, type SeedPart } from '../math/random.js';
import type { TrainOptions } from '../model/train.js';
import { readNumber, readString } from '../protocol/config.js';
import type { Message } from '../protocol/message.js';

/** Defaults for local training when the coordinator does not say. */
export const TRAIN_DEFAULTS = { epochs: 1, batchSize: 32, lr: 0.05, l2: 1e-3 } as const;

/** The training options of `message`; the batch order derives from (seed, node, round). */
export function readTrainOptions(message: Message, seed: SeedPart): TrainOptions {
  const c = message.config;
  return {
    epochs: readNumber(c, 'epochs', { min: 1, max: 1000, integer: true, fallback: TRAIN_DEFAULTS.epochs }),
    batchSize: readNumber(c, 'batchSize', { min: 1, max: 100_000, integer: true, fallback: TRAIN_DEFAULTS.batchSize }),
    lr: readNumber(c, 'lr', { min: 1e-9, max: 10, fallback: TRAIN_DEFAULTS.lr }),
    optimizer: readString<'sgd' | 'adam'>(c, 'optimizer', { allowed: ['sgd', 'adam'] as const, fallback: 'adam' }),
    l2: readNumber(c, 'l2', { min: 0, max: 100, fallback: TRAIN_DEFAULTS.l2 }),
    proximalMu: readNumber(c, 'proximalMu', { min: 0, max: 100, fallback: 0 }),
    classWeights: readString<'none' | 'balanced'>(c, 'classWeights', { allowed: ['none', 'balanced'] as const, fallback: 'none' }) === 'balanced' ? 'balanced' : undefined,
    rng: deriveRandom(seed, 'train', message.nodeId, message.round),
  };
}
