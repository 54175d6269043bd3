/**
 * A client facing a buggy or hostile server: every malformed or inconsistent request is refused
 * with a coded SecAggError, and no stage can be replayed.
 */
import { describe, expect, it } from 'vitest';
import { advertiseKeys, maskInput, shareKeys, unmask } from '../../src/secagg/client.js';
import { SecAggError } from '../../src/secagg/errors.js';
import type { CollectMaskedRequest, SetupRequest, ShareKeysRequest, UnmaskRequest } from '../../src/secagg/stages.js';
import { type BundleRow, type KeyRow, bundleList, bundleRows, keyList, keyRows, runSession } from './driver.js';

/** The request with its neighbour list's rows changed by `f`. */
const withKeys = (r: ShareKeysRequest, f: (rows: KeyRow[]) => KeyRow[]) => ({ ...r, neighbours: keyList(f(keyRows(r.neighbours))) });
/** The request with its bundle list's rows changed by `f`. */
const withBundles = (r: CollectMaskedRequest, f: (rows: BundleRow[]) => BundleRow[]) => ({ ...r, encryptedShares: bundleList(f(bundleRows(r.encryptedShares))) });

async function expectCode(f: () => unknown, code: string): Promise<void> {
  let caught: unknown;
  try {
    await f();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(SecAggError);
  expect((caught as SecAggError).code).toBe(code);
}

describe('advertiseKeys refuses hostile setup requests', () => {
  const config = { sessionId: 's', numClients: 5, numNeighbours: 4, threshold: 3, vectorLength: 10, ringBits: 32, graphSeed: 'g' };
  const good: SetupRequest = { stage: 'setup', clientIndex: 0, config };
  const cases: [string, unknown, string][] = [
    ['not an object', 'setup', 'SECAGG_MALFORMED'],
    ['null', null, 'SECAGG_MALFORMED'],
    ['wrong stage', { ...good, stage: 'unmask' }, 'SECAGG_WRONG_STAGE'],
    ['extra field', { ...good, debug: true }, 'SECAGG_MALFORMED'],
    ['missing config', { stage: 'setup', clientIndex: 0 }, 'SECAGG_MALFORMED'],
    ['index out of range', { ...good, clientIndex: 5 }, 'SECAGG_UNKNOWN_CLIENT'],
    ['negative index', { ...good, clientIndex: -1 }, 'SECAGG_UNKNOWN_CLIENT'],
    ['fractional index', { ...good, clientIndex: 0.5 }, 'SECAGG_MALFORMED'],
    ['string index', { ...good, clientIndex: '0' }, 'SECAGG_MALFORMED'],
    ['one client', { ...good, config: { ...config, numClients: 1 } }, 'SECAGG_MALFORMED'],
    ['threshold 1', { ...good, config: { ...config, threshold: 1 } }, 'SECAGG_MALFORMED'],
    ['threshold above neighbourhood', { ...good, config: { ...config, threshold: 6 } }, 'SECAGG_MALFORMED'],
    ['odd SecAgg+ degree', { ...good, config: { ...config, numClients: 9, numNeighbours: 3 } }, 'SECAGG_MALFORMED'],
    ['neighbourhood over 255 shares', { ...good, config: { ...config, numClients: 300, numNeighbours: 299 } }, 'SECAGG_MALFORMED'],
    ['zero-length vectors', { ...good, config: { ...config, vectorLength: 0 } }, 'SECAGG_MALFORMED'],
    ['NaN vector length', { ...good, config: { ...config, vectorLength: Number.NaN } }, 'SECAGG_MALFORMED'],
    ['infinite vector length', { ...good, config: { ...config, vectorLength: Number.POSITIVE_INFINITY } }, 'SECAGG_MALFORMED'],
    ['huge vector length', { ...good, config: { ...config, vectorLength: 2 ** 40 } }, 'SECAGG_MALFORMED'],
    ['33-bit ring', { ...good, config: { ...config, ringBits: 33 } }, 'SECAGG_MALFORMED'],
    ['string where a number goes', { ...good, config: { ...config, threshold: '3' } }, 'SECAGG_MALFORMED'],
    ['empty session id', { ...good, config: { ...config, sessionId: '' } }, 'SECAGG_MALFORMED'],
    ['extra config field', { ...good, config: { ...config, clip: 1 } }, 'SECAGG_MALFORMED'],
  ];
  it.each(cases)('%s', async (_name, request, code) => {
    await expectCode(() => advertiseKeys(request), code);
  });

  it('accepts the honest request', () => {
    const { reply } = advertiseKeys(good);
    expect(reply.publicKey).toHaveLength(32);
    expect(reply.sessionNonce).toHaveLength(32);
    // a fresh nonce every session, even from the same key pair
    expect(advertiseKeys(good).reply.sessionNonce).not.toEqual(reply.sessionNonce);
  });
});

describe('shareKeys refuses hostile key lists', () => {
  const options = { numClients: 8, threshold: 3, vectorLength: 4, numNeighbours: 4 };
  type Tamper = (r: ShareKeysRequest, others: ShareKeysRequest[]) => unknown;
  const cases: [string, Tamper, string][] = [
    ['addressed to another client', (r) => ({ ...r, clientIndex: (r.clientIndex + 1) % 8 }), 'SECAGG_INCONSISTENT'],
    ['wrong stage', (r) => ({ ...r, stage: 'setup' }), 'SECAGG_WRONG_STAGE'],
    ['a non-neighbour', (r, others) => {
      const rows = keyRows(r.neighbours);
      const stranger = others.find((o) => o.clientIndex !== r.clientIndex && !rows.some((n) => n.clientIndex === o.clientIndex))!;
      return { ...r, neighbours: keyList([...rows.slice(1), { ...rows[0], clientIndex: stranger.clientIndex }]) };
    }, 'SECAGG_UNKNOWN_CLIENT'],
    ['a neighbour twice', (r) => withKeys(r, (n) => [n[0], n[0], ...n.slice(2)]), 'SECAGG_DUPLICATE'],
    ['two neighbours with one key', (r) => withKeys(r, (n) => [n[0], { ...n[1], publicKey: n[0].publicKey }, ...n.slice(2)]), 'SECAGG_DUPLICATE'],
    ['a short key', (r) => withKeys(r, (n) => [{ ...n[0], publicKey: n[0].publicKey.subarray(1) }, ...n.slice(1)]), 'SECAGG_WRONG_LENGTH'],
    ['a short session nonce', (r) => withKeys(r, (n) => [{ ...n[0], sessionNonce: n[0].sessionNonce.subarray(1) }, ...n.slice(1)]), 'SECAGG_WRONG_LENGTH'],
    ['keys as a number array', (r) => ({ ...r, neighbours: { ...r.neighbours, publicKeys: Array.from(r.neighbours.publicKeys) } }), 'SECAGG_MALFORMED'],
    ['a client index that is not an integer', (r) => ({ ...r, neighbours: { ...r.neighbours, clientIndices: [0.5, ...r.neighbours.clientIndices.slice(1)] } }), 'SECAGG_MALFORMED'],
    ['a low-order key', (r) => withKeys(r, (n) => [{ ...n[0], publicKey: new Uint8Array(32) }, ...n.slice(1)]), 'SECAGG_INVALID_KEY'],
    ['too few neighbours', (r) => withKeys(r, (n) => n.slice(0, 1)), 'SECAGG_TOO_FEW_CLIENTS'],
    ['too many entries', (r) => withKeys(r, (n) => [...n, ...n]), 'SECAGG_WRONG_LENGTH'],
    ['neighbours as an array of records', (r) => ({ ...r, neighbours: keyRows(r.neighbours) }), 'SECAGG_MALFORMED'],
    ['a column missing', (r) => ({ ...r, neighbours: { clientIndices: r.neighbours.clientIndices, publicKeys: r.neighbours.publicKeys } }), 'SECAGG_MALFORMED'],
    ['extra field', (r) => ({ ...r, note: 'x' }), 'SECAGG_MALFORMED'],
  ];
  it.each(cases)('%s', async (_name, tamper, code) => {
    const s = await runSession(options, 'shareKeys');
    const request = s.keys.requests[0];
    await expectCode(() => shareKeys(s.stateAt.get(request.clientIndex)!, tamper(request, [...s.keys.requests])), code);
  });

  it('cannot run twice from the same state, nor skip ahead', async () => {
    const s = await runSession(options, 'shareKeys');
    const request = s.keys.requests[0];
    const state = s.stateAt.get(request.clientIndex)!;
    await expectCode(() => maskInput(state, { stage: 'collectMasked', clientIndex: request.clientIndex, encryptedShares: [] }, new Uint32Array(4)), 'SECAGG_WRONG_STAGE');
    await shareKeys(state, request);
    await expectCode(() => shareKeys(state, request), 'SECAGG_WRONG_STAGE');
  });
});

describe('maskInput refuses hostile share bundles', () => {
  const options = { numClients: 5, threshold: 3, vectorLength: 4 };
  type Tamper = (r: CollectMaskedRequest) => unknown;
  const flip = (b: Uint8Array, at: number): Uint8Array => {
    const c = b.slice();
    c[at] ^= 0x80;
    return c;
  };
  const cases: [string, Tamper, string][] = [
    ['a tampered ciphertext', (r) => withBundles(r, (b) => [{ ...b[0], ciphertext: flip(b[0].ciphertext, 20) }, ...b.slice(1)]), 'SECAGG_DECRYPT_FAILED'],
    ['a tampered tag', (r) => withBundles(r, (b) => [{ ...b[0], ciphertext: flip(b[0].ciphertext, b[0].ciphertext.length - 1) }, ...b.slice(1)]), 'SECAGG_DECRYPT_FAILED'],
    ['bundles swapped between senders', (r) => withBundles(r, (b) => [{ ...b[0], ciphertext: b[1].ciphertext }, { ...b[1], ciphertext: b[0].ciphertext }, ...b.slice(2)]), 'SECAGG_DECRYPT_FAILED'],
    ['a truncated ciphertext', (r) => withBundles(r, (b) => [{ ...b[0], ciphertext: b[0].ciphertext.subarray(0, 50) }, ...b.slice(1)]), 'SECAGG_WRONG_LENGTH'],
    ['a sender twice', (r) => withBundles(r, (b) => [b[0], b[0]]), 'SECAGG_DUPLICATE'],
    ['the client itself as sender', (r) => withBundles(r, (b) => [{ ...b[0], peer: r.clientIndex }, ...b.slice(1)]), 'SECAGG_UNKNOWN_CLIENT'],
    ['too few bundles', (r) => withBundles(r, (b) => b.slice(0, 1)), 'SECAGG_TOO_FEW_CLIENTS'],
    ['ciphertexts not bytes', (r) => ({ ...r, encryptedShares: { ...r.encryptedShares, ciphertexts: 'x' } }), 'SECAGG_MALFORMED'],
    ['addressed to another client', (r) => ({ ...r, clientIndex: r.clientIndex + 1 }), 'SECAGG_INCONSISTENT'],
    ['missing field', (r) => ({ stage: r.stage, clientIndex: r.clientIndex }), 'SECAGG_MALFORMED'],
  ];
  it.each(cases)('%s', async (_name, tamper, code) => {
    const s = await runSession(options, 'collectMasked');
    const request = s.routed.requests[0];
    await expectCode(() => maskInput(s.stateAt.get(request.clientIndex)!, tamper(request), s.inputs[request.clientIndex]), code);
  });

  it('checks the local input and cannot mask twice', async () => {
    const s = await runSession({ ...options, ringBits: 16 }, 'collectMasked');
    const request = s.routed.requests[0];
    const state = s.stateAt.get(0)!;
    expect(() => maskInput(state, request, new Uint32Array(3))).toThrow(RangeError);
    expect(() => maskInput(state, request, new Float64Array(4) as unknown as Uint32Array)).toThrow(TypeError);
    expect(() => maskInput(state, request, Uint32Array.of(0, 0, 65536, 0))).toThrow(RangeError);
    maskInput(state, request, s.inputs[0]);
    await expectCode(() => maskInput(state, request, s.inputs[0]), 'SECAGG_WRONG_STAGE');
  });
});

describe('unmask refuses requests that would reveal both shares of a peer', () => {
  const options = { numClients: 5, threshold: 3, vectorLength: 4 };
  type Tamper = (r: UnmaskRequest) => unknown;
  const cases: [string, Tamper, string][] = [
    ['a peer both survivor and dropped', (r) => ({ ...r, dropped: [r.survivors.find((j) => j !== r.clientIndex)!] }), 'SECAGG_INCONSISTENT'],
    ['itself dropped', (r) => ({ ...r, survivors: r.survivors.filter((j) => j !== r.clientIndex), dropped: [r.clientIndex] }), 'SECAGG_INCONSISTENT'],
    ['a peer left out', (r) => ({ ...r, survivors: r.survivors.filter((j) => j !== (r.clientIndex + 1) % 5) }), 'SECAGG_INCONSISTENT'],
    ['a survivor twice', (r) => ({ ...r, survivors: [r.survivors[0], ...r.survivors.slice(0, -1)] }), 'SECAGG_DUPLICATE'],
    ['a list longer than the group', (r) => ({ ...r, survivors: [...r.survivors, r.survivors[0]] }), 'SECAGG_WRONG_LENGTH'],
    ['an unknown client', (r) => ({ ...r, dropped: [99] }), 'SECAGG_UNKNOWN_CLIENT'],
    ['survivors not a list', (r) => ({ ...r, survivors: 'all' }), 'SECAGG_MALFORMED'],
    ['wrong stage', (r) => ({ ...r, stage: 'collectMasked' }), 'SECAGG_WRONG_STAGE'],
  ];
  it.each(cases)('%s', async (_name, tamper, code) => {
    const s = await runSession(options, 'unmask');
    const request = s.summed.requests[4];
    await expectCode(() => unmask(s.stateAt.get(request.clientIndex)!, tamper(request)), code);
  });

  it('answers once: a replayed request with other lists is refused', async () => {
    const s = await runSession(options, 'unmask');
    const request = s.summed.requests[0];
    const state = s.stateAt.get(0)!;
    const first = unmask(state, request);
    expect(first.reply.maskSeedShares.owners).toEqual([0, 1, 2, 3, 4]);
    const other = request.survivors.filter((j) => j !== 1);
    await expectCode(() => unmask(state, { ...request, survivors: other, dropped: [1] }), 'SECAGG_WRONG_STAGE');
    await expectCode(() => unmask(first.state, request), 'SECAGG_WRONG_STAGE');
  });
});
