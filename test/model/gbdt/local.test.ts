import { describe, expect, it } from 'vitest';
import type { Matrix } from '../../../src/math/linalg.js';
import { rawMatrix, type GbdtFeature } from '../../../src/model/gbdt/features.js';
import { TreeGrower } from '../../../src/model/gbdt/grower.js';
import { baseMarginFromCounts, featuresOfTable, trainGbdtLocal, trainGbdtOnTable } from '../../../src/model/gbdt/local.js';
import { gbdtParams } from '../../../src/model/gbdt/params.js';
import { GbdtWorker } from '../../../src/model/gbdt/worker.js';
import { evaluateScores } from '../../../src/metrics/index.js';
import { syntheticTable } from './synthetic.js';

const column = (values: number[]): Matrix => ({ data: Float64Array.from(values), rows: values.length, cols: 1 });

describe('local boosting', () => {
  it('a stump on y = [x < 5] is the hand-computed tree', () => {
    // x = 0…9, five rows each; bad iff x < 5. Base margin logit(0.5) = 0, so g = 0.5 − y and
    // h = 0.25 for every row. Left (x < 5): G = −12.5, H = 6.25 → w = −η·G/(H+λ) = 2 with η = 1,
    // λ = 0; right: w = −2; gain ½(12.5²/6.25 + 12.5²/6.25 − 0) = 25.
    const xs = Array.from({ length: 50 }, (_, i) => i % 10);
    const features: GbdtFeature[] = [{ kind: 'numeric', column: 'x', edges: [1.5, 3.5, 4.6, 7.2] }];
    const model = trainGbdtLocal(features, { raw: column(xs), labels: xs.map((x) => (x < 5 ? 1 : 0)) }, gbdtParams({ numTrees: 1, maxDepth: 1, learningRate: 1, l2: 0, minChildWeight: 0 }));
    expect(model.baseMargin).toBe(0);
    expect(model.trees[0].nodes).toEqual([
      { kind: 'numeric', feature: 0, threshold: 4.6, missingLeft: true, left: 1, right: 2, gain: 25, count: 50 },
      { kind: 'leaf', value: 2, count: 25 },
      { kind: 'leaf', value: -2, count: 25 },
    ]);
    expect(Array.from(model.predictMargin(column([0, 4, 5, 9, NaN])))).toEqual([2, 2, -2, -2, 2]);
  });

  it('base margin is the log-odds of the bad rate, finite for one class', () => {
    expect(baseMarginFromCounts(1000, 300)).toBeCloseTo(Math.log(300 / 700), 15);
    expect(Number.isFinite(baseMarginFromCounts(10, 0))).toBe(true);
    expect(() => baseMarginFromCounts(0, 0)).toThrow(RangeError);
    expect(() => baseMarginFromCounts(10, 11)).toThrow(/numBad/);
  });

  it('learns the synthetic signal, lowers the training loss, and repeats bit for bit', () => {
    const train = syntheticTable(1500, 3, 'train');
    const test = syntheticTable(1000, 3, 'test');
    const params = gbdtParams({ numTrees: 60, maxDepth: 3, learningRate: 0.1 });
    const losses: number[] = [];
    let workerProbabilities: Float64Array | undefined;
    const features = featuresOfTable(train, params.maxBins);
    const raw = rawMatrix(features, train);
    const model = trainGbdtLocal(features, { raw, labels: train.label }, params, (n, worker) => {
      const [loss, rows] = worker.lossSums();
      losses.push(loss / rows);
      if (n === params.numTrees) workerProbabilities = worker.scores('train').probabilities;
    });
    expect(losses[losses.length - 1]).toBeLessThan(losses[0]);
    for (let i = 1; i < losses.length; i++) expect(losses[i]).toBeLessThanOrEqual(losses[i - 1] + 1e-12);
    // the worker's running margins and the ensemble's predictions agree bit for bit
    expect(Buffer.from(model.predictProba(raw).buffer).equals(Buffer.from(workerProbabilities!.buffer))).toBe(true);
    expect(evaluateScores(model.predictTable(test), test.label).auc).toBeGreaterThan(0.7);
    expect(trainGbdtOnTable(train, params).serialize()).toBe(trainGbdtOnTable(train, params).serialize());
  });

  it('trees never exceed the maximum depth, and every split child has at least one row', () => {
    const model = trainGbdtOnTable(syntheticTable(400, 8), gbdtParams({ numTrees: 10, maxDepth: 2, minChildWeight: 0 }));
    for (const tree of model.trees) {
      expect(tree.nodes.length).toBeLessThanOrEqual(7);
      for (const node of tree.nodes) if (node.kind !== 'leaf') expect(Math.min(tree.nodes[node.left].count, tree.nodes[node.right].count)).toBeGreaterThanOrEqual(1);
    }
  });
});

describe('worker and grower boundaries', () => {
  const features: GbdtFeature[] = [{ kind: 'numeric', column: 'x', edges: [1] }];
  it('the worker checks labels, shapes and its start', () => {
    expect(() => new GbdtWorker(features, { raw: column([0, 2]), labels: [0, 2] })).toThrow(/0 or 1/);
    expect(() => new GbdtWorker(features, { raw: column([0, 2]), labels: [0] })).toThrow(/2 labels/);
    const worker = new GbdtWorker(features, { raw: column([0, 2]), labels: [0, 1] });
    const root = { nodes: [{ kind: 'leaf' as const, value: 0, count: 0 }] };
    expect(() => worker.histograms(root, [0])).toThrow(/start/);
    worker.start(0);
    worker.start(0);
    expect(() => worker.start(1)).toThrow(/baseMargin/);
    expect(() => worker.histograms(root, [1])).toThrow(/open\[0\]/);
    expect(() => worker.histograms(root, [0, 0])).toThrow(/open\[1\]/);
    // [G, H, N] for bins x<1, x≥1, missing: g = 0.5 − y, h = 0.25
    expect(Array.from(worker.histograms(root, [0]))).toEqual([0.5, 0.25, 1, -0.5, 0.25, 1, 0, 0, 0]);
  });

  it('the grower rejects a histogram of the wrong length or after it is done', () => {
    const grower = new TreeGrower(features, { numBins: Int32Array.of(3), offsets: Int32Array.of(0), totalBins: 3 }, gbdtParams({ maxDepth: 1 }));
    expect(grower.histogramLength).toBe(9);
    expect(() => grower.applyHistograms(new Float64Array(8))).toThrow(/length 9/);
    grower.applyHistograms(new Float64Array(9));
    expect(grower.done).toBe(true);
    expect(() => grower.applyHistograms(new Float64Array(9))).toThrow(/no open node/);
    expect(grower.finish().nodes).toEqual([{ kind: 'leaf', value: 0, count: 0 }]);
  });
});
