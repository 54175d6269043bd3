/**
 * Secure aggregation, coordinator side: the four stages of Bonawitz et al. (CCS 2017) run as
 * message exchanges around one summed message. AdvertiseKeys and ShareKeys happen first
 * (`secagg` messages), the summed message itself carries the masking request and comes back
 * masked, and Unmasking recovers the sum of the nodes whose masked input arrived, also when
 * some of them drop out afterwards (their masks are rebuilt from Shamir shares). The
 * coordinator never holds a node's contribution in the clear.
 */
import { randomBytes } from 'node:crypto';
import { collectKeys, decodeSecAgg, dequantizeSum, encodeSecAgg, reconstruct, routeShares, setupSession, sumMasked } from '../secagg/index.js';
import { createMessage, type ConfigValue, type Reply } from '../protocol/message.js';
import { readString } from '../protocol/config.js';
import { RoundError } from './errors.js';
import type { CollectRequest, CollectResult } from './collect.js';

/** Run `request` inside a secure-aggregation session over its nodes. */
export async function secureExchange(request: CollectRequest, options: { neighbours?: number; threshold?: number }): Promise<CollectResult> {
  const nodeIds = [...request.nodeIds].sort();
  const n = nodeIds.length;
  // with two parties each learns the other's input from the sum and its own: no privacy to protect
  if (n < 3) throw new RoundError('TOO_FEW_NODES', request.round, `secure aggregation needs at least 3 nodes, ${n} available`);
  const sessionId = `${request.type}-${request.round}-${randomBytes(8).toString('hex')}`;
  const threshold = Math.min(n, options.threshold ?? Math.max(2, Math.floor(n / 2) + 1));
  const quantization = { clip: request.clip, maxClients: n };
  const indexOf = new Map(nodeIds.map((id, i) => [id, i] as const));
  const failures: CollectResult['failures'] = [];

  /** Send per-client payloads as `type` messages; keep the replies of nodes that answered without error. */
  const stage = async (type: string, payloads: Map<number, unknown>, extra: Record<string, ConfigValue> = {}, arrays: Record<string, Float64Array> = {}) => {
    const messages = [...payloads].map(([i, payload]) => createMessage({
      type, jobId: request.jobId, round: request.round, nodeId: nodeIds[i], arrays,
      config: { ...extra, secaggSession: sessionId, secagg: encodeSecAgg(payload) },
    }));
    const replies = await request.transport.sendAndReceive(messages, { timeoutMs: request.timeoutMs });
    const ok: Reply[] = [];
    for (const r of replies) {
      if (r.error) failures.push({ nodeId: r.nodeId, code: r.error.code, message: r.error.message });
      else ok.push(r);
    }
    return ok;
  };
  const decoded = (replies: Reply[]) => replies.map((r) => decodeSecAgg(readString(r.config, 'secagg', { maxLength: 64 * 2 ** 20 })));
  const byIndex = <T extends { clientIndex: number }>(requests: readonly T[]) => new Map(requests.map((q) => [q.clientIndex, q] as const));

  const setup = setupSession({ sessionId, numClients: n, threshold, numNeighbours: options.neighbours, vectorLength: request.vectorLength, graphSeed: randomBytes(32).toString('hex') });
  const advertised = await stage('secagg', byIndex(setup.requests));
  const keys = collectKeys(setup.state, decoded(advertised));
  const shared = await stage('secagg', byIndex(keys.requests));
  const routed = routeShares(keys.state, decoded(shared));
  const maskedReplies = await stage(request.type, byIndex(routed.requests), {
    ...request.config, secaggClip: request.clip, secaggClients: n, secaggWeightScale: request.weightScale ?? 1,
  }, request.arrays);
  const summed = sumMasked(routed.state, decoded(maskedReplies));
  const unmasked = await stage('secagg', byIndex(summed.requests));
  const result = await reconstruct(summed.state, decoded(unmasked));
  if (result.included.length < request.minReplies) {
    throw new RoundError('TOO_FEW_NODES', request.round, `${request.type} round ${request.round}: secure aggregation included ${result.included.length} of ${n} nodes, at least ${request.minReplies} needed`);
  }
  const sum = dequantizeSum(result.sum, result.included.length, quantization);
  const included = result.included.map((i) => nodeIds[i]);
  const includedSet = new Set(included);
  const replies = maskedReplies.filter((r) => includedSet.has(r.nodeId) && indexOf.has(r.nodeId));
  const answered = new Set(maskedReplies.map((r) => r.nodeId));
  return { sum, included, replies, failures, missing: nodeIds.filter((id) => !answered.has(id) && !failures.some((f) => f.nodeId === id)) };
}
