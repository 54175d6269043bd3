/**
 * Collect a federated sum: send a summed message (train, evaluate) to nodes and return the sum
 * of their contributions with the replies' metadata. In `plain` mode the coordinator adds the
 * contributions it receives; in `secure` mode the same message runs inside a secure-aggregation
 * session (see secureAggregation.ts) and the coordinator only ever holds masked vectors; in
 * `paillier` mode it holds ciphertexts under a key whose decryption is shared among the nodes.
 */
import { contributionOf, type SummedType } from '../protocol/contributions.js';
import type { Reply } from '../protocol/message.js';
import { plainAggregator, type SumAggregator } from './aggregation.js';
import { exchange, type ExchangeRequest, type ExchangeResult } from './exchange.js';
import { secureExchange } from './secureAggregation.js';
import { paillierExchange, type PaillierModeOptions } from './paillierAggregation.js';

/** How sums are computed. */
export type AggregationMode =
  | { readonly kind: 'plain'; readonly aggregator?: SumAggregator }
  | {
    readonly kind: 'secure';
    /** SecAgg+ neighbourhood size k (omit for classic SecAgg: every pair of nodes). */
    readonly neighbours?: number;
    /** Shares needed to unmask (default ⌊n/2⌋ + 1, at least 2). */
    readonly threshold?: number;
  }
  /** Paillier with a distributed key (paillierAggregation.ts); keep one mode object per job so the key is reused. */
  | ({ readonly kind: 'paillier' } & PaillierModeOptions);

/** An exchange of a summed message type, with what fixed-point encoding needs to know. */
export interface CollectRequest extends Omit<ExchangeRequest, 'type'> {
  readonly type: SummedType;
  /** Length of every contribution vector. */
  readonly vectorLength: number;
  /** Bound on |each contribution entry| for fixed-point encoding (secure mode). */
  readonly clip: number;
  /** Train contributions use w = numExamples / weightScale (secure mode; plain uses 1). */
  readonly weightScale?: number;
  /**
   * Every entry is an integer (counts): encoded exactly, with one fixed-point level per unit,
   * and the decoded sum is rounded. `clip` still bounds each entry (see each mode's ring).
   */
  readonly integers?: boolean;
  /**
   * Per-entry bounds on |contribution| (one per entry, finite and > 0), for vectors whose
   * entries differ by orders of magnitude (preprocessing moments): each entry is encoded as
   * value / bound in [−1, 1] and scaled back after the sum. Overrides `clip`.
   */
  readonly entryBounds?: Float64Array;
}

export interface CollectResult extends ExchangeResult {
  /** Σ contributions of the nodes in `included`. */
  readonly sum: Float64Array;
  readonly included: string[];
}

/** Run the exchange and sum the contributions according to `mode`. */
export async function collectSum(request: CollectRequest, mode: AggregationMode = { kind: 'plain' }): Promise<CollectResult> {
  if (mode.kind === 'secure') return secureExchange(request, mode);
  if (mode.kind === 'paillier') return paillierExchange(request, mode);
  const result = await exchange(request);
  const aggregator = mode.aggregator ?? plainAggregator;
  const sum = aggregator.sum(result.replies.map((r: Reply) => ({ nodeId: r.nodeId, vector: checkedContribution(r, request.vectorLength) })));
  return { ...result, sum, included: result.replies.map((r) => r.nodeId) };
}

function checkedContribution(reply: Reply, length: number): Float64Array {
  const v = contributionOf(reply);
  if (v.length !== length) {
    const what = reply.type === 'train' ? `${v.length - 1} parameters, expected ${length - 1} values` : `${v.length} values, expected ${length}`;
    throw new RangeError(`node ${reply.nodeId} sent a ${reply.type} reply with ${what}`);
  }
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) throw new RangeError(`node ${reply.nodeId} sent a non-finite ${reply.type} value`);
  return v;
}
