/**
 * Federated evaluation: each node scores its own test rows and returns only a score histogram
 * with a few sums; the coordinator adds them and computes AUC, KS, Brier, log loss and expected
 * cost from the sum. No score or label leaves a node.
 */
import { metricsFromSums, type FederatedMetrics } from '../metrics/histogram.js';
import { collectSum, type AggregationMode } from './collect.js';
import type { Transport } from '../transport/transport.js';
import { plainAggregator, type SumAggregator } from './aggregation.js';

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
}

/** Metrics of `parameters` over the union of the nodes' splits. */
export async function federatedEvaluate(request: EvaluateRequest): Promise<FederatedMetrics & { participants: string[]; sums: Float64Array }> {
  const numBins = request.numBins ?? 1000;
  const { sum, included } = await collectSum({
    transport: request.transport,
    jobId: request.jobId,
    round: request.round,
    type: 'evaluate',
    nodeIds: request.nodeIds,
    arrays: { parameters: request.parameters },
    config: { split: request.split ?? 'test', numBins },
    timeoutMs: request.timeoutMs,
    minReplies: request.minNodes,
    vectorLength: 2 * numBins + 3,
    // a node's counts, Brier and (clipped) log-loss sums are at most rows × 35
    clip: 35 * Math.max(1, request.totalRows ?? 100_000),
  }, request.aggregation ?? { kind: 'plain', aggregator: request.aggregator ?? plainAggregator });
  // fixed-point sums come back within a quantization step: counts are integers
  const sums = request.aggregation?.kind === 'secure' ? roundCounts(sum, numBins) : sum;
  return { ...metricsFromSums(sums, numBins), participants: included, sums };
}

/** Round the histogram counts and the example count of securely aggregated sums to integers. */
function roundCounts(sums: Float64Array, numBins: number): Float64Array {
  const out = Float64Array.from(sums);
  for (let i = 0; i <= 2 * numBins; i++) out[i] = Math.max(0, Math.round(out[i]));
  return out;
}
