/**
 * The handlers a lender node runs for federated gradient-boosted trees (driven by
 * ../coordinator/gbdtTrainer.ts). Each message is checked before use, and what leaves the node
 * is only sums over its rows:
 *
 * - `gbdt.setup` {datasetKey, features (JSON), includeProtected?}: bin the node's rows with the
 *   coordinator's features; reply `labelSums` = [numRows, numBad] (for the base margin).
 * - `gbdt.level` {tree, baseMargin, partialTree (JSON), openNodes (JSON)}: reply `histograms`,
 *   [G, H, N] per open node × feature × bin at the current margins. Stateless per level (the
 *   partial tree is resent every time), so a repeated request gets the same answer.
 * - `gbdt.trees` {firstTree, trees (JSON array), baseMargin}: append the trees the node does
 *   not hold yet (a tree it holds must be identical); reply `lossSums` = [Σ log loss, numRows]
 *   and `numTrees`.
 * - `gbdt.evaluate` {numTrees, baseMargin, split, numBins}: score histogram sums, as `evaluate`.
 * Codes: DATASET_UNKNOWN, JOB_UNKNOWN, GBDT_OUT_OF_SYNC (the node holds another number of
 * trees than the request assumes), GBDT_CONFLICT (a different tree at an index it holds),
 * BAD_MESSAGE.
 */
import { featureColumns } from '../data/schema.js';
import { localEvaluationSums } from '../metrics/histogram.js';
import { parseFeatures, rawMatrix, type GbdtFeature } from '../model/gbdt/features.js';
import { parseTree, type Tree } from '../model/gbdt/tree.js';
import { GbdtWorker } from '../model/gbdt/worker.js';
import { readBoolean, readJson, readNumber, readString, ProtocolError } from '../protocol/config.js';
import { replyTo, type Message } from '../protocol/message.js';
import { labelsOf } from '../preprocess/encoder.js';
import type { Handler } from './app.js';
import type { NodeDataset } from './jobContext.js';

/** Message types of federated boosting. */
export const GBDT_MESSAGE_TYPES = ['gbdt.setup', 'gbdt.level', 'gbdt.trees', 'gbdt.evaluate'] as const;

/** Longest JSON a gbdt message may carry in one config value (the wire allows 1 MiB of strings). */
const MAX_JSON_CHARS = 1_000_000;

/** Build the boosting handlers over the datasets a node holds (merge them with the credit handlers). */
export function createGbdtHandlers(datasets: ReadonlyMap<string, NodeDataset>): Record<string, Handler> {
  if (!(datasets instanceof Map)) throw new TypeError('datasets: expected a Map of NodeDataset');
  const jobs = new Map<string, GbdtWorker>();

  const jobFor = (message: Message): GbdtWorker => {
    const worker = jobs.get(message.jobId);
    if (!worker) throw new ProtocolError(`job "${message.jobId}" was not set up for boosting at this node`, 'JOB_UNKNOWN');
    worker.start(readNumber(message.config, 'baseMargin', { min: -50, max: 50 }));
    return worker;
  };
  const expectTrees = (worker: GbdtWorker, numTrees: number) => {
    if (worker.numTrees !== numTrees) throw new ProtocolError(`this node holds ${worker.numTrees} trees, the request assumes ${numTrees}`, 'GBDT_OUT_OF_SYNC');
  };
  const parse = <T>(fn: () => T, key: string): T => {
    try {
      return fn();
    } catch (err) {
      if (err instanceof ProtocolError) throw err;
      throw new ProtocolError(`config.${key}: ${(err as Error).message}`);
    }
  };

  return {
    async 'gbdt.setup'(message) {
      const key = readString(message.config, 'datasetKey', { maxLength: 200 });
      const dataset = datasets.get(key);
      if (!dataset) throw new ProtocolError(`dataset "${key}" is not registered at this node`, 'DATASET_UNKNOWN');
      const features = parse(() => parseFeatures(readJson(message.config, 'features', MAX_JSON_CHARS)), 'features');
      checkColumns(features, dataset, readBoolean(message.config, 'includeProtected', false));
      const worker = new GbdtWorker(
        features,
        { raw: rawMatrix(features, dataset.train), labels: labelsOf(dataset.train) },
        { raw: rawMatrix(features, dataset.test), labels: labelsOf(dataset.test) },
      );
      jobs.set(message.jobId, worker);
      return replyTo(message, { arrays: { labelSums: worker.labelSums() }, config: { numTrain: dataset.train.numRows, numTest: dataset.test.numRows } });
    },

    async 'gbdt.level'(message) {
      const worker = jobFor(message);
      expectTrees(worker, readNumber(message.config, 'tree', { min: 0, integer: true }));
      const partial = parse(() => parseTree(readJson(message.config, 'partialTree', MAX_JSON_CHARS), worker.features), 'partialTree');
      const open = readJson(message.config, 'openNodes', 10_000);
      if (!Array.isArray(open) || open.length === 0 || !open.every((id) => Number.isInteger(id))) throw new ProtocolError('config.openNodes: expected a non-empty array of node indices');
      const histograms = parse(() => worker.histograms(partial, open as number[]), 'openNodes');
      return replyTo(message, { arrays: { histograms } });
    },

    async 'gbdt.trees'(message) {
      const worker = jobFor(message);
      const firstTree = readNumber(message.config, 'firstTree', { min: 0, integer: true });
      const raw = readJson(message.config, 'trees', MAX_JSON_CHARS);
      if (!Array.isArray(raw) || raw.length === 0) throw new ProtocolError('config.trees: expected a non-empty array of trees');
      if (firstTree > worker.numTrees) throw new ProtocolError(`this node holds ${worker.numTrees} trees; trees from ${firstTree} on cannot be appended`, 'GBDT_OUT_OF_SYNC');
      const trees: Tree[] = raw.map((t, i) => parse(() => parseTree(t, worker.features), `trees[${i}]`));
      trees.forEach((tree, i) => {
        const index = firstTree + i;
        if (index < worker.numTrees) {
          if (JSON.stringify(worker.tree(index)) !== JSON.stringify(tree)) throw new ProtocolError(`tree ${index} differs from the one this node holds`, 'GBDT_CONFLICT');
        } else worker.addTree(tree);
      });
      return replyTo(message, { arrays: { lossSums: worker.lossSums() }, config: { numTrees: worker.numTrees } });
    },

    async 'gbdt.evaluate'(message) {
      const worker = jobFor(message);
      expectTrees(worker, readNumber(message.config, 'numTrees', { min: 0, integer: true }));
      const split = readString<'train' | 'test'>(message.config, 'split', { allowed: ['train', 'test'] as const, fallback: 'test' });
      const numBins = readNumber(message.config, 'numBins', { min: 10, max: 100_000, integer: true, fallback: 1000 });
      const { probabilities, labels } = worker.scores(split);
      return replyTo(message, { arrays: { sums: localEvaluationSums(probabilities, labels, numBins) }, config: { numExamples: labels.length } });
    },
  };
}

/** Every feature must name a feature column of the dataset, with a matching kind. */
function checkColumns(features: readonly GbdtFeature[], dataset: NodeDataset, includeProtected: boolean): void {
  const columns = new Map(featureColumns(dataset.train.schema, includeProtected).map((c) => [c.name, c] as const));
  for (const f of features) {
    const c = columns.get(f.column);
    if (!c) throw new ProtocolError(`config.features: "${f.column}" is not a feature column of dataset "${dataset.key}"`);
    if ((c.kind === 'numeric') !== (f.kind === 'numeric')) throw new ProtocolError(`config.features: "${f.column}" is ${c.kind} here, not ${f.kind}`);
  }
}
