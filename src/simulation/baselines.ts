/**
 * The references a federation is judged against, computed in the same run on the same rows:
 * *pooled* (one model on every node's training rows: what a federation aims at, and what no
 * lender may legally build) and *local-only* (each node alone, with its own encoder, evaluated
 * on its own test split and on the union of all test splits).
 */
import { featureColumns, type Table } from '../data/schema.js';
import { deriveRandom } from '../math/random.js';
import { createModel } from '../model/factory.js';
import type { Model } from '../model/model.js';
import { trainLocal } from '../model/train.js';
import type { NodeDataset } from '../node/jobContext.js';
import { encodeTable, fitEncoder, labelsOf, type EncoderSpec } from '../preprocess/encoder.js';
import { localStats, statsLayout } from '../preprocess/stats.js';
import { scoreUnion, type UnionMetrics } from './score.js';
import type { SimulationOptions } from './options.js';

/** Fit an encoder on one table (a node alone, or the pool). */
export function encoderFor(table: Table): EncoderSpec {
  const layout = statsLayout(featureColumns(table.schema));
  return fitEncoder(layout.slots.map((s) => s.column), localStats(table, layout), layout);
}

/** Train a model centrally on `table` for the same number of passes as the federation makes. */
export function trainCentral(table: Table, encoder: EncoderSpec, options: SimulationOptions, purpose: string): Model {
  const model = createModel(options.model.kind, encoder.features.length, options.model.config, deriveRandom(options.seed, 'init'));
  trainLocal(model, { x: encodeTable(encoder, table), y: labelsOf(table) }, {
    ...options.train,
    classWeights: options.train.classWeights === 'balanced' ? 'balanced' : undefined,
    epochs: options.rounds * options.train.epochs,
    rng: deriveRandom(options.seed, 'central', purpose),
  });
  return model;
}

export interface LocalOnlyNode {
  readonly nodeId: string;
  readonly numTrain: number;
  readonly numTest: number;
  readonly badRate: number;
  /** On the node's own test split. */
  readonly own: UnionMetrics;
  /** On the union of every node's test split. */
  readonly union: UnionMetrics;
}

/** Each node alone. */
export function localOnly(nodes: readonly NodeDataset[], nodeIds: readonly string[], unionTest: Table, options: SimulationOptions): LocalOnlyNode[] {
  return nodes.map((node, i) => {
    const encoder = encoderFor(node.train);
    const model = trainCentral(node.train, encoder, options, `local:${nodeIds[i]}`);
    const bad = node.train.label.reduce((s, v) => s + v, 0);
    return {
      nodeId: nodeIds[i],
      numTrain: node.train.numRows,
      numTest: node.test.numRows,
      badRate: bad / node.train.numRows,
      own: scoreUnion(model, encoder, node.test),
      union: scoreUnion(model, encoder, unionTest),
    };
  });
}
