/**
 * A node's message dispatcher: maps message types to handlers and wraps them with mods, the
 * way Flower's client mods or HTTP middleware do. Cross-cutting behaviour (owner policy,
 * privacy budget, DP noise, secure-aggregation masking, audit logging) lives in mods; a handler
 * never sees the transport and a mod never knows the model.
 */
import { FedCreditError } from '../errors.js';
import { replyTo, type Message, type Reply } from '../protocol/message.js';

/** Answers one message. Throwing is allowed: the app turns errors into error replies. */
export type Handler = (message: Message) => Promise<Reply>;

/** Wraps a handler: may inspect or refuse the message, and transform the reply. */
export type Mod = (message: Message, next: Handler) => Promise<Reply>;

/** Error codes a node answers with. */
export class NodeError extends FedCreditError {}

/** A node: handlers by message type, wrapped by mods (first mod is outermost). */
export class NodeApp {
  readonly nodeId: string;
  private readonly handlers: ReadonlyMap<string, Handler>;
  private readonly mods: readonly Mod[];

  constructor(options: { nodeId: string; handlers: Record<string, Handler>; mods?: readonly Mod[] }) {
    if (typeof options.nodeId !== 'string' || options.nodeId.length === 0) throw new TypeError('nodeId: expected a non-empty string');
    this.nodeId = options.nodeId;
    this.handlers = new Map(Object.entries(options.handlers));
    this.mods = options.mods ?? [];
  }

  /** Message types this node answers. */
  get messageTypes(): string[] {
    return [...this.handlers.keys()];
  }

  /** Answer a message; never throws: failures become replies with an error slot. */
  async handle(message: Message): Promise<Reply> {
    const handler = this.handlers.get(message.type);
    const base: Handler = handler ?? (async (m) => replyTo(m, { error: { code: 'UNKNOWN_MESSAGE_TYPE', message: `node ${this.nodeId} does not handle "${m.type}"` } }));
    const chain = this.mods.reduceRight<Handler>((next, mod) => (m) => mod(m, next), base);
    try {
      return await chain(message);
    } catch (err) {
      const code = err instanceof FedCreditError ? err.code : err instanceof RangeError || err instanceof TypeError ? 'BAD_REQUEST' : 'HANDLER_FAILED';
      const text = err instanceof Error ? err.message : String(err);
      return replyTo(message, { error: { code, message: text } });
    }
  }
}
