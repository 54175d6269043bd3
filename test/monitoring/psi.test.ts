import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { deriveRandom } from '../../src/math/random.js';
import { DEFAULT_PSI_EPSILON, populationStabilityIndex, psiNoDriftQuantile, psiStatus, PSI_WARNING, PSI_WATCH, quantileGroups, regroup } from '../../src/monitoring/psi.js';

const vectors = JSON.parse(readFileSync(new URL('../vectors/psi.json', import.meta.url), 'utf8')) as {
  epsilon: number; cases: { name: string; reference: number[]; current: number[]; psi: number }[];
};

describe('population stability index', () => {
  it.each(vectors.cases.map((c) => [c.name, c] as const))('reproduces the hand-computed value: %s (test/vectors/psi.json)', (_name, c) => {
    expect(vectors.epsilon).toBe(DEFAULT_PSI_EPSILON);
    expect(populationStabilityIndex(c.reference, c.current)).toBeCloseTo(c.psi, 14);
  });

  it('is symmetric, zero for equal shares, and takes shares as well as counts', () => {
    expect(populationStabilityIndex([1, 2, 3], [3, 2, 1])).toBeCloseTo(populationStabilityIndex([3, 2, 1], [1, 2, 3]), 15);
    expect(populationStabilityIndex(Float64Array.of(0.25, 0.75), [1, 3])).toBe(0);
    expect(populationStabilityIndex([0.25, 0.25, 0.25, 0.25], [0.1, 0.2, 0.3, 0.4])).toBeCloseTo(vectors.cases[0].psi, 14);
  });

  it('smooths an empty bin with ε (a larger ε gives a smaller PSI)', () => {
    const small = populationStabilityIndex([50, 50, 0], [40, 50, 10], { epsilon: 1e-6 });
    const large = populationStabilityIndex([50, 50, 0], [40, 50, 10], { epsilon: 1e-2 });
    expect(small).toBeGreaterThan(large);
    expect(large).toBeCloseTo((0.4 - 0.5) * Math.log(0.8) + (0.1 - 0.01) * Math.log(10), 14);
  });

  it('reads stable below 0.1, watch from 0.1 to 0.25, warning above 0.25', () => {
    expect([PSI_WATCH, PSI_WARNING]).toEqual([0.1, 0.25]);
    expect(psiStatus(0)).toBe('stable');
    expect(psiStatus(0.0999)).toBe('stable');
    expect(psiStatus(0.1)).toBe('watch');
    expect(psiStatus(0.25)).toBe('watch');
    expect(psiStatus(0.2501)).toBe('warning');
    expect(psiStatus(vectors.cases[3].psi)).toBe('warning');
  });

  it('groups a fine histogram into reference quantiles and sums any histogram over them', () => {
    expect(quantileGroups([5, 5, 5, 5, 0, 0], 2)).toEqual([0, 2]);
    expect(quantileGroups([1, 1, 1, 1, 1, 1, 1, 1, 1, 1], 5)).toEqual([0, 2, 4, 6, 8]);
    expect(quantileGroups([0, 0, 10, 0, 0], 4)).toEqual([0]); // one occupied bin: nothing to split
    expect(quantileGroups([1, 50, 1, 1], 4)).toEqual([0, 2]); // the heavy bin reaches the third quartile; the rest is the fourth
    expect(Array.from(regroup([1, 2, 3, 4, 5, 6], [0, 2, 5]))).toEqual([3, 12, 6]);
    const fine = Array.from({ length: 1000 }, (_, k) => Math.round(50 * Math.exp(-((k - 300) ** 2) / 20_000)));
    const starts = quantileGroups(fine, 10);
    expect(starts).toHaveLength(10);
    const shares = Array.from(regroup(fine, starts)).map((c) => c / fine.reduce((s, x) => s + x, 0));
    for (const s of shares) expect(Math.abs(s - 0.1)).toBeLessThan(0.01);
  });

  it('predicts the PSI of same-population samples: mean (B − 1)(1/N + 1/M), 95 % below the no-drift quantile (seeded)', () => {
    const rng = deriveRandom(2024, 'psi-no-drift');
    const shares = [0.05, 0.08, 0.1, 0.12, 0.15, 0.15, 0.12, 0.1, 0.08, 0.05];
    const cumulative = shares.map((_, k) => shares.slice(0, k + 1).reduce((s, x) => s + x, 0));
    const sample = (n: number) => {
      const counts = new Array<number>(shares.length).fill(0);
      for (let i = 0; i < n; i++) {
        const u = rng.next();
        let k = 0;
        while (k < shares.length - 1 && u >= cumulative[k]) k++;
        counts[k]++;
      }
      return counts;
    };
    const [numReference, numCurrent, replicates] = [800, 200, 2000];
    const limit = psiNoDriftQuantile({ numBins: 10, numReference, numCurrent });
    expect(limit).toBeCloseTo(16.919 * (1 / 800 + 1 / 200), 3); // exact χ²(9) 95 % quantile is 16.919
    let sum = 0;
    let below = 0;
    for (let r = 0; r < replicates; r++) {
      const psi = populationStabilityIndex(sample(numReference), sample(numCurrent));
      sum += psi;
      if (psi <= limit) below++;
    }
    const expectedMean = 9 * (1 / numReference + 1 / numCurrent);
    expect(Math.abs(sum / replicates - expectedMean) / expectedMean).toBeLessThan(0.08);
    expect(below / replicates).toBeGreaterThan(0.93);
    expect(below / replicates).toBeLessThan(0.97);
  });

  it('gives the no-drift quantile of small nodes (why a 40-row node "warns" by chance)', () => {
    expect(psiNoDriftQuantile({ numBins: 10, numReference: 800, numCurrent: 40 })).toBeGreaterThan(PSI_WARNING);
    expect(psiNoDriftQuantile({ numBins: 1, numReference: 10, numCurrent: 10 })).toBe(0);
  });

  it.each([
    ['an empty reference', () => populationStabilityIndex([0, 0], [1, 1]), /reference: empty/],
    ['an empty current histogram', () => populationStabilityIndex([1, 1], []), /current: empty/],
    ['different bin counts', () => populationStabilityIndex([1, 1], [1, 1, 1]), /bins/],
    ['a negative count', () => populationStabilityIndex([1, -1], [1, 1]), /reference\[1\]/],
    ['NaN', () => populationStabilityIndex([1, 1], [NaN, 1]), /current\[0\]/],
    ['Infinity', () => populationStabilityIndex([Infinity, 1], [1, 1]), /reference\[0\]/],
    ['strings', () => populationStabilityIndex(['1', '2'] as unknown as number[], [1, 1]), /reference\[0\]/],
    ['not an array', () => populationStabilityIndex(5 as unknown as number[], [1]), TypeError],
    ['ε of 0', () => populationStabilityIndex([1], [1], { epsilon: 0 }), /epsilon/],
    ['a negative PSI status', () => psiStatus(-0.1), /psi/],
    ['zero groups', () => quantileGroups([1, 2], 0), /numGroups/],
    ['starts not at 0', () => regroup([1, 2], [1]), /starts/],
    ['no-drift with 0 rows', () => psiNoDriftQuantile({ numBins: 10, numReference: 0, numCurrent: 5 }), /numReference/],
    ['no-drift with 2.5 bins', () => psiNoDriftQuantile({ numBins: 2.5, numReference: 5, numCurrent: 5 }), /numBins/],
  ])('rejects %s', (_name, call, expected) => {
    expect(call).toThrow(expected as RegExp);
  });
});
