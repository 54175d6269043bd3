/**
 * Secure aggregation at the node (Bonawitz et al., CCS 2017; SecAgg+ graphs): a mod that
 * answers the protocol's key stages (`secagg` messages: setup, shareKeys, unmask) and, when a
 * summed message (train, evaluate) arrives inside a secure-aggregation session, replaces the
 * handler's reply by the masked, fixed-point encoding of its contribution. The coordinator
 * then only ever sees masked vectors; their sum reveals the aggregate and nothing else.
 * Handlers do not know secure aggregation exists.
 */
import { advertiseKeys, decodeSecAgg, encodeSecAgg, maskInput, quantize, shareKeys, unmask, type ClientState } from '../secagg/index.js';
import { contributionOf, isSummedType } from '../protocol/contributions.js';
import { readNumber, readString, ProtocolError } from '../protocol/config.js';
import { replyTo, type Message } from '../protocol/message.js';
import type { Mod } from './app.js';

/** Sessions a node keeps at most (old ones are forgotten first). */
const MAX_SESSIONS = 64;

/** The secure-aggregation mod (place it innermost-but-one: after policy and privacy checks). */
export function secAggMod(): Mod {
  const sessions = new Map<string, ClientState>();
  const remember = (id: string, state: ClientState) => {
    sessions.delete(id);
    sessions.set(id, state);
    while (sessions.size > MAX_SESSIONS) sessions.delete(sessions.keys().next().value as string);
  };
  const sessionOf = (message: Message) => `${message.jobId}/${readString(message.config, 'secaggSession', { maxLength: 300 })}`;

  return async (message, next) => {
    if (message.type === 'secagg') {
      const request = decodeSecAgg(readString(message.config, 'secagg')) as { stage?: string };
      const id = sessionOf(message);
      if (request?.stage === 'setup') {
        const step = advertiseKeys(request);
        remember(id, step.state);
        return replyTo(message, { config: { secagg: encodeSecAgg(step.reply) } });
      }
      const state = sessions.get(id);
      if (!state) throw new ProtocolError(`no secure-aggregation session ${id} at this node`, 'SECAGG_UNKNOWN_SESSION');
      if (request?.stage === 'shareKeys') {
        const step = await shareKeys(state, request);
        remember(id, step.state);
        return replyTo(message, { config: { secagg: encodeSecAgg(step.reply) } });
      }
      if (request?.stage === 'unmask') {
        const step = unmask(state, request);
        sessions.delete(id);
        return replyTo(message, { config: { secagg: encodeSecAgg(step.reply) } });
      }
      throw new ProtocolError('secagg: unknown stage', 'SECAGG_MALFORMED');
    }
    if (message.config.secagg === undefined || !isSummedType(message.type)) return next(message);
    // a summed message inside a session: answer, then mask the contribution
    const id = sessionOf(message);
    const state = sessions.get(id);
    if (!state) throw new ProtocolError(`no secure-aggregation session ${id} at this node`, 'SECAGG_UNKNOWN_SESSION');
    const request = decodeSecAgg(readString(message.config, 'secagg'));
    const plain = await next(message);
    if (plain.error) return plain;
    const weightScale = readNumber(message.config, 'secaggWeightScale', { min: 1e-9, fallback: 1 });
    const clip = readNumber(message.config, 'secaggClip', { min: 1e-12 });
    const maxClients = readNumber(message.config, 'secaggClients', { min: 2, integer: true });
    const encoded = quantize(contributionOf(plain, weightScale), { clip, maxClients });
    const step = maskInput(state, request, encoded);
    remember(id, step.state);
    // metadata that is not secret (how many examples, the local loss) travels in the clear
    const { numExamples, loss, numRows } = plain.config;
    const meta = Object.fromEntries(Object.entries({ numExamples, loss, numRows }).filter(([, v]) => v !== undefined)) as Record<string, number>;
    return replyTo(message, { config: { ...meta, secagg: encodeSecAgg(step.reply) } });
  };
}
