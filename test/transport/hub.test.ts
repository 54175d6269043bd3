import { describe, expect, it } from 'vitest';
import { NodeHub } from '../../src/transport/network/hub.js';
import { createMessage, replyTo } from '../../src/protocol/message.js';

const message = (type: string, round: number) => createMessage({ type, jobId: 'j', round, nodeId: 'a', arrays: {}, config: {} });

describe('node hub push channel', () => {
  it('sends messages of the same event-loop turn in one batch, even several promise hops apart', async () => {
    const hub = new NodeHub();
    const batches: string[][] = [];
    hub.attachPush('a', (messages) => {
      batches.push(messages.map((m) => `${m.type}${m.round}`));
      // answer each at once, as a node would over the channel
      setTimeout(() => { for (const m of messages) hub.deliver('a', replyTo(m, {})); }, 1);
      return true;
    });
    const evaluation = hub.sendAndReceive([message('evaluate', 1)], { timeoutMs: 1000 });
    for (let i = 0; i < 5; i++) await Promise.resolve();
    const training = hub.sendAndReceive([message('train', 2)], { timeoutMs: 1000 });
    const [e, t] = await Promise.all([evaluation, training]);
    expect(batches).toEqual([['evaluate1', 'train2']]);
    expect(e.map((r) => r.type)).toEqual(['evaluate']);
    expect(t.map((r) => r.type)).toEqual(['train']);
    // later sends go out as their own batch
    await hub.sendAndReceive([message('train', 3)], { timeoutMs: 1000 });
    expect(batches).toEqual([['evaluate1', 'train2'], ['train3']]);
    await hub.close();
  });

  it('queues for a poll when the push channel refuses, and drops messages nobody awaits any more', async () => {
    const hub = new NodeHub();
    hub.attachPush('a', () => false);
    const pending = hub.sendAndReceive([message('train', 1)], { timeoutMs: 50 });
    await new Promise((r) => setTimeout(r, 10));
    const polled = await hub.poll('a', 10);
    expect(polled.map((m) => m.type)).toEqual(['train']);
    expect(await pending).toEqual([]);
    await hub.close();
  });
});
