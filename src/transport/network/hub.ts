/**
 * The coordinator side of the networked transport. Nodes only open outbound connections: they
 * long-poll the coordinator for messages and post their replies back. The hub keeps, per node,
 * a queue of messages waiting to be fetched and the polls waiting for messages, and matches
 * incoming replies to the messages still awaited. Replies that match nothing (late, duplicate,
 * stale round, wrong node) are discarded and reported through `onDiscard` for logging.
 */
import type { Message, Reply } from '../../protocol/message.js';
import type { SendOptions, Transport } from '../transport.js';

interface Pending {
  readonly message: Message;
  resolve(reply: Reply): void;
}

interface Waiter {
  resolve(messages: Message[]): void;
  timer: NodeJS.Timeout;
}

/** Why a reply was not accepted. */
export type DiscardReason = 'unknown_message' | 'wrong_node' | 'stale' | 'duplicate';

export interface NodeHubOptions {
  /** A node counts as online this long after its last poll ended (default 30 s). */
  readonly onlineWindowMs?: number;
  /** Called for every reply that is discarded. */
  readonly onDiscard?: (nodeId: string, reply: Reply, reason: DiscardReason) => void;
  /** Whether a node may take part (e.g. not revoked); checked on every send. */
  readonly isAllowed?: (nodeId: string) => boolean;
}

export class NodeHub implements Transport {
  private readonly queues = new Map<string, Message[]>();
  private readonly waiters = new Map<string, Waiter>();
  private readonly pending = new Map<string, Pending>();
  private readonly answered = new Set<string>();
  private readonly lastSeen = new Map<string, number>();
  /** Push channels (WebSocket connections): messages go out as soon as they are sent. */
  private readonly pushers = new Map<string, (messages: Message[]) => boolean>();
  private readonly outbox = new Map<string, Message[]>();
  private readonly options: NodeHubOptions;
  private closed = false;

  constructor(options: NodeHubOptions = {}) {
    this.options = options;
  }

  /** Nodes that polled recently (or are polling now) and are allowed. */
  async nodeIds(): Promise<string[]> {
    const window = this.options.onlineWindowMs ?? 30_000;
    const now = Date.now();
    const ids: string[] = [];
    for (const [id, at] of this.lastSeen) {
      if ((this.waiters.has(id) || this.pushers.has(id) || now - at <= window) && (this.options.isAllowed?.(id) ?? true)) ids.push(id);
    }
    return ids.sort();
  }

  /**
   * A node opened a push channel (WebSocket): queued messages go out at once, and later ones as
   * soon as they are sent. Returns a function that detaches the channel when it closes.
   */
  attachPush(nodeId: string, send: (messages: Message[]) => boolean): () => void {
    this.pushers.set(nodeId, send);
    this.lastSeen.set(nodeId, Date.now());
    const queued = this.queues.get(nodeId);
    if (queued && queued.length > 0) {
      this.queues.delete(nodeId);
      if (!send(queued)) this.queues.set(nodeId, queued);
    }
    return () => {
      if (this.pushers.get(nodeId) !== send) return;
      this.pushers.delete(nodeId);
      this.lastSeen.set(nodeId, Number.NEGATIVE_INFINITY);
    };
  }

  /** Forget a node at once (revocation). Its queued messages are dropped. */
  disconnect(nodeId: string): void {
    this.lastSeen.delete(nodeId);
    this.pushers.delete(nodeId);
    this.queues.delete(nodeId);
    const w = this.waiters.get(nodeId);
    if (w) {
      clearTimeout(w.timer);
      this.waiters.delete(nodeId);
      w.resolve([]);
    }
  }

  async sendAndReceive(messages: readonly Message[], options: SendOptions): Promise<Reply[]> {
    if (this.closed) throw new Error('transport: closed');
    if (!(options.timeoutMs > 0)) throw new RangeError(`timeoutMs: expected > 0, got ${options.timeoutMs}`);
    const replies = new Map<string, Reply>();
    let resolveAll!: () => void;
    const allDone = new Promise<void>((r) => (resolveAll = r));
    let outstanding = 0;
    for (const m of messages) {
      if (!(this.options.isAllowed?.(m.nodeId) ?? true)) continue;
      outstanding++;
      this.pending.set(m.messageId, {
        message: m,
        resolve: (reply) => {
          replies.set(m.messageId, reply);
          if (--outstanding === 0) resolveAll();
        },
      });
      this.enqueue(m);
    }
    if (outstanding > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([allDone, new Promise<void>((r) => (timer = setTimeout(r, options.timeoutMs)))]);
      clearTimeout(timer);
    }
    for (const m of messages) {
      // whatever is still pending is abandoned: unqueue it and let late replies be discarded
      if (this.pending.delete(m.messageId)) this.unqueue(m);
      this.answered.add(m.messageId);
    }
    this.trimAnswered();
    return messages.map((m) => replies.get(m.messageId)).filter((r): r is Reply => r !== undefined);
  }

  /**
   * A node's poll: resolves with the messages queued for it, waiting up to `waitMs` for some to
   * arrive. A new poll from the same node ends the previous one (with no messages).
   */
  poll(nodeId: string, waitMs: number): Promise<Message[]> {
    this.lastSeen.set(nodeId, Date.now());
    const queued = this.queues.get(nodeId);
    if (queued && queued.length > 0) {
      this.queues.delete(nodeId);
      return Promise.resolve(queued);
    }
    const previous = this.waiters.get(nodeId);
    if (previous) {
      clearTimeout(previous.timer);
      previous.resolve([]);
    }
    return new Promise<Message[]>((resolve) => {
      const timer = setTimeout(() => {
        if (this.waiters.get(nodeId)?.timer === timer) this.waiters.delete(nodeId);
        this.lastSeen.set(nodeId, Date.now());
        resolve([]);
      }, waitMs);
      this.waiters.set(nodeId, { resolve, timer });
    });
  }

  /**
   * The node's poll connection closed before an answer was sent (process killed, network
   * gone): forget its waiting poll and count it offline until it polls again, so rounds do not
   * wait for a node that is not there.
   */
  dropPoll(nodeId: string): void {
    const w = this.waiters.get(nodeId);
    if (w) {
      clearTimeout(w.timer);
      this.waiters.delete(nodeId);
      w.resolve([]);
    }
    this.lastSeen.set(nodeId, Number.NEGATIVE_INFINITY);
  }

  /** Put back messages that were taken by a poll whose connection then died (still awaited ones only). */
  requeue(nodeId: string, messages: readonly Message[]): void {
    const alive = messages.filter((m) => this.pending.has(m.messageId));
    if (alive.length === 0) return;
    this.queues.set(nodeId, [...alive, ...(this.queues.get(nodeId) ?? [])]);
  }

  /** A reply posted by `nodeId` (already authenticated as that node). Returns whether it was accepted. */
  deliver(nodeId: string, reply: Reply): { accepted: true } | { accepted: false; reason: DiscardReason } {
    this.lastSeen.set(nodeId, Date.now());
    const p = this.pending.get(reply.replyTo);
    let reason: DiscardReason | undefined;
    if (!p) reason = this.answered.has(reply.replyTo) ? 'duplicate' : 'unknown_message';
    else if (p.message.nodeId !== nodeId || reply.nodeId !== nodeId) reason = 'wrong_node';
    else if (reply.jobId !== p.message.jobId || reply.round !== p.message.round || reply.type !== p.message.type) reason = 'stale';
    if (reason) {
      this.options.onDiscard?.(nodeId, reply, reason);
      return { accepted: false, reason };
    }
    this.pending.delete(reply.replyTo);
    this.answered.add(reply.replyTo);
    p!.resolve(reply);
    return { accepted: true };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const id of [...this.waiters.keys()]) this.disconnect(id);
  }

  private enqueue(m: Message): void {
    const push = this.pushers.get(m.nodeId);
    if (push) {
      // messages sent in the same turn of the event loop travel in one frame: e.g. round r's
      // evaluation and round r + 1's training, which the round loop sends a few promise hops
      // apart (a microtask would flush the first alone)
      const box = this.outbox.get(m.nodeId);
      if (box) { box.push(m); return; }
      const batch = [m];
      this.outbox.set(m.nodeId, batch);
      setImmediate(() => {
        this.outbox.delete(m.nodeId);
        const alive = batch.filter((x) => this.pending.has(x.messageId));
        if (alive.length > 0 && !push(alive)) for (const x of alive) this.enqueueQueued(x);
      });
      return;
    }
    this.enqueueQueued(m);
  }

  private enqueueQueued(m: Message): void {
    const w = this.waiters.get(m.nodeId);
    if (w) {
      clearTimeout(w.timer);
      this.waiters.delete(m.nodeId);
      // deliver on the next tick so that messages sent together travel together
      const batch = [m];
      this.queues.set(m.nodeId, batch);
      queueMicrotask(() => {
        if (this.queues.get(m.nodeId) === batch) this.queues.delete(m.nodeId);
        w.resolve(batch);
      });
      return;
    }
    const q = this.queues.get(m.nodeId);
    if (q) q.push(m);
    else this.queues.set(m.nodeId, [m]);
  }

  private unqueue(m: Message): void {
    const q = this.queues.get(m.nodeId);
    if (!q) return;
    const i = q.indexOf(m);
    if (i >= 0) q.splice(i, 1);
  }

  private trimAnswered(): void {
    // remember recent message ids only, to tell duplicates from garbage without growing forever
    if (this.answered.size > 100_000) {
      const keep = [...this.answered].slice(-50_000);
      this.answered.clear();
      for (const id of keep) this.answered.add(id);
    }
  }
}
