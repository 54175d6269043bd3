import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { getBuiltinSchema, builtinDataPath } from '../../../src/data/builtin/index.js';
import { loadCsv } from '../../../src/data/csv.js';
import { deriveRandom, type Random } from '../../../src/math/random.js';
import { TreeEnsemble } from '../../../src/model/gbdt/ensemble.js';
import { rawMatrix, type GbdtFeature } from '../../../src/model/gbdt/features.js';
import { trainGbdtOnTable } from '../../../src/model/gbdt/local.js';
import { gbdtParams } from '../../../src/model/gbdt/params.js';
import type { Tree, TreeNode } from '../../../src/model/gbdt/tree.js';
import { explainEnsemble, goesLeft, treeExpectedValue, treeShap } from '../../../src/model/gbdt/treeshap.js';
import { syntheticTable } from './synthetic.js';

/**
 * The conditional expectation path-dependent TreeSHAP uses (Lundberg et al. 2018, Algorithm 1):
 * follow x at splits on features in S, otherwise average both children weighted by row counts.
 */
function conditionalExpectation(tree: Tree, x: ArrayLike<number>, inS: (feature: number) => boolean): number {
  const visit = (j: number): number => {
    const node = tree.nodes[j];
    if (node.kind === 'leaf') return node.value;
    if (inS(node.feature)) return visit(goesLeft(node, x[node.feature]) ? node.left : node.right);
    return (tree.nodes[node.left].count * visit(node.left) + tree.nodes[node.right].count * visit(node.right)) / node.count;
  };
  return visit(0);
}

/** Shapley values by enumerating all 2^M subsets: φ_i = Σ_S |S|!(M−|S|−1)!/M! [v(S∪{i}) − v(S)]. */
function bruteForceShapley(tree: Tree, x: ArrayLike<number>, numFeatures: number): number[] {
  const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1));
  const phi = new Array<number>(numFeatures).fill(0);
  for (let mask = 0; mask < 1 << numFeatures; mask++) {
    const size = [...Array(numFeatures).keys()].filter((f) => mask & (1 << f)).length;
    const v = conditionalExpectation(tree, x, (f) => (mask & (1 << f)) !== 0);
    for (let i = 0; i < numFeatures; i++) {
      if (mask & (1 << i)) continue;
      const weight = (factorial(size) * factorial(numFeatures - size - 1)) / factorial(numFeatures);
      phi[i] += weight * (conditionalExpectation(tree, x, (f) => f === i || (mask & (1 << f)) !== 0) - v);
    }
  }
  return phi;
}

const binaryFeature = (column: string): GbdtFeature => ({ kind: 'categorical', column, categories: ['no', 'yes'] });
const leaf = (value: number, count: number): TreeNode => ({ kind: 'leaf', value, count });
/** Split on a no/yes feature: "no" (index 0) goes left. */
const onNo = (feature: number, left: number, right: number, count: number): TreeNode => ({ kind: 'categorical', feature, leftCategories: [0], missingLeft: false, left, right, gain: 1, count });

describe('TreeSHAP', () => {
  it('reproduces the hand-computed Shapley values of Models A and B of Lundberg et al. 2018, Fig. 1', () => {
    // Fever (0) and Cough (1) independent and uniform (counts 25 per cell). Model A: 80 if both;
    // Model B: 80·F·C + 10·C. For x = (fever, cough): A: E[f] = 20, v(F) = v(C) = 40, f = 80 →
    // φ_F = φ_C = ½(20 + 40) = 30. B: E[f] = 25, v(F) = 45, v(C) = 50, f = 90 →
    // φ_F = ½(20 + 40) = 30, φ_C = ½(25 + 45) = 35.
    const modelA: Tree = { nodes: [onNo(0, 1, 2, 100), leaf(0, 50), onNo(1, 3, 4, 50), leaf(0, 25), leaf(80, 25)] };
    const modelB: Tree = { nodes: [onNo(0, 1, 2, 100), onNo(1, 3, 4, 50), onNo(1, 5, 6, 50), leaf(0, 25), leaf(10, 25), leaf(0, 25), leaf(90, 25)] };
    const x = [1, 1];
    for (const [tree, expected, phiF, phiC] of [[modelA, 20, 30, 30], [modelB, 25, 30, 35]] as const) {
      const phi = new Float64Array(2);
      treeShap(tree, x, phi);
      expect(treeExpectedValue(tree)).toBeCloseTo(expected, 12);
      expect(phi[0]).toBeCloseTo(phiF, 12);
      expect(phi[1]).toBeCloseTo(phiC, 12);
    }
    const ensemble = new TreeEnsemble({ features: [binaryFeature('fever'), binaryFeature('cough')], baseMargin: 0, params: gbdtParams(), trees: [modelB] });
    const e = explainEnsemble(ensemble, { data: Float64Array.of(1, 1, 0, 1), rows: 2, cols: 2 });
    expect(Array.from(e.margins)).toEqual([90, 10]);
    expect(e.expectedValue).toBeCloseTo(25, 12);
  });

  it('equals brute-force Shapley values on random trees with repeated features and missing values', () => {
    const numFeatures = 5; // 0–2 numeric, 3–4 categorical with 3 categories
    const features: GbdtFeature[] = [0, 1, 2].map((i): GbdtFeature => ({ kind: 'numeric', column: `x${i}`, edges: [] }))
      .concat([3, 4].map((i): GbdtFeature => ({ kind: 'categorical', column: `c${i}`, categories: ['a', 'b', 'c'] })));
    fc.assert(fc.property(fc.integer(), (seed) => {
      const rng = deriveRandom(seed, 'random-tree');
      const tree = randomTree(rng, features, 1 + rng.int(5));
      for (let r = 0; r < 4; r++) {
        const x = features.map((f) => (rng.next() < 0.15 ? NaN : f.kind === 'numeric' ? rng.next() * 10 : rng.int(3)));
        const phi = new Float64Array(numFeatures);
        treeShap(tree, x, phi);
        const expected = bruteForceShapley(tree, x, numFeatures);
        for (let i = 0; i < numFeatures; i++) expect(Math.abs(phi[i] - expected[i])).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(expected[i])));
      }
    }), { numRuns: 150 });
  });

  it('contributions plus the expected value give the margin for every row (German credit, and rows with missing values)', () => {
    const german = loadCsv(builtinDataPath('german'), getBuiltinSchema('german'));
    const synthetic = syntheticTable(500, 4);
    for (const table of [german, synthetic]) {
      const model = trainGbdtOnTable(table, gbdtParams({ numTrees: 40, maxDepth: 4, learningRate: 0.1 }));
      const raw = rawMatrix(model.features, table);
      const { expectedValue, contributions, margins } = explainEnsemble(model, raw);
      let worst = 0;
      for (let i = 0; i < raw.rows; i++) {
        let sum = expectedValue;
        for (let f = 0; f < raw.cols; f++) sum += contributions[i * raw.cols + f];
        worst = Math.max(worst, Math.abs(sum - margins[i]));
      }
      expect(worst).toBeLessThan(1e-10);
      // features no tree splits on get exactly zero
      const used = new Set(model.trees.flatMap((t) => t.nodes.flatMap((n) => (n.kind === 'leaf' ? [] : [n.feature]))));
      for (let f = 0; f < raw.cols; f++) if (!used.has(f)) for (let i = 0; i < raw.rows; i++) expect(contributions[i * raw.cols + f]).toBe(0);
    }
  });
});

/** A random tree of depth ≤ maxDepth with consistent row counts (children sum to the parent). */
function randomTree(rng: Random, features: readonly GbdtFeature[], maxDepth: number): Tree {
  const nodes: TreeNode[] = [];
  const grow = (depth: number, count: number): number => {
    const j = nodes.length;
    nodes.push(leaf(0, count));
    if (depth >= maxDepth || count < 2 || rng.next() < 0.2) {
      nodes[j] = leaf(rng.normal(), count);
      return j;
    }
    const feature = rng.int(features.length);
    const leftCount = 1 + rng.int(count - 1);
    const left = grow(depth + 1, leftCount);
    const right = grow(depth + 1, count - leftCount);
    const common = { feature, missingLeft: rng.next() < 0.5, left, right, gain: 1, count };
    nodes[j] = features[feature].kind === 'numeric'
      ? { kind: 'numeric', threshold: rng.next() * 10, ...common }
      : { kind: 'categorical', leftCategories: [0, 1, 2].filter(() => rng.next() < 0.5), ...common };
    return j;
  };
  grow(0, 20 + rng.int(200));
  return { nodes };
}
