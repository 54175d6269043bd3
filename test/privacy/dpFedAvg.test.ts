import { describe, expect, it } from 'vitest';
import { norm2 } from '../../src/math/linalg.js';
import { deriveRandom } from '../../src/math/random.js';
import { addServerNoise, applyNoisyUpdate, clipUpdate, dpFedAvgEpsilon, privatizeUpdate } from '../../src/privacy/dpFedAvg.js';
import { seededNoiseSource } from '../../src/privacy/noiseSource.js';
import { epsilonFor } from '../../src/privacy/rdp.js';

const variance = (xs: ArrayLike<number>) => {
  let mean = 0;
  for (let i = 0; i < xs.length; i++) mean += xs[i] / xs.length;
  let v = 0;
  for (let i = 0; i < xs.length; i++) v += (xs[i] - mean) ** 2;
  return { mean, variance: v / (xs.length - 1) };
};

describe('clipUpdate', () => {
  it('scales Δ = local − global to norm S, keeping its direction; leaves a small update as it is', () => {
    const global = Float64Array.of(1, 1, 1);
    const { update, factor } = clipUpdate(Float64Array.of(4, 5, 1), global, 1); // Δ = (3, 4, 0), ‖Δ‖ = 5
    expect(factor).toBeCloseTo(0.2, 15);
    expect(update[0]).toBeCloseTo(0.6, 15);
    expect(update[1]).toBeCloseTo(0.8, 15);
    expect(update[2]).toBe(0);
    expect(norm2(update)).toBeLessThanOrEqual(1);
    const small = clipUpdate(Float64Array.of(1.1, 1, 1), global, 1);
    expect(small.factor).toBe(1);
    expect(small.update[0]).toBeCloseTo(0.1, 15);
  });

  it('rejects mismatched lengths, non-finite entries and a non-positive S', () => {
    expect(() => clipUpdate(new Float64Array(2), new Float64Array(3), 1)).toThrow(/local/);
    expect(() => clipUpdate(Float64Array.of(Number.NaN), new Float64Array(1), 1)).toThrow(/local/);
    expect(() => clipUpdate(new Float64Array(1), new Float64Array(1), 0)).toThrow(/clipNorm/);
  });
});

describe('privatizeUpdate (noise shared out over n nodes)', () => {
  it('the sum of n nodes\' noise has variance z²S² per coordinate', () => {
    const dim = 4000, n = 4, z = 1.2, clip = 0.5;
    const global = new Float64Array(dim);
    const sum = new Float64Array(dim);
    for (let k = 0; k < n; k++) {
      const reply = privatizeUpdate({ local: global, global, clipNorm: clip, noiseMultiplier: z, numNodes: n, noise: seededNoiseSource(deriveRandom(1, 'node', k)) });
      for (let i = 0; i < dim; i++) sum[i] += reply[i];
    }
    const s = variance(sum);
    expect(Math.abs(s.mean)).toBeLessThan(4 * Math.sqrt((z * clip) ** 2 / dim));
    expect(s.variance / (z * clip) ** 2).toBeGreaterThan(0.92);
    expect(s.variance / (z * clip) ** 2).toBeLessThan(1.08);
  });

  it('returns global + clipped Δ when z = 0', () => {
    const reply = privatizeUpdate({ local: Float64Array.of(3, 4), global: Float64Array.of(0, 0), clipNorm: 1, noiseMultiplier: 0, numNodes: 3, noise: seededNoiseSource(deriveRandom(2, 'n')) });
    expect(reply[0]).toBeCloseTo(0.6, 15);
    expect(reply[1]).toBeCloseTo(0.8, 15);
  });

  it('rejects a bad number of nodes or noise multiplier', () => {
    const base = { local: new Float64Array(2), global: new Float64Array(2), clipNorm: 1, noise: seededNoiseSource(deriveRandom(3, 'n')) };
    expect(() => privatizeUpdate({ ...base, noiseMultiplier: 1, numNodes: 0 })).toThrow(/numNodes/);
    expect(() => privatizeUpdate({ ...base, noiseMultiplier: -1, numNodes: 1 })).toThrow(/noiseMultiplier/);
  });
});

describe('server noise, fixed-denominator update and accounting', () => {
  it('addServerNoise adds N(0, z²S²)', () => {
    const sum = new Float64Array(4000);
    addServerNoise(sum, { clipNorm: 2, noiseMultiplier: 0.5 }, seededNoiseSource(deriveRandom(4, 'server')));
    const s = variance(sum);
    expect(s.variance).toBeGreaterThan(0.92);
    expect(s.variance).toBeLessThan(1.08);
  });

  it('applyNoisyUpdate divides by the expected number of nodes, not the realised one', () => {
    expect(Array.from(applyNoisyUpdate(Float64Array.of(1, 2), Float64Array.of(3, 6), 3))).toEqual([2, 4]);
    expect(() => applyNoisyUpdate(Float64Array.of(1), Float64Array.of(1), 0)).toThrow(/expectedNodes/);
  });

  it('dpFedAvgEpsilon is the RDP accountant at the node sampling rate, one step per round', () => {
    expect(dpFedAvgEpsilon({ noiseMultiplier: 1.5, nodeSampleRate: 0.04, rounds: 2250, delta: 1e-5 }).epsilon).toBeCloseTo(7.32911117143, 7);
    expect(dpFedAvgEpsilon({ noiseMultiplier: 1, nodeSampleRate: 0.2, rounds: 50, delta: 1e-5 })).toEqual(epsilonFor({ noiseMultiplier: 1, sampleRate: 0.2, steps: 50, delta: 1e-5 }));
  });
});
