/**
 * Benchmark of secure aggregation against a plain round over the same vectors.
 *
 *   node --import tsx bench/secagg.ts            full run (~1–2 min on 2 cores)
 *   node --import tsx bench/secagg.ts --quick    smaller sizes, for a smoke test
 *
 * Prints one JSON document. What is compared (both sides single-threaded, in one process, no
 * network):
 *  - plain round: every client clips and fixed-point encodes its Float64Array into Z_2^32
 *    (the same `quantize` as the secure path); the server adds the n ring vectors and decodes
 *    the sum. In the "wire" variant each upload also goes through the JSON codec (encode at the
 *    client, decode at the server).
 *  - secure round: `secureSum`, i.e. the same encoding plus all four SecAgg stages for every
 *    client and the server. In the "wire" variant every request and reply of every stage goes
 *    through the same JSON codec.
 * All times are CPU milliseconds of this process (`process.cpuUsage`), so other jobs on a shared
 * machine do not inflate them. `totalMs` is the work of all parties added up (what the
 * simulation costs); `latencyMs` models a deployment where clients run in parallel: per stage
 * the slowest client, plus the server (network excluded).
 */
import { cpus, loadavg } from 'node:os';
import { deriveRandom } from '../src/math/random.js';
import { chooseNeighbourhood } from '../src/secagg/graph.js';
import { addRing, dequantizeSum, quantizationScale, quantize, type QuantizationParams } from '../src/secagg/quantize.js';
import { decodeSecAgg, encodeSecAgg } from '../src/secagg/codec.js';
import { type SecureSumResult, secureSum } from '../src/secagg/simulate.js';

const quick = process.argv.includes('--quick');

function vectorsFor(numClients: number, vectorLength: number): Float64Array[] {
  const rng = deriveRandom('bench-secagg', numClients, vectorLength);
  return Array.from({ length: numClients }, () => Float64Array.from({ length: vectorLength }, () => 0.05 * rng.normal()));
}

/** One plain round; returns total CPU ms, modelled parallel latency and the ring sum. */
/** CPU time of this process in milliseconds, robust to other load on a shared machine. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

function plainRound(vectors: readonly Float64Array[], params: QuantizationParams, wire: boolean) {
  let clientTotal = 0;
  let clientMax = 0;
  const uploads: unknown[] = [];
  for (const v of vectors) {
    const start = cpuMs();
    const codes = quantize(v, params);
    uploads.push(wire ? encodeSecAgg({ update: codes }) : codes);
    const ms = cpuMs() - start;
    clientTotal += ms;
    clientMax = Math.max(clientMax, ms);
  }
  const start = cpuMs();
  const sum = new Uint32Array(vectors[0].length);
  for (const u of uploads) addRing(sum, wire ? (decodeSecAgg(u as string) as { update: Uint32Array }).update : (u as Uint32Array));
  const decoded = dequantizeSum(sum, vectors.length, params);
  const serverMs = cpuMs() - start;
  return { totalMs: clientTotal + serverMs, latencyMs: clientMax + serverMs, sum, decoded };
}

function secureTimes(r: SecureSumResult) {
  const clientTotal = Object.values(r.timings.client).reduce((a, t) => a + t.totalMs, 0);
  const clientLatency = Object.values(r.timings.client).reduce((a, t) => a + t.maxMs, 0);
  const serverMs = Object.values(r.timings.serverMs).reduce((a, t) => a + t, 0);
  return { totalMs: clientTotal + serverMs, latencyMs: clientLatency + serverMs, serverMs };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x: number, digits = 1): number => Number(x.toFixed(digits));

interface Scenario {
  name: string;
  numClients: number;
  vectorLength: number;
  threshold: number;
  neighbours?: number;
  dropoutFraction: number;
  repeats: number;
  note: string;
}

async function runScenario(s: Scenario) {
  const vectors = vectorsFor(s.numClients, s.vectorLength);
  const clip = 1;
  const params: QuantizationParams = { clip, maxClients: s.numClients };
  const drops = Array.from(deriveRandom('bench-secagg', 'drops', s.name).permutation(s.numClients).slice(0, Math.round(s.dropoutFraction * s.numClients)));
  const out: Record<string, unknown> = { ...s, dropoutsAfterMasking: drops.length };
  for (const wire of [false, true]) {
    const plain: ReturnType<typeof plainRound>[] = [];
    const secure: SecureSumResult[] = [];
    for (let rep = 0; rep < s.repeats; rep++) {
      plain.push(plainRound(vectors, params, wire));
      secure.push(await secureSum(vectors, { threshold: s.threshold, clip, neighbours: s.neighbours, dropoutsAfterMasking: drops, serialize: wire, sessionId: `${s.name}/${rep}` }));
    }
    const last = secure[secure.length - 1];
    // Exactness: the secure ring sum must equal the plain ring sum bit for bit (dropouts after
    // masking are still in the sum), and the decoded sum must be within n·step/2 of the float sum.
    const exact = last.quantizedSum.every((w, k) => w === plain[0].sum[k]) && last.included.length === s.numClients;
    const { step } = quantizationScale(params);
    let maxAbsError = 0;
    for (let k = 0; k < s.vectorLength; k++) {
      let f = 0;
      for (const v of vectors) f += Math.max(-clip, Math.min(clip, v[k]));
      maxAbsError = Math.max(maxAbsError, Math.abs(last.sum[k] - f));
    }
    const plainTotal = median(plain.map((p) => p.totalMs));
    const plainLatency = median(plain.map((p) => p.latencyMs));
    const sec = secure.map(secureTimes);
    const secureTotal = median(sec.map((t) => t.totalMs));
    const secureLatency = median(sec.map((t) => t.latencyMs));
    const stepMs = (key: keyof SecureSumResult['timings']['client']) => round(median(secure.map((r) => r.timings.client[key].totalMs)));
    out[wire ? 'wire' : 'inMemory'] = {
      plainRound: { totalMs: round(plainTotal, 2), latencyMs: round(plainLatency, 2) },
      secureRound: { totalMs: round(secureTotal), latencyMs: round(secureLatency) },
      ratioTotal: round(secureTotal / plainTotal),
      ratioLatency: round(secureLatency / plainLatency),
      secureBreakdownMs: {
        clientsQuantize: stepMs('quantize'),
        clientsAdvertiseKeys: stepMs('advertiseKeys'),
        clientsShareKeys: stepMs('shareKeys'),
        clientsMaskInput: stepMs('maskInput'),
        clientsUnmask: stepMs('unmask'),
        server: round(median(sec.map((t) => t.serverMs))),
        serverReconstruct: round(median(secure.map((r) => r.timings.serverMs.reconstruct))),
      },
      exactRingSum: exact,
      rejectedReplies: last.rejected.length,
      maxAbsErrorVsFloatSum: maxAbsError,
      errorBound: (s.numClients * step) / 2,
    };
  }
  return out;
}

async function main(): Promise<void> {
  const n1 = quick ? 20 : 100;
  const m = quick ? 1000 : 10_000;
  const n2 = quick ? 200 : 1000;
  const plus1 = chooseNeighbourhood({ numClients: n1, dropoutRate: 0.3, thresholdFraction: 1 / 3, failureProbability: 1e-6 });
  const plus2 = chooseNeighbourhood({ numClients: n2, dropoutRate: 0.3, thresholdFraction: 1 / 3, failureProbability: 1e-6 });
  const majority = Math.floor(n1 / 2) + 1;
  const scenarios: Scenario[] = [
    { name: `classic-${n1}x${m}`, numClients: n1, vectorLength: m, threshold: majority, dropoutFraction: 0, repeats: 3, note: 'complete graph, t = n/2 + 1' },
    { name: `classic-${n1}x${m}-drop30`, numClients: n1, vectorLength: m, threshold: majority, dropoutFraction: 0.3, repeats: 3, note: '30 % of clients vanish after sending their masked input' },
    { name: `secaggplus-${n1}x${m}-drop30`, numClients: n1, vectorLength: m, threshold: plus1.threshold, neighbours: plus1.numNeighbours, dropoutFraction: 0.3, repeats: 3, note: `k, t from chooseNeighbourhood(δ = 0.3, t ≥ (k+1)/3, failure ≤ 1e-6): bound ${plus1.failureBound.toExponential(2)}` },
    { name: `secaggplus-${n2}x${m}-drop30`, numClients: n2, vectorLength: m, threshold: plus2.threshold, neighbours: plus2.numNeighbours, dropoutFraction: 0.3, repeats: 1, note: `k, t from chooseNeighbourhood(δ = 0.3, t ≥ (k+1)/3, failure ≤ 1e-6): bound ${plus2.failureBound.toExponential(2)}` },
  ];
  // Warm up the JIT and OpenSSL on a small session so the first scenario is not penalised.
  const warm = vectorsFor(8, 256);
  plainRound(warm, { clip: 1, maxClients: 8 }, true);
  await secureSum(warm, { threshold: 5, clip: 1, serialize: true });
  const results = [];
  for (const s of scenarios) results.push(await runScenario(s));
  const report = {
    benchmark: 'secagg',
    quick,
    machine: { node: process.version, cpu: cpus()[0]?.model, cores: cpus().length, loadAverage1m: round(loadavg()[0], 2) },
    compared: 'plainRound = per client clip + fixed-point quantize into Z_2^32, server modular sum + decode (wire: + JSON codec of each upload); secureRound = secureSum with the same encoding and all four SecAgg stages (wire: every stage message through the JSON codec). times are CPU ms (process.cpuUsage); totalMs = work of all parties; latencyMs = slowest client per stage + server (clients in parallel, no network).',
    results,
  };
  console.log(JSON.stringify(report, null, 2));
}

await main();
