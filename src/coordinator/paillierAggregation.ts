/**
 * Paillier aggregation, coordinator side (protocol in src/he/protocol.ts): on the first sum of a
 * job it has the nodes set up a distributed key (a node deals, every node holds one share of the
 * decryption exponent); each sum then travels as packed ciphertexts, which the coordinator
 * multiplies, and opens only with a partial decryption from every holder. The coordinator never
 * holds a key share or a contribution in the clear.
 *
 * Availability: decryption is n-of-n, so every holder must answer the 'decrypt' stage; a
 * contribution that never arrives is simply left out, but a lost holder fails the sum
 * (`PAILLIER_DECRYPTION_FAILED`) and the next sum sets up a new key over the nodes it is sent
 * to. Cost grows with the vector (one 2·bits(n)-bit exponentiation per ciphertext and holder),
 * hence "for small models and statistics".
 */
import { randomBytes } from 'node:crypto';
import { addCiphertextVectors, type EncryptedVector } from '../he/packing.js';
import { combineAggregate } from '../he/distributed.js';
import { hexToBigint } from '../he/bigint.js';
import { PaillierPublicKey } from '../he/keys.js';
import { encryptedVectorToJson, parseEncryptedVector } from '../he/serialize.js';
import { chooseEncoding, type PaillierEncoding } from '../he/protocol.js';
import { readString } from '../protocol/config.js';
import { createMessage, type ConfigValue, type Reply } from '../protocol/message.js';
import { RoundError } from './errors.js';
import type { CollectRequest, CollectResult } from './collect.js';

/** The key a job's nodes set up, kept by the coordinator for the job's later sums (public parts only). */
export interface PaillierKey {
  readonly jobId: string;
  readonly session: string;
  readonly holders: readonly string[];
  readonly publicKey: PaillierPublicKey;
}

/** Options of the Paillier mode; `keys` caches the job's key between sums (one object per job). */
export interface PaillierModeOptions {
  /** Modulus size (default 2048). */
  readonly keyBits?: number;
  readonly keys?: { current?: PaillierKey };
}

type Failures = CollectResult['failures'];

/** Send one stage to `nodeIds` and return the parsed payloads of the nodes that answered. */
async function stage(request: CollectRequest, session: string, nodeIds: readonly string[], payloadOf: (nodeId: string) => unknown, failures: Failures) {
  const datasetKey: Record<string, ConfigValue> = request.type === 'stats' && typeof request.config?.datasetKey === 'string' ? { datasetKey: request.config.datasetKey } : {};
  const messages = nodeIds.map((nodeId) => createMessage({
    type: 'paillier', jobId: request.jobId, round: request.round, nodeId, arrays: {},
    config: { ...datasetKey, paillierSession: session, paillier: JSON.stringify(payloadOf(nodeId)) },
  }));
  const replies = await request.transport.sendAndReceive(messages, { timeoutMs: request.timeoutMs });
  const out = new Map<string, Record<string, unknown>>();
  for (const r of replies) {
    if (r.error) { failures.push({ nodeId: r.nodeId, code: r.error.code, message: r.error.message }); continue; }
    try {
      const payload = JSON.parse(readString(r.config, 'paillier', { maxLength: 64 * 2 ** 20 })) as unknown;
      if (typeof payload !== 'object' || payload === null) throw new Error('not an object');
      out.set(r.nodeId, payload as Record<string, unknown>);
    } catch (e) {
      failures.push({ nodeId: r.nodeId, code: 'PAILLIER_MALFORMED', message: `reply: ${(e as Error).message}` });
    }
  }
  return out;
}

/** Have `holders` set up a distributed key (the first holder deals). */
async function setUpKey(request: CollectRequest, holders: readonly string[], keyBits: number, failures: Failures): Promise<PaillierKey> {
  const session = `paillier-${randomBytes(8).toString('hex')}`;
  const dealer = holders[0];
  const missing = (step: string, got: Map<string, unknown>, of: readonly string[]) => {
    const lost = of.filter((id) => !got.has(id));
    if (lost.length > 0) throw new RoundError('PAILLIER_KEY_SETUP_FAILED', request.round, `Paillier key set-up (${step}): no valid answer from ${lost.join(', ')}`);
  };
  const keys = await stage(request, session, holders, () => ({ stage: 'keys', holders, dealer, keyBits }), failures);
  missing('keys', keys, holders);
  const publicKeys = Object.fromEntries(holders.map((id) => [id, keys.get(id)!.publicKey]));
  const dealt = await stage(request, session, [dealer], () => ({ stage: 'deal', publicKeys }), failures);
  missing('deal', dealt, [dealer]);
  const deal = dealt.get(dealer)!;
  const boxes = (deal.boxes ?? {}) as Record<string, unknown>;
  if (typeof deal.n !== 'string' || !/^[0-9a-f]{1,2048}$/.test(deal.n)) throw new RoundError('PAILLIER_KEY_SETUP_FAILED', request.round, 'the dealer sent no valid public key');
  const publicKey = new PaillierPublicKey(hexToBigint(deal.n));
  const others = holders.filter((id) => id !== dealer);
  const shared = await stage(request, session, others, (id) => ({ stage: 'share', n: deal.n, dealerKey: deal.dealerKey, box: boxes[id] }), failures);
  missing('share', shared, others);
  for (const [id, reply] of shared) {
    if (reply.keyId !== publicKey.keyId) throw new RoundError('PAILLIER_KEY_SETUP_FAILED', request.round, `node ${id} holds a share of another key`);
  }
  return { jobId: request.jobId, session, holders, publicKey };
}

/** Run `request` as a Paillier sum over its nodes. */
export async function paillierExchange(request: CollectRequest, options: PaillierModeOptions): Promise<CollectResult> {
  const nodeIds = [...request.nodeIds].sort();
  const n = nodeIds.length;
  if (n < 3) throw new RoundError('TOO_FEW_NODES', request.round, `Paillier aggregation needs at least 3 nodes, ${n} available`);
  const failures: Failures = [];
  const cache = options.keys ?? {};
  let key = cache.current;
  if (!key || key.jobId !== request.jobId || !nodeIds.every((id) => key!.holders.includes(id))) {
    key = await setUpKey(request, nodeIds, options.keyBits ?? 2048, failures);
    cache.current = key;
  }
  const bounds = request.entryBounds;
  if (bounds && (bounds.length !== request.vectorLength || !bounds.every((b) => b > 0 && Number.isFinite(b)))) {
    throw new RangeError(`entryBounds: expected ${request.vectorLength} finite bounds > 0`);
  }
  const encoding: PaillierEncoding = chooseEncoding({ clip: request.clip, integers: request.integers, bounded: bounds !== undefined, maxParties: key.holders.length, weightScale: request.weightScale ?? 1 });
  const deadline = Date.now() + request.timeoutMs;
  const messages = nodeIds.map((nodeId) => createMessage({
    type: request.type, jobId: request.jobId, round: request.round, nodeId, deadline,
    arrays: bounds ? { ...request.arrays, paillierBounds: bounds } : request.arrays ?? {},
    config: { ...request.config, paillierSession: key.session, paillierEncoding: JSON.stringify(encoding) },
  }));
  const all = await request.transport.sendAndReceive(messages, { timeoutMs: request.timeoutMs });
  const replies: Reply[] = [];
  const vectors: EncryptedVector[] = [];
  for (const r of all) {
    if (r.error) { failures.push({ nodeId: r.nodeId, code: r.error.code, message: r.error.message }); continue; }
    const vector = parseContribution(r, key.publicKey, encoding, request.vectorLength);
    if (typeof vector === 'string') { failures.push({ nodeId: r.nodeId, code: 'PAILLIER_MALFORMED', message: vector }); continue; }
    replies.push(r);
    vectors.push(vector);
  }
  const answered = new Set(all.map((r) => r.nodeId));
  const missing = nodeIds.filter((id) => !answered.has(id));
  if (replies.length < Math.max(2, request.minReplies)) {
    throw new RoundError('TOO_FEW_NODES', request.round, `${request.type} round ${request.round}: ${replies.length} of ${n} nodes sent an encrypted contribution, at least ${Math.max(2, request.minReplies)} needed`);
  }
  const aggregate = addCiphertextVectors(key.publicKey, vectors);
  const sumId = randomBytes(12).toString('hex');
  const aggregateJson = encryptedVectorToJson(key.publicKey, aggregate);
  const decryptFailures: Failures = [];
  const partials = await stage(request, key.session, key.holders, () => ({ stage: 'decrypt', sumId, aggregate: aggregateJson }), decryptFailures);
  const lost = key.holders.filter((id) => !Array.isArray(partials.get(id)?.partials));
  if (lost.length > 0) {
    cache.current = undefined; // the next sum sets up a key over the nodes that are there
    const why = decryptFailures.map((f) => `${f.nodeId}: ${f.code} ${f.message}`).join('; ');
    throw new RoundError('PAILLIER_DECRYPTION_FAILED', request.round, `${request.type} round ${request.round}: no partial decryption from ${lost.join(', ')}${why ? ` (${why})` : ''}`);
  }
  let sum: Float64Array;
  try {
    sum = combineAggregate(key.publicKey, aggregate, key.holders.map((id) => (partials.get(id)!.partials as unknown[]).map((h) => {
      if (typeof h !== 'string' || !/^[0-9a-f]{1,2100}$/.test(h)) throw new RangeError(`node ${id} sent a malformed partial decryption`);
      return hexToBigint(h);
    })));
  } catch (e) {
    cache.current = undefined;
    throw new RoundError('PAILLIER_DECRYPTION_FAILED', request.round, `${request.type} round ${request.round}: ${(e as Error).message}`);
  }
  if (bounds) for (let i = 0; i < sum.length; i++) sum[i] *= bounds[i];
  if (request.integers) for (let i = 0; i < sum.length; i++) sum[i] = Math.round(sum[i]);
  return { sum, included: replies.map((r) => r.nodeId), replies, failures, missing };
}

/** A reply's encrypted contribution, checked against the key and the encoding asked for; a string says what is wrong. */
function parseContribution(reply: Reply, publicKey: PaillierPublicKey, encoding: PaillierEncoding, length: number): EncryptedVector | string {
  let json: unknown;
  try {
    json = JSON.parse(readString(reply.config, 'paillier', { maxLength: 64 * 2 ** 20 }));
  } catch (e) {
    return `reply: ${(e as Error).message}`;
  }
  const parsed = parseEncryptedVector(publicKey, json);
  if (!parsed.ok) return parsed.issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  const v = parsed.value;
  if (v.numValues !== length || v.numParties !== 1) return `expected one contribution of ${length} values`;
  if (v.layout.clip !== encoding.clip || v.layout.scaleBits !== encoding.scaleBits || v.layout.maxParties !== encoding.maxParties) return 'encoded with another layout than asked';
  return v;
}
