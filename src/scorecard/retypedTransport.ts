/**
 * A view of a transport that renames message types on the way out (and restores them on the
 * replies), so that the coordinator's round loop and federated evaluation, which speak `train`
 * and `evaluate`, can drive other local-training jobs — `scorecardTrain` on WOE features,
 * `proxyTrain` for a fairness proxy check — without a second copy of the loop, while every
 * message type a node answers keeps a single meaning.
 */
import type { Message, Reply } from '../protocol/message.js';
import type { SendOptions, Transport } from '../transport/transport.js';

/**
 * `transport` with message types renamed by `renames` (e.g. `{ train: 'scorecardTrain' }`);
 * types not listed pass unchanged. Closing the view leaves the transport open.
 *
 * @example runRounds({ transport: retypeTransport(transport, { train: 'scorecardTrain', evaluate: 'scorecardEvaluate' }), … })
 */
export function retypeTransport(transport: Transport, renames: Readonly<Record<string, string>>): Transport {
  if (typeof renames !== 'object' || renames === null) throw new TypeError('renames: expected an object of type → type');
  for (const [from, to] of Object.entries(renames)) {
    if (typeof to !== 'string' || to.length === 0) throw new TypeError(`renames.${from}: expected a non-empty message type`);
  }
  return {
    nodeIds: () => transport.nodeIds(),
    async sendAndReceive(messages: readonly Message[], options: SendOptions): Promise<Reply[]> {
      const original = new Map(messages.map((m) => [m.messageId, m.type] as const));
      const renamed = messages.map((m) => (Object.hasOwn(renames, m.type) ? { ...m, type: renames[m.type] } : m));
      const replies = await transport.sendAndReceive(renamed, options);
      return replies.map((r) => ({ ...r, type: original.get(r.replyTo) ?? r.type }));
    },
    async close() {},
  };
}
