import { describe, expect, it } from 'vitest';
import { binLayout, type GbdtFeature } from '../../../src/model/gbdt/features.js';
import { findBestSplit, histogramTotals, leafWeight, splitGain } from '../../../src/model/gbdt/split.js';

/**
 * Hand-computed example (λ = 1, γ = 0). One tree node of 10 rows, totals G = −2, H = 5, so the
 * parent score G²/(H+λ) = 4/6.
 *
 * numeric x, edges [10, 20] → bins x<10, 10≤x<20, x≥20, missing:
 *   [G, H, N] = [−4, 2, 4], [1, 1, 2], [3, 1, 2], [−2, 1, 2]
 *   t=0, missing right: L (−4, 2): 16/3, R (2, 3): 4/4 → ½(16/3 + 1 − 4/6) = 17/6 ≈ 2.8333
 *   t=0, missing left:  L (−6, 3): 36/4, R (4, 2): 16/3 → ½(9 + 16/3 − 4/6) = 41/6 ≈ 6.8333  ← best
 *   t=1, missing right: L (−3, 3): 9/4, R (1, 2): 1/3 → ½(9/4 + 1/3 − 4/6) = 23/24 ≈ 0.9583
 *   t=1, missing left:  L (−5, 4): 25/5, R (3, 1): 9/2 → ½(5 + 9/2 − 4/6) = 53/12 ≈ 4.4167
 * categorical c (a, b, c) → bins a, b, c, missing:
 *   [−3, 2, 3], [2, 1.5, 3], [−1, 1, 2], [0, 0.5, 2]; G/(H+λ): a −1, b 0.8, c −0.5, missing 0
 *   sorted a, c, missing, b; prefixes:
 *   {a}:            L (−3, 2): 9/3,  R (1, 3): 1/4   → ½(3 + 1/4 − 2/3)     = 31/24  ≈ 1.2917
 *   {a, c}:         L (−4, 3): 16/4, R (2, 2): 4/3   → ½(4 + 4/3 − 2/3)     = 7/3    ≈ 2.3333  ← best
 *   {a, c, miss.}:  L (−4, 3.5): 16/4.5, R (2, 1.5): 4/2.5 → ½(32/9 + 8/5 − 2/3) = 101/45 ≈ 2.2444
 */
const numeric: GbdtFeature = { kind: 'numeric', column: 'x', edges: [10, 20] };
const categorical: GbdtFeature = { kind: 'categorical', column: 'c', categories: ['a', 'b', 'c'] };
const numericBins = [-4, 2, 4, 1, 1, 2, 3, 1, 2, -2, 1, 2];
const categoricalBins = [-3, 2, 3, 2, 1.5, 3, -1, 1, 2, 0, 0.5, 2];
const params = { l2: 1, minChildWeight: 0, minSplitGain: 0 };

function best(features: GbdtFeature[], bins: number[], overrides: Partial<typeof params> = {}) {
  const hist = Float64Array.from(bins);
  const layout = binLayout(features);
  return findBestSplit(hist, 0, features, layout, histogramTotals(hist, 0, layout), { ...params, ...overrides });
}

describe('split finding (hand-computed example)', () => {
  it('node totals are the sums over one feature’s bins', () => {
    const hist = Float64Array.from([...numericBins, ...categoricalBins]);
    expect(histogramTotals(hist, 0, binLayout([numeric, categorical]))).toEqual({ gradient: -2, hessian: 5, count: 10 });
  });

  it('picks the numeric split x < 10 with missing values left, gain 41/6', () => {
    const s = best([numeric, categorical], [...numericBins, ...categoricalBins])!;
    expect(s.feature).toBe(0);
    expect(s.thresholdBin).toBe(0);
    expect(s.missingLeft).toBe(true);
    expect(s.gain).toBeCloseTo(41 / 6, 12);
    expect(s.left).toEqual({ gradient: -6, hessian: 3, count: 6 });
    expect(s.right).toEqual({ gradient: 4, hessian: 2, count: 4 });
    expect(splitGain({ gradient: -2, hessian: 5, count: 10 }, s.left, 1)).toBeCloseTo(41 / 6, 12);
  });

  it('categorical grouping by G/(H+λ): left = {a, c}, missing right, gain 7/3', () => {
    const s = best([categorical], categoricalBins)!;
    expect(s.leftCategories).toEqual([0, 2]);
    expect(s.missingLeft).toBe(false);
    expect(s.gain).toBeCloseTo(7 / 3, 12);
    expect(s.left).toEqual({ gradient: -4, hessian: 3, count: 5 });
  });

  it('min child weight and γ rule splits out', () => {
    // every categorical candidate has a child with H < 2.1
    expect(best([categorical], categoricalBins, { minChildWeight: 2.1 })).toBeUndefined();
    // γ above the best gain
    expect(best([numeric, categorical], [...numericBins, ...categoricalBins], { minSplitGain: 41 / 6 + 0.01 })).toBeUndefined();
    // γ is subtracted from the reported gain
    expect(best([numeric, categorical], [...numericBins, ...categoricalBins], { minSplitGain: 1 })!.gain).toBeCloseTo(41 / 6 - 1, 12);
  });

  it('without missing rows at the node, missing values follow the larger child (ties: left)', () => {
    // bins [−4, 2, 4], [1, 1, 2], [3, 1, 2], missing empty; t=0 gives ½(16/3 + 16/3 − 0) = 16/3
    const s = best([numeric], [-4, 2, 4, 1, 1, 2, 3, 1, 2, 0, 0, 0])!;
    expect(s.thresholdBin).toBe(0);
    expect(s.gain).toBeCloseTo(16 / 3, 12);
    expect(s.missingLeft).toBe(true); // 4 rows each side
    const skewed = best([numeric], [-4, 2, 2, 1, 1, 2, 3, 1, 4, 0, 0, 0])!; // right holds 6 of 8 rows
    expect(skewed.missingLeft).toBe(false);
  });

  it('categories without rows at the node, and empty missing, go to the larger child', () => {
    // a [−3, 2, 3], b empty, c [2, 1.5, 3], missing empty: {a} vs {c}, 3 rows each → left
    // gain ½(9/3 + 4/2.5 − 1/4.5) = 2.18889
    const s = best([categorical], [-3, 2, 3, 0, 0, 0, 2, 1.5, 3, 0, 0, 0])!;
    expect(s.leftCategories).toEqual([0, 1]);
    expect(s.missingLeft).toBe(true);
    expect(s.gain).toBeCloseTo(0.5 * (3 + 1.6 - 1 / 4.5), 12);
  });

  it('a node with one row, or all rows in one bin, does not split', () => {
    expect(best([numeric], [-1, 0.25, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0])).toBeUndefined();
    expect(best([numeric], [0, 0, 0, -3, 1, 5, 0, 0, 0, 0, 0, 0])).toBeUndefined();
  });

  it('leaf weight −η·G/(H+λ)', () => {
    expect(leafWeight({ gradient: -6, hessian: 3, count: 6 }, { learningRate: 0.1, l2: 1 })).toBeCloseTo(0.15, 15);
    expect(leafWeight({ gradient: 4, hessian: 2, count: 4 }, { learningRate: 0.1, l2: 1 })).toBeCloseTo(-0.4 / 3, 15);
    expect(leafWeight({ gradient: 0, hessian: 0, count: 0 }, { learningRate: 0.1, l2: 0 })).toBe(0);
  });
});
