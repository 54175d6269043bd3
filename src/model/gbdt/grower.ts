/**
 * Level-wise growth of one tree from summed histograms: the part of boosting that decides
 * (split finding and leaf values), shared by the federated coordinator and by local training so
 * both grow the very same tree from the same sums. The grower never sees a row: each level it
 * names the open tree nodes, receives one histogram per open node (summed over whoever holds the
 * rows), and splits them or turns them into leaves. Children at the maximum depth, and children
 * too small to split again, become leaves at once, so a tree of depth D needs at most D
 * histogram requests.
 */
import type { BinLayout, GbdtFeature } from './features.js';
import type { GbdtParams } from './params.js';
import { findBestSplit, HIST_STRIDE, histogramTotals, leafWeight, type NodeTotals } from './split.js';
import type { Tree, TreeNode } from './tree.js';

interface GrowingNode {
  node: TreeNode | undefined; // undefined while open
  depth: number;
  totals: NodeTotals | undefined; // unknown for the root until its histogram arrives
}

/** Grows one tree; see the module doc. */
export class TreeGrower {
  private readonly features: readonly GbdtFeature[];
  private readonly layout: BinLayout;
  private readonly params: GbdtParams;
  private readonly nodes: GrowingNode[] = [{ node: undefined, depth: 0, totals: undefined }];
  private open: number[] = [0];

  constructor(features: readonly GbdtFeature[], layout: BinLayout, params: GbdtParams) {
    this.features = features;
    this.layout = layout;
    this.params = params;
  }

  /** Tree nodes waiting for a histogram, in the order their histograms are expected. */
  get openNodes(): readonly number[] {
    return this.open;
  }

  /** True when every node is a split or a leaf. */
  get done(): boolean {
    return this.open.length === 0;
  }

  /** Rows of the fullest open node, or undefined while one's count is unknown (the root before its histogram). */
  get maxOpenCount(): number | undefined {
    let max = 0;
    for (const id of this.open) {
      const totals = this.nodes[id].totals;
      if (!totals) return undefined;
      max = Math.max(max, totals.count);
    }
    return max;
  }

  /** Length of the summed histogram vector {@link applyHistograms} expects. */
  get histogramLength(): number {
    return this.open.length * this.layout.totalBins * HIST_STRIDE;
  }

  /** The tree so far, open nodes shown as leaves of value 0 (what nodes route rows through). */
  partialTree(): Tree {
    return { nodes: this.nodes.map((n) => n.node ?? { kind: 'leaf', value: 0, count: n.totals?.count ?? 0 }) };
  }

  /** Split or close every open node from its summed histogram (open nodes' order, concatenated). */
  applyHistograms(summed: Float64Array): void {
    if (this.done) throw new RangeError('applyHistograms: the tree has no open node');
    if (!(summed instanceof Float64Array) || summed.length !== this.histogramLength) throw new RangeError(`summed: expected a Float64Array of length ${this.histogramLength}`);
    const stride = this.layout.totalBins * HIST_STRIDE;
    const next: number[] = [];
    this.open.forEach((id, slot) => {
      const g = this.nodes[id];
      const totals = g.totals ?? histogramTotals(summed, slot * stride, this.layout);
      g.totals = totals;
      const split = findBestSplit(summed, slot * stride, this.features, this.layout, totals, this.params);
      if (!split) { this.closeAsLeaf(id); return; }
      const left = this.addChild(split.left, g.depth + 1);
      const right = this.addChild(split.right, g.depth + 1);
      const common = { feature: split.feature, missingLeft: split.missingLeft, left, right, gain: split.gain, count: totals.count };
      const f = this.features[split.feature];
      g.node = f.kind === 'numeric'
        ? { kind: 'numeric', threshold: f.edges[split.thresholdBin], ...common }
        : { kind: 'categorical', leftCategories: split.leftCategories, ...common };
      for (const child of [left, right]) {
        if (this.canSplit(this.nodes[child])) next.push(child);
        else this.closeAsLeaf(child);
      }
    });
    this.open = next;
  }

  /** The finished tree (every open node is closed as a leaf first). */
  finish(): Tree {
    for (const id of this.open) this.closeAsLeaf(id);
    this.open = [];
    return { nodes: this.nodes.map((n) => n.node!) };
  }

  private addChild(totals: NodeTotals, depth: number): number {
    this.nodes.push({ node: undefined, depth, totals });
    return this.nodes.length - 1;
  }

  /** A node may split if it is above the maximum depth and both children could be non-empty and heavy enough. */
  private canSplit(g: GrowingNode): boolean {
    const t = g.totals!;
    return g.depth < this.params.maxDepth && t.count >= 2 && t.hessian >= 2 * this.params.minChildWeight;
  }

  private closeAsLeaf(id: number): void {
    const g = this.nodes[id];
    const totals = g.totals ?? { gradient: 0, hessian: 0, count: 0 };
    g.node = { kind: 'leaf', value: leafWeight(totals, this.params), count: totals.count };
  }
}
