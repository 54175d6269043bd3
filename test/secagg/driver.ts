/**
 * Test harness: run an honest secure-aggregation session up to a chosen point, keeping every
 * request, reply and state, so a test can tamper with the next message. States handed to a
 * later stage are consumed (wiped), so a session stops right after producing the requests of
 * the stage under test; the client states for that stage are still fresh.
 */
import { type ClientState, advertiseKeys, maskInput, shareKeys, unmask } from '../../src/secagg/client.js';
import { type AdvertiseKeysReply, type AdvertisedKeyList, type BundleList, type CollectMaskedRequest, type MaskedInputReply, type OutgoingBundleList, type RevealedShareList, type SetupRequest, type ShareKeysReply, type ShareKeysRequest, type UnmaskReply, type UnmaskRequest, SHARE_BYTES, SHARE_CIPHERTEXT_BYTES } from '../../src/secagg/stages.js';
import { type ServerState, type ServerStep, collectKeys, routeShares, setupSession, sumMasked } from '../../src/secagg/server.js';

export interface SessionOptions {
  numClients: number;
  threshold: number;
  vectorLength: number;
  numNeighbours?: number;
  ringBits?: number;
  inputs?: Uint32Array[];
}

/** Stop after the server built the requests of this stage (or run to the end: 'reconstruct'). */
export type StopAt = 'shareKeys' | 'collectMasked' | 'unmask' | 'reconstruct';

interface AtShareKeys {
  inputs: Uint32Array[];
  setup: { state: ServerState; requests: SetupRequest[] };
  advertiseReplies: AdvertiseKeysReply[];
  keys: ServerStep<ShareKeysRequest>;
  /** Client states as they were when the last requests were built (fresh for the next stage). */
  stateAt: Map<number, ClientState>;
}
interface AtCollectMasked extends AtShareKeys {
  shareReplies: ShareKeysReply[];
  routed: ServerStep<CollectMaskedRequest>;
}
interface AtUnmask extends AtCollectMasked {
  maskedReplies: MaskedInputReply[];
  summed: ServerStep<UnmaskRequest>;
}
interface AtReconstruct extends AtUnmask {
  unmaskReplies: UnmaskReply[];
}
type SessionAt = { shareKeys: AtShareKeys; collectMasked: AtCollectMasked; unmask: AtUnmask; reconstruct: AtReconstruct };

export async function runSession<S extends StopAt>(options: SessionOptions, stopAt: S): Promise<SessionAt[S]> {
  return (await run(options, stopAt)) as SessionAt[S];
}

async function run(options: SessionOptions, stopAt: StopAt): Promise<AtShareKeys> {
  const { numClients: n, vectorLength: m } = options;
  const ringBits = options.ringBits ?? 32;
  const inputs = options.inputs ?? Array.from({ length: n }, (_, i) => Uint32Array.from({ length: m }, (_, k) => ((i + 1) * 1000 + k) % 2 ** ringBits));
  const setup = setupSession({ sessionId: 'test-session', numClients: n, threshold: options.threshold, vectorLength: m, numNeighbours: options.numNeighbours, ringBits });
  const states = new Map<number, ClientState>();
  const advertiseReplies: AdvertiseKeysReply[] = [];
  for (const request of setup.requests) {
    const step = advertiseKeys(request);
    states.set(request.clientIndex, step.state);
    advertiseReplies.push(step.reply);
  }
  const keys = collectKeys(setup.state, advertiseReplies);
  const base = { inputs, setup, advertiseReplies, keys };
  if (stopAt === 'shareKeys') return { ...base, stateAt: new Map(states) };

  const shareReplies: ShareKeysReply[] = [];
  for (const request of keys.requests) {
    const step = await shareKeys(states.get(request.clientIndex)!, request);
    states.set(request.clientIndex, step.state);
    shareReplies.push(step.reply);
  }
  const routed = routeShares(keys.state, shareReplies);
  const withShares = { ...base, shareReplies, routed };
  if (stopAt === 'collectMasked') return { ...withShares, stateAt: new Map(states) };

  const maskedReplies: MaskedInputReply[] = [];
  for (const request of routed.requests) {
    const step = maskInput(states.get(request.clientIndex)!, request, inputs[request.clientIndex]);
    states.set(request.clientIndex, step.state);
    maskedReplies.push(step.reply);
  }
  const summed = sumMasked(routed.state, maskedReplies);
  const withMasked = { ...withShares, maskedReplies, summed };
  if (stopAt === 'unmask') return { ...withMasked, stateAt: new Map(states) };

  const unmaskReplies: UnmaskReply[] = [];
  for (const request of summed.requests) {
    const step = unmask(states.get(request.clientIndex)!, request);
    states.set(request.clientIndex, step.state);
    unmaskReplies.push(step.reply);
  }
  const full: AtReconstruct = { ...withMasked, unmaskReplies, stateAt: new Map(states) };
  return full;
}

/** Element-wise sum of ring vectors mod 2^ringBits. */
export function ringSum(vectors: readonly Uint32Array[], ringBits = 32): Uint32Array {
  const out = new Uint32Array(vectors[0].length);
  const modulus = 2 ** ringBits;
  for (const v of vectors) for (let k = 0; k < out.length; k++) out[k] = (out[k] + v[k]) % modulus;
  return out;
}

/*
 * Stage messages carry lists as columns (stages.ts). Tests that tamper with one entry turn a
 * list into rows, change them, and pack the rows back; packing does not check lengths, so a
 * wrong-sized entry makes a wrong-sized column, as a hostile peer would send.
 */
const concat = (items: readonly Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(items.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of items) { out.set(b, at); at += b.length; }
  return out;
};
const entries = (column: Uint8Array, count: number, size: number): Uint8Array[] => Array.from({ length: count }, (_, k) => column.slice(k * size, (k + 1) * size));

export interface KeyRow { clientIndex: number; publicKey: Uint8Array; sessionNonce: Uint8Array }
export const keyRows = (list: AdvertisedKeyList): KeyRow[] => {
  const keys = entries(list.publicKeys, list.clientIndices.length, 32);
  const nonces = entries(list.sessionNonces, list.clientIndices.length, 32);
  return list.clientIndices.map((clientIndex, k) => ({ clientIndex, publicKey: keys[k], sessionNonce: nonces[k] }));
};
export const keyList = (rows: readonly KeyRow[]): AdvertisedKeyList => ({ clientIndices: rows.map((r) => r.clientIndex), publicKeys: concat(rows.map((r) => r.publicKey)), sessionNonces: concat(rows.map((r) => r.sessionNonce)) });

export interface BundleRow { peer: number; ciphertext: Uint8Array; sealedSeed?: Uint8Array }
export const bundleRows = (list: BundleList | OutgoingBundleList): BundleRow[] => {
  const boxes = entries(list.ciphertexts, list.peers.length, SHARE_CIPHERTEXT_BYTES);
  const seeds = 'sealedSeeds' in list ? entries(list.sealedSeeds, list.peers.length, 32) : undefined;
  return list.peers.map((peer, k) => ({ peer, ciphertext: boxes[k], ...(seeds ? { sealedSeed: seeds[k] } : {}) }));
};
/** Rows back to a list; with sealed seeds (a reply's list) when the first row has one. */
export const bundleList = (rows: readonly BundleRow[]): BundleList & { sealedSeeds?: Uint8Array } => ({
  peers: rows.map((r) => r.peer),
  ciphertexts: concat(rows.map((r) => r.ciphertext)),
  ...(rows[0]?.sealedSeed ? { sealedSeeds: concat(rows.map((r) => r.sealedSeed ?? new Uint8Array(0))) } : {}),
});

export interface ShareRow { owner: number; share: Uint8Array }
export const shareRows = (list: RevealedShareList): ShareRow[] => {
  const shares = entries(list.shares, list.owners.length, SHARE_BYTES);
  return list.owners.map((owner, k) => ({ owner, share: shares[k] }));
};
export const shareList = (rows: readonly ShareRow[]): RevealedShareList => ({ owners: rows.map((r) => r.owner), shares: concat(rows.map((r) => r.share)) });
