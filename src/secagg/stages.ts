/**
 * The shared vocabulary of secure aggregation: stage names, session configuration and the
 * payload of every request (server → client) and reply (client → server). Client and server
 * stage functions (client.ts, server.ts) speak only these shapes, which are plain data —
 * numbers, strings, arrays, `Uint8Array`/`Uint32Array` — so they can be carried in messages
 * and persisted (see codec.ts).
 *
 * Rounds of Bonawitz et al. (CCS 2017, Fig. 4) and their names here (Flower's vocabulary):
 *   0 AdvertiseKeys          'setup'          client publishes its X25519 public key and a session nonce
 *   1 ShareKeys              'shareKeys'      client Shamir-shares b_i and σ_i, encrypted per peer, and
 *                                             publishes its pair seeds sealed under σ_i
 *   2 MaskedInputCollection  'collectMasked'  client sends y_i = x_i + PRG(b_i) ± Σ PRG(s_ij)
 *   3 Unmasking              'unmask'         client reveals b_j shares of survivors, σ_j of dropped
 * The semi-honest variant: no signatures, no consistency-check round. One X25519 key pair per
 * client agrees a pair key with each neighbour, from which every session's pair seed and share
 * bundle keys derive (it may live for several sessions, see keys.ts), and a dropped client's
 * pair seeds are recovered through its fresh recovery key σ_i instead of its private key.
 */
import { KEY_BYTES } from './crypto.js';
import { BUNDLE_BYTES, BUNDLE_PLAINTEXT_BYTES } from './keys.js';
import { setNewest } from '../boundedMap.js';
import { buildGraph, type SecAggGraph } from './graph.js';
import { MAX_SHARES } from './shamir.js';
import { expectRecord, fail } from './validate.js';

/** Stage names, in protocol order. */
export const SECAGG_STAGES = ['setup', 'shareKeys', 'collectMasked', 'unmask'] as const;
/** One of {@link SECAGG_STAGES}. */
export type SecAggStage = (typeof SECAGG_STAGES)[number];

/** Bytes of one Shamir share of a 32-byte secret (32 evaluations + the x byte). */
export const SHARE_BYTES = KEY_BYTES + 1;
/** Bytes of the plaintext sent to one peer: share of b_i ‖ share of σ_i. */
export const SHARE_PLAINTEXT_BYTES = BUNDLE_PLAINTEXT_BYTES;
/** Bytes of one encrypted share bundle: ciphertext ‖ tag (keys.ts). */
export const SHARE_CIPHERTEXT_BYTES = BUNDLE_BYTES;
/** Bytes of the SHA-256 commitment to a mask seed. */
export const COMMITMENT_BYTES = 32;

/** Parameters of one secure-aggregation session, fixed by the server and sent in 'setup'. */
export interface SecAggConfig {
  /** Unique per job and round; bound into every key derivation and ciphertext. */
  readonly sessionId: string;
  /** Clients invited, indexed 0..numClients−1. */
  readonly numClients: number;
  /** Graph degree k; numClients − 1 for classic SecAgg. */
  readonly numNeighbours: number;
  /** Shares (out of the k + 1 held in a neighbourhood) needed to rebuild a client's secret. */
  readonly threshold: number;
  /** Length of the vectors being summed. */
  readonly vectorLength: number;
  /** Vectors live in Z_{2^ringBits}. */
  readonly ringBits: number;
  /** Public seed of the SecAgg+ graph. */
  readonly graphSeed: string;
}

/** Options of {@link createConfig}; omit `numNeighbours` for classic (complete-graph) SecAgg. */
export interface SessionOptions {
  readonly sessionId: string;
  readonly numClients: number;
  readonly threshold: number;
  readonly vectorLength: number;
  readonly numNeighbours?: number;
  readonly ringBits?: number;
  readonly graphSeed?: string;
}

const MAX_VECTOR_LENGTH = 2 ** 28;

/** Check the invariants of a config; `raise` throws RangeError (local) or SecAggError (network). */
function checkConfig(c: SecAggConfig, raise: (field: string, message: string) => never): void {
  if (typeof c.sessionId !== 'string' || c.sessionId.length < 1 || c.sessionId.length > 256) raise('sessionId', 'expected a string of 1 to 256 characters');
  if (!Number.isInteger(c.numClients) || c.numClients < 2) raise('numClients', `expected an integer ≥ 2, got ${c.numClients}`);
  if (!Number.isInteger(c.numNeighbours) || c.numNeighbours < 1 || c.numNeighbours > c.numClients - 1) {
    raise('numNeighbours', `expected an integer in [1, numClients − 1], got ${c.numNeighbours}`);
  }
  if (c.numNeighbours < c.numClients - 1 && c.numNeighbours % 2 !== 0) raise('numNeighbours', `expected an even degree, got ${c.numNeighbours}`);
  if (c.numNeighbours + 1 > MAX_SHARES) raise('numNeighbours', `a neighbourhood holds at most ${MAX_SHARES} shares; use numNeighbours ≤ ${MAX_SHARES - 1} (SecAgg+)`);
  if (!Number.isInteger(c.threshold) || c.threshold < 2 || c.threshold > c.numNeighbours + 1) {
    raise('threshold', `expected an integer in [2, numNeighbours + 1 = ${c.numNeighbours + 1}], got ${c.threshold}`);
  }
  if (!Number.isInteger(c.vectorLength) || c.vectorLength < 1 || c.vectorLength > MAX_VECTOR_LENGTH) {
    raise('vectorLength', `expected an integer in [1, 2^28], got ${c.vectorLength}`);
  }
  if (!Number.isInteger(c.ringBits) || c.ringBits < 2 || c.ringBits > 32) raise('ringBits', `expected an integer in [2, 32], got ${c.ringBits}`);
  if (typeof c.graphSeed !== 'string' || c.graphSeed.length > 256) raise('graphSeed', 'expected a string of at most 256 characters');
}

/**
 * Build and check a session config (server side, before 'setup').
 *
 * @example createConfig({ sessionId: 'job-1/round-4', numClients: 100, threshold: 51, vectorLength: 10_000 })
 */
export function createConfig(options: SessionOptions): SecAggConfig {
  if (typeof options !== 'object' || options === null) throw new TypeError('options: expected an object');
  const numClients = options.numClients;
  const requested = options.numNeighbours ?? numClients - 1;
  const config: SecAggConfig = {
    sessionId: options.sessionId,
    numClients,
    numNeighbours: Number.isInteger(requested) && requested >= numClients - 1 ? numClients - 1 : requested,
    threshold: options.threshold,
    vectorLength: options.vectorLength,
    ringBits: options.ringBits ?? 32,
    graphSeed: options.graphSeed ?? `${options.sessionId}/graph`,
  };
  checkConfig(config, (field, message) => {
    throw new RangeError(`options.${field}: ${message}`);
  });
  return config;
}

/** Parse a config received from the network. @throws SecAggError `SECAGG_MALFORMED`. */
export function parseConfig(value: unknown): SecAggConfig {
  const keys = ['sessionId', 'numClients', 'numNeighbours', 'threshold', 'vectorLength', 'ringBits', 'graphSeed'] as const;
  const r = expectRecord(value, 'config', keys);
  const config = Object.fromEntries(keys.map((k) => [k, r[k]])) as unknown as SecAggConfig;
  checkConfig(config, (field, message) => fail('SECAGG_MALFORMED', `config.${field}: ${message}`));
  return config;
}

/** Graphs built lately (a job keeps one graph for all its sessions), most recent last. */
const graphs = new Map<string, SecAggGraph>();
const MAX_CACHED_GRAPHS = 16;

/**
 * The graph of a session (complete for classic SecAgg), rebuilt from its public seed. Every
 * stage of every session of a job asks for the same graph, so the last few are kept (graphs
 * are read-only).
 */
export function sessionGraph(config: SecAggConfig): SecAggGraph {
  const key = `${config.numClients}/${config.numNeighbours}/${config.graphSeed}`;
  const graph = graphs.get(key) ?? buildGraph({ numClients: config.numClients, numNeighbours: config.numNeighbours, seed: config.graphSeed });
  setNewest(graphs, key, graph, MAX_CACHED_GRAPHS);
  return graph;
}

/** What a client advertises in 'setup'. */
export interface AdvertisedKeys {
  readonly clientIndex: number;
  /** c_i^PK: agrees the pair key from which each session's pair seed and bundle keys derive. */
  readonly publicKey: Uint8Array;
  /** 32 fresh random bytes of this session, bound into the pair keys of the session. */
  readonly sessionNonce: Uint8Array;
}

/** Server → client, stage 'setup'. */
export interface SetupRequest {
  readonly stage: 'setup';
  readonly clientIndex: number;
  readonly config: SecAggConfig;
}
/** Client → server, stage 'setup' (AdvertiseKeys). */
export interface AdvertiseKeysReply extends AdvertisedKeys {
  readonly stage: 'setup';
}

/*
 * Lists of per-client byte strings travel as columns: one array of client indices and one
 * byte string per field, entry k of a field being bytes [k·size, (k + 1)·size). A stage
 * message carries dozens of keys, bundles or shares, and one object per entry cost more to
 * encode, parse and check than the cryptography they carry.
 */

/** The keys of several clients: client `clientIndices[k]` advertised entry k of each field. */
export interface AdvertisedKeyList {
  readonly clientIndices: readonly number[];
  /** 32 bytes per client. */
  readonly publicKeys: Uint8Array;
  /** 32 bytes (SESSION_NONCE_BYTES) per client. */
  readonly sessionNonces: Uint8Array;
}

/** Server → client, stage 'shareKeys': the keys of the neighbours that advertised. */
export interface ShareKeysRequest {
  readonly stage: 'shareKeys';
  readonly clientIndex: number;
  readonly neighbours: AdvertisedKeyList;
}
/** Encrypted share bundles: bundle k ({@link SHARE_CIPHERTEXT_BYTES}) goes to `peers[k]` in a reply and comes from `peers[k]` in a request. */
export interface BundleList {
  readonly peers: readonly number[];
  readonly ciphertexts: Uint8Array;
}
/** A reply's bundles, with each pair seed sealed for recovery (kept by the server). */
export interface OutgoingBundleList extends BundleList {
  /** Seed k (32 bytes) is s_ij ⊕ PRF(σ_i, j) for j = peers[k]: opened only if this client drops after masking (keys.ts). */
  readonly sealedSeeds: Uint8Array;
}
/** Client → server, stage 'shareKeys'. */
export interface ShareKeysReply {
  readonly stage: 'shareKeys';
  readonly clientIndex: number;
  /** SHA-256 commitment to b_i, so the server can verify its reconstruction. */
  readonly maskSeedCommitment: Uint8Array;
  /** SHA-256 commitment to σ_i, the same way. */
  readonly recoveryKeyCommitment: Uint8Array;
  readonly encryptedShares: OutgoingBundleList;
}

/** Server → client, stage 'collectMasked': the bundles sent to this client. */
export interface CollectMaskedRequest {
  readonly stage: 'collectMasked';
  readonly clientIndex: number;
  readonly encryptedShares: BundleList;
}
/** Client → server, stage 'collectMasked'. */
export interface MaskedInputReply {
  readonly stage: 'collectMasked';
  readonly clientIndex: number;
  readonly maskedInput: Uint32Array;
}

/** Server → client, stage 'unmask': the client's peers sorted into survivors and dropped. */
export interface UnmaskRequest {
  readonly stage: 'unmask';
  readonly clientIndex: number;
  /** Peers (and self) whose masked input arrived: reveal their b shares. */
  readonly survivors: readonly number[];
  /** Peers that shared keys but sent no masked input: reveal their σ shares. */
  readonly dropped: readonly number[];
}
/** Revealed Shamir shares: share k ({@link SHARE_BYTES}) is of client `owners[k]`'s secret. */
export interface RevealedShareList {
  readonly owners: readonly number[];
  readonly shares: Uint8Array;
}
/** Client → server, stage 'unmask'. */
export interface UnmaskReply {
  readonly stage: 'unmask';
  readonly clientIndex: number;
  readonly maskSeedShares: RevealedShareList;
  readonly recoveryKeyShares: RevealedShareList;
}

/** Concatenate equal-length byte strings into one column. */
export function packColumn(items: readonly Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(items.length * size);
  items.forEach((item, k) => {
    if (item.length !== size) throw new RangeError(`items[${k}]: expected ${size} bytes, got ${item.length}`);
    out.set(item, k * size);
  });
  return out;
}

/** Entry k of a column of `size`-byte entries (a view, not a copy). */
export function columnEntry(column: Uint8Array, k: number, size: number): Uint8Array {
  return column.subarray(k * size, (k + 1) * size);
}
