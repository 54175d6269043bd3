/**
 * Client side of secure aggregation: one function per stage (Bonawitz et al., CCS 2017, Fig. 4,
 * semi-honest variant; SecAgg+ neighbourhoods of Bell et al., CCS 2020). Each takes the
 * client's state and the server's request, checks the request as untrusted input, and returns
 * the next state and the reply. States are plain data; a stage consumes the state it is given
 * (secrets no longer needed are wiped in place), so always continue from the returned one.
 *
 * The client refuses to run a stage twice or out of order, which is what stops a server from
 * asking for both shares (b_j and s_j^SK) of the same peer.
 */
import { randomBytes } from 'node:crypto';
import { setNewest } from '../boundedMap.js';
import { type X25519KeyPair, KEY_BYTES, addMasks, generateX25519KeyPair, wipe, x25519Agreement } from './crypto.js';
import { type BundleKeys, type PairKeys, SESSION_NONCE_BYTES, maskSeedCommitment, openBundle, pairKeys, recoveryKeyCommitment, sealBundle, sealPairSeeds, sessionPairKeys, wipeSessionPairKeys } from './keys.js';
import { splitSecret } from './shamir.js';
import {
  type AdvertiseKeysReply,
  type AdvertisedKeys,
  type MaskedInputReply,
  type SecAggConfig,
  type SecAggStage,
  type ShareKeysReply,
  type UnmaskReply,
  SHARE_BYTES,
  SHARE_CIPHERTEXT_BYTES,
  SHARE_PLAINTEXT_BYTES,
  columnEntry,
  packColumn,
  parseConfig,
  sessionGraph,
} from './stages.js';
import { isNeighbour } from './graph.js';
import { expectColumns, expectIndex, expectIndexList, expectRecord, expectStage, fail, sameIndices } from './validate.js';

/**
 * A client's key pair c kept for several sessions (a node keeps one per job), with the pair
 * keys it derived with each peer's c^PK. Every session derives its own pair seeds from the
 * cached pair keys and both clients' fresh session nonces (keys.ts), so a pair that meets again
 * in the job agrees no new X25519 secret, and the protocol never reveals c^SK or a pair key
 * (dropout recovery reveals the session's recovery key σ_i, which unseals that session's pair
 * seeds only). Self-mask seeds b_i and recovery keys σ_i are fresh per session.
 * The price is forward secrecy within the keys' lifetime: whoever later steals this client's
 * c^SK and holds the server's transcript can recompute the client's pair seeds of every session
 * of the job and, with its self-mask seeds (which the server learns for every session the client
 * completed), unmask its inputs of that job. With fresh keys per session (no channel) a later
 * theft reveals nothing. {@link wipeChannelKeys} ends the lifetime.
 */
export interface ChannelKeys {
  readonly keyPair: X25519KeyPair;
  /** The pair keys (keys.ts `pairKeys`) by the peer key's hex. */
  readonly agreed: Map<string, PairKeys>;
}

/** Most peer secrets a {@link ChannelKeys} keeps (the oldest go first). */
const MAX_CHANNEL_PEERS = 4096;

/** A fresh key pair to use across sessions. */
export function createChannelKeys(): ChannelKeys {
  return { keyPair: generateX25519KeyPair(), agreed: new Map() };
}

/** Wipe a {@link ChannelKeys}: its private key and every agreed secret. */
export function wipeChannelKeys(channel: ChannelKeys): void {
  for (const keys of channel.agreed.values()) wipe(keys.streamKey);
  channel.agreed.clear();
  wipe(channel.keyPair.privateKey);
}

/** Shares of one peer's two secrets, held by this client. */
export interface HeldShares {
  readonly owner: number;
  readonly maskSeedShare: Uint8Array;
  readonly recoveryKeyShare: Uint8Array;
}

/** A client's protocol state after the stage named in `stage` (plain, persistable data). */
export interface ClientState {
  readonly stage: SecAggStage;
  readonly config: SecAggConfig;
  readonly clientIndex: number;
  /** c_i: agrees the pair keys. Private half wiped after 'shareKeys'. */
  readonly keyPair: X25519KeyPair;
  /** This session's nonce (public). */
  readonly sessionNonce: Uint8Array;
  /** Neighbours that advertised keys (from 'shareKeys' on). */
  readonly peers?: readonly AdvertisedKeys[];
  /** Each peer's pair seed and incoming bundle keys of this session ('shareKeys' only; wiped by masking). */
  readonly peerKeys?: readonly { readonly peer: number; readonly pairSeed: Uint8Array; readonly incoming: BundleKeys }[];
  /** Self-mask seed b_i ('shareKeys' only; wiped once the input is masked). */
  readonly maskSeed?: Uint8Array;
  /** This client's own share of b_i. */
  readonly ownMaskSeedShare?: Uint8Array;
  /** Peers whose shares arrived, i.e. the peers the input was masked with ('collectMasked'). */
  readonly heldShares?: readonly HeldShares[];
}

/** A stage's output: the state to keep and the reply to send. */
export interface ClientStep<R> {
  readonly state: ClientState;
  readonly reply: R;
}

function isZero(bytes: Uint8Array | undefined): boolean {
  return bytes === undefined || bytes.every((b) => b === 0);
}

function requireStage(state: ClientState, expected: SecAggStage): void {
  if (typeof state !== 'object' || state === null) throw new TypeError('state: expected a ClientState');
  if (state.stage !== expected) fail('SECAGG_WRONG_STAGE', `client is at '${state.stage}', expected '${expected}'`, state.clientIndex);
  // A state whose secrets were wiped was already consumed by the next stage; replaying it would
  // mask with all-zero (public) seeds or reveal zeroed shares.
  const consumed =
    (expected === 'setup' && isZero(state.keyPair.privateKey)) ||
    (expected === 'shareKeys' && isZero(state.maskSeed)) ||
    (expected === 'collectMasked' && isZero(state.ownMaskSeedShare));
  if (consumed) fail('SECAGG_WRONG_STAGE', `this '${expected}' state was already used; continue from the state the stage returned`, state.clientIndex);
}

/**
 * Stage 'setup' (AdvertiseKeys): read the session config, make a fresh key pair and a session
 * nonce and publish them. With `channel`, the key pair is the channel's (kept across sessions,
 * see {@link ChannelKeys}); the state holds a copy, wiped as usual.
 */
export function advertiseKeys(request: unknown, channel?: ChannelKeys): ClientStep<AdvertiseKeysReply> {
  const r = expectRecord(request, 'request', ['stage', 'clientIndex', 'config']);
  expectStage(r.stage, 'setup', 'request');
  const config = parseConfig(r.config);
  const clientIndex = expectIndex(r.clientIndex, 'request.clientIndex', config.numClients);
  if (channel !== undefined && isZero(channel.keyPair.privateKey)) throw new TypeError('channel: its keys were wiped');
  const keyPair = channel === undefined ? generateX25519KeyPair() : { publicKey: channel.keyPair.publicKey.slice(), privateKey: channel.keyPair.privateKey.slice() };
  const sessionNonce = new Uint8Array(randomBytes(SESSION_NONCE_BYTES));
  return {
    state: { stage: 'setup', config, clientIndex, keyPair, sessionNonce },
    reply: { stage: 'setup', clientIndex, publicKey: keyPair.publicKey.slice(), sessionNonce: sessionNonce.slice() },
  };
}

function parsePeers(state: ClientState, value: unknown): AdvertisedKeys[] {
  const { config, clientIndex: self } = state;
  const graph = sessionGraph(config);
  const name = 'request.neighbours';
  const { indices, columns } = expectColumns(value, name, 'clientIndices', { publicKeys: 32, sessionNonces: SESSION_NONCE_BYTES }, config.numClients, config.numNeighbours);
  // copies of the columns: the state's keys must not change if the caller reuses the request
  const publicKeys = columns.publicKeys.slice();
  const sessionNonces = columns.sessionNonces.slice();
  const seenKeys = new Set<string>([Buffer.from(state.keyPair.publicKey).toString('hex')]);
  const peers: AdvertisedKeys[] = [];
  for (const [k, index] of indices.entries()) {
    if (!isNeighbour(graph, self, index)) fail('SECAGG_UNKNOWN_CLIENT', `${name}.clientIndices[${k}]: client ${index} is not a neighbour of ${self}`, index);
    const publicKey = columnEntry(publicKeys, k, 32);
    const hex = Buffer.from(publicKey.buffer, publicKey.byteOffset, 32).toString('hex');
    if (seenKeys.has(hex)) fail('SECAGG_DUPLICATE', `${name}.publicKeys[${k}]: public key already used by another client`, index);
    seenKeys.add(hex);
    peers.push({ clientIndex: index, publicKey, sessionNonce: columnEntry(sessionNonces, k, SESSION_NONCE_BYTES) });
  }
  if (peers.length + 1 < config.threshold) {
    fail('SECAGG_TOO_FEW_CLIENTS', `only ${peers.length} neighbours advertised keys; threshold ${config.threshold} needs ${config.threshold - 1}`, self);
  }
  return peers.sort((a, b) => a.clientIndex - b.clientIndex);
}

/**
 * Stage 'shareKeys': derive this session's pair seed and bundle keys with each advertised
 * neighbour (one pair stream each, keys.ts), draw the self-mask seed b_i and the recovery key
 * σ_i, Shamir-share both among this client and its neighbours (threshold t), seal each
 * neighbour's pair of shares under the keys of that direction of that session, and seal each
 * pair seed under σ_i for the server to keep. Pass the `channel` the state's keys came from to
 * reuse (and keep) the pair keys derived before.
 */
export async function shareKeys(state: ClientState, request: unknown, channel?: ChannelKeys): Promise<ClientStep<ShareKeysReply>> {
  requireStage(state, 'setup');
  const r = expectRecord(request, 'request', ['stage', 'clientIndex', 'neighbours']);
  expectStage(r.stage, 'shareKeys', 'request');
  if (r.clientIndex !== state.clientIndex) fail('SECAGG_INCONSISTENT', `request.clientIndex: addressed to ${String(r.clientIndex)}, this is ${state.clientIndex}`);
  const peers = parsePeers(state, r.neighbours);
  const { config, clientIndex: self } = state;
  // one CSPRNG draw for b_i and σ_i
  const random = randomBytes(2 * KEY_BYTES);
  const maskSeed = new Uint8Array(random.subarray(0, KEY_BYTES));
  const recoveryKey = new Uint8Array(random.subarray(KEY_BYTES, 2 * KEY_BYTES));
  const numShares = peers.length + 1;
  const seedShares = await splitSecret(maskSeed, numShares, config.threshold);
  const keyShares = await splitSecret(recoveryKey, numShares, config.threshold);
  const cached = channel !== undefined && Buffer.compare(channel.keyPair.publicKey, state.keyPair.publicKey) === 0 ? channel : undefined;
  let agree: ((peerPublicKey: Uint8Array) => Uint8Array) | undefined;
  const sessionKeys = peers.map((peer) => {
    const hex = cached === undefined ? '' : Buffer.from(peer.publicKey).toString('hex');
    let keys = cached?.agreed.get(hex);
    if (keys === undefined) {
      // the channel's own private key has an OpenSSL handle already (no re-import)
      agree ??= x25519Agreement(cached?.keyPair.privateKey ?? state.keyPair.privateKey);
      const shared = agree(peer.publicKey);
      keys = pairKeys(shared);
      wipe(shared);
      if (cached !== undefined) setNewest(cached.agreed, hex, keys, MAX_CHANNEL_PEERS, (_, old) => wipe(old.streamKey));
    }
    const session = sessionPairKeys(keys.streamKey, config.sessionId, self, state.sessionNonce, peer.clientIndex, peer.sessionNonce);
    if (cached === undefined) wipe(keys.streamKey);
    return session;
  });
  const sealedSeeds = sealPairSeeds(recoveryKey, peers.map((p, k) => ({ peer: p.clientIndex, seed: sessionKeys[k].pairSeed })));
  const plaintext = new Uint8Array(SHARE_PLAINTEXT_BYTES);
  const ciphertexts = new Uint8Array(peers.length * SHARE_CIPHERTEXT_BYTES);
  peers.forEach((_, k) => {
    plaintext.set(seedShares[k + 1], 0);
    plaintext.set(keyShares[k + 1], SHARE_BYTES);
    const { outgoing } = sessionKeys[k];
    ciphertexts.set(sealBundle(outgoing, plaintext), k * SHARE_CIPHERTEXT_BYTES);
    wipe(seedShares[k + 1], keyShares[k + 1], outgoing.macKey, outgoing.pad);
  });
  wipe(plaintext);
  const encryptedShares = { peers: peers.map((p) => p.clientIndex), ciphertexts, sealedSeeds: packColumn(sealedSeeds, KEY_BYTES) };
  const peerKeys = peers.map((peer, k) => ({ peer: peer.clientIndex, pairSeed: sessionKeys[k].pairSeed, incoming: sessionKeys[k].incoming }));
  const commitments = { maskSeedCommitment: maskSeedCommitment(maskSeed, config.sessionId, self), recoveryKeyCommitment: recoveryKeyCommitment(recoveryKey, config.sessionId, self) };
  wipe(keyShares[0], recoveryKey, state.keyPair.privateKey, random);
  return {
    state: { ...state, stage: 'shareKeys', peers, peerKeys, maskSeed, ownMaskSeedShare: seedShares[0] },
    reply: { stage: 'shareKeys', clientIndex: self, ...commitments, encryptedShares },
  };
}

function openShares(state: ClientState, value: unknown): HeldShares[] {
  const { config, clientIndex: self } = state;
  const keys = new Map(state.peerKeys!.map((p) => [p.peer, p.incoming]));
  const name = 'request.encryptedShares';
  const { indices, columns } = expectColumns(value, name, 'peers', { ciphertexts: SHARE_CIPHERTEXT_BYTES }, config.numClients, keys.size);
  const held: HeldShares[] = indices.map((from, k) => {
    const key = keys.get(from);
    if (!key) fail('SECAGG_UNKNOWN_CLIENT', `${name}.peers[${k}]: client ${from} is not an advertised neighbour`, from);
    const plaintext = openBundle(key, columnEntry(columns.ciphertexts, k, SHARE_CIPHERTEXT_BYTES));
    return { owner: from, maskSeedShare: plaintext.subarray(0, SHARE_BYTES), recoveryKeyShare: plaintext.subarray(SHARE_BYTES) };
  });
  if (held.length + 1 < config.threshold) {
    fail('SECAGG_TOO_FEW_CLIENTS', `only ${held.length} neighbours shared keys; threshold ${config.threshold} needs ${config.threshold - 1}`, self);
  }
  return held.sort((a, b) => a.owner - b.owner);
}

/**
 * Stage 'collectMasked' (MaskedInputCollection): decrypt the shares routed to this client, then
 * mask the ring vector `input`:
 *
 *   y_i = x_i + PRG(b_i) + Σ_{j > i} PRG(s_ij) − Σ_{j < i} PRG(s_ij)   (mod 2^ringBits)
 *
 * over the peers j whose shares arrived (the server's U2 within the neighbourhood), with s_ij
 * the pair seed derived in 'shareKeys'. The pairwise terms cancel in the sum over survivors.
 * `input` is left as it is unless `options.inPlace` lets the client mask it where it lies
 * (saves a copy for a caller that built it for this purpose).
 */
export function maskInput(state: ClientState, request: unknown, input: Uint32Array, options: { inPlace?: boolean } = {}): ClientStep<MaskedInputReply> {
  requireStage(state, 'shareKeys');
  const { config, clientIndex: self } = state;
  if (!(input instanceof Uint32Array)) throw new TypeError('input: expected a Uint32Array of ring elements');
  if (input.length !== config.vectorLength) throw new RangeError(`input: expected ${config.vectorLength} elements, got ${input.length}`);
  if (config.ringBits < 32) {
    const modulus = 2 ** config.ringBits;
    const bad = input.findIndex((v) => v >= modulus);
    if (bad >= 0) throw new RangeError(`input[${bad}]: ${input[bad]} is not an element of Z_2^${config.ringBits}`);
  }
  const r = expectRecord(request, 'request', ['stage', 'clientIndex', 'encryptedShares']);
  expectStage(r.stage, 'collectMasked', 'request');
  if (r.clientIndex !== self) fail('SECAGG_INCONSISTENT', `request.clientIndex: addressed to ${String(r.clientIndex)}, this is ${self}`);
  const heldShares = openShares(state, r.encryptedShares);
  // a caller that owns `input` and no longer needs it may let it be masked where it lies
  const masked = options.inPlace === true ? input : input.slice();
  const seeds = new Map(state.peerKeys!.map((p) => [p.peer, p.pairSeed]));
  addMasks(masked, [{ seed: state.maskSeed!, sign: 1 }, ...heldShares.map(({ owner }) => ({ seed: seeds.get(owner)!, sign: owner > self ? (1 as const) : (-1 as const) }))], config.ringBits);
  wipe(state.maskSeed);
  for (const keys of state.peerKeys!) wipeSessionPairKeys(keys);
  const { maskSeed: _spent, peerKeys: _keys, ...rest } = state;
  return {
    state: { ...rest, stage: 'collectMasked', heldShares },
    reply: { stage: 'collectMasked', clientIndex: self, maskedInput: masked },
  };
}

/**
 * Stage 'unmask': reveal the b-share of every survivor (self included) and the σ-share of
 * every dropped peer. The server must sort each peer the client masked with into exactly one
 * of the two lists; anything else is refused, since revealing both shares of one peer would
 * unmask its input.
 */
export function unmask(state: ClientState, request: unknown): ClientStep<UnmaskReply> {
  requireStage(state, 'collectMasked');
  const { config, clientIndex: self } = state;
  const r = expectRecord(request, 'request', ['stage', 'clientIndex', 'survivors', 'dropped']);
  expectStage(r.stage, 'unmask', 'request');
  if (r.clientIndex !== self) fail('SECAGG_INCONSISTENT', `request.clientIndex: addressed to ${String(r.clientIndex)}, this is ${self}`);
  const survivors = expectIndexList(r.survivors, 'request.survivors', config.numClients);
  const dropped = expectIndexList(r.dropped, 'request.dropped', config.numClients);
  const held = new Map(state.heldShares!.map((h) => [h.owner, h]));
  const expected = [...held.keys(), self].sort((a, b) => a - b);
  const union = [...survivors, ...dropped].sort((a, b) => a - b);
  if (!survivors.includes(self)) fail('SECAGG_INCONSISTENT', 'request.survivors: must include this client', self);
  if (!sameIndices(union, expected)) {
    fail('SECAGG_INCONSISTENT', 'request: survivors and dropped must partition the peers this client masked with (plus itself)', self);
  }
  const maskSeedShares = { owners: survivors, shares: packColumn(survivors.map((owner) => (owner === self ? state.ownMaskSeedShare! : held.get(owner)!.maskSeedShare)), SHARE_BYTES) };
  const recoveryKeyShares = { owners: dropped, shares: packColumn(dropped.map((owner) => held.get(owner)!.recoveryKeyShare), SHARE_BYTES) };
  for (const h of state.heldShares!) wipe(h.maskSeedShare, h.recoveryKeyShare);
  wipe(state.ownMaskSeedShare);
  const { heldShares: _h, ownMaskSeedShare: _o, ...rest } = state;
  return {
    state: { ...rest, stage: 'unmask' },
    reply: { stage: 'unmask', clientIndex: self, maskSeedShares, recoveryKeyShares },
  };
}
