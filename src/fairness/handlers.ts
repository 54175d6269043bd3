/**
 * The fairness message types a lender node answers:
 * - `fairnessCounts`: score its own rows with the model it is sent (encoder, model spec and
 *   parameters) and return the group × decision × outcome counts and per-group calibration
 *   histograms of ./counts.ts;
 * - `proxySetup`, `proxyTrain`, `proxyEvaluate`: a logistic regression that predicts membership
 *   of one protected group from the model's features, trained by the core round loop, for the
 *   proxy check (./proxy.ts).
 * Protected values never leave the node: only counts, parameters and score histograms do.
 */
import type { Matrix } from '../math/linalg.js';
import { Random } from '../math/random.js';
import { createModel } from '../model/factory.js';
import type { Handler } from '../node/app.js';
import { parseModelSpec } from '../node/creditHandlers.js';
import type { NodeDataset } from '../node/jobContext.js';
import { encodeTable, labelsOf, parseEncoderSpec, type EncoderSpec } from '../preprocess/encoder.js';
import { ProtocolError, readArray, readJson, readNumber } from '../protocol/config.js';
import { replyTo, type Message } from '../protocol/message.js';
import { datasetOf, seedOf } from '../scorecard/handlers.js';
import { evaluateReply, readSplit, trainReply } from '../scorecard/nodeTraining.js';
import { localFairnessCounts } from './counts.js';
import { groupIndex, parseFairnessAttributes, type FairnessAttribute } from './groups.js';

/** Message types of the fairness exchanges. */
export const FAIRNESS_MESSAGES = Object.freeze({ counts: 'fairnessCounts', proxySetup: 'proxySetup', proxyTrain: 'proxyTrain', proxyEvaluate: 'proxyEvaluate' } as const);

/** Parse JSON config with a parser that throws TypeError, reporting problems as protocol errors. */
function readParsed<T>(message: Message, key: string, parse: (v: unknown) => T, maxLength = 1_000_000): T {
  try {
    return parse(readJson(message.config, key, maxLength));
  } catch (err) {
    if (err instanceof TypeError) throw new ProtocolError(`config.${key}: ${err.message}`);
    throw err;
  }
}

function checkColumns(dataset: NodeDataset, attributes: readonly FairnessAttribute[]): void {
  for (const a of attributes) {
    if (!dataset.train.schema.columns.some((c) => c.name === a.column)) throw new ProtocolError(`config.attributes: column "${a.column}" is not in dataset "${dataset.key}"`);
  }
}

interface ProxyJob {
  readonly dataset: NodeDataset;
  readonly encoder: EncoderSpec;
  readonly attribute: FairnessAttribute;
  readonly group: number;
  readonly seed: number | string;
  readonly cache: Map<'train' | 'test', { x: Matrix; y: Float64Array }>;
}

/**
 * Build the fairness handlers over the datasets a node holds.
 *
 * @example new NodeApp({ nodeId, handlers: { ...createCreditHandlers(ds), ...createFairnessHandlers(ds) } })
 */
export function createFairnessHandlers(datasets: ReadonlyMap<string, NodeDataset>): Record<string, Handler> {
  const jobs = new Map<string, ProxyJob>();
  const encoded = (job: ProxyJob, split: 'train' | 'test') => {
    let e = job.cache.get(split);
    if (!e) {
      const table = job.dataset[split];
      const groups = groupIndex(table, job.attribute);
      e = { x: encodeTable(job.encoder, table), y: Float64Array.from(groups, (g) => (g === job.group ? 1 : 0)) };
      job.cache.set(split, e);
    }
    return e;
  };
  const jobFor = (message: Message): ProxyJob => {
    const job = jobs.get(message.jobId);
    if (!job) throw new ProtocolError(`proxy job "${message.jobId}" was not set up at this node`, 'JOB_UNKNOWN');
    return job;
  };

  return {
    async [FAIRNESS_MESSAGES.counts](message) {
      const dataset = datasetOf(datasets, message);
      const table = dataset[readSplit(message)];
      const encoder = readParsed(message, 'encoder', parseEncoderSpec);
      const spec = readParsed(message, 'model', parseModelSpec, 10_000);
      const attributes = readParsed(message, 'attributes', parseFairnessAttributes);
      checkColumns(dataset, attributes);
      const threshold = readNumber(message.config, 'threshold', { min: Number.MIN_VALUE, max: 1 });
      const numBins = readNumber(message.config, 'numBins', { min: 1, max: 1000, integer: true, fallback: 10 });
      // The initialisation is overwritten by the parameters: any fixed generator will do.
      const model = createModel(spec.kind, encoder.features.length, spec.config, new Random([1, 2, 3, 4]));
      model.setParameters(readArray(message.arrays, 'parameters', model.numParameters));
      const probabilities = model.predictProba(encodeTable(encoder, table));
      const counts = localFairnessCounts(attributes, attributes.map((a) => groupIndex(table, a)), probabilities, labelsOf(table), { threshold, numBins });
      return replyTo(message, { arrays: { counts }, config: { numRows: table.numRows } });
    },

    async [FAIRNESS_MESSAGES.proxySetup](message) {
      const dataset = datasetOf(datasets, message);
      const encoder = readParsed(message, 'encoder', parseEncoderSpec);
      const [attribute] = readParsed(message, 'attribute', (v) => parseFairnessAttributes([v]));
      checkColumns(dataset, [attribute]);
      const group = readNumber(message.config, 'group', { min: 0, max: attribute.groups.length - 1, integer: true });
      jobs.set(message.jobId, { dataset, encoder, attribute, group, seed: seedOf(message), cache: new Map() });
      return replyTo(message, { config: { numTrain: dataset.train.numRows, numTest: dataset.test.numRows } });
    },

    async [FAIRNESS_MESSAGES.proxyTrain](message) {
      const job = jobFor(message);
      const { x, y } = encoded(job, 'train');
      return trainReply(message, x, y, job.seed);
    },

    async [FAIRNESS_MESSAGES.proxyEvaluate](message) {
      const job = jobFor(message);
      const { x, y } = encoded(job, readSplit(message));
      return evaluateReply(message, x, y);
    },
  };
}
