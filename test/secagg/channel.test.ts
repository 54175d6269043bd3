/**
 * Key pairs kept across sessions (ChannelKeys): a client that meets the same neighbours again
 * reuses the pair key derived with each, the sums stay exact (also with a dropout, whose pair
 * seeds the server unseals with the session's recovery key), and every session has its own
 * nonces and hence its own pair seeds.
 */
import { describe, expect, it } from 'vitest';
import { type ChannelKeys, type ClientState, advertiseKeys, createChannelKeys, maskInput, shareKeys, unmask, wipeChannelKeys } from '../../src/secagg/client.js';
import { reconstruct } from '../../src/secagg/reconstruct.js';
import { collectKeys, routeShares, setupSession, sumMasked } from '../../src/secagg/server.js';
import type { AdvertiseKeysReply, MaskedInputReply, ShareKeysReply, UnmaskReply } from '../../src/secagg/stages.js';
import { ringSum } from './driver.js';

const n = 8;
const k = 4;
const m = 50;

/** One whole session over `channels` (undefined: fresh c keys), the clients in `drop` leaving after sharing keys. */
async function session(sessionId: string, channels: (ChannelKeys | undefined)[], inputs: Uint32Array[], drop: number[] = []) {
  const setup = setupSession({ sessionId, numClients: n, threshold: 3, vectorLength: m, numNeighbours: k, graphSeed: 'job-graph' });
  const states = new Map<number, ClientState>();
  const advertised: AdvertiseKeysReply[] = [];
  for (const request of setup.requests) {
    const step = advertiseKeys(request, channels[request.clientIndex]);
    states.set(request.clientIndex, step.state);
    advertised.push(step.reply);
  }
  const keys = collectKeys(setup.state, advertised);
  const shared: ShareKeysReply[] = [];
  for (const request of keys.requests) {
    const step = await shareKeys(states.get(request.clientIndex)!, request, channels[request.clientIndex]);
    states.set(request.clientIndex, step.state);
    shared.push(step.reply);
  }
  const routed = routeShares(keys.state, shared);
  const masked: MaskedInputReply[] = [];
  for (const request of routed.requests) {
    if (drop.includes(request.clientIndex)) continue;
    const step = maskInput(states.get(request.clientIndex)!, request, inputs[request.clientIndex]);
    states.set(request.clientIndex, step.state);
    masked.push(step.reply);
  }
  const summed = sumMasked(routed.state, masked);
  const unmasked: UnmaskReply[] = summed.requests.map((request) => unmask(states.get(request.clientIndex)!, request).reply);
  const result = await reconstruct(summed.state, unmasked);
  return { result, advertised };
}

const inputsOf = (round: number) => Array.from({ length: n }, (_, i) => Uint32Array.from({ length: m }, (_, j) => (round * 7919 + i * 104729 + j * 31) >>> 0));

describe('key pairs kept across sessions', () => {
  it('agrees each pair once, keeps the sums exact and the session nonces fresh', async () => {
    const channels = Array.from({ length: n }, () => createChannelKeys());
    const first = await session('round-1', channels, inputsOf(1));
    expect(first.result.sum).toEqual(ringSum(inputsOf(1)));
    // every client agreed one secret per neighbour (the same k-regular graph each session)
    for (const c of channels) expect(c.agreed.size).toBe(k);
    const before = channels.map((c) => new Map(c.agreed));

    const second = await session('round-2', channels, inputsOf(2), [5]);
    expect(second.result.included).toEqual([0, 1, 2, 3, 4, 6, 7]);
    expect(second.result.sum).toEqual(ringSum(inputsOf(2).filter((_, i) => i !== 5)));
    // no new agreement: the very same secrets were used again
    channels.forEach((c, i) => {
      expect(c.agreed.size).toBe(k);
      for (const [peer, secret] of c.agreed) expect(before[i].get(peer)).toBe(secret);
    });
    // the same key advertised again with a fresh nonce; the channel's private key survived the session
    for (let i = 0; i < n; i++) {
      expect(second.advertised[i].publicKey).toEqual(first.advertised[i].publicKey);
      expect(second.advertised[i].sessionNonce).not.toEqual(first.advertised[i].sessionNonce);
      expect(channels[i].keyPair.privateKey.some((b) => b !== 0)).toBe(true);
      // masking wiped the session's keys, not the channel's pair keys
      for (const keys of channels[i].agreed.values()) expect(keys.streamKey.some((b) => b !== 0)).toBe(true);
    }
  });

  it('mixes with clients that use fresh keys, and falls back when the channel changed under a session', async () => {
    const channels: (ChannelKeys | undefined)[] = Array.from({ length: n }, (_, i) => (i % 2 === 0 ? createChannelKeys() : undefined));
    expect((await session('mixed-1', channels, inputsOf(3))).result.sum).toEqual(ringSum(inputsOf(3)));
    expect((await session('mixed-2', channels, inputsOf(4))).result.sum).toEqual(ringSum(inputsOf(4)));
    // a client advertises with one channel and shares keys with another: it agrees afresh
    const setup = setupSession({ sessionId: 'switch', numClients: n, threshold: 3, vectorLength: m, numNeighbours: k, graphSeed: 'job-graph' });
    const a = createChannelKeys();
    const b = createChannelKeys();
    const steps = setup.requests.map((r) => advertiseKeys(r, r.clientIndex === 0 ? a : undefined));
    const keys = collectKeys(setup.state, steps.map((s) => s.reply));
    const request = keys.requests.find((r) => r.clientIndex === 0)!;
    await shareKeys(steps[0].state, request, b);
    expect(b.agreed.size).toBe(0);
    expect(a.agreed.size).toBe(0);
  });

  it('refuses a wiped channel, and wiping clears every agreed secret', async () => {
    const channels = Array.from({ length: n }, () => createChannelKeys());
    await session('before-wipe', channels, inputsOf(5));
    const secrets = [...channels[0].agreed.values()];
    wipeChannelKeys(channels[0]);
    expect(channels[0].agreed.size).toBe(0);
    for (const s of secrets) expect(s.streamKey.every((x) => x === 0)).toBe(true);
    expect(channels[0].keyPair.privateKey.every((x) => x === 0)).toBe(true);
    const setup = setupSession({ sessionId: 'after-wipe', numClients: n, threshold: 3, vectorLength: m, numNeighbours: k });
    expect(() => advertiseKeys(setup.requests[0], channels[0])).toThrow(/wiped/);
  });
});
