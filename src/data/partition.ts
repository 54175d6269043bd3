/**
 * Split one table's rows among simulated lenders (nodes): IID, Dirichlet label skew, Dirichlet
 * quantity skew, or segments of one attribute. Simulations and benchmarks use these to test
 * strategies on the heterogeneity real consortia have; every scheme is deterministic for a
 * given generator state and assigns every row to exactly one node.
 */
import { ConfigError } from '../errors.js';
import type { Random } from '../math/random.js';
import { parseDecimal } from './cells.js';
import { partitionByAttribute } from './partitionAttr.js';
import { dirichletLabelSkew, dirichletQuantitySkew, type PartitionFloor } from './partitionSkew.js';
import type { Table } from './schema.js';

/** How to partition rows among nodes (see {@link parsePartitionSpec} for the text forms). */
export type PartitionSpec =
  | { readonly scheme: 'iid' }
  | { readonly scheme: 'dirichlet'; readonly alpha: number }
  | { readonly scheme: 'quantity'; readonly alpha: number }
  | { readonly scheme: 'attr'; readonly column: string };

/** Minimum rows per node for the Dirichlet schemes (capped by what the data allow). */
export type PartitionOptions = Partial<PartitionFloor>;

const FORMS = "'iid', 'dirichlet:ALPHA' (label skew), 'quantity:ALPHA' (size skew) or 'attr:COLUMN', with ALPHA > 0";

/**
 * Parse a partition spec as written on the command line.
 *
 * @example parsePartitionSpec('dirichlet:0.5') // { scheme: 'dirichlet', alpha: 0.5 }
 */
export function parsePartitionSpec(text: string): PartitionSpec {
  if (typeof text !== 'string') throw new TypeError(`spec: expected a string such as ${FORMS}`);
  const trimmed = text.trim();
  const colon = trimmed.indexOf(':');
  const scheme = colon === -1 ? trimmed : trimmed.slice(0, colon);
  const arg = colon === -1 ? undefined : trimmed.slice(colon + 1).trim();
  const fail = (why: string) => new ConfigError(`partition "${text}": ${why}; expected ${FORMS}`, 'PARTITION_SPEC');
  switch (scheme) {
    case 'iid':
      if (arg !== undefined) throw fail("'iid' takes no argument");
      return { scheme };
    case 'dirichlet':
    case 'quantity': {
      const alpha = arg === undefined ? undefined : parseDecimal(arg);
      if (alpha === undefined || !(alpha > 0)) throw fail(`ALPHA must be a positive number, got ${JSON.stringify(arg ?? '')}`);
      return { scheme, alpha };
    }
    case 'attr':
      if (!arg) throw fail("'attr' needs a column name");
      return { scheme, column: arg };
    default:
      throw fail(`unknown scheme ${JSON.stringify(scheme)}`);
  }
}

/** The text form of a spec, inverse of {@link parsePartitionSpec}. */
export function formatPartitionSpec(spec: PartitionSpec): string {
  switch (spec.scheme) {
    case 'iid':
      return 'iid';
    case 'dirichlet':
    case 'quantity':
      return `${spec.scheme}:${spec.alpha}`;
    case 'attr':
      return `attr:${spec.column}`;
  }
}

function checkSpec(spec: PartitionSpec): void {
  if (!spec || typeof spec !== 'object') throw new TypeError(`spec: expected a PartitionSpec: ${FORMS}`);
  if (spec.scheme === 'dirichlet' || spec.scheme === 'quantity') {
    if (typeof spec.alpha !== 'number' || !Number.isFinite(spec.alpha) || spec.alpha <= 0) {
      throw new RangeError(`spec.alpha: expected a finite number > 0, got ${spec.alpha}`);
    }
  } else if (spec.scheme === 'attr') {
    if (typeof spec.column !== 'string' || spec.column === '') throw new TypeError('spec.column: expected a column name');
  } else if (spec.scheme !== 'iid') {
    throw new RangeError(`spec.scheme: expected one of ${FORMS}, got ${JSON.stringify((spec as { scheme: unknown }).scheme)}`);
  }
}

function checkFloor(options: PartitionOptions): PartitionFloor {
  const floor = { minRowsPerNode: options.minRowsPerNode ?? 10, minPerClassPerNode: options.minPerClassPerNode ?? 2 };
  for (const [name, value] of Object.entries(floor)) {
    if (!Number.isInteger(value) || value < 0) throw new RangeError(`options.${name}: expected an integer ≥ 0, got ${value}`);
  }
  return floor;
}

/** IID: shuffle, then deal contiguous chunks whose sizes differ by at most one. */
function iid(numRows: number, numNodes: number, rng: Random): Uint32Array[] {
  const order = rng.permutation(numRows);
  const parts: Uint32Array[] = [];
  for (let j = 0; j < numNodes; j++) {
    const start = Math.floor((j * numRows) / numNodes);
    const end = Math.floor(((j + 1) * numRows) / numNodes);
    parts.push(order.slice(start, end).sort());
  }
  return parts;
}

/**
 * Row indices of each of `numNodes` nodes, each sorted ascending; together they cover every row
 * exactly once. The Dirichlet schemes keep a floor of rows per node (see `partitionSkew.ts`).
 *
 * @example
 * const parts = partition(table, parsePartitionSpec('dirichlet:0.5'), 5, deriveRandom(seed, 'partition'));
 * const nodeTables = parts.map((rows) => selectRows(table, rows));
 */
export function partition(table: Table, spec: PartitionSpec, numNodes: number, rng: Random, options: PartitionOptions = {}): Uint32Array[] {
  if (!table || !(table.label instanceof Uint8Array)) throw new TypeError('table: expected a loaded Table');
  checkSpec(spec);
  if (!Number.isInteger(numNodes) || numNodes < 1) throw new RangeError(`numNodes: expected a positive integer, got ${numNodes}`);
  if (numNodes > table.numRows) throw new RangeError(`numNodes: ${numNodes} nodes but only ${table.numRows} rows`);
  if (!rng || typeof rng.shuffle !== 'function') throw new TypeError('rng: expected a Random (see deriveRandom)');
  const floor = checkFloor(options);
  switch (spec.scheme) {
    case 'iid':
      return iid(table.numRows, numNodes, rng);
    case 'dirichlet':
      return dirichletLabelSkew(table.label, numNodes, spec.alpha, floor, rng);
    case 'quantity':
      return dirichletQuantitySkew(table.label, numNodes, spec.alpha, floor, rng);
    case 'attr':
      return partitionByAttribute(table, spec.column, numNodes, rng).parts;
  }
}

/** Size and bad rate of one node's share of the data. */
export interface PartShare {
  readonly numRows: number;
  readonly numBad: number;
  /** numBad / numRows (NaN for an empty part). */
  readonly badRate: number;
}

/** Size and bad rate of each part, for logs and skew reports. */
export function describePartition(labels: Uint8Array, parts: readonly Uint32Array[]): PartShare[] {
  if (!(labels instanceof Uint8Array)) throw new TypeError('labels: expected a Uint8Array');
  return parts.map((rows) => {
    let numBad = 0;
    for (const i of rows) {
      if (i >= labels.length) throw new RangeError(`parts: row index ${i} out of range for ${labels.length} labels`);
      numBad += labels[i];
    }
    return { numRows: rows.length, numBad, badRate: numBad / rows.length };
  });
}
