/**
 * Attribute partitions: each node serves a different segment of customers, e.g. lenders focused
 * on different age groups or housing situations. This is feature-distribution skew (Li et al.,
 * ICDE 2022, §III-B) along one real attribute instead of synthetic noise.
 *
 * Numeric and ordinal columns are cut into `numNodes` contiguous bands of whole values (a value
 * never straddles two nodes, so bands do not overlap) with row counts as even as the ties allow.
 * Unordered categorical columns are grouped by greedy largest-first assignment of categories to
 * the currently smallest node (LPT scheduling). Rows whose value is missing belong to no segment
 * and are dealt at random, evenly, over the nodes.
 */
import { ConfigError } from '../errors.js';
import type { Random } from '../math/random.js';
import type { Table } from './schema.js';

/** Which values of the attribute went to one node. */
export interface AttributeBand {
  readonly node: number;
  /** Numeric columns: smallest and largest value in the band. */
  readonly min?: number;
  readonly max?: number;
  /** Ordinal / categorical columns: the categories of the node. */
  readonly categories?: readonly string[];
  /** Rows of the node, missing-value rows included. */
  readonly numRows: number;
}

/** An attribute partition: rows per node (sorted) and the band each node received. */
export interface AttributePartition {
  readonly parts: Uint32Array[];
  readonly bands: AttributeBand[];
}

interface Group<K> {
  readonly key: K;
  readonly rows: number[];
}

/**
 * Cut ordered groups into `numNodes` contiguous bands: each band takes groups while that brings
 * it closer to (remaining rows) / (remaining nodes), always leaving one group per later band.
 */
function contiguousBands<K>(groups: Group<K>[], numNodes: number): Group<K>[][] {
  const bands: Group<K>[][] = [];
  let remaining = groups.reduce((n, g) => n + g.rows.length, 0);
  let i = 0;
  for (let node = 0; node < numNodes; node++) {
    const band: Group<K>[] = [];
    if (node === numNodes - 1) band.push(...groups.slice(i));
    else {
      const target = remaining / (numNodes - node);
      const lastAllowed = groups.length - (numNodes - node); // leave a group for each later band
      let size = 0;
      while (i <= lastAllowed) {
        const next = size + groups[i].rows.length;
        if (band.length > 0 && Math.abs(next - target) > Math.abs(size - target)) break;
        band.push(groups[i++]);
        size = next;
      }
    }
    remaining -= band.reduce((n, g) => n + g.rows.length, 0);
    bands.push(band);
  }
  return bands;
}

/** Greedy largest-first: each category, biggest first, goes to the node with the fewest rows. */
function balancedGroups<K>(groups: Group<K>[], numNodes: number): Group<K>[][] {
  const bands: Group<K>[][] = Array.from({ length: numNodes }, () => []);
  const sizes = new Array<number>(numNodes).fill(0);
  const order = [...groups].sort((a, b) => b.rows.length - a.rows.length);
  for (const g of order) {
    const node = sizes.indexOf(Math.min(...sizes));
    bands[node].push(g);
    sizes[node] += g.rows.length;
  }
  return bands;
}

function groupRows<K>(values: ArrayLike<K>, isMissing: (v: K) => boolean, compare?: (a: K, b: K) => number) {
  const byKey = new Map<K, number[]>();
  const missing: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (isMissing(v)) missing.push(i);
    else if (byKey.has(v)) byKey.get(v)!.push(i);
    else byKey.set(v, [i]);
  }
  const groups = [...byKey].map(([key, rows]) => ({ key, rows }));
  if (compare) groups.sort((a, b) => compare(a.key, b.key));
  return { groups, missing };
}

/**
 * Partition rows by the values of `column` (see the module comment). Throws `ConfigError` for
 * an unknown column and `RangeError` when the column has fewer distinct values than nodes.
 *
 * @example
 * const { bands } = partitionByAttribute(table, 'age', 3, rng); // e.g. 19–28, 29–38, 39–75
 */
export function partitionByAttribute(table: Table, column: string, numNodes: number, rng: Random): AttributePartition {
  const spec = table.schema.columns.find((c) => c.name === column);
  if (!spec) {
    const names = table.schema.columns.map((c) => c.name).join(', ');
    throw new ConfigError(`attr:${column}: no column "${column}" in schema "${table.schema.name}"; columns: ${names}`, 'PARTITION_SPEC');
  }
  let bands: Group<number | string>[][];
  let missing: number[];
  if (spec.kind === 'numeric') {
    const grouped = groupRows<number>(table.numeric[column], Number.isNaN, (a, b) => a - b);
    missing = grouped.missing;
    checkDistinct(grouped.groups.length, numNodes, column);
    bands = contiguousBands<number | string>(grouped.groups, numNodes);
  } else {
    const order = spec.categories ?? [];
    const rank = (v: string) => (order.indexOf(v) === -1 ? order.length : order.indexOf(v));
    const compare = (a: string, b: string) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
    const grouped = groupRows<string | null>(table.categorical[column], (v) => v === null, (a, b) => compare(a!, b!));
    missing = grouped.missing;
    checkDistinct(grouped.groups.length, numNodes, column);
    const groups = grouped.groups as Group<string>[];
    bands = spec.kind === 'ordinal' ? contiguousBands<string>(groups, numNodes) : balancedGroups<string>(groups, numNodes);
  }
  const parts = bands.map((band) => band.flatMap((g) => g.rows));
  rng.shuffle(missing);
  missing.forEach((row, t) => parts[t % numNodes].push(row));
  return {
    parts: parts.map((rows) => Uint32Array.from(rows).sort()),
    bands: bands.map((band, node) => {
      const keys = band.map((g) => g.key);
      const numRows = parts[node].length;
      return spec.kind === 'numeric'
        ? { node, min: keys[0] as number, max: keys[keys.length - 1] as number, numRows }
        : { node, categories: keys as string[], numRows };
    }),
  };
}

function checkDistinct(numDistinct: number, numNodes: number, column: string): void {
  if (numDistinct < numNodes) {
    throw new RangeError(
      `numNodes: column "${column}" has ${numDistinct} distinct values, too few for ${numNodes} non-overlapping segments`,
    );
  }
}
