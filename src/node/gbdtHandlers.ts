/**
 * The handlers a lender node runs for federated gradient-boosted trees (driven by
 * ../coordinator/gbdtTrainer.ts). Each message is checked before use, and what leaves the node
 * is only sums over its rows (every summed reply can go through secure aggregation: the
 * secure-aggregation mod masks it, see ../protocol/contributions.ts):
 *
 * - `gbdt.sketch` {datasetKey, includeProtected?}: reply `sketch`, the row count and grid
 *   histograms of the numeric feature columns (../model/gbdt/sketch.ts) the bin edges come from.
 * - `gbdt.setup` {datasetKey, features (JSON), includeProtected?}: bin the node's rows with the
 *   coordinator's features; reply `labelSums` = [numRows, numBad] (for the base margin).
 * - `gbdt.level` {tree, baseMargin, partialTree (JSON), openNodes (JSON)}: reply `histograms`,
 *   [G, H, N] per open node × feature × bin at the current margins. Stateless per level (the
 *   partial tree is resent every time), so a repeated request gets the same answer.
 * - `gbdt.trees` {firstTree, trees (JSON array), baseMargin, lossSums?, evaluateBins?}: append
 *   the trees the node does not hold yet (a tree it holds must be identical); reply `numTrees`
 *   and, unless `lossSums` is false (a catch-up), `lossSums` = [Σ log loss, numRows], followed
 *   with `evaluateBins` by the test split's evaluation sums at `evaluateBins` score bins (so a
 *   tree and its evaluation cost one exchange, one secure sum).
 * - `gbdt.evaluate` {numTrees, baseMargin, split, numBins, fairness?}: reply `sums`, the split's
 *   score-histogram sums as `evaluate` gives them, with the fairness counts appended when
 *   `fairness` asks for them (../fairness/evaluation.ts): only sums over rows, summed like the
 *   histograms (the final evaluation of a boosting job, ../coordinator/gbdtEvaluate.ts).
 * Codes: DATASET_UNKNOWN, JOB_UNKNOWN, GBDT_OUT_OF_SYNC (the node holds another number of
 * trees than the request assumes), GBDT_CONFLICT (a different tree at an index it holds),
 * BAD_MESSAGE.
 */
import { featureColumns } from '../data/schema.js';
import { withFairnessCounts } from '../fairness/evaluation.js';
import { localEvaluationSums } from '../metrics/histogram.js';
import { parseFeatures, rawMatrix, type GbdtFeature } from '../model/gbdt/features.js';
import { localSketch } from '../model/gbdt/sketch.js';
import { parseTree, type Tree } from '../model/gbdt/tree.js';
import { GbdtWorker } from '../model/gbdt/worker.js';
import { readBoolean, readJson, readNumber, readString, ProtocolError } from '../protocol/config.js';
import { replyTo, type Message } from '../protocol/message.js';
import { labelsOf } from '../preprocess/encoder.js';
import type { Handler } from './app.js';
import type { NodeDataset } from './jobContext.js';

/** Message types of federated boosting. */
export const GBDT_MESSAGE_TYPES = ['gbdt.sketch', 'gbdt.setup', 'gbdt.level', 'gbdt.trees', 'gbdt.evaluate'] as const;

/** Longest JSON a gbdt message may carry in one config value (the wire allows 1 MiB of strings). */
const MAX_JSON_CHARS = 1_000_000;

/** Build the boosting handlers over the datasets a node holds (merge them with the credit handlers). */
export function createGbdtHandlers(datasets: ReadonlyMap<string, NodeDataset>): Record<string, Handler> {
  if (!(datasets instanceof Map)) throw new TypeError('datasets: expected a Map of NodeDataset');
  const jobs = new Map<string, GbdtWorker>();
  /** The dataset each job was set up on (its splits' rows, for the fairness counts of an evaluation). */
  const jobDatasets = new Map<string, NodeDataset>();

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

  const datasetOf = (message: Message): NodeDataset => {
    const key = readString(message.config, 'datasetKey', { maxLength: 200 });
    const dataset = datasets.get(key);
    if (!dataset) throw new ProtocolError(`dataset "${key}" is not registered at this node`, 'DATASET_UNKNOWN');
    return dataset;
  };

  return {
    async 'gbdt.sketch'(message) {
      const dataset = datasetOf(message);
      const columns = featureColumns(dataset.train.schema, readBoolean(message.config, 'includeProtected', false));
      return replyTo(message, { arrays: { sketch: localSketch(columns, dataset.train) }, config: { numRows: dataset.train.numRows } });
    },

    async 'gbdt.setup'(message) {
      const dataset = datasetOf(message);
      const features = parse(() => parseFeatures(readJson(message.config, 'features', MAX_JSON_CHARS)), 'features');
      checkColumns(features, dataset, readBoolean(message.config, 'includeProtected', false));
      const worker = new GbdtWorker(
        features,
        { raw: rawMatrix(features, dataset.train), labels: labelsOf(dataset.train) },
        { raw: rawMatrix(features, dataset.test), labels: labelsOf(dataset.test) },
      );
      jobs.set(message.jobId, worker);
      jobDatasets.set(message.jobId, dataset);
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
      const withLoss = readBoolean(message.config, 'lossSums', true);
      const evaluateBins = message.config.evaluateBins === undefined ? 0 : readNumber(message.config, 'evaluateBins', { min: 10, max: 100_000, integer: true });
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
      if (!withLoss) return replyTo(message, { config: { numTrees: worker.numTrees } });
      // one summed vector: the loss sums, then (if asked) the test split's evaluation sums
      const loss = worker.lossSums();
      let sums = loss;
      if (evaluateBins > 0) {
        const { probabilities, labels } = worker.scores('test');
        sums = new Float64Array(loss.length + 2 * evaluateBins + 3);
        sums.set(loss);
        sums.set(localEvaluationSums(probabilities, labels, evaluateBins), loss.length);
      }
      return replyTo(message, { arrays: { lossSums: sums }, config: { numTrees: worker.numTrees } });
    },

    async 'gbdt.evaluate'(message) {
      const worker = jobFor(message);
      expectTrees(worker, readNumber(message.config, 'numTrees', { min: 0, integer: true }));
      const split = readString<'train' | 'test'>(message.config, 'split', { allowed: ['train', 'test'] as const, fallback: 'test' });
      const numBins = readNumber(message.config, 'numBins', { min: 10, max: 100_000, integer: true, fallback: 1000 });
      const { probabilities, labels } = worker.scores(split);
      // the worker's rows are the split's rows in order, so the split's table gives their groups
      const sums = withFairnessCounts(message.config, localEvaluationSums(probabilities, labels, numBins), jobDatasets.get(message.jobId)![split], probabilities);
      return replyTo(message, { arrays: { sums }, config: { numExamples: labels.length } });
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
