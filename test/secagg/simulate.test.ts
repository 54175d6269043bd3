import { describe, expect, it } from 'vitest';
import { deriveRandom } from '../../src/math/random.js';
import { chooseNeighbourhood } from '../../src/secagg/graph.js';
import { quantizationScale } from '../../src/secagg/quantize.js';
import { secureSum } from '../../src/secagg/simulate.js';

function randomVectors(n: number, m: number, seed: string): Float64Array[] {
  const rng = deriveRandom(seed, 'vectors');
  return Array.from({ length: n }, () => Float64Array.from({ length: m }, () => 0.3 * rng.normal()));
}

function plainSum(vectors: readonly Float64Array[], clients: readonly number[], clip: number): Float64Array {
  const out = new Float64Array(vectors[0].length);
  for (const i of clients) for (let k = 0; k < out.length; k++) out[k] += Math.max(-clip, Math.min(clip, vectors[i][k]));
  return out;
}

describe('secureSum', () => {
  it('equals the plain sum within n·step/2, classic, with dropouts at every moment', async () => {
    const n = 12;
    const vectors = randomVectors(n, 50, 'classic');
    const r = await secureSum(vectors, { threshold: 7, clip: 1, dropoutsBeforeSharing: [3], dropoutsBeforeMasking: [5, 8], dropoutsAfterMasking: [0, 11] });
    const included = [0, 1, 2, 4, 6, 7, 9, 10, 11];
    expect(r.included).toEqual(included);
    expect(r.dropped).toEqual([5, 8]);
    expect(r.responders).toEqual([1, 2, 4, 6, 7, 9, 10]);
    const { step } = quantizationScale(r.quantization);
    const plain = plainSum(vectors, included, 1);
    for (let k = 0; k < plain.length; k++) expect(Math.abs(r.sum[k] - plain[k])).toBeLessThanOrEqual((included.length * step) / 2 + 1e-12);
  });

  it('SecAgg+ with 60 clients, parameters from chooseNeighbourhood, 30 % dropping after masking', async () => {
    const n = 60;
    const choice = chooseNeighbourhood({ numClients: n, dropoutRate: 0.3, thresholdFraction: 1 / 3, failureProbability: 1e-3 });
    expect(choice.numNeighbours).toBeLessThan(n - 1);
    const vectors = randomVectors(n, 20, 'plus');
    const afterMasking = Array.from(deriveRandom('drops').permutation(n).slice(0, 18));
    const r = await secureSum(vectors, { threshold: choice.threshold, clip: 1, neighbours: choice.numNeighbours, dropoutsAfterMasking: afterMasking, serialize: true });
    expect(r.included).toHaveLength(n);
    expect(r.responders).toHaveLength(n - 18);
    const { step } = quantizationScale(r.quantization);
    const plain = plainSum(vectors, r.included, 1);
    for (let k = 0; k < plain.length; k++) expect(Math.abs(r.sum[k] - plain[k])).toBeLessThanOrEqual((n * step) / 2 + 1e-12);
  });

  it('stochastic rounding is reproducible from its seed', async () => {
    const vectors = randomVectors(4, 30, 'rounding');
    const a = await secureSum(vectors, { threshold: 3, clip: 0.5, ringBits: 12, roundingSeed: 1 });
    const b = await secureSum(vectors, { threshold: 3, clip: 0.5, ringBits: 12, roundingSeed: 1 });
    const c = await secureSum(vectors, { threshold: 3, clip: 0.5, ringBits: 12, roundingSeed: 2 });
    expect(a.quantizedSum).toEqual(b.quantizedSum);
    expect(a.quantizedSum).not.toEqual(c.quantizedSum);
    const { step } = quantizationScale(a.quantization);
    const plain = plainSum(vectors, [0, 1, 2, 3], 0.5);
    for (let k = 0; k < plain.length; k++) expect(Math.abs(a.sum[k] - plain[k])).toBeLessThan(4 * step);
  });

  it('reports timings for every step', async () => {
    const r = await secureSum(randomVectors(3, 4, 't'), { threshold: 2, clip: 1 });
    for (const t of Object.values(r.timings.client)) expect(t.totalMs).toBeGreaterThanOrEqual(t.maxMs);
    expect(Object.keys(r.timings.serverMs)).toEqual(['setupSession', 'collectKeys', 'routeShares', 'sumMasked', 'reconstruct', 'dequantize']);
  });

  it('refuses bad arguments', async () => {
    const v = randomVectors(3, 4, 'bad');
    await expect(secureSum([v[0]], { threshold: 2, clip: 1 })).rejects.toThrow(RangeError);
    await expect(secureSum([v[0], new Float64Array(3)], { threshold: 2, clip: 1 })).rejects.toThrow(RangeError);
    await expect(secureSum([v[0], [1, 2, 3, 4] as unknown as Float64Array], { threshold: 2, clip: 1 })).rejects.toThrow(TypeError);
    await expect(secureSum(v, { threshold: 4, clip: 1 })).rejects.toThrow(RangeError);
    await expect(secureSum(v, { threshold: 2, clip: 0 })).rejects.toThrow(RangeError);
    await expect(secureSum(v, { threshold: 2, clip: 1, dropoutsAfterMasking: [3] })).rejects.toThrow(RangeError);
    await expect(secureSum(v, { threshold: 2, clip: 1, dropoutsBeforeMasking: [1], dropoutsAfterMasking: [1] })).rejects.toThrow(RangeError);
    await expect(secureSum(v, { threshold: 2, clip: 1, dropoutsBeforeMasking: [0, 1] })).rejects.toMatchObject({ code: 'SECAGG_TOO_FEW_CLIENTS' });
  });
});
