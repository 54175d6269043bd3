/**
 * Exact path-dependent TreeSHAP (Lundberg, Erion & Lee 2018, "Consistent Individualized Feature
 * Attribution for Tree Ensembles", Algorithm 2; Lundberg et al. 2020, Nature Machine
 * Intelligence 2:56–67), following the reference implementation's EXTEND / UNWIND /
 * UNWOUND-SUM (shap's tree_shap.h): the Shapley values of the margin with the conditional
 * expectation E[f(x) | x_S] estimated by the tree itself (at a split on a feature outside S,
 * average both children weighted by their training row counts). Per row and tree this costs
 * O(L·D²) for L leaves and depth D instead of the 2^M subsets of the definition.
 *
 * Contributions add up exactly (up to rounding): Σ_i φ_i(x) + E[f] = f(x), with E[f] from
 * {@link treeExpectedValue}; for an ensemble, the base margin joins the expected value.
 */
import type { Matrix } from '../../math/linalg.js';
import { checkRaw } from './features.js';
import type { TreeEnsemble } from './ensemble.js';
import { treeDepth, type Tree, type TreeNode } from './tree.js';

/** Whether a row with value `v` of the split's feature goes left (the same rule as prediction). */
export function goesLeft(node: Exclude<TreeNode, { kind: 'leaf' }>, v: number): boolean {
  if (Number.isNaN(v)) return node.missingLeft;
  return node.kind === 'numeric' ? v < node.threshold : node.leftCategories.includes(v);
}

/** The share of a parent's rows that went to `child` (½ for an empty parent, never NaN). */
function fraction(tree: Tree, child: number, parent: number): number {
  const n = tree.nodes[parent].count;
  return n > 0 ? tree.nodes[child].count / n : 0.5;
}

/** E[f]: leaf values averaged with the path products of the row-count fractions. */
export function treeExpectedValue(tree: Tree): number {
  const visit = (j: number): number => {
    const node = tree.nodes[j];
    if (node.kind === 'leaf') return node.value;
    return fraction(tree, node.left, j) * visit(node.left) + fraction(tree, node.right, j) * visit(node.right);
  };
  return visit(0);
}

/** The unique path of features met so far (one segment per recursion level in shared buffers). */
interface Path {
  readonly feature: Int32Array;
  readonly zero: Float64Array;
  readonly one: Float64Array;
  readonly weight: Float64Array;
}

function extend(p: Path, s: number, depth: number, zero: number, one: number, feature: number): void {
  p.feature[s + depth] = feature;
  p.zero[s + depth] = zero;
  p.one[s + depth] = one;
  p.weight[s + depth] = depth === 0 ? 1 : 0;
  for (let i = depth - 1; i >= 0; i--) {
    p.weight[s + i + 1] += (one * p.weight[s + i] * (i + 1)) / (depth + 1);
    p.weight[s + i] = (zero * p.weight[s + i] * (depth - i)) / (depth + 1);
  }
}

function unwind(p: Path, s: number, depth: number, index: number): void {
  const one = p.one[s + index], zero = p.zero[s + index];
  let next = p.weight[s + depth];
  for (let i = depth - 1; i >= 0; i--) {
    if (one !== 0) {
      const tmp = p.weight[s + i];
      p.weight[s + i] = (next * (depth + 1)) / ((i + 1) * one);
      next = tmp - (p.weight[s + i] * zero * (depth - i)) / (depth + 1);
    } else {
      p.weight[s + i] = (p.weight[s + i] * (depth + 1)) / (zero * (depth - i));
    }
  }
  for (let i = index; i < depth; i++) {
    p.feature[s + i] = p.feature[s + i + 1];
    p.zero[s + i] = p.zero[s + i + 1];
    p.one[s + i] = p.one[s + i + 1];
  }
}

function unwoundSum(p: Path, s: number, depth: number, index: number): number {
  const one = p.one[s + index], zero = p.zero[s + index];
  let next = p.weight[s + depth];
  let total = 0;
  for (let i = depth - 1; i >= 0; i--) {
    if (one !== 0) {
      const tmp = (next * (depth + 1)) / ((i + 1) * one);
      total += tmp;
      next = p.weight[s + i] - tmp * zero * ((depth - i) / (depth + 1));
    } else if (zero !== 0) {
      total += p.weight[s + i] / zero / ((depth - i) / (depth + 1));
    }
  }
  return total;
}

/**
 * Add the TreeSHAP contributions of one tree for one row (`row[f]` = raw value of feature f,
 * NaN = missing) to `phi` (one entry per feature).
 */
export function treeShap(tree: Tree, row: ArrayLike<number>, phi: Float64Array): void {
  shapInto(tree, row, phi, pathFor(treeDepth(tree)));
}

/** Path buffers for trees of depth ≤ maxDepth: one segment per recursion level. */
function pathFor(maxDepth: number): Path {
  const size = ((maxDepth + 2) * (maxDepth + 3)) / 2 + 2;
  return { feature: new Int32Array(size), zero: new Float64Array(size), one: new Float64Array(size), weight: new Float64Array(size) };
}

function shapInto(tree: Tree, row: ArrayLike<number>, phi: Float64Array, path: Path): void {
  const recurse = (j: number, depth: number, parentStart: number, zero: number, one: number, feature: number): void => {
    const s = parentStart + depth + 1;
    for (let i = 0; i <= depth; i++) {
      path.feature[s + i] = path.feature[parentStart + i];
      path.zero[s + i] = path.zero[parentStart + i];
      path.one[s + i] = path.one[parentStart + i];
      path.weight[s + i] = path.weight[parentStart + i];
    }
    extend(path, s, depth, zero, one, feature);
    const node = tree.nodes[j];
    if (node.kind === 'leaf') {
      for (let i = 1; i <= depth; i++) {
        const w = unwoundSum(path, s, depth, i);
        phi[path.feature[s + i]] += w * (path.one[s + i] - path.zero[s + i]) * node.value;
      }
      return;
    }
    const left = goesLeft(node, row[node.feature]);
    const hot = left ? node.left : node.right;
    const cold = left ? node.right : node.left;
    let incomingZero = 1, incomingOne = 1;
    let k = 0;
    while (k <= depth && path.feature[s + k] !== node.feature) k++;
    if (k <= depth) {
      // The feature was split on above: undo that path element and redo it here.
      incomingZero = path.zero[s + k];
      incomingOne = path.one[s + k];
      unwind(path, s, depth, k);
      depth -= 1;
    }
    recurse(hot, depth + 1, s, fraction(tree, hot, j) * incomingZero, incomingOne, node.feature);
    recurse(cold, depth + 1, s, fraction(tree, cold, j) * incomingZero, 0, node.feature);
  };
  // The root's path element is a dummy (feature −1) with fractions 1, as in the reference.
  recurse(0, 0, 0, 1, 1, -1);
}

/** Per-row TreeSHAP of an ensemble's margin. */
export interface EnsembleExplanation {
  /** E[margin]: the base margin plus every tree's expected value. */
  readonly expectedValue: number;
  /** rows × features, row-major: contribution of each feature to each row's margin. */
  readonly contributions: Float64Array;
  /** The margins themselves (expectedValue + a row's contributions, up to rounding). */
  readonly margins: Float64Array;
}

/**
 * TreeSHAP contributions of every row of a raw matrix to the ensemble's margin.
 *
 * @example
 * const { expectedValue, contributions } = explainEnsemble(model, rawMatrix(model.features, table));
 */
export function explainEnsemble(ensemble: TreeEnsemble, raw: Matrix): EnsembleExplanation {
  checkRaw(ensemble.features, raw, 'raw');
  const numFeatures = raw.cols;
  const contributions = new Float64Array(raw.rows * numFeatures);
  let expectedValue = ensemble.baseMargin;
  for (const tree of ensemble.trees) expectedValue += treeExpectedValue(tree);
  const path = pathFor(Math.max(0, ...ensemble.trees.map(treeDepth)));
  for (let i = 0; i < raw.rows; i++) {
    const row = raw.data.subarray(i * numFeatures, (i + 1) * numFeatures);
    const phi = contributions.subarray(i * numFeatures, (i + 1) * numFeatures);
    for (const tree of ensemble.trees) shapInto(tree, row, phi, path);
  }
  return { expectedValue, contributions, margins: ensemble.predictMargin(raw) };
}
