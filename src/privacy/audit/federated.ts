/**
 * Running a whole federated job in one process for the audit: the coordinator's own
 * preprocessing, setup exchange and round loop talk to N node apps through the in-process
 * transport, exactly as `fedcredit simulate` does. The nodes run the real credit handlers; a
 * private job sends its DP-SGD settings in `config.privacy` of every train message, as
 * `simulate --dp-epsilon` does, so the private and non-private targets differ in local training
 * and in nothing else. A {@link TrainFn} can replace the `train` handler to audit a training
 * procedure the handlers do not have.
 */
import { exchange } from '../../coordinator/exchange.js';
import { federatedPreprocess } from '../../coordinator/preprocess.js';
import { runRounds, type TrainSettings } from '../../coordinator/roundLoop.js';
import { deriveRandom } from '../../math/random.js';
import { createModel } from '../../model/factory.js';
import type { Model } from '../../model/model.js';
import { NodeApp, type Handler } from '../../node/app.js';
import { createCreditHandlers, parseModelSpec } from '../../node/creditHandlers.js';
import { JobContext, type ModelSpec, type NodeDataset } from '../../node/jobContext.js';
import { readArray, readJson, ProtocolError } from '../../protocol/config.js';
import { replyTo, type ConfigValue } from '../../protocol/message.js';
import { parseEncoderSpec, type EncoderSpec } from '../../preprocess/encoder.js';
import { createStrategy } from '../../strategy/index.js';
import type { DpSgdSettings } from '../plan.js';
import { InProcessTransport, type NodeEndpoint } from '../../transport/inProcess.js';
import type { TrainFn } from './trainFns.js';

/**
 * The credit handlers of one node holding `dataset` (DP randomness derived from the job seed, as
 * in simulations), with `train` replaced by `trainFn` when given. The replacement keeps the real handler's contract: parameters in, float32-rounded
 * parameters and the number of examples out (and the loss only when the TrainFn reports one).
 */
export function createAuditHandlers(dataset: NodeDataset, trainFn?: TrainFn): Record<string, Handler> {
  const base = createCreditHandlers(new Map([[dataset.key, dataset]]), { dpRandomness: 'seeded' });
  if (trainFn === undefined) return base;
  if (typeof trainFn !== 'function') throw new TypeError('trainFn: expected a function');
  const jobs = new Map<string, JobContext>();
  return {
    ...base,
    async setup(message) {
      const reply = await base.setup(message);
      const seed = message.config.seed ?? 0;
      if (typeof seed === 'boolean') throw new ProtocolError('config.seed: expected a number or string');
      jobs.set(message.jobId, new JobContext({
        jobId: message.jobId, dataset, seed,
        encoder: parseEncoderSpec(readJson(message.config, 'encoder')),
        model: parseModelSpec(readJson(message.config, 'model', 10_000)),
      }));
      return reply;
    },
    async train(message) {
      const job = jobs.get(message.jobId);
      if (!job) throw new ProtocolError(`job "${message.jobId}" was not set up at this node`, 'JOB_UNKNOWN');
      const model = createModel(job.model.kind, job.encoder.features.length, job.model.config, deriveRandom(job.seed, 'init'));
      model.setParameters(readArray(message.arrays, 'parameters', model.numParameters));
      const result = trainFn(model, job.encoded('train'), { nodeId: message.nodeId, round: message.round, seed: job.seed });
      const config: Record<string, ConfigValue> = { numExamples: result.numExamples };
      if (result.meanLoss !== undefined) config.loss = result.meanLoss;
      return replyTo(message, { arrays: { parameters: model.getParameters().map(Math.fround) }, config });
    },
  };
}

/** Options of {@link runFederation}. */
export interface FederationOptions {
  /** One dataset per node (all registered under the same key and schema). */
  readonly nodes: readonly NodeDataset[];
  readonly model: ModelSpec;
  readonly rounds: number;
  /** Settings sent with every train message (used by the real handlers; a TrainFn has its own). */
  readonly train: TrainSettings;
  readonly seed: number;
  /** Record-level DP-SGD at every node (σ fixed), sent as `config.privacy`; default: no DP. */
  readonly privacy?: AuditPrivacy;
  /** Replaces local training at every node; default: the real train handler. */
  readonly trainFn?: TrainFn;
  readonly jobId?: string;
  /** Federated evaluation after every round (default false: the audit scores the model itself). */
  readonly evaluateEveryRound?: boolean;
  /** Send a `describe` exchange first, as a coordinator does before a job (default false). */
  readonly describe?: boolean;
  /** Wrap each node's endpoint, e.g. to record every reply (transportCheck.ts). */
  readonly wrapEndpoint?: (nodeId: string, endpoint: NodeEndpoint, dataset: NodeDataset) => NodeEndpoint;
  readonly timeoutMs?: number;
}

/** DP-SGD settings of a private job, with the noise multiplier already calibrated. */
export type AuditPrivacy = Omit<DpSgdSettings, 'targetEpsilon' | 'noiseMultiplier'> & { readonly noiseMultiplier: number };

/** The released global model and the encoder it expects. */
export interface FederationResult {
  readonly model: Model;
  readonly encoder: EncoderSpec;
  readonly nodeIds: readonly string[];
}

/**
 * Run one federated job (FedAvg) and return the final global model, which is all the
 * membership attacker gets.
 *
 * @example const { model, encoder } = await runFederation({ nodes, model: { kind: 'logreg', config: {} }, rounds: 30, train, seed: 1 });
 */
export async function runFederation(options: FederationOptions): Promise<FederationResult> {
  const { nodes, rounds, seed } = options;
  if (!Array.isArray(nodes) || nodes.length === 0) throw new RangeError('nodes: expected at least one node dataset');
  if (!Number.isInteger(rounds) || rounds < 1) throw new RangeError(`rounds: expected an integer ≥ 1, got ${rounds}`);
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed: expected an integer, got ${seed}`);
  const datasetKey = nodes[0].key;
  if (nodes.some((n) => n.key !== datasetKey)) throw new RangeError('nodes: expected every node dataset under the same key');
  const nodeIds = nodes.map((_, i) => `node-${i + 1}`);
  const timeoutMs = options.timeoutMs ?? 60_000;
  const jobId = options.jobId ?? `audit-${seed}`;
  const minNodes = nodes.length;
  const transport = new InProcessTransport(nodes.map((dataset, i) => {
    const app: NodeEndpoint = new NodeApp({ nodeId: nodeIds[i], handlers: createAuditHandlers(dataset, options.trainFn) });
    return [nodeIds[i], options.wrapEndpoint ? options.wrapEndpoint(nodeIds[i], app, dataset) : app];
  }));
  try {
    if (options.describe) await exchange({ transport, jobId, round: 0, type: 'describe', nodeIds, config: { datasetKey }, timeoutMs, minReplies: minNodes });
    const pre = await federatedPreprocess({ transport, jobId, datasetKey, schema: nodes[0].train.schema, nodeIds, minNodes, timeoutMs });
    const initial = createModel(options.model.kind, pre.encoder.features.length, options.model.config, deriveRandom(seed, 'init'));
    await exchange({
      transport, jobId, round: 0, type: 'setup', nodeIds, minReplies: minNodes, timeoutMs,
      config: { datasetKey, encoder: JSON.stringify(pre.encoder), model: JSON.stringify(options.model), seed },
    });
    const { parameters } = await runRounds({
      transport, strategy: createStrategy('fedavg'), jobId, seed, rounds, initialParameters: initial.getParameters(),
      train: options.train, minNodes, timeoutMs, evaluateEveryRound: options.evaluateEveryRound ?? false,
      ...(options.privacy ? { extraTrainConfig: { privacy: JSON.stringify(options.privacy) } } : {}),
    });
    initial.setParameters(parameters);
    return { model: initial, encoder: pre.encoder, nodeIds };
  } finally {
    await transport.close();
  }
}
