/**
 * Secure aggregation at the node (Bonawitz et al., CCS 2017; SecAgg+ graphs): a mod that
 * answers the protocol's key stages (`secagg` messages: setup, shareKeys, unmask) and, when a
 * summed message (train, evaluate) arrives inside a secure-aggregation session, replaces the
 * handler's reply by the masked, fixed-point encoding of its contribution. The coordinator
 * then only ever sees masked vectors; their sum reveals the aggregate and nothing else.
 * Handlers do not know secure aggregation exists.
 *
 * The key pair lives for the job by default, so that a node meeting the same neighbours in the
 * job's next round reuses the pair key it derived with each (see ChannelKeys in
 * secagg/client.ts for what that trades); it is wiped after 30 minutes unused or when 16 newer
 * jobs push it out. With `keyLifetime: 'session'` every session uses a fresh pair. Session
 * nonces, self-mask seeds and recovery keys are fresh every session either way.
 */
import { MASKED_INPUT_ARRAY, advertiseKeys, createChannelKeys, decodeSecAgg, encodeSecAgg, maskInput, maskedInputArray, quantize, shareKeys, unmask, wipeChannelKeys, type ChannelKeys, type ClientState } from '../secagg/index.js';
import { setNewest } from '../boundedMap.js';
import { contributionOf, isSummedType } from '../protocol/contributions.js';
import { readNumber, readString, ProtocolError } from '../protocol/config.js';
import { replyTo, type Message } from '../protocol/message.js';
import type { Mod } from './app.js';
import type { SecAggKeyLifetime } from './config.js';
import { paillierMod, type PaillierModOptions } from './paillierMod.js';

/** Sessions a node keeps at most (old ones are forgotten first). */
const MAX_SESSIONS = 64;
/** Exchanges one session may carry (see secureExchangeJoint). */
const MAX_PARTS = 8;
/** Jobs whose key pairs (and pair keys) a node keeps at most, and for how long unused. */
const MAX_CHANNELS = 16;
const CHANNEL_IDLE_MS = 30 * 60_000;

/**
 * The secure-aggregation mod (place it innermost-but-one: after policy and privacy checks). It
 * also answers Paillier aggregation (paillierMod.ts), the other protected mode of a sum, so
 * every node that takes part in protected jobs has both.
 */
export function secAggMod(options: { paillier?: PaillierModOptions; keyLifetime?: SecAggKeyLifetime } = {}): Mod {
  const perSession = options.keyLifetime === 'session';
  const paillier = paillierMod(options.paillier);
  const sessions = new Map<string, ClientState>();
  /** Encoded parts of a multi-part session waiting for the others. */
  const parts = new Map<string, (Uint32Array | undefined)[]>();
  const remember = (id: string, state: ClientState) => setNewest(sessions, id, state, MAX_SESSIONS, (oldest) => parts.delete(oldest));
  const channels = new Map<string, { keys: ChannelKeys; usedAt: number }>();
  const channelOf = (jobId: string): ChannelKeys | undefined => {
    if (perSession) return undefined;
    const now = Date.now();
    for (const [id, c] of channels) {
      if (now - c.usedAt > CHANNEL_IDLE_MS) { wipeChannelKeys(c.keys); channels.delete(id); }
    }
    const keys = channels.get(jobId)?.keys ?? createChannelKeys();
    setNewest(channels, jobId, { keys, usedAt: now }, MAX_CHANNELS, (_, c) => wipeChannelKeys(c.keys));
    return keys;
  };
  const sessionOf = (message: Message) => `${message.jobId}/${readString(message.config, 'secaggSession', { maxLength: 300 })}`;

  return async (message, next) => {
    if (message.type === 'paillier' || message.config.paillierSession !== undefined) return paillier(message, next);
    if (message.type === 'secagg') {
      const request = decodeSecAgg(readString(message.config, 'secagg')) as { stage?: string };
      const id = sessionOf(message);
      if (request?.stage === 'setup') {
        const step = advertiseKeys(request, channelOf(message.jobId));
        remember(id, step.state);
        return replyTo(message, { config: { secagg: encodeSecAgg(step.reply) } });
      }
      const state = sessions.get(id);
      if (!state) throw new ProtocolError(`no secure-aggregation session ${id} at this node`, 'SECAGG_UNKNOWN_SESSION');
      if (request?.stage === 'shareKeys') {
        const step = await shareKeys(state, request, channelOf(message.jobId));
        remember(id, step.state);
        return replyTo(message, { config: { secagg: encodeSecAgg(step.reply) } });
      }
      if (request?.stage === 'unmask') {
        const step = unmask(state, request);
        sessions.delete(id);
        parts.delete(id);
        return replyTo(message, { config: { secagg: encodeSecAgg(step.reply) } });
      }
      throw new ProtocolError('secagg: unknown stage', 'SECAGG_MALFORMED');
    }
    if (message.config.secagg === undefined || !isSummedType(message.type)) return next(message);
    // a summed message inside a session: answer, then mask the contribution
    const id = sessionOf(message);
    const state = sessions.get(id);
    if (!state) throw new ProtocolError(`no secure-aggregation session ${id} at this node`, 'SECAGG_UNKNOWN_SESSION');
    const requestText = readString(message.config, 'secagg');
    const plain = await next(message);
    if (plain.error) return plain;
    const weightScale = readNumber(message.config, 'secaggWeightScale', { min: 1e-9, fallback: 1 });
    const clip = readNumber(message.config, 'secaggClip', { min: 1e-12 });
    const maxClients = readNumber(message.config, 'secaggClients', { min: 2, integer: true });
    const bounds = message.arrays.secaggBounds;
    const contribution = bounds === undefined ? contributionOf(plain, weightScale) : Float64Array.from(contributionOf(plain, weightScale));
    if (bounds !== undefined) {
      // per-entry bounds: encode value / bound (the coordinator scales the sum back)
      if (!(bounds instanceof Float64Array) || bounds.length !== contribution.length) throw new ProtocolError(`arrays.secaggBounds: expected ${contribution.length} values`, 'SECAGG_MALFORMED');
      for (let i = 0; i < bounds.length; i++) {
        if (!(bounds[i] > 0) || !Number.isFinite(bounds[i])) throw new ProtocolError(`arrays.secaggBounds[${i}]: expected a finite number > 0`, 'SECAGG_MALFORMED');
        contribution[i] /= bounds[i];
      }
    }
    const encoded = quantize(contribution, { clip, maxClients });
    // metadata that is not secret (how many examples, the local loss) travels in the clear
    const { numExamples, loss, numRows, feedbackIds, numFeedback } = plain.config;
    const meta = Object.fromEntries(Object.entries({ numExamples, loss, numRows, feedbackIds, numFeedback }).filter(([, v]) => v !== undefined)) as Record<string, number | string>;
    let input = encoded;
    if (message.config.secaggParts !== undefined) {
      // one of several exchanges in one session: mask the concatenation once every part is in
      const numParts = readNumber(message.config, 'secaggParts', { min: 2, max: MAX_PARTS, integer: true });
      const part = readNumber(message.config, 'secaggPart', { min: 0, max: numParts - 1, integer: true });
      const held = parts.get(id) ?? Array.from({ length: numParts }, (): Uint32Array | undefined => undefined);
      if (held.length !== numParts || held[part] !== undefined) throw new ProtocolError(`secagg: part ${part} of ${numParts} is not expected`, 'SECAGG_INCONSISTENT');
      held[part] = encoded;
      parts.set(id, held);
      if (held.some((p) => p === undefined)) return replyTo(message, { config: meta });
      parts.delete(id);
      input = new Uint32Array(held.reduce((a, p) => a + p!.length, 0));
      let offset = 0;
      for (const p of held) { input.set(p!, offset); offset += p!.length; }
    }
    // every part carries the masking request; only the one that completes the input decodes it
    // `input` was made here for this (the encoded contribution, or the parts put together)
    const step = maskInput(state, decodeSecAgg(requestText), input, { inPlace: true });
    remember(id, step.state);
    // the masked vector travels as raw u32 words (an array), the rest of the reply as JSON
    const { maskedInput, ...head } = step.reply;
    return replyTo(message, { arrays: { [MASKED_INPUT_ARRAY]: maskedInputArray(maskedInput) }, config: { ...meta, secagg: encodeSecAgg(head) } });
  };
}
