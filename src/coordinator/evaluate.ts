/**
 * Federated evaluation: each node scores its own test rows and returns only a score histogram
 * with a few sums; the coordinator adds them and computes AUC, KS, Brier, log loss and expected
 * cost from the sum. No score or label leaves a node.
 */
import { metricsFromSums, type FederatedMetrics } from '../metrics/histogram.js';
import { collectSum, type AggregationMode, type CollectRequest } from './collect.js';
import type { Transport } from '../transport/transport.js';
import { plainAggregator, type SumAggregator } from './aggregation.js';
import { fairnessConfig, fairnessCountsLength, roundFairnessCounts, type EvaluationFairness } from '../fairness/evaluation.js';

export interface EvaluateRequest {
  readonly transport: Transport;
  readonly jobId: string;
  readonly round: number;
  readonly nodeIds: readonly string[];
  readonly parameters: Float64Array;
  readonly minNodes: number;
  readonly timeoutMs: number;
  readonly split?: 'train' | 'test';
  readonly numBins?: number;
  readonly aggregator?: SumAggregator;
  /** Plain (default) or secure aggregation of the histograms. */
  readonly aggregation?: AggregationMode;
  /** The federation's row count: bounds each node's counts for secure aggregation. */
  readonly totalRows?: number;
  /** Also collect the fairness counts of ../fairness/evaluation.ts (summed like the histograms). */
  readonly fairness?: EvaluationFairness;
}

/** What {@link federatedEvaluate} returns. */
export type EvaluationResult = FederatedMetrics & { participants: string[]; sums: Float64Array; fairnessCounts?: Float64Array };

/** Metrics of `parameters` over the union of the nodes' splits. */
export async function federatedEvaluate(request: EvaluateRequest): Promise<EvaluationResult> {
  const collected = await collectSum(evaluationSum(request), request.aggregation ?? { kind: 'plain', aggregator: request.aggregator ?? plainAggregator });
  return evaluationResult(request, collected);
}

/** The summed exchange of an evaluation (so the round loop can run it in one session with training). */
export function evaluationSum(request: EvaluateRequest): CollectRequest {
  const numBins = request.numBins ?? 1000;
  const fairness = request.fairness;
  return {
    transport: request.transport,
    jobId: request.jobId,
    round: request.round,
    type: 'evaluate',
    nodeIds: request.nodeIds,
    arrays: { parameters: request.parameters },
    config: { split: request.split ?? 'test', numBins, ...(fairness ? fairnessConfig(fairness) : {}) },
    timeoutMs: request.timeoutMs,
    minReplies: request.minNodes,
    vectorLength: 2 * numBins + 3 + (fairness ? fairnessCountsLength(fairness) : 0),
    // a node's counts, Brier and (clipped) log-loss sums are at most rows × 35
    clip: 35 * Math.max(1, request.totalRows ?? 100_000),
  };
}

/** The metrics of a collected evaluation sum. */
export function evaluationResult(request: EvaluateRequest, collected: { sum: Float64Array; included: string[] }): EvaluationResult {
  const numBins = request.numBins ?? 1000;
  const evaluationLength = 2 * numBins + 3;
  const fairness = request.fairness;
  const { sum, included } = collected;
  // fixed-point sums come back within a quantization step: counts are integers
  const secure = request.aggregation !== undefined && request.aggregation.kind !== 'plain';
  const sums = secure ? roundCounts(sum.subarray(0, evaluationLength), numBins) : sum.slice(0, evaluationLength);
  if (!fairness) return { ...metricsFromSums(sums, numBins), participants: included, sums };
  const counts = sum.slice(evaluationLength);
  return { ...metricsFromSums(sums, numBins), participants: included, sums, fairnessCounts: secure ? roundFairnessCounts(counts, fairness) : counts };
}

/** Round the histogram counts and the example count of securely aggregated sums to integers. */
function roundCounts(sums: Float64Array, numBins: number): Float64Array {
  const out = Float64Array.from(sums);
  for (let i = 0; i <= 2 * numBins; i++) out[i] = Math.max(0, Math.round(out[i]));
  return out;
}
