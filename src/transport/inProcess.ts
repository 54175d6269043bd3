/**
 * The in-process transport used by simulation: nodes are {@link NodeEndpoint}s in the same
 * process. It behaves like the network one: arrays are copied across the boundary (a node can
 * never alias the coordinator's buffers), replies arrive within a deadline or not at all, and
 * replies that do not match the message (wrong id, node, job or round) are discarded.
 */
import type { Message, Reply } from '../protocol/message.js';
import type { SendOptions, Transport } from './transport.js';

/** Anything that answers messages: a NodeApp, or a test double that misbehaves on purpose. */
export interface NodeEndpoint {
  handle(message: Message): Promise<Reply>;
}

/** Counts of what crossed the transport, for benchmarks and tests. */
export interface TransportStats {
  messagesSent: number;
  repliesReceived: number;
  repliesDiscarded: number;
  timeouts: number;
  /** Float64 payload values sent to nodes / received from nodes. */
  valuesSent: number;
  valuesReceived: number;
}

export class InProcessTransport implements Transport {
  private readonly nodes: Map<string, NodeEndpoint>;
  readonly stats: TransportStats = { messagesSent: 0, repliesReceived: 0, repliesDiscarded: 0, timeouts: 0, valuesSent: 0, valuesReceived: 0 };
  private closed = false;

  constructor(nodes: Iterable<[string, NodeEndpoint]>) {
    this.nodes = new Map(nodes);
  }

  async nodeIds(): Promise<string[]> {
    return [...this.nodes.keys()];
  }

  /** Disconnect a node (simulating a lender going offline). */
  removeNode(nodeId: string): void {
    this.nodes.delete(nodeId);
  }

  async sendAndReceive(messages: readonly Message[], options: SendOptions): Promise<Reply[]> {
    if (this.closed) throw new Error('transport: closed');
    if (!(options.timeoutMs > 0)) throw new RangeError(`timeoutMs: expected > 0, got ${options.timeoutMs}`);
    const received = new Map<string, Reply>();
    let expired = false;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, options.timeoutMs);
    });
    const pending = messages.map(async (message) => {
      const node = this.nodes.get(message.nodeId);
      if (!node) return;
      this.stats.messagesSent++;
      this.stats.valuesSent += countValues(message.arrays);
      const reply = await node.handle(copyMessage(message));
      if (!isReplyTo(reply, message) || received.has(message.messageId) || expired) {
        this.stats.repliesDiscarded++;
        return;
      }
      this.stats.repliesReceived++;
      this.stats.valuesReceived += countValues(reply.arrays);
      received.set(message.messageId, copyReply(reply));
    });
    await Promise.race([Promise.allSettled(pending), deadline.then(() => { expired = true; })]);
    clearTimeout(timer);
    expired = true;
    const out: Reply[] = [];
    for (const m of messages) {
      const r = received.get(m.messageId);
      if (r) out.push(r);
      else if (this.nodes.has(m.nodeId)) this.stats.timeouts++;
    }
    return out;
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

function isReplyTo(reply: Reply, message: Message): boolean {
  return reply !== null && typeof reply === 'object' && reply.replyTo === message.messageId && reply.nodeId === message.nodeId && reply.jobId === message.jobId && reply.round === message.round;
}

function countValues(arrays: Readonly<Record<string, Float64Array>>): number {
  let n = 0;
  for (const a of Object.values(arrays)) n += a.length;
  return n;
}

function copyArrays(arrays: Readonly<Record<string, Float64Array>>): Record<string, Float64Array> {
  const out: Record<string, Float64Array> = {};
  for (const [k, v] of Object.entries(arrays)) out[k] = Float64Array.from(v);
  return out;
}

function copyMessage(m: Message): Message {
  return { ...m, arrays: copyArrays(m.arrays), config: { ...m.config } };
}

function copyReply(r: Reply): Reply {
  return { ...r, arrays: copyArrays(r.arrays), config: { ...r.config } };
}
