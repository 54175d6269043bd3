/**
 * One request/reply exchange of a round: send the same kind of message to a set of nodes,
 * collect the replies that arrive before the deadline, separate failures (error replies) from
 * results, and insist on a minimum number of results.
 */
import { createMessage, type ConfigValue, type Reply } from '../protocol/message.js';
import type { Transport } from '../transport/transport.js';
import { RoundError } from './errors.js';

export interface ExchangeRequest {
  readonly transport: Transport;
  readonly jobId: string;
  readonly round: number;
  readonly type: string;
  readonly nodeIds: readonly string[];
  readonly arrays?: Record<string, Float64Array>;
  readonly config?: Record<string, ConfigValue>;
  readonly timeoutMs: number;
  /** Fewer successful replies than this fails the exchange with a RoundError. */
  readonly minReplies: number;
}

export interface ExchangeResult {
  readonly replies: Reply[];
  /** Nodes that answered with an error, and why. */
  readonly failures: { nodeId: string; code: string; message: string }[];
  /** Nodes that did not answer before the deadline. */
  readonly missing: string[];
}

/** Run one exchange; see {@link ExchangeRequest}. */
export async function exchange(request: ExchangeRequest): Promise<ExchangeResult> {
  const deadline = Date.now() + request.timeoutMs;
  const messages = request.nodeIds.map((nodeId) =>
    createMessage({ type: request.type, jobId: request.jobId, round: request.round, nodeId, arrays: request.arrays ?? {}, config: request.config ?? {}, deadline }),
  );
  const all = await request.transport.sendAndReceive(messages, { timeoutMs: request.timeoutMs });
  const replies: Reply[] = [];
  const failures: ExchangeResult['failures'] = [];
  for (const r of all) {
    if (r.error) failures.push({ nodeId: r.nodeId, code: r.error.code, message: r.error.message });
    else replies.push(r);
  }
  const answered = new Set(all.map((r) => r.nodeId));
  const missing = request.nodeIds.filter((id) => !answered.has(id));
  if (replies.length < request.minReplies) {
    const why = [...failures.map((f) => `${f.nodeId}: ${f.code} ${f.message}`), ...missing.map((id) => `${id}: no reply within ${request.timeoutMs} ms`)].join('; ');
    throw new RoundError('TOO_FEW_NODES', request.round, `${request.type} round ${request.round}: ${replies.length} of ${request.nodeIds.length} nodes answered, at least ${request.minReplies} needed${why ? ` (${why})` : ''}`);
  }
  return { replies, failures, missing };
}
