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
import { federatedEvaluate } from './evaluate.js';
import { exchange, type ExchangeResult } from './exchange.js';
import { collectSum, type AggregationMode, type CollectResult } from './collect.js';

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

/** Run rounds `startRound..rounds`; returns the final parameters and the per-round reports. */
export async function runRounds(options: RoundLoopOptions): Promise<{ parameters: Float64Array; history: RoundReport[] }> {
  const { transport, strategy, train } = options;
  if (!Number.isInteger(options.rounds) || options.rounds < 1) throw new RangeError(`rounds: expected a positive integer, got ${options.rounds}`);
  if (!Number.isInteger(options.minNodes) || options.minNodes < 1) throw new RangeError(`minNodes: expected a positive integer, got ${options.minNodes}`);
  const mode: AggregationMode = options.aggregation ?? { kind: 'plain', aggregator: options.aggregator ?? plainAggregator };
  let parameters: Float64Array = Float64Array.from(options.initialParameters);
  const history: RoundReport[] = [];
  const trainConfig: Record<string, ConfigValue> = { ...train, ...options.extraTrainConfig };

  for (let round = options.startRound ?? 1; round <= options.rounds; round++) {
    const started = Date.now();
    const available = await transport.nodeIds();
    if (available.length < options.minNodes) throw new RoundError('TOO_FEW_NODES', round, `round ${round}: ${available.length} nodes available, at least ${options.minNodes} needed`);
    const sampled = sampleNodes(available, options.fractionFit ?? 1, options.minNodes, options.seed, round);
    const request = {
      transport, jobId: options.jobId, round, nodeIds: sampled,
      arrays: { parameters }, config: { ...trainConfig, ...strategy.fitConfig(round) },
      timeoutMs: options.timeoutMs, minReplies: options.minNodes,
    };
    let sumInput: SumInput | undefined;
    let results: FitResult[] = [];
    let exchanged: ExchangeResult;
    if (strategy.needsIndividualUpdates) {
      if (mode.kind === 'secure') throw new RoundError('SECURE_AGGREGATION_UNSUPPORTED', round, `strategy ${strategy.name} needs each node's update, which secure aggregation hides; use fedavg, fedprox, fedadam or fedyogi`);
      exchanged = await exchange({ ...request, type: 'train' });
      results = exchanged.replies.map((r) => ({
        nodeId: r.nodeId,
        parameters: readArray(r.arrays, 'parameters', parameters.length),
        numExamples: readNumber(r.config, 'numExamples', { min: 1, integer: true }),
      }));
    } else {
      const P = parameters.length;
      const collected = await collectSum({ ...request, type: 'train', vectorLength: P + 1, clip: SECURE_PARAMETER_CLIP, weightScale: mode.kind === 'secure' ? Math.max(1, options.totalRows ?? 10_000) : 1 }, mode);
      exchanged = collected;
      sumInput = { kind: 'sum', weightedSum: collected.sum.subarray(0, P), totalWeight: collected.sum[P], numNodes: collected.included.length };
    }
    const { replies, failures, missing } = exchanged;
    let trainLoss = 0, numExamples = 0;
    for (const r of replies) {
      const n = Number(r.config.numExamples);
      numExamples += n;
      trainLoss += n * Number(r.config.loss ?? NaN);
    }
    trainLoss /= numExamples;
    parameters = sumInput
      ? strategy.aggregateFit(parameters, sumInput, round)
      : strategy.aggregateFit(parameters, { kind: 'individual', results }, round);

    let metrics: FederatedMetrics | undefined;
    if (options.evaluateEveryRound ?? true) {
      metrics = await federatedEvaluate({ transport, jobId: options.jobId, round, nodeIds: available, parameters, minNodes: options.minNodes, timeoutMs: options.timeoutMs, aggregation: mode, totalRows: options.totalRows });
    }
    const report: RoundReport = {
      round, participants: sumInput ? (exchanged as CollectResult).included : results.map((r) => r.nodeId), dropped: [...failures.map((f) => f.nodeId), ...missing], failures,
      numExamples, trainLoss, metrics, durationMs: Date.now() - started,
    };
    history.push(report);
    await options.onRound?.(report, parameters);
  }
  return { parameters, history };
}

/**
 * Bound on |w·θ| for the fixed-point encoding of secure aggregation (w ≤ 1): model parameters
 * beyond ±1000 would be clipped. With 32-bit rings and n nodes the step is 1000·n/2³¹
 * (5·10⁻⁶ at n = 10).
 */
export const SECURE_PARAMETER_CLIP = 1000;
