/**
 * The federated round loop, independent of transport: for each round, sample nodes, send them
 * the global parameters with the training configuration, collect the results that arrive in
 * time, aggregate them with the strategy, and evaluate. Used unchanged by the in-process
 * simulation and by the networked coordinator.
 */
import { deriveRandom } from '../math/random.js';
import type { FederatedMetrics } from '../metrics/histogram.js';
import { readArray, readNumber } from '../protocol/config.js';
import type { ConfigValue } from '../protocol/message.js';
import type { FitResult, Strategy, SumInput } from '../strategy/strategy.js';
import type { Transport } from '../transport/transport.js';
import { plainAggregator, type SumAggregator } from './aggregation.js';
import { RoundError } from './errors.js';
import { evaluationResult, evaluationSum, federatedEvaluate, type EvaluateRequest } from './evaluate.js';
import { secureExchangeJoint } from './secureAggregation.js';
import { exchange, type ExchangeResult } from './exchange.js';
import { collectSum, type AggregationMode, type CollectResult } from './collect.js';
import { readFeedbackIds } from '../protocol/feedbackIds.js';

/** Local-training settings sent to nodes with every train message. */
export interface TrainSettings {
  readonly epochs: number;
  readonly batchSize: number;
  readonly lr: number;
  readonly optimizer: 'sgd' | 'adam';
  readonly l2: number;
  readonly classWeights: 'none' | 'balanced';
}

export interface RoundLoopOptions {
  readonly transport: Transport;
  readonly strategy: Strategy;
  readonly jobId: string;
  readonly seed: number | string;
  readonly rounds: number;
  /** Round to start from (> 1 when resuming after a restart). */
  readonly startRound?: number;
  readonly initialParameters: Float64Array;
  readonly train: TrainSettings;
  /** Extra config sent with every train message (e.g. model-specific settings). */
  readonly extraTrainConfig?: Record<string, ConfigValue>;
  /** Fraction of available nodes sampled per round (default 1). */
  readonly fractionFit?: number;
  readonly minNodes: number;
  readonly timeoutMs: number;
  /** Evaluate on the nodes' test splits after every round (default true). */
  readonly evaluateEveryRound?: boolean;
  /**
   * Send round r's evaluation together with round r + 1's training (plain aggregation only;
   * default true). Reports and metrics are the same either way; only the timing differs.
   */
  readonly pipelineEvaluation?: boolean;
  readonly aggregator?: SumAggregator;
  /**
   * How sums are computed (default plain). With `secure`, model updates and evaluation
   * histograms go through secure aggregation: the coordinator sees only masked vectors.
   */
  readonly aggregation?: AggregationMode;
  /** The federation's row count (from preprocessing): scales secure-aggregation weights and bounds. */
  readonly totalRows?: number;
  /** Called after each round is aggregated (persist it here: the loop waits for the promise). */
  readonly onRound?: (report: RoundReport, parameters: Float64Array) => void | Promise<void>;
}

/** What happened in one round. */
export interface RoundReport {
  readonly round: number;
  readonly participants: string[];
  /** Sampled nodes that failed or did not answer in time. */
  readonly dropped: string[];
  /** Coded failures of the sampled nodes that answered with an error. */
  readonly failures: { nodeId: string; code: string; message: string }[];
  readonly numExamples: number;
  /** Example-weighted mean of the nodes' local training losses. */
  readonly trainLoss: number;
  readonly metrics?: FederatedMetrics;
  readonly durationMs: number;
  /** Officers' feedback the nodes' local training used this round (opaque ids; see protocol/feedbackIds.ts). */
  readonly feedbackIds?: string[];
}

/** Choose the round's nodes: a seeded sample of ⌈fraction·available⌉, at least minNodes. */
export function sampleNodes(available: readonly string[], fraction: number, minNodes: number, seed: number | string, round: number): string[] {
  if (!(fraction > 0 && fraction <= 1)) throw new RangeError(`fractionFit: expected a value in (0, 1], got ${fraction}`);
  const sorted = [...available].sort();
  const k = Math.min(sorted.length, Math.max(minNodes, Math.ceil(fraction * sorted.length)));
  if (k === sorted.length) return sorted;
  const rng = deriveRandom(seed, 'sample', round);
  return rng.shuffle(sorted).slice(0, k).sort();
}

/**
 * Run rounds `startRound..rounds`; returns the final parameters and the per-round reports.
 *
 * With plain aggregation the evaluation of round r's model is pipelined with round r + 1's
 * training: both messages carry the same parameters, so they go out together and a node
 * evaluates and then trains without waiting for another round trip. Round r is reported (and
 * so committed by `onRound`) once its metrics are in, before round r + 1 is; a crash in
 * between resumes from round r and repeats round r + 1, which nothing had counted yet. With
 * secure aggregation the two exchanges share one SecAgg session (secureExchangeJoint: one key
 * set-up and one unmasking for both sums) when the same nodes evaluate and train; otherwise
 * they run in sequence.
 */
export async function runRounds(options: RoundLoopOptions): Promise<{ parameters: Float64Array; history: RoundReport[] }> {
  const { transport, strategy, train } = options;
  if (!Number.isInteger(options.rounds) || options.rounds < 1) throw new RangeError(`rounds: expected a positive integer, got ${options.rounds}`);
  if (!Number.isInteger(options.minNodes) || options.minNodes < 1) throw new RangeError(`minNodes: expected a positive integer, got ${options.minNodes}`);
  const mode: AggregationMode = options.aggregation ?? { kind: 'plain', aggregator: options.aggregator ?? plainAggregator };
  const evaluateEveryRound = options.evaluateEveryRound ?? true;
  const pipeline = evaluateEveryRound && mode.kind === 'plain' && (options.pipelineEvaluation ?? true);
  // secure aggregation: round r's evaluation and round r + 1's training share one SecAgg session
  const joint = evaluateEveryRound && mode.kind === 'secure' && !strategy.needsIndividualUpdates && (options.pipelineEvaluation ?? true);
  /** A round whose evaluation waits to go out with the next round's training (secure mode). */
  let deferred: { report: RoundReport; parameters: Float64Array; nodeIds: string[] } | undefined;
  let parameters: Float64Array = Float64Array.from(options.initialParameters);
  const history: RoundReport[] = [];
  const trainConfig: Record<string, ConfigValue> = { ...train, ...options.extraTrainConfig };
  /** A round whose evaluation is in flight: reported once the metrics arrive. */
  let pending: { report: RoundReport; parameters: Float64Array; evaluation: Promise<FederatedMetrics> } | undefined;
  const evaluate = (round: number, nodeIds: readonly string[], model: Float64Array) =>
    federatedEvaluate({ transport, jobId: options.jobId, round, nodeIds, parameters: model, minNodes: options.minNodes, timeoutMs: options.timeoutMs, aggregation: mode, totalRows: options.totalRows });
  const report = async (done: RoundReport, model: Float64Array) => {
    history.push(done);
    await options.onRound?.(done, model);
  };
  const settlePending = async () => {
    if (!pending) return;
    const { report: done, parameters: model, evaluation } = pending;
    pending = undefined;
    await report({ ...done, metrics: await evaluation }, model);
  };

  for (let round = options.startRound ?? 1; round <= options.rounds; round++) {
    const started = Date.now();
    const available = await transport.nodeIds();
    if (available.length < options.minNodes) {
      await pending?.evaluation.catch(() => undefined);
      throw new RoundError('TOO_FEW_NODES', round, `round ${round}: ${available.length} nodes available, at least ${options.minNodes} needed`);
    }
    const sampled = sampleNodes(available, options.fractionFit ?? 1, options.minNodes, options.seed, round);
    const request = {
      transport, jobId: options.jobId, round, nodeIds: sampled,
      arrays: { parameters }, config: { ...trainConfig, ...strategy.fitConfig(round) },
      timeoutMs: options.timeoutMs, minReplies: options.minNodes,
    };
    const P = parameters.length;
    if (strategy.needsIndividualUpdates && mode.kind !== 'plain') throw new RoundError('SECURE_AGGREGATION_UNSUPPORTED', round, `strategy ${strategy.name} needs each node's update, which ${mode.kind === 'secure' ? 'secure aggregation' : 'Paillier aggregation'} hides; use fedavg, fedprox, fedadam or fedyogi`);
    const trainSum = { ...request, type: 'train' as const, vectorLength: P + 1, clip: SECURE_PARAMETER_CLIP, weightScale: mode.kind !== 'plain' ? Math.max(1, options.totalRows ?? 10_000) : 1 };
    let jointTraining: Promise<ExchangeResult> | undefined;
    if (deferred) {
      const held = deferred;
      deferred = undefined;
      const evalRequest: EvaluateRequest = { transport, jobId: options.jobId, round: held.report.round, nodeIds: held.nodeIds, parameters: held.parameters, minNodes: options.minNodes, timeoutMs: options.timeoutMs, aggregation: mode, totalRows: options.totalRows };
      if (mode.kind === 'secure' && sameNodes(sampled, held.nodeIds)) {
        const both = secureExchangeJoint([evaluationSum(evalRequest), trainSum], mode);
        jointTraining = both.then(([, trained]) => trained);
        const evaluation = both.then(([evaluated]) => evaluationResult(evalRequest, evaluated));
        evaluation.catch(() => undefined); // observed by settlePending below
        pending = { report: held.report, parameters: held.parameters, evaluation };
      } else {
        // another set of nodes trains this round: evaluate first, on its own
        pending = { report: held.report, parameters: held.parameters, evaluation: federatedEvaluate(evalRequest) };
        await settlePending();
      }
    }
    const training: Promise<ExchangeResult> = jointTraining ?? (strategy.needsIndividualUpdates
      ? exchange({ ...request, type: 'train' })
      : collectSum(trainSum, mode));
    // the previous round is reported while this one trains; if that fails, this round's
    // outcome no longer matters, but its promise must not be left unobserved
    try {
      await settlePending();
    } catch (err) {
      await training.catch(() => undefined);
      throw err;
    }
    const exchanged = await training;
    let sumInput: SumInput | undefined;
    let results: FitResult[] = [];
    if (strategy.needsIndividualUpdates) {
      results = exchanged.replies.map((r) => ({
        nodeId: r.nodeId,
        parameters: readArray(r.arrays, 'parameters', P),
        numExamples: readNumber(r.config, 'numExamples', { min: 1, integer: true }),
      }));
    } else {
      const collected = exchanged as CollectResult;
      sumInput = { kind: 'sum', weightedSum: collected.sum.subarray(0, P), totalWeight: collected.sum[P], numNodes: collected.included.length };
    }
    const { replies, failures, missing } = exchanged;
    let trainLoss = 0, numExamples = 0;
    const feedbackIds = new Set<string>();
    for (const r of replies) {
      for (const id of readFeedbackIds(r.config)) feedbackIds.add(id);
      const n = Number(r.config.numExamples);
      numExamples += n;
      trainLoss += n * Number(r.config.loss ?? NaN);
    }
    trainLoss /= numExamples;
    parameters = sumInput
      ? strategy.aggregateFit(parameters, sumInput, round)
      : strategy.aggregateFit(parameters, { kind: 'individual', results }, round);

    const done: RoundReport = {
      round, participants: sumInput ? (exchanged as CollectResult).included : results.map((r) => r.nodeId), dropped: [...failures.map((f) => f.nodeId), ...missing], failures,
      numExamples, trainLoss, durationMs: Date.now() - started,
      ...(feedbackIds.size > 0 ? { feedbackIds: [...feedbackIds].sort() } : {}),
    };
    if (!evaluateEveryRound) await report(done, parameters);
    else if (pipeline && round < options.rounds) {
      const evaluation = evaluate(round, available, parameters);
      evaluation.catch(() => undefined); // observed when the next round settles it
      pending = { report: done, parameters, evaluation };
    } else if (joint && round < options.rounds) deferred = { report: done, parameters, nodeIds: available };
    else await report({ ...done, metrics: await evaluate(round, available, parameters) }, parameters);
  }
  await settlePending();
  return { parameters, history };
}

/** Whether two node lists hold the same nodes. */
function sameNodes(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(a);
  return b.every((id) => set.has(id));
}

/**
 * Bound on |w·θ| for the fixed-point encoding of secure aggregation (w ≤ 1): model parameters
 * beyond ±1000 would be clipped. With 32-bit rings and n nodes the step is 1000·n/2³¹
 * (5·10⁻⁶ at n = 10).
 */
export const SECURE_PARAMETER_CLIP = 1000;
