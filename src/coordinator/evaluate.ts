/**
 * Federated evaluation: each node scores its own test rows and returns only a score histogram
 * with a few sums; the coordinator adds them and computes AUC, KS, Brier, log loss and expected
 * cost from the sum. No score or label leaves a node.
 */
import { metricsFromSums, type FederatedMetrics } from '../metrics/histogram.js';
import { readArray } from '../protocol/config.js';
import type { Transport } from '../transport/transport.js';
import { plainAggregator, type SumAggregator } from './aggregation.js';
import { exchange } from './exchange.js';

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
}

/** Metrics of `parameters` over the union of the nodes' splits. */
export async function federatedEvaluate(request: EvaluateRequest): Promise<FederatedMetrics & { participants: string[] }> {
  const numBins = request.numBins ?? 1000;
  const { replies } = await exchange({
    transport: request.transport,
    jobId: request.jobId,
    round: request.round,
    type: 'evaluate',
    nodeIds: request.nodeIds,
    arrays: { parameters: request.parameters },
    config: { split: request.split ?? 'test', numBins },
    timeoutMs: request.timeoutMs,
    minReplies: request.minNodes,
  });
  const aggregator = request.aggregator ?? plainAggregator;
  const sums = aggregator.sum(replies.map((r) => ({ nodeId: r.nodeId, vector: readArray(r.arrays, 'sums') })));
  return { ...metricsFromSums(sums, numBins), participants: replies.map((r) => r.nodeId) };
}
