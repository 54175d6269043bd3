/**
 * What a node remembers about a job it takes part in: the dataset it trains on, the encoder
 * and model description the coordinator sent at setup, and the encoded matrices (cached so that
 * every round does not re-encode the same rows).
 */
import type { Table } from '../data/schema.js';
import type { Matrix } from '../math/linalg.js';
import { deriveRandom } from '../math/random.js';
import { createModel } from '../model/factory.js';
import type { Model } from '../model/model.js';
import { encodeTable, labelsOf, type EncoderSpec } from '../preprocess/encoder.js';

/** A dataset a node holds, already split into its local train and test parts. */
export interface NodeDataset {
  readonly key: string;
  readonly train: Table;
  readonly test: Table;
}

/** Model description sent at setup. */
export interface ModelSpec {
  readonly kind: 'logreg' | 'mlp';
  readonly config: { readonly hidden?: readonly number[]; readonly activation?: 'relu' | 'tanh' };
}

export interface EncodedSplit {
  readonly x: Matrix;
  readonly y: Float64Array;
}

/** A job's state at one node. */
export class JobContext {
  readonly jobId: string;
  readonly dataset: NodeDataset;
  readonly encoder: EncoderSpec;
  readonly model: ModelSpec;
  readonly seed: number | string;
  /** Officers' feedback whose rows were added to the training split (ids only). */
  readonly feedbackIds: readonly string[];
  private readonly cache = new Map<'train' | 'test', EncodedSplit>();
  private parameterCount?: number;

  constructor(fields: { jobId: string; dataset: NodeDataset; encoder: EncoderSpec; model: ModelSpec; seed: number | string; feedbackIds?: readonly string[] }) {
    this.jobId = fields.jobId;
    this.dataset = fields.dataset;
    this.encoder = fields.encoder;
    this.model = fields.model;
    this.seed = fields.seed;
    this.feedbackIds = fields.feedbackIds ?? [];
  }

  /** How many parameters the job's model has (worked out once). */
  get numParameters(): number {
    const count = this.parameterCount ?? createModel(this.model.kind, this.encoder.features.length, this.model.config, deriveRandom(this.seed, 'init')).numParameters;
    this.parameterCount = count;
    return count;
  }

  /** The job's model holding `parameters` (the round's global model, checked for length). */
  modelWith(parameters: Float64Array): Model {
    return createModel(this.model.kind, this.encoder.features.length, this.model.config, parameters);
  }

  /** The encoded train or test split (encoded once, then cached). */
  encoded(split: 'train' | 'test'): EncodedSplit {
    let e = this.cache.get(split);
    if (!e) {
      const table = this.dataset[split];
      e = { x: encodeTable(this.encoder, table), y: labelsOf(table) };
      this.cache.set(split, e);
    }
    return e;
  }
}
