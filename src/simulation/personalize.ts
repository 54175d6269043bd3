/**
 * Personalisation: each lender adapts the global model to its own customers, and the
 * simulation reports, per node and on that node's own test split, the global model vs the
 * personalised one vs the node's local-only model.
 *
 * - `finetune` (local head): the global model's output layer is trained further on the node's
 *   rows, the shared representation kept (for logistic regression the whole model is the head).
 * - `ditto` (Li et al., "Ditto: Fair and Robust Federated Learning Through Personalization",
 *   ICML 2021): a local model trained on the node's rows with the proximal term
 *   λ/2·‖v − θ_global‖², starting from the global model.
 */
import { LogisticRegression } from '../model/logistic.js';
import { Mlp } from '../model/mlp.js';
import type { Model } from '../model/model.js';
import { trainLocal } from '../model/train.js';
import { deriveRandom } from '../math/random.js';
import type { NodeDataset } from '../node/jobContext.js';
import { encodeTable, labelsOf, type EncoderSpec } from '../preprocess/encoder.js';
import type { SimulationOptions } from './options.js';
import { scoreUnion, type UnionMetrics } from './score.js';

export type PersonalizationMethod = 'finetune' | 'ditto';

export interface PersonalizationOptions {
  readonly method: PersonalizationMethod;
  /** Local epochs of adaptation (default 5). */
  readonly epochs?: number;
  /** Ditto's λ (default 0.1). */
  readonly lambda?: number;
}

/** One node's comparison, on its own test split. */
export interface PersonalizedNode {
  readonly nodeId: string;
  readonly global: UnionMetrics;
  readonly personalized: UnionMetrics;
  readonly localOnly?: UnionMetrics;
}

/** Adapt `global` to each node and score global / personalised on the node's own test rows. */
export function personalize(nodes: readonly NodeDataset[], nodeIds: readonly string[], global: Model, encoder: EncoderSpec, options: SimulationOptions, personalization: PersonalizationOptions, localOnly?: readonly (UnionMetrics | undefined)[]): PersonalizedNode[] {
  const epochs = personalization.epochs ?? 5;
  if (!Number.isInteger(epochs) || epochs < 1 || epochs > 1000) throw new RangeError(`epochs: expected an integer from 1 to 1000, got ${epochs}`);
  return nodes.map((node, i) => {
    const x = encodeTable(encoder, node.train);
    const y = labelsOf(node.train);
    const rng = deriveRandom(options.seed, 'personalize', nodeIds[i]);
    const local = global.clone();
    const train = { ...options.train, classWeights: options.train.classWeights === 'balanced' ? ('balanced' as const) : undefined, epochs, rng };
    if (personalization.method === 'ditto') {
      trainLocal(local, { x, y }, { ...train, proximalMu: personalization.lambda ?? 0.1, anchor: global.getParameters() });
    } else if (local instanceof Mlp) {
      fineTuneHead(local, x, y, train);
    } else {
      trainLocal(local, { x, y }, train);
    }
    return { nodeId: nodeIds[i], global: scoreUnion(global, encoder, node.test), personalized: scoreUnion(local, encoder, node.test), localOnly: localOnly?.[i] };
  });
}

/** Train only the output layer of an MLP: a logistic regression on its last hidden features. */
export function fineTuneHead(model: Mlp, x: Parameters<Mlp['hiddenFeatures']>[0], y: Float64Array, train: Parameters<typeof trainLocal>[2]): void {
  const features = model.hiddenFeatures(x);
  const head = new LogisticRegression(features.cols);
  const params = model.getParameters();
  const offset = model.headOffset;
  head.setParameters(params.slice(offset, offset + features.cols + 1));
  trainLocal(head, { x: features, y }, train);
  params.set(head.getParameters(), offset);
  model.setParameters(params);
}
