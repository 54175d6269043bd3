/**
 * Secure aggregation, coordinator side: the four stages of Bonawitz et al. (CCS 2017) run as
 * message exchanges around one summed message. AdvertiseKeys and ShareKeys happen first
 * (`secagg` messages), the summed message itself carries the masking request and comes back
 * masked, and Unmasking recovers the sum of the nodes whose masked input arrived, also when
 * some of them drop out afterwards (their masks are rebuilt from Shamir shares). The
 * coordinator never holds a node's contribution in the clear.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { MASKED_INPUT_ARRAY, chooseNeighbourhood, collectKeys, decodeSecAgg, dequantizeSum, encodeSecAgg, maskedInputFromArray, quantizationScale, reconstruct, routeShares, setupSession, sumMasked } from '../secagg/index.js';
import { createMessage, type ConfigValue, type Reply } from '../protocol/message.js';
import { readString } from '../protocol/config.js';
import { RoundError } from './errors.js';
import type { CollectRequest, CollectResult } from './collect.js';

/**
 * The default SecAgg configuration for n nodes: the SecAgg+ graph of `chooseNeighbourhood` for
 * 5 % of nodes failing to unmask, a threshold of half the neighbourhood (plus one) and a bound
 * of 10⁻⁴ on the chance that some secret cannot be rebuilt (the round then fails and is retried
 * by the job): k = 16, t = 9 at n = 100; k = 20, t = 11 at n = 1,000 — O(log n) key agreements
 * and masks per node instead of n − 1. When that needs every pair anyway (n ≤ 20 or so),
 * classic SecAgg with a majority threshold
 * ⌊n/2⌋ + 1. Jobs may set the neighbourhood (`secaggNeighbours`) themselves.
 */
export function defaultSecAggParameters(n: number): { neighbours?: number; threshold: number } {
  const majority = Math.max(2, Math.floor(n / 2) + 1);
  if (n < 3) return { threshold: Math.min(n, majority) };
  const choice = chooseNeighbourhood({ numClients: n, dropoutRate: 0.05, thresholdFraction: 0.5, failureProbability: 1e-4 });
  return choice.numNeighbours >= n - 1 ? { threshold: majority } : { neighbours: choice.numNeighbours, threshold: choice.threshold };
}

/**
 * The seed of a job's SecAgg+ graph: drawn from this coordinator's secret and the job id, so
 * that every session of the job over the same nodes uses the same random graph and a node
 * meets the same neighbours each round (their pair keys are then agreed once per
 * job, see secAggMod). The graph stays random and independent of which nodes an adversary
 * holds; session nonces, pair seeds, self-mask seeds and recovery keys are fresh every session.
 */
const GRAPH_SECRET = randomBytes(32);
export function jobGraphSeed(jobId: string): string {
  return createHmac('sha256', GRAPH_SECRET).update(`fedcredit/secagg/graph/${jobId}`).digest('hex');
}

/** Run `request` inside a secure-aggregation session over its nodes. */
export async function secureExchange(request: CollectRequest, options: { neighbours?: number; threshold?: number }): Promise<CollectResult> {
  return (await secureExchangeJoint([request], options))[0];
}

/**
 * Run several summed exchanges to the same nodes inside one secure-aggregation session (the
 * round loop sends round r's evaluation with round r + 1's training): one key set-up and one
 * unmasking for all of them. Each node masks the concatenation of its contributions (each part
 * encoded with its own clip in the one ring) once all parts are in, and answers the last part
 * with the masked vector; a node that fails any part is left out of every sum. Returns one
 * result per request, in order.
 */
export async function secureExchangeJoint(requests: readonly CollectRequest[], options: { neighbours?: number; threshold?: number }): Promise<CollectResult[]> {
  if (requests.length < 1 || requests.length > MAX_PARTS) throw new RangeError(`requests: expected 1 to ${MAX_PARTS} exchanges`);
  const first = requests[0];
  const nodeIds = [...first.nodeIds].sort();
  for (const r of requests) {
    if (r.jobId !== first.jobId || r.transport !== first.transport || r.nodeIds.length !== nodeIds.length || ![...r.nodeIds].sort().every((id, i) => id === nodeIds[i])) {
      throw new RangeError('requests: one secure-aggregation session serves exchanges of one job to the same nodes');
    }
  }
  const last = requests[requests.length - 1];
  const round = last.round;
  const n = nodeIds.length;
  // with two parties each learns the other's input from the sum and its own: no privacy to protect
  if (n < 3) throw new RoundError('TOO_FEW_NODES', round, `secure aggregation needs at least 3 nodes, ${n} available`);
  const sessionId = `${requests.map((r) => r.type).join('+')}-${round}-${randomBytes(8).toString('hex')}`;
  const defaults = defaultSecAggParameters(n);
  const neighbours = options.neighbours ?? defaults.neighbours;
  const complete = neighbours === undefined || neighbours >= n - 1;
  // a neighbourhood set by the job: half of it (plus one) must answer to unmask
  const defaultThreshold = complete ? Math.max(2, Math.floor(n / 2) + 1) : options.neighbours === undefined ? defaults.threshold : Math.max(2, Math.ceil((neighbours + 1) / 2));
  const threshold = Math.min(complete ? n : neighbours + 1, options.threshold ?? defaultThreshold);
  let offset = 0;
  const parts = requests.map((request) => {
    const bounds = request.entryBounds;
    if (bounds && (bounds.length !== request.vectorLength || !bounds.every((b) => b > 0 && Number.isFinite(b)))) {
      throw new RangeError(`entryBounds: expected ${request.vectorLength} finite bounds > 0`);
    }
    // integers: clip = L levels per side, so scale = L / clip = 1 and each count is its own code
    // (exact for counts ≤ ⌊(2³¹ − 1)/n⌋ per node); bounded entries are encoded as value / bound
    const clip = request.integers ? quantizationScale({ clip: 1, maxClients: n }).levelsPerSide : bounds ? 1 : request.clip;
    const part = { request, bounds, clip, offset };
    offset += request.vectorLength;
    return part;
  });
  const vectorLength = offset;
  // the key stages of a preprocessing (or boosting sketch) sum come before the node has seen the job: name the dataset
  const datasetKey: Record<string, ConfigValue> = (first.type === 'stats' || first.type === 'gbdt.sketch') && typeof first.config?.datasetKey === 'string' ? { datasetKey: first.config.datasetKey } : {};
  const failures: CollectResult['failures'] = [];
  const timeoutMs = Math.max(...requests.map((r) => r.timeoutMs));

  /** Send the messages; keep the replies of nodes that answered without error. */
  const send = async (messages: ReturnType<typeof createMessage>[]) => {
    const replies = await first.transport.sendAndReceive(messages, { timeoutMs });
    const ok: Reply[] = [];
    for (const r of replies) {
      if (r.error) failures.push({ nodeId: r.nodeId, code: r.error.code, message: r.error.message });
      else ok.push(r);
    }
    return ok;
  };
  const keyStage = (payloads: Map<number, unknown>) => send([...payloads].map(([i, payload]) => createMessage({
    type: 'secagg', jobId: first.jobId, round, nodeId: nodeIds[i], arrays: {},
    config: { ...datasetKey, secaggSession: sessionId, secagg: encodeSecAgg(payload) },
  })));
  const decode = (r: Reply) => decodeSecAgg(readString(r.config, 'secagg', { maxLength: 64 * 2 ** 20 }));
  const decoded = (replies: Reply[]) => replies.map(decode);
  const byIndex = <T extends { clientIndex: number }>(list: readonly T[]) => new Map(list.map((q) => [q.clientIndex, q] as const));

  const setup = setupSession({ sessionId, numClients: n, threshold, numNeighbours: neighbours, vectorLength, graphSeed: jobGraphSeed(first.jobId) });
  const advertised = await keyStage(byIndex(setup.requests));
  const keys = collectKeys(setup.state, decoded(advertised));
  const shared = await keyStage(byIndex(keys.requests));
  const routed = routeShares(keys.state, decoded(shared));
  const partOf = new Map<string, number>();
  const maskedMessages = routed.requests.flatMap((q) => {
    const secagg = encodeSecAgg(q);
    return parts.map(({ request, bounds, clip }, j) => {
      const m = createMessage({
        type: request.type, jobId: request.jobId, round: request.round, nodeId: nodeIds[q.clientIndex],
        arrays: bounds ? { ...request.arrays, secaggBounds: bounds } : request.arrays ?? {},
        config: {
          ...request.config, secaggClip: clip, secaggClients: n, secaggWeightScale: request.weightScale ?? 1,
          ...(parts.length > 1 ? { secaggPart: j, secaggParts: parts.length } : {}), secaggSession: sessionId, secagg,
        },
      });
      partOf.set(m.messageId, j);
      return m;
    });
  });
  const answers = await send(maskedMessages);
  const failed = new Set(failures.map((f) => f.nodeId));
  // the reply that carries a node's masked vector (to its last part), from nodes that failed no part
  const maskedReplies = answers.filter((r) => !failed.has(r.nodeId) && typeof r.config.secagg === 'string');
  // each masked reply: its JSON head plus the masked vector from the reply's array
  const masked = maskedReplies.map((r) => {
    const head = decode(r);
    return typeof head === 'object' && head !== null ? { ...head, maskedInput: maskedInputFromArray(r.arrays[MASKED_INPUT_ARRAY]) } : head;
  });
  const summed = sumMasked(routed.state, masked);
  const unmasked = await keyStage(byIndex(summed.requests));
  const result = await reconstruct(summed.state, decoded(unmasked));
  const minReplies = Math.max(...requests.map((r) => r.minReplies));
  if (result.included.length < minReplies) {
    throw new RoundError('TOO_FEW_NODES', round, `${sessionId.split('-')[0]} round ${round}: secure aggregation included ${result.included.length} of ${n} nodes, at least ${minReplies} needed`);
  }
  const included = result.included.map((i) => nodeIds[i]);
  const includedSet = new Set(included);
  const answered = new Set(answers.map((r) => r.nodeId));
  const missing = nodeIds.filter((id) => !answered.has(id) && !failures.some((f) => f.nodeId === id));
  return parts.map(({ request, bounds, clip, offset: start }, j) => {
    const quantization = { clip, maxClients: n };
    const sum = dequantizeSum(result.sum.subarray(start, start + request.vectorLength), result.included.length, quantization);
    if (bounds) for (let i = 0; i < sum.length; i++) sum[i] *= bounds[i];
    if (request.integers) for (let i = 0; i < sum.length; i++) sum[i] = Math.round(sum[i]);
    const replies = answers.filter((r) => includedSet.has(r.nodeId) && partOf.get(r.replyTo) === j);
    return { sum, included, replies, failures, missing };
  });
}

/** Most exchanges one session carries. */
const MAX_PARTS = 8;
