/**
 * Loading a simulation's data and dealing it out to simulated lenders: partition the rows
 * among nodes (which lender owns which customer), then split each node's rows into train and
 * test (stratified), or into K folds for cross-validation.
 */
import { builtinDataPath, getBuiltinSchema } from '../data/builtin/index.js';
import { loadCsv } from '../data/csv.js';
import { inferSchema } from '../data/infer.js';
import { formatSchemaSummary } from '../data/summary.js';
import { partition } from '../data/partition.js';
import { selectRows, type Table } from '../data/schema.js';
import { stratifiedKFold, stratifiedSplit } from '../data/split.js';
import { deriveRandom } from '../math/random.js';
import type { NodeDataset } from '../node/jobContext.js';
import type { DatasetSource, SimulationOptions } from './options.js';

/** A loaded source and, for inferred schemas, the summary to show the user. */
export interface LoadedData {
  readonly table: Table;
  readonly datasetKey: string;
  readonly inferredSummary?: string;
}

/** Load a built-in dataset or a CSV (inferring its schema). */
export function loadSource(source: DatasetSource): LoadedData {
  if ('builtin' in source) {
    const schema = getBuiltinSchema(source.builtin);
    return { table: loadCsv(builtinDataPath(source.builtin), schema), datasetKey: source.builtin };
  }
  const { schema, summary } = inferSchema(source.file, { target: source.target, bad: source.bad, id: source.id });
  return { table: loadCsv(source.file, schema), datasetKey: schema.name, inferredSummary: formatSchemaSummary(schema, summary) };
}

/** Node ids of a simulation: node-1 … node-N. */
export function simulatedNodeIds(numNodes: number): string[] {
  return Array.from({ length: numNodes }, (_, i) => `node-${i + 1}`);
}

/**
 * Each node's rows, deterministic for the seed. Returns one array of node datasets per fold
 * (a single entry when cvFolds ≤ 1).
 */
export function dealToNodes(data: LoadedData, options: SimulationOptions): NodeDataset[][] {
  const { table } = data;
  const ids = simulatedNodeIds(options.numNodes);
  const parts = partition(table, options.partition, options.numNodes, deriveRandom(options.seed, 'partition'));
  const folds = Math.max(1, options.cvFolds);
  const perFold: NodeDataset[][] = Array.from({ length: folds }, () => []);
  parts.forEach((rows, n) => {
    const nodeTable = selectRows(table, rows);
    const rng = deriveRandom(options.seed, 'split', ids[n]);
    const splits = folds > 1 ? stratifiedKFold(nodeTable.label, folds, rng) : [stratifiedSplit(nodeTable.label, options.testFraction, rng)];
    splits.forEach((s, f) => {
      perFold[f].push({ key: data.datasetKey, train: selectRows(nodeTable, s.train), test: selectRows(nodeTable, s.test) });
    });
  });
  return perFold;
}

/** Concatenate tables of one schema (the pooled reference and the union test set). */
export function concatTables(tables: readonly Table[]): Table {
  if (tables.length === 0) throw new RangeError('tables: expected at least one');
  const schema = tables[0].schema;
  const numRows = tables.reduce((s, t) => s + t.numRows, 0);
  const numeric: Record<string, Float64Array> = {};
  for (const name of Object.keys(tables[0].numeric)) {
    const out = new Float64Array(numRows);
    let o = 0;
    for (const t of tables) { out.set(t.numeric[name], o); o += t.numRows; }
    numeric[name] = out;
  }
  const categorical: Record<string, (string | null)[]> = {};
  for (const name of Object.keys(tables[0].categorical)) categorical[name] = tables.flatMap((t) => t.categorical[name] as (string | null)[]);
  const label = new Uint8Array(numRows);
  let o = 0;
  for (const t of tables) { label.set(t.label, o); o += t.numRows; }
  const ids = tables.every((t) => t.ids) ? tables.flatMap((t) => t.ids as string[]) : undefined;
  return { schema, numRows, numeric, categorical, label, ids };
}
