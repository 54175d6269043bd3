/**
 * A server facing buggy or hostile clients: bad replies are rejected with coded errors (the
 * client counts as dropped), the round goes on while the threshold holds, and a corrupted
 * secret is detected instead of producing a wrong sum.
 */
import { describe, expect, it } from 'vitest';
import { maskInput, shareKeys, unmask } from '../../src/secagg/client.js';
import { generateX25519KeyPair } from '../../src/secagg/crypto.js';
import { SecAggError } from '../../src/secagg/errors.js';
import { reconstruct } from '../../src/secagg/reconstruct.js';
import { collectKeys, routeShares, setupSession, sumMasked } from '../../src/secagg/server.js';
import { type AdvertiseKeysReply, type MaskedInputReply, type ShareKeysReply, type UnmaskReply, sessionGraph } from '../../src/secagg/stages.js';
import { type BundleRow, bundleList, bundleRows, ringSum, runSession, shareList, shareRows } from './driver.js';

/** The replies with the bundle list of reply `at` changed row by row by `f`. */
const withBundles = (replies: ShareKeysReply[], at: number, f: (rows: BundleRow[]) => BundleRow[]) => replies.map((x, i) => (i === at ? { ...x, encryptedShares: bundleList(f(bundleRows(x.encryptedShares))) } : x));

const codes = (rejected: readonly SecAggError[]): [number | undefined, string][] => rejected.map((e) => [e.clientIndex, e.code]);

async function expectThrowCode(f: () => unknown, code: string): Promise<void> {
  await expect((async () => f())()).rejects.toMatchObject({ code });
}

describe('collectKeys', () => {
  const fresh = async () => runSession({ numClients: 6, threshold: 3, vectorLength: 4 }, 'shareKeys');
  type Tamper = (replies: AdvertiseKeysReply[]) => unknown[];
  const cases: [string, Tamper, [number | undefined, string][]][] = [
    ['a duplicate reply rejects that client', (r) => [...r, r[2]], [[2, 'SECAGG_DUPLICATE']]],
    ['a copied key rejects both owners', (r) => r.map((x, i) => (i === 4 ? { ...x, publicKey: r[1].publicKey } : x)), [[1, 'SECAGG_DUPLICATE'], [4, 'SECAGG_DUPLICATE']]],
    ['a short session nonce', (r) => r.map((x, i) => (i === 0 ? { ...x, sessionNonce: x.sessionNonce.subarray(1) } : x)), [[0, 'SECAGG_WRONG_LENGTH']]],
    ['an unknown index', (r) => [...r.slice(0, 5), { ...r[5], clientIndex: 6 }], [[undefined, 'SECAGG_UNKNOWN_CLIENT']]],
    ['a small-order key', (r) => r.map((x, i) => (i === 2 ? { ...x, publicKey: new Uint8Array(32) } : x)), [[2, 'SECAGG_INVALID_KEY']]],
    ['a short key', (r) => r.map((x, i) => (i === 3 ? { ...x, publicKey: x.publicKey.subarray(0, 16) } : x)), [[3, 'SECAGG_WRONG_LENGTH']]],
    ['an extra field', (r) => r.map((x, i) => (i === 3 ? { ...x, extra: 1 } : x)), [[undefined, 'SECAGG_MALFORMED']]],
    ['a wrong stage tag', (r) => r.map((x, i) => (i === 3 ? { ...x, stage: 'shareKeys' } : x)), [[3, 'SECAGG_WRONG_STAGE']]],
    ['a non-object', (r) => [...r.slice(1), 42], [[undefined, 'SECAGG_MALFORMED']]],
  ];
  it.each(cases)('%s', async (_name, tamper, expected) => {
    const s = await fresh();
    const step = collectKeys(s.setup.state, tamper(s.advertiseReplies));
    expect(codes(step.rejected)).toEqual(expected);
    const rejected = new Set(expected.map(([i]) => i));
    for (const request of step.requests) for (const n of request.neighbours.clientIndices) expect(rejected.has(n)).toBe(false);
  });

  it('throws SECAGG_TOO_FEW_CLIENTS below the threshold and SECAGG_WRONG_STAGE out of order', async () => {
    const s = await fresh();
    await expectThrowCode(() => collectKeys(s.setup.state, s.advertiseReplies.slice(0, 2)), 'SECAGG_TOO_FEW_CLIENTS');
    await expectThrowCode(() => collectKeys(s.keys.state, s.advertiseReplies), 'SECAGG_WRONG_STAGE');
    expect(() => collectKeys(s.setup.state, 'replies' as unknown as unknown[])).toThrow(TypeError);
  });

  it('SecAgg+: prunes exactly the client whose neighbourhood went silent', () => {
    const { state, requests } = setupSession({ sessionId: 's', numClients: 12, threshold: 4, vectorLength: 1, numNeighbours: 6 });
    // Ring places p−1, p+1, p+2, p+3 fall silent around client 0 (at place p): it keeps 2 of its
    // 6 neighbours, fewer than t − 1 = 3, so it is pruned; every other client keeps ≥ 3.
    const graph = sessionGraph(state.config);
    const p = graph.position[0];
    const silent = new Set([-1, 1, 2, 3].map((d) => graph.order[(p + d + 12) % 12]));
    const replies = requests
      .filter((r) => !silent.has(r.clientIndex))
      .map((r) => ({ stage: 'setup', clientIndex: r.clientIndex, publicKey: generateX25519KeyPair().publicKey, sessionNonce: new Uint8Array(32).fill(r.clientIndex) }));
    const step = collectKeys(state, replies);
    expect(codes(step.rejected)).toEqual([[0, 'SECAGG_TOO_FEW_CLIENTS']]);
    expect(step.requests.map((r) => r.clientIndex)).not.toContain(0);
    for (const request of step.requests) {
      expect(request.neighbours.clientIndices.length).toBeGreaterThanOrEqual(3);
      expect(request.neighbours.clientIndices).not.toContain(0);
    }
  });

  it('SecAgg+: a ring that cannot keep the threshold is refused as a whole', () => {
    const { state, requests } = setupSession({ sessionId: 's', numClients: 10, threshold: 3, vectorLength: 1, numNeighbours: 2 });
    const replies = requests.slice(1).map((r) => ({ stage: 'setup', clientIndex: r.clientIndex, publicKey: generateX25519KeyPair().publicKey, sessionNonce: new Uint8Array(32).fill(r.clientIndex) }));
    // With k = 2 and t = 3 every client needs both neighbours: one silence unravels the ring.
    expect(() => collectKeys(state, replies)).toThrow(expect.objectContaining({ code: 'SECAGG_TOO_FEW_CLIENTS' }));
  });
});

describe('routeShares', () => {
  type Tamper = (replies: ShareKeysReply[]) => unknown[];
  const cases: [string, Tamper, [number | undefined, string][]][] = [
    ['a missing bundle', (r) => withBundles(r, 1, (b) => b.slice(1)), [[1, 'SECAGG_INCONSISTENT']]],
    ['a bundle to itself', (r) => withBundles(r, 1, (b) => [{ ...b[0], peer: 1 }, ...b.slice(1)]), [[1, 'SECAGG_INCONSISTENT']]],
    ['two bundles for one peer', (r) => withBundles(r, 1, (b) => [b[0], b[0], ...b.slice(2)]), [[1, 'SECAGG_DUPLICATE']]],
    ['a short commitment', (r) => r.map((x, i) => (i === 2 ? { ...x, maskSeedCommitment: new Uint8Array(31) } : x)), [[2, 'SECAGG_WRONG_LENGTH']]],
    ['a long ciphertext', (r) => withBundles(r, 2, (b) => [{ ...b[0], ciphertext: new Uint8Array(200) }, ...b.slice(1)]), [[2, 'SECAGG_WRONG_LENGTH']]],
    ['a short recovery-key commitment', (r) => r.map((x, i) => (i === 3 ? { ...x, recoveryKeyCommitment: new Uint8Array(16) } : x)), [[3, 'SECAGG_WRONG_LENGTH']]],
    ['a short sealed seed', (r) => withBundles(r, 4, (b) => [{ ...b[0], sealedSeed: new Uint8Array(31) }, ...b.slice(1)]), [[4, 'SECAGG_WRONG_LENGTH']]],
    ['bundles without their sealed seeds', (r) => r.map((x, i) => (i === 4 ? { ...x, encryptedShares: { peers: x.encryptedShares.peers, ciphertexts: x.encryptedShares.ciphertexts } } : x)), [[4, 'SECAGG_MALFORMED']]],
    ['a recipient that is not a client index', (r) => withBundles(r, 3, (b) => [{ ...b[0], peer: -1 }, ...b.slice(1)]), [[3, 'SECAGG_UNKNOWN_CLIENT']]],
  ];
  it.each(cases)('%s', async (_name, tamper, expected) => {
    const s = await runSession({ numClients: 6, threshold: 3, vectorLength: 4 }, 'collectMasked');
    const step = routeShares(s.keys.state, tamper(s.shareReplies));
    expect(codes(step.rejected)).toEqual(expected);
    const bad = expected[0][0];
    expect(step.state.sharers).not.toContain(bad);
    for (const request of step.requests) expect(request.encryptedShares.peers).not.toContain(bad);
  });

  it('rejects a client that never advertised keys', async () => {
    const s = await runSession({ numClients: 6, threshold: 3, vectorLength: 4 }, 'shareKeys');
    const keys = collectKeys(s.setup.state, s.advertiseReplies.filter((r) => r.clientIndex !== 5));
    const replies: ShareKeysReply[] = [];
    for (const request of keys.requests) replies.push((await shareKeys(s.stateAt.get(request.clientIndex)!, request)).reply);
    const intruder = { ...replies[0], clientIndex: 5 };
    const step = routeShares(keys.state, [...replies, intruder]);
    expect(codes(step.rejected)).toEqual([[5, 'SECAGG_UNKNOWN_CLIENT']]);
  });
});

describe('sumMasked', () => {
  type Tamper = (replies: MaskedInputReply[]) => unknown[];
  const cases: [string, Tamper, [number | undefined, string][]][] = [
    ['a short vector', (r) => r.map((x, i) => (i === 0 ? { ...x, maskedInput: x.maskedInput.subarray(1) } : x)), [[0, 'SECAGG_WRONG_LENGTH']]],
    ['floats instead of ring elements', (r) => r.map((x, i) => (i === 0 ? { ...x, maskedInput: Float64Array.from(x.maskedInput) } : x)), [[0, 'SECAGG_MALFORMED']]],
    ['an element outside Z_2^16', (r) => r.map((x, i) => (i === 3 ? { ...x, maskedInput: Uint32Array.of(1, 2, 65536, 3) } : x)), [[3, 'SECAGG_OUT_OF_RANGE']]],
    ['two replies from one client', (r) => [...r, r[4]], [[4, 'SECAGG_DUPLICATE']]],
  ];
  it.each(cases)('%s', async (_name, tamper, expected) => {
    const s = await runSession({ numClients: 6, threshold: 3, vectorLength: 4, ringBits: 16 }, 'unmask');
    const step = sumMasked(s.routed.state, tamper(s.maskedReplies));
    expect(codes(step.rejected)).toEqual(expected);
    expect(step.state.maskedSenders).not.toContain(expected[0][0]);
  });

  it('throws SECAGG_TOO_FEW_CLIENTS when fewer than t inputs arrive', async () => {
    const s = await runSession({ numClients: 6, threshold: 3, vectorLength: 4 }, 'unmask');
    await expectThrowCode(() => sumMasked(s.routed.state, s.maskedReplies.slice(0, 2)), 'SECAGG_TOO_FEW_CLIENTS');
  });
});

describe('reconstruct', () => {
  const flipShare = (reply: UnmaskReply, owner: number): UnmaskReply => ({
    ...reply,
    maskSeedShares: shareList(shareRows(reply.maskSeedShares).map((s) => (s.owner === owner ? { owner, share: s.share.map((b, k) => (k === 0 ? b ^ 1 : b)) } : s))),
  });

  it('a corrupted share gives SECAGG_RECONSTRUCTION_MISMATCH, not a wrong sum', async () => {
    // t = n: every share is used, so the corrupted one is too.
    const s = await runSession({ numClients: 4, threshold: 4, vectorLength: 8 }, 'reconstruct');
    const replies = s.unmaskReplies.map((r, i) => (i === 2 ? flipShare(r, 1) : r));
    await expect(reconstruct(s.summed.state, replies)).rejects.toMatchObject({ code: 'SECAGG_RECONSTRUCTION_MISMATCH', clientIndex: 1 });
  });

  it('a corrupted recovery-key share of a dropped client is detected against its commitment', async () => {
    // Client 4 drops before masking, so the others reveal its recovery-key shares.
    const fresh = await runSession({ numClients: 5, threshold: 4, vectorLength: 8 }, 'collectMasked');
    const masked = fresh.routed.requests.filter((r) => r.clientIndex !== 4).map((r) => maskInput(fresh.stateAt.get(r.clientIndex)!, r, fresh.inputs[r.clientIndex]));
    const summed = sumMasked(fresh.routed.state, masked.map((m) => m.reply));
    expect(summed.requests.every((r) => r.dropped.includes(4))).toBe(true);
    const replies = summed.requests.map((r) => unmask(masked.find((m) => m.reply.clientIndex === r.clientIndex)!.state, r).reply);
    const honest = await reconstruct(summed.state, replies);
    expect(honest.sum).toEqual(ringSum(fresh.inputs.slice(0, 4)));
    const bad = replies.map((r, i) => (i === 0 ? { ...r, recoveryKeyShares: shareList(shareRows(r.recoveryKeyShares).map((k) => ({ owner: k.owner, share: k.share.map((b, j) => (j === 5 ? b ^ 4 : b)) }))) } : r));
    await expect(reconstruct(summed.state, bad)).rejects.toMatchObject({ code: 'SECAGG_RECONSTRUCTION_MISMATCH', clientIndex: 4 });
  });

  it('too few answers give SECAGG_TOO_FEW_SHARES naming the client', async () => {
    const s = await runSession({ numClients: 5, threshold: 3, vectorLength: 8 }, 'reconstruct');
    await expect(reconstruct(s.summed.state, s.unmaskReplies.slice(0, 2))).rejects.toMatchObject({ code: 'SECAGG_TOO_FEW_SHARES' });
  });

  it('rejects hostile replies and still sums exactly while the threshold holds', async () => {
    const s = await runSession({ numClients: 6, threshold: 2, vectorLength: 8 }, 'reconstruct');
    const [r0, r1, r2, r3, r4] = s.unmaskReplies;
    const replies: unknown[] = [
      r0,
      r1,
      r2,
      { ...r3, maskSeedShares: shareList(shareRows(r3.maskSeedShares).slice(1)) }, // incomplete
      { ...r4, maskSeedShares: shareList(shareRows(r4.maskSeedShares).map((x) => (x.owner === 0 ? { owner: 0, share: shareRows(r0.maskSeedShares)[0].share } : x))) }, // a copied x
      { ...r0, clientIndex: 5, maskSeedShares: shareList(shareRows(r0.maskSeedShares).map((x) => ({ ...x, share: x.share.map((b, k) => (k === 32 ? 0 : b)) }))) }, // x = 0
      { ...r1, clientIndex: 1 }, // duplicate
      { ...r2, clientIndex: 9 }, // unknown
    ];
    const result = await reconstruct(s.summed.state, replies);
    expect(codes(result.rejected)).toEqual([
      [3, 'SECAGG_INCONSISTENT'],
      [5, 'SECAGG_OUT_OF_RANGE'],
      [1, 'SECAGG_DUPLICATE'],
      [undefined, 'SECAGG_UNKNOWN_CLIENT'],
      [4, 'SECAGG_DUPLICATE'],
    ]);
    expect(result.responders).toEqual([0, 2, 4]);
    expect(result.sum).toEqual(ringSum(s.inputs));
  });

  it('refuses to run out of order', async () => {
    const s = await runSession({ numClients: 4, threshold: 3, vectorLength: 2 }, 'unmask');
    await expect(reconstruct(s.routed.state, [])).rejects.toMatchObject({ code: 'SECAGG_WRONG_STAGE' });
    await expectThrowCode(() => sumMasked(s.summed.state, s.maskedReplies), 'SECAGG_WRONG_STAGE');
  });
});
