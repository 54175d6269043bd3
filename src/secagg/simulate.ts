/**
 * All four stages of secure aggregation run in one process, for tests and benchmarks: quantize
 * each client's vector, run the client and server stage functions in turn, drop the clients the
 * caller asks to drop at the stage it asks, and decode the sum. Each client's work and the
 * server's work are timed separately, so a benchmark can report both total CPU time and the
 * latency of a deployment where clients run in parallel. Timings are CPU time of this process
 * (user + system, from `process.cpuUsage`), not wall time, so other load on the machine does
 * not inflate them.
 */
import { type SeedPart, deriveRandom } from '../math/random.js';
import { type ClientState, advertiseKeys, maskInput, shareKeys, unmask } from './client.js';
import { decodeSecAgg, encodeSecAgg } from './codec.js';
import type { SecAggError } from './errors.js';
import { type QuantizationParams, dequantizeSum, quantize } from './quantize.js';
import { reconstruct } from './reconstruct.js';
import { collectKeys, routeShares, setupSession, sumMasked } from './server.js';

/** Options of {@link secureSum}. */
export interface SecureSumOptions {
  /** Shares needed to rebuild a client's secret (≥ 2, ≤ neighbours + 1). */
  readonly threshold: number;
  /** Clipping bound c of the fixed-point encoding. */
  readonly clip: number;
  /** SecAgg+ graph degree k (even); omit for classic SecAgg (complete graph). */
  readonly neighbours?: number;
  /** Clients that advertise keys, then vanish (in U1, not U2): excluded from the sum. */
  readonly dropoutsBeforeSharing?: readonly number[];
  /** Clients that share keys, then vanish before sending their input (in U2, not U3): excluded. */
  readonly dropoutsBeforeMasking?: readonly number[];
  /** Clients that send their masked input, then vanish (in U3, not U4): included in the sum. */
  readonly dropoutsAfterMasking?: readonly number[];
  /** Ring size exponent (default 32). */
  readonly ringBits?: number;
  readonly sessionId?: string;
  readonly graphSeed?: string;
  /** Use unbiased stochastic rounding with generators derived from this seed per client. */
  readonly roundingSeed?: SeedPart;
  /** Pass every request and reply through the JSON codec, as a network would (default false). */
  readonly serialize?: boolean;
}

/** CPU milliseconds spent in one kind of step. */
export interface StepTimings {
  /** Summed over clients (total CPU work). */
  readonly totalMs: number;
  /** Slowest single client (latency when clients run in parallel). */
  readonly maxMs: number;
}

/** Output of {@link secureSum}. */
export interface SecureSumResult {
  /** Dequantized sum of the included clients' (clipped) vectors. */
  readonly sum: Float64Array;
  /** The exact ring sum before decoding. */
  readonly quantizedSum: Uint32Array;
  readonly included: readonly number[];
  readonly dropped: readonly number[];
  readonly responders: readonly number[];
  /** Replies the server refused at any stage (empty in an honest run). */
  readonly rejected: readonly SecAggError[];
  readonly quantization: QuantizationParams;
  readonly timings: {
    readonly client: Readonly<Record<'quantize' | 'advertiseKeys' | 'shareKeys' | 'maskInput' | 'unmask', StepTimings>>;
    readonly serverMs: Readonly<Record<'setupSession' | 'collectKeys' | 'routeShares' | 'sumMasked' | 'reconstruct' | 'dequantize', number>>;
  };
}

/** CPU time of this process in milliseconds (user + system). */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

function indexSet(list: readonly number[] | undefined, name: string, n: number): Set<number> {
  const set = new Set<number>();
  if (list === undefined) return set;
  if (!Array.isArray(list)) throw new TypeError(`options.${name}: expected an array of client indices`);
  for (const i of list) {
    if (!Number.isInteger(i) || i < 0 || i >= n) throw new RangeError(`options.${name}: ${String(i)} is not a client index in [0, ${n - 1}]`);
    set.add(i);
  }
  return set;
}

/**
 * Securely add `vectors` (one per client) and return the decoded sum with its bookkeeping.
 *
 * @example
 * const { sum } = await secureSum(updates, { threshold: 51, clip: 1, dropoutsAfterMasking: [3, 9] });
 */
export async function secureSum(vectors: readonly Float64Array[], options: SecureSumOptions): Promise<SecureSumResult> {
  if (!Array.isArray(vectors) || vectors.length < 2) throw new RangeError('vectors: expected an array of at least 2 Float64Arrays');
  const n = vectors.length;
  const vectorLength = vectors[0]?.length;
  vectors.forEach((v, i) => {
    if (!(v instanceof Float64Array)) throw new TypeError(`vectors[${i}]: expected a Float64Array`);
    if (v.length !== vectorLength) throw new RangeError(`vectors[${i}]: expected length ${vectorLength}, got ${v.length}`);
  });
  if (typeof options !== 'object' || options === null) throw new TypeError('options: expected an object');
  const beforeSharing = indexSet(options.dropoutsBeforeSharing, 'dropoutsBeforeSharing', n);
  const beforeMasking = indexSet(options.dropoutsBeforeMasking, 'dropoutsBeforeMasking', n);
  const afterMasking = indexSet(options.dropoutsAfterMasking, 'dropoutsAfterMasking', n);
  for (const i of beforeMasking) if (beforeSharing.has(i)) throw new RangeError(`options: client ${i} cannot drop twice`);
  for (const i of afterMasking) if (beforeSharing.has(i) || beforeMasking.has(i)) throw new RangeError(`options: client ${i} cannot drop twice`);

  const wire = <T>(x: T): unknown => (options.serialize ? decodeSecAgg(encodeSecAgg(x)) : x);
  const clientTimes = (): { totalMs: number; maxMs: number } => ({ totalMs: 0, maxMs: 0 });
  const client = { quantize: clientTimes(), advertiseKeys: clientTimes(), shareKeys: clientTimes(), maskInput: clientTimes(), unmask: clientTimes() };
  const serverMs = { setupSession: 0, collectKeys: 0, routeShares: 0, sumMasked: 0, reconstruct: 0, dequantize: 0 };
  const timeClient = async <T>(step: keyof typeof client, work: () => T | Promise<T>): Promise<T> => {
    const start = cpuMs();
    const out = await work();
    const ms = cpuMs() - start;
    client[step].totalMs += ms;
    client[step].maxMs = Math.max(client[step].maxMs, ms);
    return out;
  };
  const timeServer = async <T>(step: keyof typeof serverMs, work: () => T | Promise<T>): Promise<T> => {
    const start = cpuMs();
    const out = await work();
    serverMs[step] += cpuMs() - start;
    return out;
  };

  const quantization: QuantizationParams = { clip: options.clip, maxClients: n, ringBits: options.ringBits ?? 32 };
  const encoded: Uint32Array[] = [];
  for (let i = 0; i < n; i++) {
    const random = options.roundingSeed === undefined ? undefined : deriveRandom(options.roundingSeed, 'secagg', 'rounding', i);
    encoded.push(await timeClient('quantize', () => quantize(vectors[i], quantization, { random })));
  }
  const rejected: SecAggError[] = [];
  const states = new Map<number, ClientState>();

  const setup = await timeServer('setupSession', () =>
    setupSession({
      sessionId: options.sessionId ?? 'simulation',
      numClients: n,
      threshold: options.threshold,
      numNeighbours: options.neighbours,
      vectorLength,
      ringBits: quantization.ringBits,
      graphSeed: options.graphSeed,
    }),
  );
  const advertised: unknown[] = [];
  for (const request of setup.requests) {
    const step = await timeClient('advertiseKeys', () => advertiseKeys(wire(request)));
    states.set(request.clientIndex, step.state);
    advertised.push(wire(step.reply));
  }
  const keys = await timeServer('collectKeys', () => collectKeys(setup.state, advertised));
  rejected.push(...keys.rejected);

  const shared: unknown[] = [];
  for (const request of keys.requests) {
    if (beforeSharing.has(request.clientIndex)) continue;
    const step = await timeClient('shareKeys', () => shareKeys(states.get(request.clientIndex)!, wire(request)));
    states.set(request.clientIndex, step.state);
    shared.push(wire(step.reply));
  }
  const routed = await timeServer('routeShares', () => routeShares(keys.state, shared));
  rejected.push(...routed.rejected);

  const masked: unknown[] = [];
  for (const request of routed.requests) {
    if (beforeMasking.has(request.clientIndex)) continue;
    const step = await timeClient('maskInput', () => maskInput(states.get(request.clientIndex)!, wire(request), encoded[request.clientIndex]));
    states.set(request.clientIndex, step.state);
    masked.push(wire(step.reply));
  }
  const summed = await timeServer('sumMasked', () => sumMasked(routed.state, masked));
  rejected.push(...summed.rejected);

  const unmasked: unknown[] = [];
  for (const request of summed.requests) {
    if (afterMasking.has(request.clientIndex)) continue;
    const step = await timeClient('unmask', () => unmask(states.get(request.clientIndex)!, wire(request)));
    states.set(request.clientIndex, step.state);
    unmasked.push(wire(step.reply));
  }
  const result = await timeServer('reconstruct', () => reconstruct(summed.state, unmasked));
  rejected.push(...result.rejected);
  const sum = await timeServer('dequantize', () => dequantizeSum(result.sum, result.included.length, quantization));
  return {
    sum,
    quantizedSum: result.sum,
    included: result.included,
    dropped: result.dropped,
    responders: result.responders,
    rejected,
    quantization,
    timings: { client, serverMs },
  };
}
