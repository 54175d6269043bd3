/**
 * Every sum federated boosting makes (quantile sketches, label counts, per-level gradient /
 * hessian histograms, loss sums, evaluation histograms) goes through {@link gbdtSum}: in plain
 * mode the coordinator adds the replies it receives (and checks each one); in secure mode the
 * message runs inside a secure-aggregation session (./secureAggregation.ts), the lenders' mod
 * masks each contribution, and the coordinator only ever holds masked vectors and their sum.
 *
 * Fixed-point encoding (../secagg/quantize.ts): each node clips every entry of its contribution
 * to [−c, c] and encodes it with L = ⌊(2³¹ − 1)/n⌋ levels per side, n the session's node count.
 * Overflow: |Σ codes| ≤ n·L ≤ 2³¹ − 1, so the 32-bit ring sum always decodes to the exact
 * integer sum; no choice of c can overflow it. What c must guarantee is that clipping never
 * alters an honest contribution, so c is a bound on |entry| derived from public row counts
 * (each node's training and test row counts, which `describe` publishes):
 *
 * - sketch, label sums: counts of a node's rows, encoded exactly (one level per unit, so any
 *   count up to L is exact; `integers` of ./collect.ts);
 * - level histograms: per bin |G| ≤ N (logistic gradients p − y ∈ [−1, 1]), H ≤ N/4
 *   (p(1 − p) ≤ 1/4) and N ≤ the node's rows in that tree node, so c = min(R, rows of the
 *   fullest open tree node, known from the previous level's sums), R the largest node's row count;
 * - loss sums: per-row log loss, c = 40·R with R the largest node's row count (clipped only if
 *   a node's mean loss per row exceeded 40, i.e. margins beyond ±39);
 * - evaluation: counts, Brier terms and log-loss terms (each ≤ 34.6), c = 35·(largest test split).
 *
 * Error: nearest rounding puts each node's entry within c/(2L) of its value, so a sum is within
 * n·c/(2L) ≈ n²·c/2³² (5 nodes of 200 rows: 1.2·10⁻⁶; 100 nodes of 10,000 rows: 0.023). Count
 * entries of histograms are rounded back to integers (exact while that bound is below 1/2) and hessians
 * floored at 0, so the grower sees exact counts and gains within about that error of plain
 * aggregation: split choices change only where two candidate gains tie to that precision.
 */
import type { ConfigValue, Reply } from '../protocol/message.js';
import { readNumber } from '../protocol/config.js';
import type { SummedType } from '../protocol/contributions.js';
import type { Transport } from '../transport/transport.js';
import { plainAggregator, type Contribution, type SumAggregator } from './aggregation.js';
import type { AggregationMode } from './collect.js';
import { RoundError } from './errors.js';
import { exchange } from './exchange.js';
import type { RoundReport } from './roundLoop.js';
import { secureExchange } from './secureAggregation.js';

export type Failure = RoundReport['failures'][number];

/** One summed boosting exchange. */
export interface GbdtSumRequest {
  readonly transport: Transport;
  readonly jobId: string;
  readonly round: number;
  readonly type: Extract<SummedType, `gbdt.${string}`>;
  readonly nodeIds: readonly string[];
  readonly config: Record<string, ConfigValue>;
  readonly timeoutMs: number;
  readonly minReplies: number;
  /** Reply array holding the contribution, and its length. */
  readonly key: string;
  readonly length: number;
  /** Bound on |entry| of one node's contribution (secure mode; see the module doc). */
  readonly clip: number;
  /** Secure mode: every entry is a count, encoded exactly with one fixed-point level per unit. */
  readonly integers?: boolean;
  /** Plain mode: a reason to reject one node's contribution (it becomes a BAD_REPLY failure). */
  readonly check?: (vector: Float64Array) => string | undefined;
  /** Plain mode: a reason to reject the rest of a reply (its config), checked first. */
  readonly checkReply?: (reply: Reply) => string | undefined;
  /** Secure mode: repair the decoded sum in place (round counts, floor hessians). */
  readonly clean?: (sum: Float64Array) => void;
  readonly aggregation: AggregationMode;
  /** Plain mode: how contributions are added (default: in the clear). */
  readonly aggregator?: SumAggregator;
}

export interface GbdtSumResult {
  readonly sum: Float64Array;
  /** Nodes whose contribution is in the sum. */
  readonly included: string[];
  /** Replies of the included nodes (under secure aggregation: their masked replies' metadata). */
  readonly replies: Reply[];
  /** Nodes left out: error replies, no reply, dropped from the secure sum. */
  readonly failures: Failure[];
  /** Plain mode: nodes whose contribution was malformed (a subset of `failures`). */
  readonly malformed: Failure[];
}

/** Run one summed exchange; see the module doc. */
export async function gbdtSum(request: GbdtSumRequest): Promise<GbdtSumResult> {
  const { aggregation } = request;
  if (aggregation.kind === 'secure') {
    const clip = Math.max(1, request.clip);
    const result = await secureExchange({
      transport: request.transport, jobId: request.jobId, round: request.round, type: request.type, nodeIds: request.nodeIds,
      config: request.config, timeoutMs: request.timeoutMs, minReplies: request.minReplies, vectorLength: request.length, clip,
      ...(request.integers ? { integers: true } : {}),
    }, aggregation);
    const included = new Set(result.included);
    const failures: Failure[] = [...result.failures.filter((f) => !included.has(f.nodeId)), ...result.missing.map(noReply)];
    for (const id of request.nodeIds) {
      if (!included.has(id) && !failures.some((f) => f.nodeId === id)) failures.push({ nodeId: id, code: 'SECAGG_DROPPED', message: 'its masked input is not in the secure sum' });
    }
    const sum = Float64Array.from(result.sum);
    request.clean?.(sum);
    return { sum, included: result.included, replies: result.replies, failures, malformed: [] };
  }
  if (aggregation.kind !== 'plain') return unsupported(aggregation);
  const { transport, jobId, round, type, nodeIds, config, timeoutMs, minReplies } = request;
  const answer = await exchange({ transport, jobId, round, type, nodeIds, config, timeoutMs, minReplies });
  const contributions: Contribution[] = [];
  const malformed: Failure[] = [];
  for (const r of answer.replies) {
    const vector = r.arrays[request.key];
    const problem = problemOf(() => {
      const inConfig = request.checkReply?.(r);
      if (inConfig) return inConfig;
      if (!(vector instanceof Float64Array) || vector.length !== request.length) return `arrays.${request.key}: expected ${request.length} numbers`;
      if (!vector.every(Number.isFinite)) return `arrays.${request.key}: expected finite numbers`;
      return request.check?.(vector);
    });
    if (problem) malformed.push({ nodeId: r.nodeId, code: 'BAD_REPLY', message: problem });
    else contributions.push({ nodeId: r.nodeId, vector });
  }
  const good = new Set(contributions.map((c) => c.nodeId));
  const sum = contributions.length > 0 ? (aggregation.aggregator ?? request.aggregator ?? plainAggregator).sum(contributions) : new Float64Array(request.length);
  return {
    sum, included: contributions.map((c) => c.nodeId), replies: answer.replies.filter((r) => good.has(r.nodeId)),
    failures: [...answer.failures, ...answer.missing.map(noReply), ...malformed], malformed,
  };
}

/** The problem a check reports, or the message of what it threw (a malformed reply). */
function problemOf(check: () => string | undefined): string | undefined {
  try {
    return check();
  } catch (err) {
    return (err as Error).message;
  }
}

/** A mode added to AggregationMode but not handled here fails to compile (and, untyped, at run time). */
function unsupported(mode: { readonly kind: string }): never {
  throw new RoundError('AGGREGATION_UNSUPPORTED', 0, `boosting supports plain and secure aggregation, not ${mode.kind}`);
}

/** Secure-mode cleaning: round every entry to an integer ≥ 0 (the vector holds counts). */
export function roundCounts(sum: Float64Array): void {
  for (let i = 0; i < sum.length; i++) sum[i] = Math.max(0, Math.round(sum[i]));
}

/**
 * Row counts the federation publishes (`describe`): what the clipping bounds derive from. Only
 * the nodes that reported counts take part in secure sums: a node whose count is unknown could
 * hold more rows than the bounds assume and have its sums clipped.
 */
export interface FederationRows {
  /** Nodes that reported their row counts (sorted). */
  readonly nodes: readonly string[];
  /** Σ training rows. */
  readonly total: number;
  /** Largest training row count of one node. */
  readonly maxTrain: number;
  /** Largest test row count of one node. */
  readonly maxTest: number;
}

/** Ask the nodes to describe the dataset and read their row counts. */
export async function federationRows(options: { transport: Transport; jobId: string; datasetKey: string; nodeIds: readonly string[]; timeoutMs: number; minReplies: number }): Promise<FederationRows> {
  const { replies } = await exchange({ ...options, round: 0, type: 'describe', config: { datasetKey: options.datasetKey } });
  let total = 0, maxTrain = 0, maxTest = 0;
  const nodes: string[] = [];
  for (const r of replies) {
    let train: number, test: number;
    try {
      train = readNumber(r.config, 'numTrain', { min: 0, max: 1e9, integer: true });
      test = readNumber(r.config, 'numTest', { min: 0, max: 1e9, integer: true });
    } catch {
      continue; // a node without a valid count takes no part
    }
    nodes.push(r.nodeId);
    total += train;
    maxTrain = Math.max(maxTrain, train);
    maxTest = Math.max(maxTest, test);
  }
  if (nodes.length < options.minReplies || maxTrain === 0) throw new RoundError('TOO_FEW_NODES', 0, `describe: ${nodes.length} nodes reported their row counts, at least ${options.minReplies} needed`);
  return { nodes: nodes.sort(), total, maxTrain, maxTest };
}

export function noReply(nodeId: string): Failure {
  return { nodeId, code: 'NO_REPLY', message: 'no reply before the deadline' };
}
