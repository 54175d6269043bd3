/**
 * Non-IID partitions driven by a Dirichlet draw, as used to benchmark federated learning on
 * heterogeneous silos (Li, Diao, Chen & He, "Federated Learning on Non-IID Data Silos: An
 * Experimental Study", ICDE 2022, §III-A; Dirichlet label skew after Hsu, Qi & Brown 2019 and
 * Yurochkin et al. 2019):
 *
 * - label skew: for each class, proportions over nodes p ~ Dir(α) and that class's rows are cut
 *   at the cumulative proportions, so small α gives nodes dominated by one class;
 * - quantity skew: node sizes ∝ q ~ Dir(α) (not rank^-α), rows dealt at random, so label ratios
 *   stay close to the global one while sizes vary.
 *
 * Unlike the reference code, which redraws until every node has ≥ 10 rows (and may loop for ever
 * at small α with many nodes), a floor is reserved before drawing: every node gets
 * min(minPerClass, ⌊n_c/N⌋) rows of each class c and at least min(minRows, ⌊n/N⌋) rows, so
 * each lender can train locally. The floor dilutes the skew slightly on small data.
 */
import type { Random } from '../math/random.js';
import { indicesByClass } from './split.js';

/** Minimum rows a partition must give each node, when the data allow it. */
export interface PartitionFloor {
  /** Rows per node (default 10), capped at ⌊numRows / numNodes⌋. */
  readonly minRowsPerNode: number;
  /** Rows of each class per node (default 2), capped at ⌊classRows / numNodes⌋. */
  readonly minPerClassPerNode: number;
}

/** Cut `total` items into `proportions.length` counts at the rounded cumulative proportions. */
function cutCounts(total: number, proportions: Float64Array): number[] {
  const counts: number[] = [];
  let cumulative = 0;
  let previous = 0;
  for (let j = 0; j < proportions.length; j++) {
    cumulative += proportions[j];
    const boundary = j === proportions.length - 1 ? total : Math.min(total, Math.round(cumulative * total));
    counts.push(boundary - previous);
    previous = boundary;
  }
  return counts;
}

/**
 * Dir(α) proportions over k nodes. For tiny α every Gamma(α) draw can underflow to 0 and the
 * normalized vector becomes NaN; as α → 0 Dir(α) tends to a point mass on a uniformly chosen
 * node, which is what is returned then.
 */
function proportions(alpha: number, k: number, rng: Random): Float64Array {
  const p = rng.dirichlet(alpha, k);
  if (p.every(Number.isFinite)) return p;
  const oneHot = new Float64Array(k);
  oneHot[rng.int(k)] = 1;
  return oneHot;
}

/** Per node, per class: row indices. Class floors are dealt first from each shuffled class. */
function reserveClassFloors(labels: Uint8Array, numNodes: number, floor: PartitionFloor, rng: Random) {
  const groups = indicesByClass(labels);
  const byNode: number[][][] = Array.from({ length: numNodes }, () => groups.map(() => []));
  const rest: number[][] = [];
  const classFloors: number[] = [];
  groups.forEach((group, c) => {
    rng.shuffle(group);
    const perNode = Math.min(floor.minPerClassPerNode, Math.floor(group.length / numNodes));
    classFloors.push(perNode);
    let at = 0;
    for (let j = 0; j < numNodes; j++) for (let t = 0; t < perNode; t++) byNode[j][c].push(group[at++]);
    rest.push(Array.from(group.subarray(at)));
  });
  return { byNode, rest, classFloors };
}

function effectiveMinRows(numRows: number, numNodes: number, floor: PartitionFloor, classFloors: number[]): number {
  const sumClassFloors = classFloors.reduce((a, b) => a + b, 0);
  // Σ_c ⌊n_c/N⌋ ≤ ⌊n/N⌋, so this never exceeds what the data allow.
  return Math.max(Math.min(floor.minRowsPerNode, Math.floor(numRows / numNodes)), sumClassFloors);
}

function flatten(byNode: number[][][]): Uint32Array[] {
  return byNode.map((classes) => Uint32Array.from(classes.flat()).sort());
}

/** Dirichlet label skew over `numNodes` nodes; returns each node's row indices, sorted. */
export function dirichletLabelSkew(
  labels: Uint8Array,
  numNodes: number,
  alpha: number,
  floor: PartitionFloor,
  rng: Random,
): Uint32Array[] {
  const { byNode, rest, classFloors } = reserveClassFloors(labels, numNodes, floor, rng);
  rest.forEach((rows, c) => {
    const counts = cutCounts(rows.length, proportions(alpha, numNodes, rng));
    let at = 0;
    for (let j = 0; j < numNodes; j++) for (let t = 0; t < counts[j]; t++) byNode[j][c].push(rows[at++]);
  });
  topUp(byNode, classFloors, effectiveMinRows(labels.length, numNodes, floor, classFloors), rng);
  return flatten(byNode);
}

/**
 * Move single rows from the largest node to nodes under `minRows`, taking the donor's class with
 * the largest surplus over its floor (so the donor's skew changes least and no class floor is
 * broken). Terminates because Σ sizes ≥ N · minRows: while a node is short another is long.
 */
function topUp(byNode: number[][][], classFloors: number[], minRows: number, rng: Random): void {
  const size = (j: number) => byNode[j].reduce((n, rows) => n + rows.length, 0);
  for (;;) {
    const sizes = byNode.map((_, j) => size(j));
    const recipient = sizes.findIndex((s) => s < minRows);
    if (recipient === -1) return;
    const donor = sizes.indexOf(Math.max(...sizes));
    let cls = 0;
    for (let c = 1; c < classFloors.length; c++) {
      if (byNode[donor][c].length - classFloors[c] > byNode[donor][cls].length - classFloors[cls]) cls = c;
    }
    const rows = byNode[donor][cls];
    const pick = rng.int(rows.length);
    const row = rows[pick];
    rows[pick] = rows[rows.length - 1];
    rows.pop();
    byNode[recipient][cls].push(row);
  }
}

/** Dirichlet quantity skew over `numNodes` nodes; returns each node's row indices, sorted. */
export function dirichletQuantitySkew(
  labels: Uint8Array,
  numNodes: number,
  alpha: number,
  floor: PartitionFloor,
  rng: Random,
): Uint32Array[] {
  const { byNode, rest, classFloors } = reserveClassFloors(labels, numNodes, floor, rng);
  const minRows = effectiveMinRows(labels.length, numNodes, floor, classFloors);
  const reserved = classFloors.reduce((a, b) => a + b, 0);
  const pool = rng.shuffle(rest.flat());
  const extra = cutCounts(labels.length - numNodes * minRows, proportions(alpha, numNodes, rng));
  let at = 0;
  for (let j = 0; j < numNodes; j++) {
    // Pooled rows carry their own class, but only the node's total matters here, so they go in
    // class slot 0; flatten() ignores the per-class split.
    const fill = minRows - reserved + extra[j];
    for (let t = 0; t < fill; t++) byNode[j][0].push(pool[at++]);
  }
  return flatten(byNode);
}
