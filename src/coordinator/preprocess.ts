/**
 * Federated preprocessing, coordinator side: ask every node for its local sufficient
 * statistics, add them through the aggregation seam, and fit the feature encoder from the sum.
 * The coordinator never sees a row.
 */
import { featureColumns, type Schema } from '../data/schema.js';
import { readArray } from '../protocol/config.js';
import { fitEncoder, type EncoderSpec } from '../preprocess/encoder.js';
import { statsLayout } from '../preprocess/stats.js';
import type { Transport } from '../transport/transport.js';
import { plainAggregator, type SumAggregator } from './aggregation.js';
import { exchange } from './exchange.js';

export interface PreprocessRequest {
  readonly transport: Transport;
  readonly jobId: string;
  readonly datasetKey: string;
  readonly schema: Schema;
  readonly nodeIds: readonly string[];
  readonly minNodes: number;
  readonly timeoutMs: number;
  readonly includeProtected?: boolean;
  readonly aggregator?: SumAggregator;
}

export interface PreprocessResult {
  readonly encoder: EncoderSpec;
  /** Statistics summed over the nodes that answered. */
  readonly stats: Float64Array;
  readonly participants: string[];
  readonly numRows: number;
}

/** Run the statistics exchange (round 0 of a job) and fit the encoder. */
export async function federatedPreprocess(request: PreprocessRequest): Promise<PreprocessResult> {
  const columns = featureColumns(request.schema, request.includeProtected ?? false);
  const layout = statsLayout(columns);
  const { replies } = await exchange({
    transport: request.transport,
    jobId: request.jobId,
    round: 0,
    type: 'stats',
    nodeIds: request.nodeIds,
    config: { datasetKey: request.datasetKey, includeProtected: request.includeProtected ?? false },
    timeoutMs: request.timeoutMs,
    minReplies: request.minNodes,
  });
  const aggregator = request.aggregator ?? plainAggregator;
  const stats = aggregator.sum(replies.map((r) => ({ nodeId: r.nodeId, vector: readArray(r.arrays, 'stats', layout.length) })));
  const numRows = replies.reduce((s, r) => s + Number(r.config.numRows ?? 0), 0);
  return { encoder: fitEncoder(columns, stats, layout), stats, participants: replies.map((r) => r.nodeId), numRows };
}
