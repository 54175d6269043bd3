/**
 * Federated preprocessing, coordinator side: ask every node for its local sufficient
 * statistics, add them through the aggregation seam, and fit the feature encoder from the sum.
 * The coordinator never sees a row.
 *
 * Plain aggregation asks once for the whole statistics vector. Secure aggregation and Paillier
 * need a bound on every entry before it is encoded, so they ask in two sums (stats.ts,
 * `StatsPart`):
 *  1. `counts` — row, missing, histogram-bin and category counts: integers, each at most the
 *     node's row count, encoded exactly (one level per unit; in the 32-bit SecAgg ring a node
 *     may hold up to ⌊(2³¹ − 1)/n⌋ rows, 2.1·10⁸ for 10 nodes);
 *  2. `moments` — Σx and Σx² per numeric column, each with its own bound derived from the summed
 *     counts (`momentBounds`: federation count × the largest |x| the summed histogram allows),
 *     encoded as value / bound. The error of a moment is at most n · bound / 2³¹ in SecAgg (e.g.
 *     a Σx² bound of 3.5·10¹¹ at n = 5 gives 800 on a sum of the same order: 2·10⁻⁹ relative).
 * Both sums run over the same nodes: a node lost between them makes the two parts disagree, so
 * the pair is retried once over the nodes that completed both.
 */
import { featureColumns, type Schema } from '../data/schema.js';
import { readArray } from '../protocol/config.js';
import { fitEncoder, type EncoderSpec } from '../preprocess/encoder.js';
import { mergeStatsParts, momentBounds, statsLayout, statsPartIndices, type StatsLayout } from '../preprocess/stats.js';
import type { Transport } from '../transport/transport.js';
import { plainAggregator, type SumAggregator } from './aggregation.js';
import { collectSum, type AggregationMode } from './collect.js';
import { RoundError } from './errors.js';
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
  /** Plain (default), secure aggregation or Paillier: the same mode as the job's updates. */
  readonly aggregation?: AggregationMode;
}

export interface PreprocessResult {
  readonly encoder: EncoderSpec;
  /** Statistics summed over the nodes that answered. */
  readonly stats: Float64Array;
  readonly participants: string[];
  readonly numRows: number;
}

/** Largest count a node may contribute to a statistics sum (each mode caps it further to fit its ring). */
export const MAX_STATS_COUNT = 2 ** 31 - 1;

/** Run the statistics exchange (round 0 of a job) and fit the encoder. */
export async function federatedPreprocess(request: PreprocessRequest): Promise<PreprocessResult> {
  const columns = featureColumns(request.schema, request.includeProtected ?? false);
  const layout = statsLayout(columns);
  const mode = request.aggregation ?? { kind: 'plain', aggregator: request.aggregator };
  const config = { datasetKey: request.datasetKey, includeProtected: request.includeProtected ?? false };
  if (mode.kind === 'plain') {
    const { replies } = await exchange({
      transport: request.transport, jobId: request.jobId, round: 0, type: 'stats', nodeIds: request.nodeIds,
      config, timeoutMs: request.timeoutMs, minReplies: request.minNodes,
    });
    const aggregator = mode.aggregator ?? plainAggregator;
    const stats = aggregator.sum(replies.map((r) => ({ nodeId: r.nodeId, vector: readArray(r.arrays, 'stats', layout.length) })));
    const numRows = replies.reduce((s, r) => s + Number(r.config.numRows ?? 0), 0);
    return { encoder: fitEncoder(columns, stats, layout), stats, participants: replies.map((r) => r.nodeId), numRows };
  }
  let nodeIds = [...request.nodeIds];
  for (let attempt = 0; ; attempt++) {
    const result = await protectedStats(request, mode, layout, nodeIds, config);
    if (result.consistent) return { encoder: fitEncoder(columns, result.stats, layout), stats: result.stats, participants: result.participants, numRows: result.numRows };
    if (attempt === 1) throw new RoundError('TOO_FEW_NODES', 0, 'stats: the nodes in the counts and the moments sums differ twice in a row');
    nodeIds = result.participants;
  }
}

/** The two protected sums (counts, then moments with bounds from the counts). */
async function protectedStats(request: PreprocessRequest, mode: AggregationMode, layout: StatsLayout, nodeIds: string[], config: Record<string, string | boolean>) {
  const common = { transport: request.transport, jobId: request.jobId, round: 0, type: 'stats' as const, timeoutMs: request.timeoutMs, minReplies: request.minNodes };
  const counts = await collectSum({
    ...common, nodeIds, config: { ...config, statsPart: 'counts' },
    vectorLength: statsPartIndices(layout, 'counts').length, clip: MAX_STATS_COUNT, integers: true,
  }, mode);
  const entryBounds = momentBounds(layout, counts.sum);
  const moments = await collectSum({
    ...common, nodeIds: counts.included, config: { ...config, statsPart: 'moments' },
    vectorLength: entryBounds.length, clip: 1, entryBounds,
  }, mode);
  const first = new Set(counts.included);
  const consistent = moments.included.length === first.size && moments.included.every((id) => first.has(id));
  const numRows = counts.replies.filter((r) => first.has(r.nodeId)).reduce((s, r) => s + Number(r.config.numRows ?? 0), 0);
  return { consistent, stats: mergeStatsParts(layout, counts.sum, moments.sum), participants: moments.included, numRows };
}
