import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deriveRandom } from '../../src/math/random.js';
import {
  addEvaluationSums,
  evaluationSumsLayout,
  evaluationSumsMaxPerExample,
  localEvaluationSums,
  metricsFromSums,
  scoreBin,
  scoreHistogram,
} from '../../src/metrics/histogram.js';
import { brier, logLoss } from '../../src/metrics/probabilistic.js';
import { auc, ks } from '../../src/metrics/ranking.js';
import { expectedCost, optimalThreshold } from '../../src/metrics/threshold.js';
import { bruteAuc, bruteKs, logisticScores } from './helpers.js';

/** Split examples across `numNodes` nodes at random (seeded), like lenders holding disjoint rows. */
function splitAcrossNodes(scores: Float64Array, labels: Uint8Array, numNodes: number, seed: number) {
  const rng = deriveRandom(seed, 'metrics-test', 'split');
  const owner = Array.from(scores, () => rng.int(numNodes));
  return Array.from({ length: numNodes }, (_, node) => {
    const rows = owner.flatMap((o, i) => (o === node ? [i] : []));
    return { scores: Float64Array.from(rows, (i) => scores[i]), labels: Uint8Array.from(rows, (i) => labels[i]) };
  });
}

describe('layout', () => {
  it('is [bad bins, good bins, n, Σ brier, Σ log loss]', () => {
    expect(evaluationSumsLayout(4)).toEqual({
      badOffset: 0,
      goodOffset: 4,
      numExamplesIndex: 8,
      brierIndex: 9,
      logLossIndex: 10,
      length: 11,
    });
    expect(Array.from(evaluationSumsMaxPerExample(2))).toEqual([1, 1, 1, 1, 1, 1, -Math.log(1e-15)]);
  });

  it('hand histogram with 4 bins: 1.0 goes to the last bin, 0.25 to bin 1', () => {
    // bad: 0.1 → 0, 1.0 → 3; good: 0.25 → 1, 0.3 → 1, 0.74 → 2.
    const h = scoreHistogram(Float64Array.of(0.1, 0.25, 1.0, 0.3, 0.74), Uint8Array.of(1, 0, 1, 0, 0), 4);
    expect(Array.from(h)).toEqual([1, 0, 0, 1, 0, 2, 1, 0]);
  });

  it('every edge k/B starts bin k, although floor(k/B · B) sometimes misses', () => {
    expect(Math.floor((29 / 100) * 100)).toBe(28); // why scoreBin corrects floor
    for (const numBins of [7, 10, 30, 100, 1000]) {
      for (let k = 0; k < numBins; k++) {
        expect(scoreBin(k / numBins, numBins)).toBe(k);
        if (k > 0) expect(scoreBin(k / numBins - 1e-12, numBins)).toBe(k - 1);
      }
      expect(scoreBin(1, numBins)).toBe(numBins - 1);
    }
  });

  it('local sums hand example', () => {
    // Brier: 0.1² + 0.2² = 0.05 (score 0.9 bad, 0.2 good). Log loss: −ln 0.9 − ln 0.8.
    const sums = localEvaluationSums(Float64Array.of(0.9, 0.2), Uint8Array.of(1, 0), 2);
    expect(Array.from(sums.subarray(0, 5))).toEqual([0, 1, 1, 0, 2]);
    expect(sums[5]).toBeCloseTo(0.05, 15);
    expect(sums[6]).toBeCloseTo(-Math.log(0.9) - Math.log(0.8), 15);
  });
});

describe('federated evaluation matches exact metrics', () => {
  it('5 nodes, 1000 logistic-model scores: |ΔAUC| ≤ 0.002, |ΔKS| ≤ 0.002', () => {
    const { scores, labels } = logisticScores(11, 1000);
    const nodes = splitAcrossNodes(scores, labels, 5, 11);
    expect(nodes.every((n) => n.scores.length > 100)).toBe(true);
    const total = addEvaluationSums(nodes.map((n) => localEvaluationSums(n.scores, n.labels)));
    const m = metricsFromSums(total);

    const exactAuc = auc(scores, labels);
    const exactKs = ks(scores, labels);
    expect(Math.abs(m.auc - exactAuc)).toBeLessThanOrEqual(0.002);
    expect(Math.abs(m.ks - exactKs)).toBeLessThanOrEqual(0.002);
    expect(Math.abs(m.auc - exactAuc)).toBeLessThanOrEqual(m.aucMaxError);
    expect(m.gini).toBeCloseTo(2 * m.auc - 1, 15);
    expect(m.numExamples).toBe(1000);
    expect(m.numBad).toBe(labels.reduce((a, y) => a + y, 0));
    expect(m.brier).toBeCloseTo(brier(scores, labels), 12);
    expect(m.logLoss).toBeCloseTo(logLoss(scores, labels), 12);
    // The bin-edge threshold's cost is a real cost on the pooled data, no better than the
    // exact optimum over all score cut points.
    expect(m.expectedCost).toBeCloseTo(expectedCost(scores, labels, m.optimalThreshold), 12);
    expect(m.expectedCost).toBeGreaterThanOrEqual(optimalThreshold(scores, labels).cost - 1e-12);
    expect(m.expectedCost - optimalThreshold(scores, labels).cost).toBeLessThan(0.01);
  });

  it('sums are additive: the nodes add up to the pooled data', () => {
    const { scores, labels } = logisticScores(12, 500);
    const nodes = splitAcrossNodes(scores, labels, 5, 12);
    const total = addEvaluationSums(nodes.map((n) => localEvaluationSums(n.scores, n.labels, 50)));
    const pooled = localEvaluationSums(scores, labels, 50);
    expect(Array.from(total.subarray(0, 101))).toEqual(Array.from(pooled.subarray(0, 101)));
    expect(total[101]).toBeCloseTo(pooled[101], 10);
    expect(total[102]).toBeCloseTo(pooled[102], 10);
  });

  it('with scores already on bin edges, histogram metrics are exact', () => {
    // Scores k/10 (k = 0..9) with 10 bins: each distinct score has its own bin, so AUC/KS and
    // the optimal cost are exact.
    const { scores: raw, labels } = logisticScores(13, 300);
    const scores = Float64Array.from(raw, (s) => Math.round(s * 9) / 10);
    const m = metricsFromSums(localEvaluationSums(scores, labels, 10), 10);
    expect(m.auc).toBeCloseTo(auc(scores, labels), 12);
    expect(m.ks).toBeCloseTo(ks(scores, labels), 12);
    expect(m.expectedCost).toBeCloseTo(optimalThreshold(scores, labels).cost, 12);
  });

  it('property: the documented error bounds hold for any data and bin count', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 1 })), {
          minLength: 2,
          maxLength: 60,
        }),
        fc.integer({ min: 1, max: 40 }),
        (rows, numBins) => {
          const scores = Float64Array.from(rows, ([v]) => v / 30);
          const labels = Uint8Array.from(rows, ([, y]) => y);
          if (labels.every((y) => y === labels[0])) return;
          const m = metricsFromSums(localEvaluationSums(scores, labels, numBins), numBins);
          const exactAuc = bruteAuc(scores, labels);
          const exactKs = bruteKs(scores, labels);
          expect(Math.abs(m.auc - exactAuc)).toBeLessThanOrEqual(m.aucMaxError + 1e-12);
          expect(m.ks).toBeLessThanOrEqual(exactKs + 1e-12);
          expect(exactKs - m.ks).toBeLessThanOrEqual(m.ksMaxError + 1e-12);
        },
      ),
      { numRuns: 300, seed: 501 },
    );
  });
});

describe('metricsFromSums rejects malformed sums', () => {
  const good = localEvaluationSums(Float64Array.of(0.2, 0.7), Uint8Array.of(0, 1), 4);
  const edit = (i: number, v: number) => {
    const s = good.slice();
    s[i] = v;
    return s;
  };
  it.each([
    ['wrong length', good.subarray(0, 10), 4, /^sums: length 10/],
    ['wrong numBins', good, 5, /^sums: length 11/],
    ['NaN', edit(9, NaN), 4, /^sums\[9\]: expected a finite/],
    ['negative count', edit(0, -1), 4, /^sums\[0\]: expected a non-negative/],
    ['counts disagree with n', edit(8, 3), 4, /^sums: bin counts add up to 2/],
    ['one class only', edit(2, 0).map((v, i) => (i === 8 ? 1 : v)), 4, /^sums: federated AUC\/KS needs/],
    ['bad numBins', good, 0, /^numBins:/],
  ])('%s', (_case, sums, numBins, message) => {
    expect(() => metricsFromSums(sums as Float64Array, numBins as number)).toThrow(message);
  });

  it('rejects a plain array and bad costs', () => {
    expect(() => metricsFromSums(Array.from(good) as never, 4)).toThrow(TypeError);
    expect(() => metricsFromSums(good, 4, { costs: { badAsGood: -1, goodAsBad: 1 } })).toThrow(
      /^options.costs.badAsGood:/,
    );
  });

  it('addEvaluationSums rejects mismatched parts', () => {
    expect(() => addEvaluationSums([])).toThrow(/^parts:/);
    expect(() => addEvaluationSums([good, good.subarray(1)])).toThrow(/^parts\[1\]: length/);
  });
});
