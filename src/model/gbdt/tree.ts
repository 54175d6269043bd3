/**
 * One regression tree over raw features, as an array of nodes (root first, children always
 * after their parent). A numeric split sends a row left when its value is below `threshold`; a
 * categorical split when its category index is in `leftCategories`; a missing value goes left
 * when `missingLeft`. `count` is the number of training rows that reached the node (summed over
 * the federation): TreeSHAP's cover. `gain` is the loss reduction the split brought.
 */
import { GBDT_LIMITS } from './params.js';
import type { GbdtFeature } from './features.js';

/** Left iff value < threshold. */
export interface NumericSplit {
  readonly kind: 'numeric';
  readonly feature: number;
  readonly threshold: number;
  readonly missingLeft: boolean;
  readonly left: number;
  readonly right: number;
  readonly gain: number;
  readonly count: number;
}

/** Left iff the category index is in `leftCategories` (sorted ascending). */
export interface CategoricalSplit {
  readonly kind: 'categorical';
  readonly feature: number;
  readonly leftCategories: readonly number[];
  readonly missingLeft: boolean;
  readonly left: number;
  readonly right: number;
  readonly gain: number;
  readonly count: number;
}

/** A leaf adds `value` (learning rate included) to the margin. */
export interface Leaf {
  readonly kind: 'leaf';
  readonly value: number;
  readonly count: number;
}

/** A node of a {@link Tree}: a split on a numeric or categorical feature, or a leaf. */
export type TreeNode = NumericSplit | CategoricalSplit | Leaf;

/** A tree: `nodes[0]` is the root. */
export interface Tree {
  readonly nodes: readonly TreeNode[];
}

/** Most nodes a tree of the maximum depth can have. */
export const MAX_TREE_NODES = 2 ** (GBDT_LIMITS.maxDepth + 1) - 1;

/**
 * A tree flattened into typed arrays for fast routing: `feature[j] < 0` marks a leaf,
 * categorical splits carry a 0/1 mask over category indices.
 */
export interface CompiledTree {
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  readonly masks: readonly (Uint8Array | undefined)[];
  readonly missingLeft: Uint8Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly value: Float64Array;
}

/** Flatten a (validated) tree; `features` gives each categorical feature's category count. */
export function compileTree(tree: Tree, features: readonly GbdtFeature[]): CompiledTree {
  const n = tree.nodes.length;
  const out = {
    feature: new Int32Array(n).fill(-1), threshold: new Float64Array(n), masks: new Array<Uint8Array | undefined>(n),
    missingLeft: new Uint8Array(n), left: new Int32Array(n), right: new Int32Array(n), value: new Float64Array(n),
  };
  tree.nodes.forEach((node, j) => {
    if (node.kind === 'leaf') { out.value[j] = node.value; return; }
    out.feature[j] = node.feature;
    out.missingLeft[j] = node.missingLeft ? 1 : 0;
    out.left[j] = node.left;
    out.right[j] = node.right;
    if (node.kind === 'numeric') out.threshold[j] = node.threshold;
    else {
      const f = features[node.feature];
      const mask = new Uint8Array(f.kind === 'categorical' ? f.categories.length : 0);
      for (const c of node.leftCategories) mask[c] = 1;
      out.masks[j] = mask;
    }
  });
  return out;
}

/** Index of the leaf that row `row` of a row-major raw matrix (`cols` columns) reaches. */
export function leafOf(tree: CompiledTree, data: Float64Array, row: number, cols: number): number {
  const base = row * cols;
  let j = 0;
  while (tree.feature[j] >= 0) {
    const v = data[base + tree.feature[j]];
    const mask = tree.masks[j];
    const goLeft = Number.isNaN(v) ? tree.missingLeft[j] === 1 : mask ? mask[v] === 1 : v < tree.threshold[j];
    j = goLeft ? tree.left[j] : tree.right[j];
  }
  return j;
}

/** Depth of the deepest leaf (a single leaf has depth 0). */
export function treeDepth(tree: Tree): number {
  const depth = new Int32Array(tree.nodes.length);
  let max = 0;
  tree.nodes.forEach((node, j) => {
    if (node.kind === 'leaf') return;
    depth[node.left] = depth[node.right] = depth[j] + 1;
    max = Math.max(max, depth[j] + 1);
  });
  return max;
}

/**
 * Parse a tree received from the network or a file, checking it against `features`: node
 * kinds, feature indices and kinds, finite thresholds, values and counts, category indices in
 * range, children after their parent and each node reached exactly once, depth ≤ 6. Throws
 * TypeError naming the offending node.
 */
export function parseTree(value: unknown, features: readonly GbdtFeature[]): Tree {
  const nodes = (value as { nodes?: unknown })?.nodes;
  if (!Array.isArray(nodes) || nodes.length === 0 || nodes.length > MAX_TREE_NODES) throw new TypeError(`tree.nodes: expected an array of 1 to ${MAX_TREE_NODES} nodes`);
  const parents = new Int32Array(nodes.length).fill(-1);
  const out: TreeNode[] = nodes.map((raw: unknown, j) => {
    const n = raw as Record<string, unknown>;
    const where = `tree.nodes[${j}]`;
    if (typeof n !== 'object' || n === null) throw new TypeError(`${where}: expected an object`);
    const count = finite(n.count, `${where}.count`);
    if (count < 0) throw new TypeError(`${where}.count: expected ≥ 0`);
    if (n.kind === 'leaf') return { kind: 'leaf', value: finite(n.value, `${where}.value`), count };
    if (n.kind !== 'numeric' && n.kind !== 'categorical') throw new TypeError(`${where}.kind: expected "numeric", "categorical" or "leaf"`);
    const feature = n.feature;
    if (typeof feature !== 'number' || !Number.isInteger(feature) || feature < 0 || feature >= features.length) throw new TypeError(`${where}.feature: expected an index below ${features.length}`);
    if (features[feature].kind !== n.kind) throw new TypeError(`${where}: a ${n.kind} split on ${features[feature].kind} feature ${feature}`);
    if (typeof n.missingLeft !== 'boolean') throw new TypeError(`${where}.missingLeft: expected true or false`);
    for (const side of ['left', 'right'] as const) {
      const c = n[side];
      if (typeof c !== 'number' || !Number.isInteger(c) || c <= j || c >= nodes.length || parents[c] !== -1) throw new TypeError(`${where}.${side}: expected an unused node index after ${j}`);
      parents[c] = j;
    }
    const common = { feature, missingLeft: n.missingLeft, left: n.left as number, right: n.right as number, gain: finite(n.gain, `${where}.gain`), count };
    if (n.kind === 'numeric') return { kind: 'numeric', threshold: finite(n.threshold, `${where}.threshold`), ...common };
    const f = features[feature] as Extract<GbdtFeature, { kind: 'categorical' }>;
    const cats = n.leftCategories;
    if (!Array.isArray(cats) || !cats.every((c, k) => Number.isInteger(c) && c >= 0 && c < f.categories.length && (k === 0 || c > cats[k - 1]))) {
      throw new TypeError(`${where}.leftCategories: expected increasing category indices below ${f.categories.length}`);
    }
    return { kind: 'categorical', leftCategories: [...(cats as number[])], ...common };
  });
  for (let j = 1; j < nodes.length; j++) if (parents[j] === -1) throw new TypeError(`tree.nodes[${j}]: not reached from the root`);
  const tree = { nodes: out };
  if (treeDepth(tree) > GBDT_LIMITS.maxDepth) throw new TypeError(`tree: deeper than ${GBDT_LIMITS.maxDepth}`);
  return tree;
}

function finite(v: unknown, name: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError(`${name}: expected a finite number`);
  return v;
}
