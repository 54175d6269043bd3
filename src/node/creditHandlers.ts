/**
 * The handlers a lender node runs for the core message types: `describe` (the schema of the
 * dataset registered under a key, and its size), `stats` (local sufficient
 * statistics for federated preprocessing), `setup` (receive the job's encoder and model),
 * `train` (local training from the global parameters) and `evaluate` (score histogram sums
 * for federated AUC/KS). What leaves the node is only parameters and sums over rows.
 */
import { featureColumns, type Table } from '../data/schema.js';
import { concatTables } from './workspace/trainingRows.js';
import { feedbackIdsConfig } from '../protocol/feedbackIds.js';
import { localEvaluationSums } from '../metrics/histogram.js';
import { withFairnessCounts } from '../fairness/evaluation.js';
import { trainLocal } from '../model/train.js';
import { readArray, readBoolean, readJson, readNumber, readString, ProtocolError } from '../protocol/config.js';
import { readTrainOptions } from './trainConfig.js';
import { replyTo, type Message } from '../protocol/message.js';
import { parseEncoderSpec } from '../preprocess/encoder.js';
import { STATS_PARTS, localStats, selectStats, statsLayout } from '../preprocess/stats.js';
import type { Handler } from './app.js';
import { JobContext, type ModelSpec, type NodeDataset } from './jobContext.js';
import { readPrivacy, trainPrivately, type DpRandomness } from './privateTrain.js';

export { TRAIN_DEFAULTS } from './trainConfig.js';

/** Options of {@link createCreditHandlers}. */
export interface CreditHandlerOptions {
  /** Where DP sampling and noise come from: the OS (default) or the job seed (simulations). */
  readonly dpRandomness?: DpRandomness;
  /**
   * Labelled rows from officers' feedback (src/node/workspace/trainingRows.ts), asked at each
   * job's setup and appended to the dataset's training split for that job; the train replies
   * then report the feedback ids (ids only) for the model's lineage.
   */
  readonly trainingFeedback?: (dataset: NodeDataset) => Promise<{ readonly ids: readonly string[]; readonly table: Table } | undefined>;
}

/**
 * Build the core handlers over the datasets a node holds. A train message with
 * `config.privacy` trains with DP-SGD or DP-FedAvg (see privateTrain.ts); without it, training
 * is exactly the non-private path.
 */
export function createCreditHandlers(datasets: ReadonlyMap<string, NodeDataset>, options: CreditHandlerOptions = {}): Record<string, Handler> {
  const dpRandomness = options.dpRandomness ?? 'os';
  if (dpRandomness !== 'os' && dpRandomness !== 'seeded') throw new TypeError(`options.dpRandomness: expected "os" or "seeded", got ${JSON.stringify(dpRandomness)}`);
  const jobs = new Map<string, JobContext>();

  const datasetFor = (message: Message): NodeDataset => {
    const key = readString(message.config, 'datasetKey', { maxLength: 200 });
    const dataset = datasets.get(key);
    if (!dataset) throw new ProtocolError(`dataset "${key}" is not registered at this node`, 'DATASET_UNKNOWN');
    return dataset;
  };
  const jobFor = (message: Message): JobContext => {
    const job = jobs.get(message.jobId);
    if (!job) throw new ProtocolError(`job "${message.jobId}" was not set up at this node`, 'JOB_UNKNOWN');
    return job;
  };

  return {
    async describe(message) {
      const dataset = datasetFor(message);
      return replyTo(message, { config: { schema: JSON.stringify(dataset.train.schema), numTrain: dataset.train.numRows, numTest: dataset.test.numRows } });
    },

    async stats(message) {
      const dataset = datasetFor(message);
      const includeProtected = readBoolean(message.config, 'includeProtected', false);
      const layout = statsLayout(featureColumns(dataset.train.schema, includeProtected));
      // under secure aggregation or Paillier the coordinator asks for the counts, then the moments
      const part = readString(message.config, 'statsPart', { allowed: STATS_PARTS, fallback: 'all' });
      const stats = localStats(dataset.train, layout);
      return replyTo(message, { arrays: { stats: part === 'all' ? stats : selectStats(stats, layout, part) }, config: { numRows: dataset.train.numRows } });
    },

    async setup(message) {
      const dataset = datasetFor(message);
      const encoder = parseEncoderSpec(readJson(message.config, 'encoder'));
      const model = parseModelSpec(readJson(message.config, 'model', 10_000));
      const seed = message.config.seed ?? 0;
      if (typeof seed === 'boolean') throw new ProtocolError('config.seed: expected a number or string');
      const feedback = await options.trainingFeedback?.(dataset);
      const used = feedback && feedback.table.numRows > 0 ? { ...dataset, train: concatTables(dataset.train.schema, [dataset.train, feedback.table]) } : dataset;
      jobs.set(message.jobId, new JobContext({ jobId: message.jobId, dataset: used, encoder, model, seed, feedbackIds: feedback?.ids ?? [] }));
      return replyTo(message, { config: { numTrain: used.train.numRows, numTest: dataset.test.numRows, numFeatures: encoder.features.length } });
    },

    async train(message) {
      const job = jobFor(message);
      const { x, y } = job.encoded('train');
      const model = job.modelWith(readArray(message.arrays, 'parameters', job.numParameters));
      const c = message.config;
      const privacy = readPrivacy(c);
      if (privacy) {
        const content = trainPrivately({ message, privacy, model, data: { x, y }, seed: job.seed, randomness: dpRandomness });
        return replyTo(message, { ...content, config: { ...content.config, ...feedbackIdsConfig(job.feedbackIds) } });
      }
      const result = trainLocal(model, { x, y }, readTrainOptions(message, job.seed));
      // Rounded to float32: the wire carries 4 bytes per parameter, and the in-process and
      // networked transports then produce the very same model.
      const parameters = model.getParameters().map(Math.fround);
      return replyTo(message, { arrays: { parameters }, config: { numExamples: result.numExamples, loss: result.meanLoss, ...feedbackIdsConfig(job.feedbackIds) } });
    },

    async evaluate(message) {
      const job = jobFor(message);
      const split = readString<'train' | 'test'>(message.config, 'split', { allowed: ['train', 'test'] as const, fallback: 'test' });
      const numBins = readNumber(message.config, 'numBins', { min: 10, max: 100_000, integer: true, fallback: 1000 });
      const { x, y } = job.encoded(split);
      const model = job.modelWith(readArray(message.arrays, 'parameters', job.numParameters));
      const scores = model.predictProba(x);
      // with config.fairness, the group counts of the model report ride along (sums over rows only)
      const sums = withFairnessCounts(message.config, localEvaluationSums(scores, y, numBins), job.dataset[split], scores);
      return replyTo(message, { arrays: { sums }, config: { numExamples: x.rows } });
    },
  };
}

/** Validate a model description received in a setup message. */
export function parseModelSpec(value: unknown): ModelSpec {
  const v = value as ModelSpec;
  if (typeof v !== 'object' || v === null || (v.kind !== 'logreg' && v.kind !== 'mlp')) throw new ProtocolError('model: expected { kind: "logreg" | "mlp", config }');
  const config = v.config ?? {};
  if (config.hidden !== undefined) {
    if (!Array.isArray(config.hidden) || config.hidden.length < 1 || config.hidden.length > 2 || !config.hidden.every((h) => Number.isInteger(h) && h >= 1 && h <= 1024)) {
      throw new ProtocolError('model.config.hidden: expected 1 or 2 layer sizes between 1 and 1024');
    }
  }
  if (config.activation !== undefined && config.activation !== 'relu' && config.activation !== 'tanh') throw new ProtocolError('model.config.activation: expected relu or tanh');
  return { kind: v.kind, config: { hidden: config.hidden, activation: config.activation } };
}
