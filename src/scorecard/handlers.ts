/**
 * The scorecard message types a lender node answers:
 * - `woeCounts`: good/bad counts per fine bin of every feature column of its training rows
 *   (./fineCounts.ts), summed by the coordinator into the federated binning;
 * - `scorecardSetup`: receive the job's binning (the WOE encoder) and remember the job;
 * - `scorecardTrain` / `scorecardEvaluate`: the core train / evaluate messages, on WOE features.
 * What leaves the node: fine-bin counts, parameters and score histograms — sums over rows only.
 */
import { featureColumns } from '../data/schema.js';
import type { Matrix } from '../math/linalg.js';
import type { Handler } from '../node/app.js';
import type { NodeDataset } from '../node/jobContext.js';
import { labelsOf } from '../preprocess/encoder.js';
import { ProtocolError, readBoolean, readJson, readNumber, readString } from '../protocol/config.js';
import { replyTo, type Message } from '../protocol/message.js';
import type { Binning } from './binning.js';
import { parseBinning, woeMatrix } from './encode.js';
import { DEFAULT_GRID_COARSENING, localWoeCounts, woeCountsLayout } from './fineCounts.js';
import { evaluateReply, readSplit, trainReply } from './nodeTraining.js';

/** Message types of the scorecard exchanges. */
export const SCORECARD_MESSAGES = Object.freeze({ counts: 'woeCounts', setup: 'scorecardSetup', train: 'scorecardTrain', evaluate: 'scorecardEvaluate' } as const);

/** Longest binning JSON a node accepts (a few hundred variables of a few bins each). */
export const MAX_BINNING_CHARS = 4_000_000;

interface ScorecardJob {
  readonly dataset: NodeDataset;
  readonly binning: Binning;
  readonly seed: number | string;
  readonly cache: Map<'train' | 'test', { x: Matrix; y: Float64Array }>;
}

/** Read the dataset a message names from the node's registered datasets. */
export function datasetOf(datasets: ReadonlyMap<string, NodeDataset>, message: Message): NodeDataset {
  const key = readString(message.config, 'datasetKey', { maxLength: 200 });
  const dataset = datasets.get(key);
  if (!dataset) throw new ProtocolError(`dataset "${key}" is not registered at this node`, 'DATASET_UNKNOWN');
  return dataset;
}

/** Read a seed (number or string) from a message; 0 when absent. */
export function seedOf(message: Message): number | string {
  const seed = message.config.seed ?? 0;
  if (typeof seed === 'boolean') throw new ProtocolError('config.seed: expected a number or string');
  return seed;
}

/** Parse a binning carried as JSON in `config[key]`, turning its TypeErrors into protocol errors. */
export function readBinning(message: Message, key = 'binning'): Binning {
  try {
    return parseBinning(readJson(message.config, key, MAX_BINNING_CHARS));
  } catch (err) {
    if (err instanceof TypeError) throw new ProtocolError(`config.${key}: ${err.message}`);
    throw err;
  }
}

/**
 * Build the scorecard handlers over the datasets a node holds (keyed like the core handlers).
 *
 * @example new NodeApp({ nodeId, handlers: { ...createCreditHandlers(ds), ...createScorecardHandlers(ds) } })
 */
export function createScorecardHandlers(datasets: ReadonlyMap<string, NodeDataset>): Record<string, Handler> {
  const jobs = new Map<string, ScorecardJob>();
  const jobFor = (message: Message): ScorecardJob => {
    const job = jobs.get(message.jobId);
    if (!job) throw new ProtocolError(`scorecard job "${message.jobId}" was not set up at this node`, 'JOB_UNKNOWN');
    return job;
  };
  const encoded = (job: ScorecardJob, split: 'train' | 'test') => {
    let e = job.cache.get(split);
    if (!e) {
      const table = job.dataset[split];
      e = { x: woeMatrix(job.binning, table), y: labelsOf(table) };
      job.cache.set(split, e);
    }
    return e;
  };

  return {
    async [SCORECARD_MESSAGES.counts](message) {
      const dataset = datasetOf(datasets, message);
      const includeProtected = readBoolean(message.config, 'includeProtected', false);
      const gridCoarsening = readNumber(message.config, 'gridCoarsening', { min: 1, max: 2048, integer: true, fallback: DEFAULT_GRID_COARSENING });
      let layout;
      try {
        layout = woeCountsLayout(featureColumns(dataset.train.schema, includeProtected), gridCoarsening);
      } catch (err) {
        throw new ProtocolError(err instanceof Error ? err.message : String(err));
      }
      return replyTo(message, { arrays: { counts: localWoeCounts(dataset.train, layout) }, config: { numRows: dataset.train.numRows } });
    },

    async [SCORECARD_MESSAGES.setup](message) {
      const dataset = datasetOf(datasets, message);
      const binning = readBinning(message);
      const schemaColumns = new Set(dataset.train.schema.columns.map((c) => c.name));
      const unknown = binning.variables.find((v) => !schemaColumns.has(v.column));
      if (unknown) throw new ProtocolError(`config.binning: column "${unknown.column}" is not in dataset "${dataset.key}"`);
      if (!binning.variables.some((v) => v.selected)) throw new ProtocolError('config.binning: no variable is selected');
      jobs.set(message.jobId, { dataset, binning, seed: seedOf(message), cache: new Map() });
      return replyTo(message, { config: { numTrain: dataset.train.numRows, numTest: dataset.test.numRows, numFeatures: binning.variables.filter((v) => v.selected).length } });
    },

    async [SCORECARD_MESSAGES.train](message) {
      const job = jobFor(message);
      const { x, y } = encoded(job, 'train');
      return trainReply(message, x, y, job.seed);
    },

    async [SCORECARD_MESSAGES.evaluate](message) {
      const job = jobFor(message);
      const { x, y } = encoded(job, readSplit(message));
      return evaluateReply(message, x, y);
    },
  };
}
