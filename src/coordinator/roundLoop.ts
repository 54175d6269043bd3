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
import type { FitResult, Strategy } from '../strategy/strategy.js';
import type { Transport } from '../transport/transport.js';
import { plainAggregator, type SumAggregator } from './aggregation.js';
import { RoundError } from './errors.js';
import { federatedEvaluate } from './evaluate.js';
import { exchange } from './exchange.js';

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
  const aggregator = options.aggregator ?? plainAggregator;
  let parameters: Float64Array = Float64Array.from(options.initialParameters);
  const history: RoundReport[] = [];
  const trainConfig: Record<string, ConfigValue> = { ...train, ...options.extraTrainConfig };

  for (let round = options.startRound ?? 1; round <= options.rounds; round++) {
    const started = Date.now();
    const available = await transport.nodeIds();
    if (available.length < options.minNodes) throw new RoundError('TOO_FEW_NODES', round, `round ${round}: ${available.length} nodes available, at least ${options.minNodes} needed`);
    const sampled = sampleNodes(available, options.fractionFit ?? 1, options.minNodes, options.seed, round);
    const { replies, failures, missing } = await exchange({
      transport, jobId: options.jobId, round, type: 'train', nodeIds: sampled,
      arrays: { parameters }, config: { ...trainConfig, ...strategy.fitConfig(round) },
      timeoutMs: options.timeoutMs, minReplies: options.minNodes,
    });
    const results: FitResult[] = replies.map((r) => ({
      nodeId: r.nodeId,
      parameters: readArray(r.arrays, 'parameters', parameters.length),
      numExamples: readNumber(r.config, 'numExamples', { min: 1, integer: true }),
    }));
    let trainLoss = 0, numExamples = 0;
    for (const r of replies) {
      const n = Number(r.config.numExamples);
      numExamples += n;
      trainLoss += n * Number(r.config.loss ?? NaN);
    }
    trainLoss /= numExamples;
    parameters = strategy.needsIndividualUpdates
      ? strategy.aggregateFit(parameters, { kind: 'individual', results }, round)
      : strategy.aggregateFit(parameters, weightedSum(results, aggregator), round);

    let metrics: FederatedMetrics | undefined;
    if (options.evaluateEveryRound ?? true) {
      metrics = await federatedEvaluate({ transport, jobId: options.jobId, round, nodeIds: available, parameters, minNodes: options.minNodes, timeoutMs: options.timeoutMs, aggregator });
    }
    const report: RoundReport = {
      round, participants: results.map((r) => r.nodeId), dropped: [...failures.map((f) => f.nodeId), ...missing], failures,
      numExamples, trainLoss, metrics, durationMs: Date.now() - started,
    };
    history.push(report);
    await options.onRound?.(report, parameters);
  }
  return { parameters, history };
}

/** Σ nᵢ·θᵢ and Σ nᵢ through the aggregation seam (one vector per node: [nᵢ·θᵢ, nᵢ]). */
function weightedSum(results: readonly FitResult[], aggregator: SumAggregator) {
  const dim = results[0].parameters.length;
  const total = aggregator.sum(results.map((r) => {
    const v = new Float64Array(dim + 1);
    for (let i = 0; i < dim; i++) v[i] = r.numExamples * r.parameters[i];
    v[dim] = r.numExamples;
    return { nodeId: r.nodeId, vector: v };
  }));
  return { kind: 'sum' as const, weightedSum: total.subarray(0, dim), totalWeight: total[dim], numNodes: results.length };
}
