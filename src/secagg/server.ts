/**
 * Server side of secure aggregation, first three stages: invite, collect keys, route encrypted
 * shares, add up masked inputs. The last stage (rebuild secrets, remove masks) is in
 * reconstruct.ts. Each function takes the server state and the replies that arrived before the
 * deadline (any order, any subset, untrusted), and returns the next state, the requests to send
 * and the replies it `rejected` with their coded errors; a rejected client counts as dropped.
 * A round that can no longer reach the threshold throws `SECAGG_TOO_FEW_CLIENTS`.
 *
 * Client sets, as in Bonawitz et al. (CCS 2017, §4): U1 advertised keys, U2 shared keys,
 * U3 sent a masked input (these are summed), U4 ⊆ U3 answered 'unmask'.
 */
import { SESSION_NONCE_BYTES } from './keys.js';
import { type AdvertisedKeys, type CollectMaskedRequest, type SecAggConfig, type SecAggStage, type SessionOptions, type SetupRequest, type ShareKeysRequest, type UnmaskRequest, COMMITMENT_BYTES, SHARE_CIPHERTEXT_BYTES, columnEntry, createConfig, packColumn, sessionGraph } from './stages.js';
import { type SecAggGraph, neighbours } from './graph.js';
import { KEY_BYTES, isUsableX25519PublicKey } from './crypto.js';
import { SecAggError } from './errors.js';
import { addRing } from './quantize.js';
import { expectBytes, expectColumns, expectIndex, expectRecord, expectRingVector, expectStage, fail, sameIndices } from './validate.js';

/** Server protocol state (plain, persistable data). `stage` names the replies it awaits next. */
export interface ServerState {
  readonly stage: SecAggStage;
  readonly config: SecAggConfig;
  /** U1 with their public keys, ascending. */
  readonly advertised: readonly AdvertisedKeys[];
  /** U2, ascending. */
  readonly sharers: readonly number[];
  /** Commitments to b_i and σ_i of the clients in U2. */
  readonly commitments: readonly { readonly clientIndex: number; readonly commitment: Uint8Array; readonly recoveryCommitment: Uint8Array }[];
  /** Pair seeds of the clients in U2 sealed under their σ_i, by recipient, ascending. */
  readonly sealedSeeds: readonly { readonly clientIndex: number; readonly seeds: readonly { readonly peer: number; readonly sealed: Uint8Array }[] }[];
  /** U3, ascending. */
  readonly maskedSenders: readonly number[];
  /** Σ_{i ∈ U3} y_i mod 2^ringBits (after 'collectMasked'). */
  readonly maskedSum?: Uint32Array;
}

/** A server stage's output. */
export interface ServerStep<R> {
  readonly state: ServerState;
  readonly requests: readonly R[];
  readonly rejected: readonly SecAggError[];
}

function requireStage(state: ServerState, expected: SecAggStage): void {
  if (typeof state !== 'object' || state === null) throw new TypeError('state: expected a ServerState');
  if (state.stage !== expected) fail('SECAGG_WRONG_STAGE', `server awaits '${state.stage}' replies, not '${expected}'`);
}

/**
 * Parse each reply with `parse`; a reply that fails is rejected, and a client index that
 * answers twice is rejected altogether (it is either confused or replaying).
 */
function parseReplies<T extends { clientIndex: number }>(replies: readonly unknown[], config: SecAggConfig, parse: (r: Record<string, unknown>, clientIndex: number) => T, keys: readonly string[]): { accepted: Map<number, T>; rejected: SecAggError[] } {
  if (!Array.isArray(replies)) throw new TypeError('replies: expected an array');
  const accepted = new Map<number, T>();
  const rejected: SecAggError[] = [];
  const seen = new Set<number>();
  for (const [k, reply] of replies.entries()) {
    let index: number | undefined;
    try {
      const r = expectRecord(reply, `replies[${k}]`, keys);
      index = expectIndex(r.clientIndex, `replies[${k}].clientIndex`, config.numClients);
      if (seen.has(index)) {
        accepted.delete(index);
        fail('SECAGG_DUPLICATE', `client ${index} replied twice`, index);
      }
      seen.add(index);
      accepted.set(index, parse(r, index));
    } catch (error) {
      if (!(error instanceof SecAggError)) throw error;
      rejected.push(error.clientIndex === undefined && index !== undefined ? new SecAggError(error.code, error.message, { clientIndex: index, cause: error }) : error);
    }
  }
  return { accepted, rejected };
}

/**
 * Drop, repeatedly, members with fewer than threshold − 1 neighbours left in `members` (their
 * secrets could never be rebuilt), then require at least `threshold` members overall.
 */
function prune(graph: SecAggGraph, threshold: number, members: Set<number>, rejected: SecAggError[], what: string): void {
  let changed = true;
  while (changed) {
    changed = false;
    for (const i of [...members]) {
      const live = neighbours(graph, i).filter((j) => members.has(j)).length;
      if (live + 1 < threshold) {
        members.delete(i);
        rejected.push(new SecAggError('SECAGG_TOO_FEW_CLIENTS', `client ${i} has only ${live} neighbours that ${what}`, { clientIndex: i }));
        changed = true;
      }
    }
  }
  if (members.size < threshold) fail('SECAGG_TOO_FEW_CLIENTS', `only ${members.size} clients ${what}; threshold is ${threshold}`);
}

/**
 * Start a session: check the options and invite every client ('setup' requests).
 *
 * @example const { state, requests } = setupSession({ sessionId: 'job-1/round-4', numClients: 100, threshold: 51, vectorLength: 10_000 });
 */
export function setupSession(options: SessionOptions): { state: ServerState; requests: SetupRequest[] } {
  const config = createConfig(options);
  const requests = Array.from({ length: config.numClients }, (_, clientIndex): SetupRequest => ({ stage: 'setup', clientIndex, config }));
  return { state: { stage: 'setup', config, advertised: [], sharers: [], commitments: [], sealedSeeds: [], maskedSenders: [] }, requests };
}

/** Stage 'setup' replies → U1; send each member its advertised neighbours' public keys. */
export function collectKeys(state: ServerState, replies: readonly unknown[]): ServerStep<ShareKeysRequest> {
  requireStage(state, 'setup');
  const { config } = state;
  const { accepted, rejected } = parseReplies(replies, config, (r, clientIndex) => {
    expectStage(r.stage, 'setup', 'reply');
    const publicKey = expectBytes(r.publicKey, 'reply.publicKey', 32).slice();
    const sessionNonce = expectBytes(r.sessionNonce, 'reply.sessionNonce', SESSION_NONCE_BYTES).slice();
    if (!isUsableX25519PublicKey(publicKey)) fail('SECAGG_INVALID_KEY', `client ${clientIndex} advertised a public key of small order`, clientIndex);
    return { clientIndex, publicKey, sessionNonce };
  }, ['stage', 'clientIndex', 'publicKey', 'sessionNonce']);
  // A key seen twice means a copied (or colliding) key: neither owner can be trusted with it.
  const owners = new Map<string, number[]>();
  for (const keys of accepted.values()) {
    const hex = Buffer.from(keys.publicKey).toString('hex');
    owners.set(hex, [...(owners.get(hex) ?? []), keys.clientIndex]);
  }
  for (const list of owners.values()) {
    if (list.length < 2) continue;
    for (const i of list) {
      if (accepted.delete(i)) rejected.push(new SecAggError('SECAGG_DUPLICATE', `client ${i} advertised a public key that is not unique`, { clientIndex: i }));
    }
  }
  const graph = sessionGraph(config);
  const members = new Set(accepted.keys());
  prune(graph, config.threshold, members, rejected, 'advertised keys');
  const advertised = [...members].sort((a, b) => a - b).map((i) => accepted.get(i)!);
  const requests = advertised.map((own): ShareKeysRequest => {
    const listed = neighbours(graph, own.clientIndex).filter((j) => members.has(j)).map((j) => accepted.get(j)!);
    return {
      stage: 'shareKeys',
      clientIndex: own.clientIndex,
      neighbours: { clientIndices: listed.map((a) => a.clientIndex), publicKeys: packColumn(listed.map((a) => a.publicKey), KEY_BYTES), sessionNonces: packColumn(listed.map((a) => a.sessionNonce), SESSION_NONCE_BYTES) },
    };
  });
  return { state: { ...state, stage: 'shareKeys', advertised }, requests, rejected };
}

/** Stage 'shareKeys' replies → U2; forward to each member the bundles addressed to it. */
export function routeShares(state: ServerState, replies: readonly unknown[]): ServerStep<CollectMaskedRequest> {
  requireStage(state, 'shareKeys');
  const { config } = state;
  const graph = sessionGraph(config);
  const u1 = new Set(state.advertised.map((a) => a.clientIndex));
  const { accepted, rejected } = parseReplies(replies, config, (r, clientIndex) => {
    expectStage(r.stage, 'shareKeys', 'reply');
    if (!u1.has(clientIndex)) fail('SECAGG_UNKNOWN_CLIENT', `client ${clientIndex} did not advertise keys`, clientIndex);
    const commitment = expectBytes(r.maskSeedCommitment, 'reply.maskSeedCommitment', COMMITMENT_BYTES).slice();
    const recoveryCommitment = expectBytes(r.recoveryKeyCommitment, 'reply.recoveryKeyCommitment', COMMITMENT_BYTES).slice();
    const expected = neighbours(graph, clientIndex).filter((j) => u1.has(j));
    const { indices, columns } = expectColumns(r.encryptedShares, 'reply.encryptedShares', 'peers', { ciphertexts: SHARE_CIPHERTEXT_BYTES, sealedSeeds: KEY_BYTES }, config.numClients, expected.length);
    if (!sameIndices([...indices].sort((a, b) => a - b), expected)) {
      fail('SECAGG_INCONSISTENT', `client ${clientIndex} must send one bundle to each of its ${expected.length} advertised neighbours`, clientIndex);
    }
    // the server keeps views of one copy of each column
    const ciphertexts = columns.ciphertexts.slice();
    const sealedSeeds = columns.sealedSeeds.slice();
    const bundles = new Map(indices.map((to, k) => [to, columnEntry(ciphertexts, k, SHARE_CIPHERTEXT_BYTES)]));
    const sealed = new Map(indices.map((to, k) => [to, columnEntry(sealedSeeds, k, KEY_BYTES)]));
    return { clientIndex, commitment, recoveryCommitment, bundles, sealed };
  }, ['stage', 'clientIndex', 'maskSeedCommitment', 'recoveryKeyCommitment', 'encryptedShares']);
  const members = new Set(accepted.keys());
  prune(graph, config.threshold, members, rejected, 'shared keys');
  const sharers = [...members].sort((a, b) => a - b);
  const requests = sharers.map((i): CollectMaskedRequest => {
    const senders = neighbours(graph, i).filter((j) => members.has(j));
    return { stage: 'collectMasked', clientIndex: i, encryptedShares: { peers: senders, ciphertexts: packColumn(senders.map((j) => accepted.get(j)!.bundles.get(i)!), SHARE_CIPHERTEXT_BYTES) } };
  });
  const commitments = sharers.map((i) => ({ clientIndex: i, commitment: accepted.get(i)!.commitment, recoveryCommitment: accepted.get(i)!.recoveryCommitment }));
  const sealedSeeds = sharers.map((i) => ({ clientIndex: i, seeds: [...accepted.get(i)!.sealed].sort(([a], [b]) => a - b).map(([peer, sealed]) => ({ peer, sealed })) }));
  return { state: { ...state, stage: 'collectMasked', sharers, commitments, sealedSeeds }, requests, rejected };
}

/** Stage 'collectMasked' replies → U3 and Σ y_i; ask each member to unmask its peers. */
export function sumMasked(state: ServerState, replies: readonly unknown[]): ServerStep<UnmaskRequest> {
  requireStage(state, 'collectMasked');
  const { config } = state;
  const u2 = new Set(state.sharers);
  const { accepted, rejected } = parseReplies(replies, config, (r, clientIndex) => {
    expectStage(r.stage, 'collectMasked', 'reply');
    if (!u2.has(clientIndex)) fail('SECAGG_UNKNOWN_CLIENT', `client ${clientIndex} did not share keys`, clientIndex);
    return { clientIndex, maskedInput: expectRingVector(r.maskedInput, 'reply.maskedInput', config.vectorLength, config.ringBits) };
  }, ['stage', 'clientIndex', 'maskedInput']);
  if (accepted.size < config.threshold) fail('SECAGG_TOO_FEW_CLIENTS', `only ${accepted.size} masked inputs arrived; threshold is ${config.threshold}`);
  const maskedSenders = [...accepted.keys()].sort((a, b) => a - b);
  const maskedSum = new Uint32Array(config.vectorLength);
  for (const i of maskedSenders) addRing(maskedSum, accepted.get(i)!.maskedInput, config.ringBits);
  const graph = sessionGraph(config);
  const requests = maskedSenders.map((i): UnmaskRequest => {
    const peers = neighbours(graph, i).filter((j) => u2.has(j));
    return {
      stage: 'unmask',
      clientIndex: i,
      survivors: [...peers.filter((j) => accepted.has(j)), i].sort((a, b) => a - b),
      dropped: peers.filter((j) => !accepted.has(j)),
    };
  });
  return { state: { ...state, stage: 'unmask', maskedSenders, maskedSum }, requests, rejected };
}
