import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { binomialCdfBelow, buildGraph, chooseNeighbourhood, isComplete, isNeighbour, neighbours } from '../../src/secagg/graph.js';

describe('SecAgg+ graph', () => {
  it('is k-regular, symmetric and loop-free, and isNeighbour agrees with neighbours()', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 4, max: 60 }).chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 1, max: Math.floor((n - 2) / 2) }).map((h) => 2 * h))),
        fc.string(),
        ([n, k], seed) => {
          const g = buildGraph({ numClients: n, numNeighbours: k, seed });
          for (let i = 0; i < n; i++) {
            const ns = neighbours(g, i);
            expect(ns).toHaveLength(k);
            expect(ns).not.toContain(i);
            expect(new Set(ns).size).toBe(k);
            for (const j of ns) expect(neighbours(g, j)).toContain(i);
            for (let j = 0; j < n; j++) expect(isNeighbour(g, i, j)).toBe(ns.includes(j));
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('is the same for the same seed and differs for another seed', () => {
    const a = buildGraph({ numClients: 50, numNeighbours: 6, seed: 'round-1' });
    expect(buildGraph({ numClients: 50, numNeighbours: 6, seed: 'round-1' })).toEqual(a);
    const b = buildGraph({ numClients: 50, numNeighbours: 6, seed: 'round-2' });
    expect(b.order).not.toEqual(a.order);
  });

  it('hand check: the Harary ring links ring places at distance ≤ k/2', () => {
    const g = buildGraph({ numClients: 7, numNeighbours: 4, seed: 's' });
    const at = (p: number): number => g.order[((p % 7) + 7) % 7];
    const p0 = g.position[3];
    expect(neighbours(g, 3)).toEqual([at(p0 - 2), at(p0 - 1), at(p0 + 1), at(p0 + 2)].sort((x, y) => x - y));
  });

  it('degree ≥ n − 1 (or omitted) gives the complete graph of classic SecAgg', () => {
    for (const g of [buildGraph({ numClients: 5, seed: '' }), buildGraph({ numClients: 5, numNeighbours: 9, seed: '' })]) {
      expect(isComplete(g)).toBe(true);
      expect(neighbours(g, 2)).toEqual([0, 1, 3, 4]);
    }
  });

  it('refuses odd degrees, tiny groups and bad indices', () => {
    expect(() => buildGraph({ numClients: 10, numNeighbours: 3, seed: '' })).toThrow(RangeError);
    expect(() => buildGraph({ numClients: 1, seed: '' })).toThrow(RangeError);
    expect(() => buildGraph({ numClients: 10, numNeighbours: 0, seed: '' })).toThrow(RangeError);
    expect(() => buildGraph({ numClients: 10, seed: 5 as unknown as string })).toThrow(TypeError);
    expect(() => neighbours(buildGraph({ numClients: 4, seed: '' }), 4)).toThrow(RangeError);
  });
});

describe('binomialCdfBelow', () => {
  it('hand-computed values', () => {
    // Bin(4, 1/2): P[X < 2] = (1 + 4) / 16.
    expect(binomialCdfBelow(4, 0.5, 2)).toBeCloseTo(5 / 16, 14);
    // Bin(10, 0.7): P[X < 1] = 0.3^10.
    expect(binomialCdfBelow(10, 0.7, 1)).toBeCloseTo(0.3 ** 10, 18);
    // Bin(3, 0.2): P[X < 3] = 1 − 0.2^3.
    expect(binomialCdfBelow(3, 0.2, 3)).toBeCloseTo(1 - 0.008, 14);
  });

  it('degenerate cases', () => {
    expect(binomialCdfBelow(10, 0.5, 0)).toBe(0);
    expect(binomialCdfBelow(10, 0.5, 11)).toBe(1);
    expect(binomialCdfBelow(10, 0, 1)).toBe(1);
    expect(binomialCdfBelow(10, 1, 10)).toBe(0);
    expect(binomialCdfBelow(100_000, 0.7, 50_000)).toBeGreaterThanOrEqual(0);
  });
});

describe('chooseNeighbourhood', () => {
  it('meets the failure target with the smallest even k ≥ 2·log2(n)', () => {
    const n = 1000;
    const c = chooseNeighbourhood({ numClients: n, dropoutRate: 0.3, thresholdFraction: 0.5, failureProbability: 1e-6 });
    expect(c.numNeighbours % 2).toBe(0);
    expect(c.numNeighbours).toBeGreaterThanOrEqual(20);
    expect(c.threshold).toBe(Math.ceil(0.5 * (c.numNeighbours + 1)));
    expect(c.failureBound).toBeLessThanOrEqual(1e-6);
    const smaller = c.numNeighbours - 2;
    const tSmaller = Math.ceil(0.5 * (smaller + 1));
    expect(n * binomialCdfBelow(smaller, 0.7, tSmaller)).toBeGreaterThan(1e-6);
  });

  it('no dropouts needs only the logarithmic degree; small groups fall back to the complete graph', () => {
    expect(chooseNeighbourhood({ numClients: 1000, dropoutRate: 0 }).numNeighbours).toBe(20);
    const small = chooseNeighbourhood({ numClients: 20, dropoutRate: 0.3 });
    expect(small.numNeighbours).toBe(19);
    expect(small.threshold).toBe(10);
  });

  it('refuses bad arguments', () => {
    expect(() => chooseNeighbourhood({ numClients: 2, dropoutRate: 0 })).toThrow(RangeError);
    expect(() => chooseNeighbourhood({ numClients: 10, dropoutRate: 1 })).toThrow(RangeError);
    expect(() => chooseNeighbourhood({ numClients: 10, dropoutRate: 0.1, thresholdFraction: 0 })).toThrow(RangeError);
    expect(() => chooseNeighbourhood({ numClients: 10, dropoutRate: 0.1, failureProbability: 1 })).toThrow(RangeError);
  });
});
