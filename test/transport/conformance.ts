/**
 * The conformance suite every Transport implementation passes (in-process now, networked
 * later): reply ordering, deadlines, a node that never answers, a node that answers with
 * another message's id, a reply to a stale round, error replies, and payload isolation.
 */
import { describe, expect, it } from 'vitest';
import { createMessage, replyTo, type Message, type Reply } from '../../src/protocol/message.js';
import type { NodeEndpoint } from '../../src/transport/inProcess.js';
import type { Transport } from '../../src/transport/transport.js';

export type TransportFactory = (nodes: Map<string, NodeEndpoint>) => Promise<Transport>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const msg = (nodeId: string, round = 1, arrays: Record<string, Float64Array> = {}): Message => createMessage({ type: 'echo', jobId: 'job-1', round, nodeId, arrays });

/** Answers after `delayMs` with its arrays doubled. */
function echo(delayMs = 0): NodeEndpoint {
  return {
    async handle(m) {
      if (delayMs) await sleep(delayMs);
      const arrays: Record<string, Float64Array> = {};
      for (const [k, v] of Object.entries(m.arrays)) arrays[k] = v.map((x) => 2 * x);
      return replyTo(m, { arrays, config: { from: m.nodeId } });
    },
  };
}

export function transportConformance(name: string, factory: TransportFactory): void {
  describe(`Transport conformance: ${name}`, () => {
    it('lists its nodes and returns replies in the order of the messages, whatever order they arrive in', async () => {
      const t = await factory(new Map([['a', echo(60)], ['b', echo(0)], ['c', echo(30)]]));
      expect((await t.nodeIds()).sort()).toEqual(['a', 'b', 'c']);
      const replies = await t.sendAndReceive([msg('a'), msg('b'), msg('c')], { timeoutMs: 2000 });
      expect(replies.map((r) => r.nodeId)).toEqual(['a', 'b', 'c']);
      expect(replies.every((r) => r.config.from === r.nodeId)).toBe(true);
      await t.close();
    });

    it('carries named arrays both ways without aliasing', async () => {
      const t = await factory(new Map([['a', echo()]]));
      const payload = new Float64Array([1.5, -2, 3e-300]);
      const [reply] = await t.sendAndReceive([msg('a', 1, { w: payload })], { timeoutMs: 2000 });
      expect(Array.from(reply.arrays.w)).toEqual([3, -4, 6e-300]);
      expect(Array.from(payload)).toEqual([1.5, -2, 3e-300]);
      await t.close();
    });

    it('does not wait past the deadline for a node that never answers', async () => {
      const never: NodeEndpoint = { handle: () => new Promise<Reply>(() => {}) };
      const t = await factory(new Map([['a', echo()], ['silent', never]]));
      const started = Date.now();
      const replies = await t.sendAndReceive([msg('a'), msg('silent')], { timeoutMs: 300 });
      const elapsed = Date.now() - started;
      expect(replies.map((r) => r.nodeId)).toEqual(['a']);
      expect(elapsed).toBeGreaterThanOrEqual(250);
      expect(elapsed).toBeLessThan(3000);
      await t.close();
    });

    it('returns as soon as every node answered', async () => {
      const t = await factory(new Map([['a', echo()], ['b', echo()]]));
      const started = Date.now();
      await t.sendAndReceive([msg('a'), msg('b')], { timeoutMs: 10_000 });
      expect(Date.now() - started).toBeLessThan(5000);
      await t.close();
    });

    it('discards a late reply (after the deadline)', async () => {
      const t = await factory(new Map([['slow', echo(400)]]));
      const replies = await t.sendAndReceive([msg('slow')], { timeoutMs: 100 });
      expect(replies).toEqual([]);
      await sleep(450);
      await t.close();
    });

    it('discards a reply to a stale round and a reply carrying another message id', async () => {
      const stale: NodeEndpoint = { async handle(m) { return { ...replyTo(m, {}), round: m.round - 1 }; } };
      const wrongId: NodeEndpoint = { async handle(m) { return { ...replyTo(m, {}), replyTo: `${m.messageId}-other` }; } };
      const t = await factory(new Map([['stale', stale], ['wrong', wrongId], ['ok', echo()]]));
      const replies = await t.sendAndReceive([msg('stale', 5), msg('wrong', 5), msg('ok', 5)], { timeoutMs: 300 });
      expect(replies.map((r) => r.nodeId)).toEqual(['ok']);
      await t.close();
    });

    it('passes error replies through with their code', async () => {
      const failing: NodeEndpoint = { async handle(m) { return replyTo(m, { error: { code: 'POLICY_REFUSED', message: 'model not allowed' } }); } };
      const t = await factory(new Map([['f', failing]]));
      const [reply] = await t.sendAndReceive([msg('f')], { timeoutMs: 2000 });
      expect(reply.error).toEqual({ code: 'POLICY_REFUSED', message: 'model not allowed' });
      await t.close();
    });

    it('ignores messages to unknown nodes and rejects a non-positive timeout', async () => {
      const t = await factory(new Map([['a', echo()]]));
      expect(await t.sendAndReceive([msg('nobody')], { timeoutMs: 100 })).toEqual([]);
      await expect(t.sendAndReceive([msg('a')], { timeoutMs: 0 })).rejects.toThrow(RangeError);
      await t.close();
    });
  });
}
