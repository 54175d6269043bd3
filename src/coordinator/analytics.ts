/**
 * Federated DP analytics, coordinator side: send one query to every node holding the dataset
 * and add up their noisy answers. Each node charges its own budget and adds its own noise, so
 * the sum of n answers carries n independent noise draws; the coordinator sees no exact value.
 */
import type { AnalyticsQuery } from '../node/analytics.js';
import { readArray } from '../protocol/config.js';
import type { Transport } from '../transport/transport.js';
import { exchange } from './exchange.js';

/** The combined answer of a federated query. */
export interface FederatedAnswer {
  readonly kind: AnalyticsQuery['kind'];
  /** count: Σ noisy counts; mean: Σ noisy sums / Σ noisy counts (clipped into the bounds). */
  readonly value?: number;
  /** histogram: Σ noisy counts per bin, with the bins' labels. */
  readonly counts?: number[];
  readonly bins?: string[];
  /** mean: the summed noisy sum and count behind the value. */
  readonly sum?: number;
  readonly count?: number;
  /** Nodes whose answers were added, and the coded refusals of the others. */
  readonly nodes: string[];
  readonly failures: { nodeId: string; code: string; message: string }[];
}

/**
 * Ask `nodeIds` the same query about `datasetKey` and add up the answers; at least
 * `minReplies` (default 1) nodes must answer. `jobId` scopes the nodes' idempotency keys (the
 * same jobId and queryId asked twice is answered and charged once).
 *
 * @example
 * await federatedQuery(transport, ['bank-a', 'bank-b'], { kind: 'count', where: { column: 'classification', equals: 'bad' }, epsilon: 0.5, mechanism: 'laplace' }, { jobId: 'q-1', datasetKey: 'german-credit' })
 */
export async function federatedQuery(
  transport: Transport,
  nodeIds: readonly string[],
  query: AnalyticsQuery,
  options: { readonly jobId: string; readonly datasetKey: string; readonly timeoutMs?: number; readonly minReplies?: number },
): Promise<FederatedAnswer> {
  if (!Array.isArray(nodeIds) || nodeIds.length === 0) throw new RangeError('nodeIds: expected at least one node id');
  if (typeof query !== 'object' || query === null) throw new TypeError('query: expected an AnalyticsQuery');
  if (typeof options?.jobId !== 'string' || options.jobId === '') throw new TypeError('options.jobId: expected a non-empty string');
  if (typeof options.datasetKey !== 'string' || options.datasetKey === '') throw new TypeError('options.datasetKey: expected a non-empty string');
  const { replies, failures } = await exchange({
    transport, jobId: options.jobId, round: 0, type: 'analytics', nodeIds,
    config: { datasetKey: options.datasetKey, query: JSON.stringify(query) },
    timeoutMs: options.timeoutMs ?? 30_000, minReplies: options.minReplies ?? 1,
  });
  const nodes = replies.map((r) => r.nodeId);
  const total = (name: string): Float64Array => {
    let out: Float64Array | undefined;
    for (const r of replies) {
      const a = readArray(r.arrays, name, out?.length);
      if (!out) out = new Float64Array(a.length);
      for (let i = 0; i < a.length; i++) out[i] += a[i];
    }
    return out!;
  };
  if (query.kind === 'count') return { kind: 'count', value: total('value')[0], nodes, failures };
  if (query.kind === 'histogram') {
    const bins = JSON.parse(String(replies[0].config.bins ?? '[]')) as string[];
    return { kind: 'histogram', counts: Array.from(total('counts')), bins, nodes, failures };
  }
  const sum = total('sum')[0];
  const count = total('count')[0];
  const [lo, hi] = query.bounds ?? [-Infinity, Infinity];
  // Post-processing of noisy totals: clip the ratio into the bounds every value was clipped to.
  const value = count > 0 ? Math.min(hi, Math.max(lo, sum / count)) : (lo + hi) / 2;
  return { kind: 'mean', value, sum, count, nodes, failures };
}
