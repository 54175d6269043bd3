/** A view of a transport limited to a job's participants. */
import type { Message, Reply } from '../protocol/message.js';
import type { SendOptions, Transport } from '../transport/transport.js';

/** Only `allowed` nodes are listed and reachable; closing the view leaves the transport open. */
export function restrictTransport(transport: Transport, allowed: Iterable<string>): Transport {
  const set = new Set(allowed);
  return {
    async nodeIds() {
      return (await transport.nodeIds()).filter((id) => set.has(id));
    },
    sendAndReceive(messages: readonly Message[], options: SendOptions): Promise<Reply[]> {
      return transport.sendAndReceive(messages.filter((m) => set.has(m.nodeId)), options);
    },
    async close() {},
  };
}
