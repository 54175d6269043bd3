/**
 * Boosting on rows held in one place: the pooled reference (every lender's rows together) and
 * node-alone baselines. It runs exactly the federated algorithm with a single worker, the same
 * {@link TreeGrower} deciding from the same kind of histograms, so pooled and federated differ
 * only by the order in which floating-point sums are added.
 */
import { featureColumns, type Table } from '../../data/schema.js';
import { labelsOf } from '../../preprocess/encoder.js';
import { localStats, statsLayout } from '../../preprocess/stats.js';
import { TreeEnsemble } from './ensemble.js';
import { binningFromStats, rawMatrix, type GbdtFeature } from './features.js';
import { TreeGrower } from './grower.js';
import type { GbdtParams } from './params.js';
import type { Tree } from './tree.js';
import { GbdtWorker, type LabelledRows } from './worker.js';

/**
 * Initial margin: the log-odds of the bad rate, log(numBad / numGood), with the rate clamped to
 * [1e-6, 1 − 1e-6] so that rows of one class still give a finite start.
 */
export function baseMarginFromCounts(numRows: number, numBad: number): number {
  if (!(numRows > 0) || !Number.isFinite(numRows)) throw new RangeError(`numRows: expected a positive number, got ${numRows}`);
  if (!(numBad >= 0 && numBad <= numRows)) throw new RangeError(`numBad: expected a number from 0 to numRows, got ${numBad}`);
  const rate = Math.min(1 - 1e-6, Math.max(1e-6, numBad / numRows));
  return Math.log(rate / (1 - rate));
}

/** Tree features of a table's feature columns, binned from its own statistics. */
export function featuresOfTable(table: Table, maxBins: number, includeProtected = false): GbdtFeature[] {
  const columns = featureColumns(table.schema, includeProtected);
  const layout = statsLayout(columns);
  return binningFromStats(columns, localStats(table, layout), maxBins, layout);
}

/**
 * Grow one tree with `worker` at its current margins (histograms requested level by level) and
 * add it to the worker. Returns the tree.
 */
export function growTreeLocally(worker: GbdtWorker, params: GbdtParams): Tree {
  const grower = new TreeGrower(worker.features, worker.layout, params);
  while (!grower.done) grower.applyHistograms(worker.histograms(grower.partialTree(), grower.openNodes));
  const tree = grower.finish();
  worker.addTree(tree);
  return tree;
}

/**
 * Boost `params.numTrees` trees on `train` (rows of a raw matrix with labels).
 *
 * @example
 * const features = featuresOfTable(table, 32);
 * const model = trainGbdtLocal(features, { raw: rawMatrix(features, table), labels: table.label }, gbdtParams());
 */
export function trainGbdtLocal(features: readonly GbdtFeature[], train: LabelledRows, params: GbdtParams, onTree?: (numTrees: number, worker: GbdtWorker) => void): TreeEnsemble {
  const worker = new GbdtWorker(features, train);
  const [numRows, numBad] = worker.labelSums();
  const baseMargin = baseMarginFromCounts(numRows, numBad);
  worker.start(baseMargin);
  const trees: Tree[] = [];
  for (let t = 0; t < params.numTrees; t++) {
    trees.push(growTreeLocally(worker, params));
    onTree?.(t + 1, worker);
  }
  return new TreeEnsemble({ features, baseMargin, params, trees });
}

/** {@link trainGbdtLocal} on a table, with features binned from the table's own statistics. */
export function trainGbdtOnTable(table: Table, params: GbdtParams, features: readonly GbdtFeature[] = featuresOfTable(table, params.maxBins)): TreeEnsemble {
  return trainGbdtLocal(features, { raw: rawMatrix(features, table), labels: labelsOf(table) }, params);
}
