/**
 * What a node remembers about a job it takes part in: the dataset it trains on, the encoder
 * and model description the coordinator sent at setup, and the encoded matrices (cached so that
 * every round does not re-encode the same rows).
 */
import type { Table } from '../data/schema.js';
import type { Matrix } from '../math/linalg.js';
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

  constructor(fields: { jobId: string; dataset: NodeDataset; encoder: EncoderSpec; model: ModelSpec; seed: number | string; feedbackIds?: readonly string[] }) {
    this.jobId = fields.jobId;
    this.dataset = fields.dataset;
    this.encoder = fields.encoder;
    this.model = fields.model;
    this.seed = fields.seed;
    this.feedbackIds = fields.feedbackIds ?? [];
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
