/**
 * The transport check: run a whole job (describe, stats, setup, every round's train and
 * evaluate) in process, record every reply the nodes send, and look in each for values of the
 * records the sending node holds. Replies may carry parameters and sums over rows; a record
 * shows up as:
 * - `row-length array`: an array as long as one of the node's tables (per-row scores, labels…);
 * - `row run`: a row's numeric fields one after another, in schema order;
 * - `record value`: a numeric field value that could not be a count (not an integer in
 *   [0, rows held]), unless it equals a column total (Σx or Σx² over two or more values of one
 *   of the node's tables), an aggregate that merely coincides: without that exception the
 *   integer sums in the preprocessing statistics match some credit amount by chance;
 * - `category code`: a categorical code in a reply's text (only `describe` may send the schema's
 *   codebook).
 * Values are compared exactly and after float32 rounding, since train replies travel as float32.
 */
import type { Schema, Table } from '../../data/schema.js';
import type { Reply } from '../../protocol/message.js';
import type { NodeEndpoint } from '../../transport/inProcess.js';
import { runFederation, type FederationOptions } from './federated.js';

/** One piece of record data found in a reply. */
export interface LeakFinding {
  readonly nodeId: string;
  readonly messageType: string;
  readonly round: number;
  /** `arrays.NAME` or `config.KEY`. */
  readonly field: string;
  readonly reason: 'row-length array' | 'row run' | 'record value' | 'category code';
  readonly detail: string;
}

/** What the check saw and found. */
export interface TransportCheckResult {
  readonly repliesScanned: number;
  /** Array entries and config values inspected. */
  readonly valuesScanned: number;
  /** Replies scanned per message type. */
  readonly repliesByType: Readonly<Record<string, number>>;
  /** At most 100 findings (`numFindings` counts them all). */
  readonly findings: readonly LeakFinding[];
  readonly numFindings: number;
  readonly ok: boolean;
}

/** Wrap an endpoint so that every reply it gives is also pushed to `sink`. */
export function recordingEndpoint(endpoint: NodeEndpoint, sink: Reply[]): NodeEndpoint {
  return {
    async handle(message) {
      const reply = await endpoint.handle(message);
      sink.push(reply);
      return reply;
    },
  };
}

const MAX_FINDINGS = 100;

/** What one node holds, prepared for scanning its replies. */
interface Holdings {
  readonly rowCounts: Set<number>;
  readonly distinctive: Set<number>;
  readonly aggregates: Set<number>;
  readonly rowsByFirstValue: Map<number, number[][]>;
  readonly codes: readonly string[];
}

function holdingsOf(tables: readonly Table[]): Holdings {
  const schema: Schema = tables[0].schema;
  const numericColumns = schema.columns.filter((c) => c.kind === 'numeric').map((c) => c.name);
  const maxCount = tables.reduce((s, t) => s + t.numRows, 0);
  const distinctive = new Set<number>();
  const aggregates = new Set<number>();
  const rowCounts = new Set<number>([maxCount]);
  const rowsByFirstValue = new Map<number, number[][]>();
  for (const t of tables) {
    rowCounts.add(t.numRows);
    for (const name of numericColumns) {
      let count = 0, sum = 0, sumSq = 0;
      for (const v of t.numeric[name]) {
        if (Number.isNaN(v)) continue;
        count++; sum += v; sumSq += v * v;
        if (!(Number.isInteger(v) && v >= 0 && v <= maxCount)) { distinctive.add(v); distinctive.add(Math.fround(v)); }
      }
      // A total over a single value is that value: only totals over two or more excuse a match.
      if (count >= 2) for (const a of [sum, sumSq]) { aggregates.add(a); aggregates.add(Math.fround(a)); }
    }
    if (numericColumns.length >= 2) {
      for (let i = 0; i < t.numRows; i++) {
        const row = numericColumns.map((c) => t.numeric[c][i]);
        if (row.some(Number.isNaN)) continue;
        for (const key of new Set([row[0], Math.fround(row[0])])) rowsByFirstValue.set(key, [...(rowsByFirstValue.get(key) ?? []), row]);
      }
    }
  }
  const codes = schema.columns.flatMap((c) => c.categories ?? []);
  return { rowCounts, distinctive, aggregates, rowsByFirstValue, codes };
}

const same = (a: number, b: number) => a === b || Math.fround(a) === Math.fround(b);

function scanArray(values: Float64Array, h: Holdings, report: (reason: LeakFinding['reason'], detail: string) => void): void {
  if (h.rowCounts.has(values.length)) report('row-length array', `length ${values.length} equals a number of rows the node holds`);
  for (let k = 0; k < values.length; k++) {
    const v = values[k];
    if (h.distinctive.has(v) && !h.aggregates.has(v)) report('record value', `entry ${k} = ${v}`);
    for (const row of h.rowsByFirstValue.get(v) ?? []) {
      if (k + row.length > values.length) continue;
      let match = true;
      for (let j = 1; j < row.length && match; j++) match = same(values[k + j], row[j]);
      if (match) report('row run', `entries ${k}..${k + row.length - 1} are one row's numeric fields`);
    }
  }
}

/**
 * Scan replies for the records of the node that sent each one. `holdings` maps node ids to the
 * tables that node holds (its train and test rows); replies from other nodes are still counted.
 */
export function scanReplies(replies: readonly Reply[], holdings: ReadonlyMap<string, readonly Table[]>): TransportCheckResult {
  if (!Array.isArray(replies)) throw new TypeError('replies: expected an array of replies');
  if (!(holdings instanceof Map)) throw new TypeError('holdings: expected a Map from node id to tables');
  const prepared = new Map<string, Holdings>();
  for (const [nodeId, tables] of holdings) {
    if (!Array.isArray(tables) || tables.length === 0) throw new RangeError(`holdings: node "${nodeId}" holds no tables`);
    prepared.set(nodeId, holdingsOf(tables));
  }
  const findings: LeakFinding[] = [];
  let numFindings = 0;
  let valuesScanned = 0;
  const repliesByType: Record<string, number> = {};
  for (const r of replies) {
    repliesByType[r.type] = (repliesByType[r.type] ?? 0) + 1;
    const h = prepared.get(r.nodeId);
    const found = (field: string) => (reason: LeakFinding['reason'], detail: string) => {
      numFindings++;
      if (findings.length < MAX_FINDINGS) findings.push({ nodeId: r.nodeId, messageType: r.type, round: r.round, field, reason, detail });
    };
    for (const [name, values] of Object.entries(r.arrays) as [string, Float64Array][]) {
      valuesScanned += values.length;
      if (h) scanArray(values, h, found(`arrays.${name}`));
    }
    for (const [key, value] of Object.entries(r.config)) {
      valuesScanned++;
      if (!h) continue;
      const report = found(`config.${key}`);
      if (typeof value === 'number' && h.distinctive.has(value) && !h.aggregates.has(value)) report('record value', `${key} = ${value}`);
      // describe answers with the schema, whose codebook lists every code: that is not a record.
      if (typeof value === 'string' && !(r.type === 'describe' && key === 'schema')) {
        const code = h.codes.find((c) => value === c || value.includes(`"${c}"`));
        if (code !== undefined) report('category code', `contains "${code}"`);
      }
    }
  }
  return { repliesScanned: replies.length, valuesScanned, repliesByType, findings, numFindings, ok: numFindings === 0 };
}

/** Options of {@link runTransportCheck}: a federation (its nodes, model, rounds…) to run in full. */
export type TransportCheckOptions = Omit<FederationOptions, 'describe' | 'evaluateEveryRound'>;

/**
 * Run a full job (describe, stats, setup, rounds with federated evaluation after each) and scan
 * every reply; see the module comment for what counts as a record value.
 *
 * @example const r = await runTransportCheck({ nodes, model: { kind: 'logreg', config: {} }, rounds: 30, train, seed: 42 });
 */
export async function runTransportCheck(options: TransportCheckOptions): Promise<TransportCheckResult> {
  const replies: Reply[] = [];
  const holdings = new Map<string, Table[]>();
  const inner = options.wrapEndpoint;
  await runFederation({
    ...options,
    describe: true,
    evaluateEveryRound: true,
    // The recorder is outermost (applied to whatever the caller's wrapper returns), so it sees
    // exactly what crosses the transport.
    wrapEndpoint: (nodeId, endpoint, dataset) => {
      holdings.set(nodeId, [dataset.train, dataset.test]);
      return recordingEndpoint(inner ? inner(nodeId, endpoint, dataset) : endpoint, replies);
    },
  });
  return scanReplies(replies, holdings);
}
