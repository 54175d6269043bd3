/**
 * Server side, last stage (Unmasking, Bonawitz et al., CCS 2017, Fig. 4 round 4): rebuild every
 * survivor's self-mask seed b_j and every dropped client's recovery key σ_d from the revealed
 * Shamir shares, unseal the dropped clients' pair seeds with σ_d (keys.ts), and strip the masks
 * from Σ y_i:
 *
 *   Σ_{i∈U3} x_i = Σ_{i∈U3} y_i − Σ_{j∈U3} PRG(b_j) − Σ_{d∈U2∖U3} Σ_{v∈U3∩N(d)} ±PRG(s_vd)
 *
 * (pairwise masks between two survivors cancel by themselves). Every rebuilt secret is checked
 * against the commitment its owner sent in 'shareKeys', so a bad share yields a coded error,
 * never a silently wrong sum.
 */
import { addMasks, wipe } from './crypto.js';
import { SecAggError } from './errors.js';
import { neighbours } from './graph.js';
import { maskSeedCommitment, recoveryKeyCommitment, sealPairSeeds } from './keys.js';
import { combineShares, shareX } from './shamir.js';
import type { ServerState } from './server.js';
import { SHARE_BYTES, columnEntry, sessionGraph } from './stages.js';
import { expectColumns, expectIndex, expectRecord, expectStage, fail, sameIndices } from './validate.js';

/** The outcome of a secure-aggregation session. */
export interface AggregationResult {
  /** Σ_{i ∈ included} x_i mod 2^ringBits: the exact sum of the ring vectors. */
  readonly sum: Uint32Array;
  /** U3: clients whose inputs are in the sum (including those that dropped after masking). */
  readonly included: readonly number[];
  /** U2 ∖ U3: clients that shared keys but sent no masked input (their masks were removed). */
  readonly dropped: readonly number[];
  /** U4: clients whose 'unmask' reply was used. */
  readonly responders: readonly number[];
  /** Replies refused in this stage, with their coded errors. */
  readonly rejected: readonly SecAggError[];
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, k) => x === b[k]);
}

function parseShares(value: unknown, name: string, expected: readonly number[], numClients: number): Map<number, Uint8Array> {
  const { indices, columns } = expectColumns(value, name, 'owners', { shares: SHARE_BYTES }, numClients, expected.length);
  // views of one copy of the column
  const column = columns.shares.slice();
  const shares = new Map<number, Uint8Array>();
  for (const [k, owner] of indices.entries()) {
    const share = columnEntry(column, k, SHARE_BYTES);
    if (shareX(share) === 0) fail('SECAGG_OUT_OF_RANGE', `${name}.shares[${k}]: x-coordinate 0`);
    shares.set(owner, share);
  }
  if (!sameIndices([...indices].sort((a, b) => a - b), expected)) {
    fail('SECAGG_INCONSISTENT', `${name}: expected exactly the shares of clients [${expected.join(', ')}]`);
  }
  return shares;
}

async function rebuild(shares: readonly Uint8Array[] | undefined, threshold: number, owner: number, what: string): Promise<Uint8Array> {
  if (!shares || shares.length < threshold) {
    fail('SECAGG_TOO_FEW_SHARES', `${what} of client ${owner}: ${shares?.length ?? 0} shares, threshold ${threshold}`, owner);
  }
  return combineShares(shares.slice(0, threshold), SHARE_BYTES - 1);
}

/**
 * Stage 'unmask' replies → the exact modular sum of the inputs of U3.
 *
 * @throws SecAggError `SECAGG_TOO_FEW_SHARES` when some secret has fewer than `threshold`
 *   shares, `SECAGG_RECONSTRUCTION_MISMATCH` when a rebuilt secret fails its check.
 */
export async function reconstruct(state: ServerState, replies: readonly unknown[]): Promise<AggregationResult> {
  if (typeof state !== 'object' || state === null) throw new TypeError('state: expected a ServerState');
  if (state.stage !== 'unmask' || !state.maskedSum) fail('SECAGG_WRONG_STAGE', `server awaits '${state.stage}' replies, not 'unmask'`);
  if (!Array.isArray(replies)) throw new TypeError('replies: expected an array');
  const { config } = state;
  const graph = sessionGraph(config);
  const u2 = new Set(state.sharers);
  const u3 = new Set(state.maskedSenders);
  const dropped = state.sharers.filter((i) => !u3.has(i));
  const rejected: SecAggError[] = [];
  const parsed = new Map<number, { seeds: Map<number, Uint8Array>; keys: Map<number, Uint8Array> }>();
  const seen = new Set<number>();
  for (const [k, reply] of replies.entries()) {
    let index: number | undefined;
    try {
      const r = expectRecord(reply, `replies[${k}]`, ['stage', 'clientIndex', 'maskSeedShares', 'recoveryKeyShares']);
      expectStage(r.stage, 'unmask', `replies[${k}]`);
      index = expectIndex(r.clientIndex, `replies[${k}].clientIndex`, config.numClients);
      if (seen.has(index)) {
        parsed.delete(index);
        fail('SECAGG_DUPLICATE', `client ${index} replied twice`, index);
      }
      seen.add(index);
      if (!u3.has(index)) fail('SECAGG_UNKNOWN_CLIENT', `client ${index} sent no masked input`, index);
      const peers = neighbours(graph, index).filter((j) => u2.has(j));
      const survivors = [...peers.filter((j) => u3.has(j)), index].sort((a, b) => a - b);
      const seeds = parseShares(r.maskSeedShares, 'reply.maskSeedShares', survivors, config.numClients);
      const keys = parseShares(r.recoveryKeyShares, 'reply.recoveryKeyShares', peers.filter((j) => !u3.has(j)), config.numClients);
      parsed.set(index, { seeds, keys });
    } catch (error) {
      if (!(error instanceof SecAggError)) throw error;
      rejected.push(error.clientIndex === undefined && index !== undefined ? new SecAggError(error.code, error.message, { clientIndex: index, cause: error }) : error);
    }
  }
  const responders = [...parsed.keys()].sort((a, b) => a - b);
  // Group shares by owner; a second share with the same x for one owner is a forgery or a replay.
  const seedShares = new Map<number, Uint8Array[]>();
  const keyShares = new Map<number, Uint8Array[]>();
  for (const v of responders) {
    const { seeds, keys } = parsed.get(v)!;
    for (const [held, from] of [[seedShares, seeds], [keyShares, keys]] as const) {
      for (const [owner, share] of from) {
        const list = held.get(owner) ?? [];
        if (list.some((s) => shareX(s) === shareX(share))) {
          rejected.push(new SecAggError('SECAGG_DUPLICATE', `client ${v} revealed a share of client ${owner} with an x already used`, { clientIndex: v }));
          continue;
        }
        list.push(share);
        held.set(owner, list);
      }
    }
  }
  const sum = state.maskedSum.slice();
  const commitments = new Map(state.commitments.map((c) => [c.clientIndex, c.commitment]));
  const selfMasks: Uint8Array[] = [];
  for (const j of state.maskedSenders) {
    const seed = await rebuild(seedShares.get(j), config.threshold, j, 'mask seed');
    if (!equalBytes(maskSeedCommitment(seed, config.sessionId, j), commitments.get(j)!)) {
      wipe(seed, ...selfMasks);
      fail('SECAGG_RECONSTRUCTION_MISMATCH', `mask seed of client ${j} does not match its commitment`, j);
    }
    selfMasks.push(seed);
  }
  addMasks(sum, selfMasks.map((seed) => ({ seed, sign: -1 as const })), config.ringBits);
  wipe(...selfMasks);
  const recoveryCommitments = new Map(state.commitments.map((c) => [c.clientIndex, c.recoveryCommitment]));
  const sealedSeeds = new Map(state.sealedSeeds.map((s) => [s.clientIndex, new Map(s.seeds.map((e) => [e.peer, e.sealed]))]));
  for (const d of dropped) {
    const recoveryKey = await rebuild(keyShares.get(d), config.threshold, d, 'recovery key');
    if (!equalBytes(recoveryKeyCommitment(recoveryKey, config.sessionId, d), recoveryCommitments.get(d)!)) {
      fail('SECAGG_RECONSTRUCTION_MISMATCH', `recovery key of client ${d} does not match its commitment`, d);
    }
    const sealed = sealedSeeds.get(d)!;
    // every v ∈ U3 ∩ N(d) ⊆ U1 is a neighbour d sent a bundle to, so d sealed its seed with v (server.ts)
    const survivors = neighbours(graph, d).filter((v) => u3.has(v));
    const seeds = sealPairSeeds(recoveryKey, survivors.map((v) => ({ peer: v, seed: sealed.get(v)! })));
    // Survivor v added +PRG(s_vd) when d > v and −PRG(s_vd) when d < v: undo that.
    addMasks(sum, survivors.map((v, k) => ({ seed: seeds[k], sign: d > v ? (-1 as const) : (1 as const) })), config.ringBits);
    wipe(...seeds);
    wipe(recoveryKey);
  }
  for (const list of [...seedShares.values(), ...keyShares.values()]) wipe(...list);
  return { sum, included: state.maskedSenders, dropped, responders, rejected };
}
