/**
 * How the coordinator side reaches nodes, in the manner of Flower's Grid: *send these typed
 * messages to these nodes and collect the replies that arrive before a deadline*. The
 * in-process implementation (simulation) and the networked one implement this interface and
 * pass the same conformance suite.
 */
import type { Message, Reply } from '../protocol/message.js';

export interface SendOptions {
  /** How long to wait for replies, in milliseconds. */
  readonly timeoutMs: number;
}

export interface Transport {
  /** Ids of the nodes currently reachable. */
  nodeIds(): Promise<string[]>;
  /**
   * Send each message to its `nodeId` and resolve with the replies that arrived before the
   * deadline, at most one per message, in the order of `messages`. A node that does not answer
   * in time is simply absent; a late, duplicate or stale reply is discarded.
   */
  sendAndReceive(messages: readonly Message[], options: SendOptions): Promise<Reply[]>;
  /** Release resources. */
  close(): Promise<void>;
}
