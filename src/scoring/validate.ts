/**
 * Parsing of scoring requests: an untrusted JSON value becomes a {@link Table} of the schema, or
 * the complete list of what is wrong with it. Nothing is asserted and nothing throws on bad
 * input; the HTTP layer answers 400 with the issues.
 *
 * Decisions, all deliberate:
 * - The request format is exact (the old `/predictCreditRisk` contract): every schema column is
 *   required, protected attributes included (statussex, age and foreignworker are part of the
 *   old request even though the model does not use them; they stay available for fairness
 *   monitoring). Extra fields are rejected unless `allowUnknownFields` is set.
 * - Numeric fields must be JSON numbers. Numeric strings such as "6" are rejected as
 *   `wrong_type`: the old clients sent numbers, and accepting strings would make "6 " or "6e0"
 *   questions of locale and trimming rather than of the contract.
 * - `null` counts as `missing`: it is how JSON says "no value", and the fix is the same as for an
 *   absent field. There is no missing-value imputation for scoring requests.
 * - Values like 1e999 parse to Infinity and are `not_finite`; NaN cannot be written in JSON.
 * - An empty batch is a 400 (`empty`), not `200 []`: an empty request is a client bug, and an
 *   empty answer would hide it.
 * - Each field gets at most one issue (the first rule it breaks). The issue list is capped at
 *   `maxIssues`; `numIssues` always counts all of them.
 */
import type { ColumnSpec, Schema, Table } from '../data/schema.js';
import { expectedFor, preview, type Issue, type IssueCode } from './issues.js';

/** Default largest batch accepted in one request. */
export const DEFAULT_MAX_RECORDS = 10_000;
/** Default cap on the number of issues listed in one answer. */
export const DEFAULT_MAX_ISSUES = 1000;

/** Options of {@link parseRecords}. */
export interface ParseRecordsOptions {
  /** Largest batch accepted (default {@link DEFAULT_MAX_RECORDS}). */
  readonly maxRecords?: number;
  /** Ignore fields that are not schema columns instead of reporting them (default false). */
  readonly allowUnknownFields?: boolean;
  /** Issues listed at most (default {@link DEFAULT_MAX_ISSUES}); the rest are only counted. */
  readonly maxIssues?: number;
}

/**
 * The outcome of {@link parseRecords}: the table (labels unknown, all 0) or the issues. When
 * `numIssues > issues.length` the list was cut at `maxIssues`.
 */
export type ParseRecordsResult =
  | { readonly ok: true; readonly table: Table }
  | { readonly ok: false; readonly issues: Issue[]; readonly numIssues: number };

/** A column with its precomputed rule, so the per-record loop does no string work. */
interface ColumnRule {
  readonly spec: ColumnSpec;
  readonly numeric: boolean;
  readonly expected: string;
  readonly codes: ReadonlySet<string> | undefined;
}

/** Collects issues up to a cap while counting all of them. */
class IssueList {
  readonly issues: Issue[] = [];
  count = 0;
  constructor(private readonly maxIssues: number) {}

  add(code: IssueCode, expected: string, value: unknown, index?: number, field?: string): void {
    this.count++;
    if (this.issues.length >= this.maxIssues) return;
    const issue: { index?: number; field?: string; code: IssueCode; expected: string; got: string } = { code, expected, got: preview(value) };
    if (index !== undefined) issue.index = index;
    if (field !== undefined) issue.field = field;
    this.issues.push(issue);
  }
}

/**
 * Parse `body` (an already JSON-decoded value) as an array of records of `schema`.
 *
 * @example
 * const result = parseRecords(JSON.parse(text), germanSchema);
 * if (!result.ok) return reply.code(400).send({ error: 'invalid_request', issues: result.issues });
 * const classes = scorer.classify(result.table);
 */
export function parseRecords(body: unknown, schema: Schema, options: ParseRecordsOptions = {}): ParseRecordsResult {
  if (typeof schema !== 'object' || schema === null || !Array.isArray(schema.columns)) throw new TypeError('schema: expected a Schema');
  if (typeof options !== 'object' || options === null) throw new TypeError('options: expected an object');
  const maxRecords = options.maxRecords ?? DEFAULT_MAX_RECORDS;
  if (!Number.isInteger(maxRecords) || maxRecords < 1) throw new RangeError(`options.maxRecords: expected a positive integer, got ${String(maxRecords)}`);
  const maxIssues = options.maxIssues ?? DEFAULT_MAX_ISSUES;
  if (!Number.isInteger(maxIssues) || maxIssues < 1) throw new RangeError(`options.maxIssues: expected a positive integer, got ${String(maxIssues)}`);
  const allowUnknownFields = options.allowUnknownFields ?? false;
  if (typeof allowUnknownFields !== 'boolean') throw new TypeError('options.allowUnknownFields: expected a boolean');

  const list = new IssueList(maxIssues);
  if (!Array.isArray(body)) {
    list.add('not_an_array', 'a JSON array of records', body);
    return failed(list);
  }
  if (body.length === 0) {
    list.add('empty', 'at least one record', body);
    return failed(list);
  }
  if (body.length > maxRecords) {
    // Not validated record by record: the batch is refused as a whole.
    list.add('too_many_records', `at most ${maxRecords} records`, body.length);
    return failed(list);
  }
  const rules = rulesOf(schema);
  const out = emptyTable(schema, body.length);
  for (let i = 0; i < body.length; i++) parseRecord(body[i], i, rules, out, list, allowUnknownFields, schema.name);
  return list.count === 0 ? { ok: true, table: out.table } : failed(list);
}

function failed(list: IssueList): ParseRecordsResult {
  return { ok: false, issues: list.issues, numIssues: list.count };
}

/** Rules per schema (schemas are immutable), built once: a single-record request should not rebuild code sets. */
const ruleCache = new WeakMap<Schema, readonly ColumnRule[]>();

function rulesOf(schema: Schema): readonly ColumnRule[] {
  let rules = ruleCache.get(schema);
  if (rules === undefined) {
    rules = schema.columns.map(ruleOf);
    ruleCache.set(schema, rules);
  }
  return rules;
}

function ruleOf(spec: ColumnSpec): ColumnRule {
  const numeric = spec.kind === 'numeric';
  const codes = !numeric && spec.categories && spec.categories.length > 0 ? new Set(spec.categories) : undefined;
  return { spec, numeric, expected: expectedFor(spec), codes };
}

interface MutableTable {
  readonly table: Table;
  readonly numeric: Record<string, Float64Array>;
  readonly categorical: Record<string, (string | null)[]>;
}

function emptyTable(schema: Schema, numRows: number): MutableTable {
  const numeric: Record<string, Float64Array> = {};
  const categorical: Record<string, (string | null)[]> = {};
  for (const c of schema.columns) {
    if (c.kind === 'numeric') numeric[c.name] = new Float64Array(numRows);
    else categorical[c.name] = new Array<string | null>(numRows).fill(null);
  }
  return { table: { schema, numRows, numeric, categorical, label: new Uint8Array(numRows) }, numeric, categorical };
}

function parseRecord(
  record: unknown,
  index: number,
  rules: readonly ColumnRule[],
  out: MutableTable,
  list: IssueList,
  allowUnknownFields: boolean,
  schemaName: string,
): void {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    list.add('not_an_object', 'an object with the schema fields', record, index);
    return;
  }
  const fields = record as Record<string, unknown>;
  let numPresent = 0;
  for (const rule of rules) {
    const name = rule.spec.name;
    const present = Object.hasOwn(fields, name);
    if (present) numPresent++;
    const value = present ? fields[name] : undefined;
    if (value === undefined || value === null) {
      list.add('missing', rule.expected, value, index, name);
    } else if (rule.numeric) {
      const code = numericIssue(value, rule.spec);
      if (code === undefined) out.numeric[name][index] = value as number;
      else list.add(code, rule.expected, value, index, name);
    } else if (typeof value !== 'string') {
      list.add('wrong_type', rule.expected, value, index, name);
    } else if (rule.codes === undefined ? value.length === 0 : !rule.codes.has(value)) {
      list.add('unknown_code', rule.expected, value, index, name);
    } else {
      out.categorical[name][index] = value;
    }
  }
  if (allowUnknownFields) return;
  // Counting keys is cheaper than checking each against the schema; only a mismatch looks closer.
  const keys = Object.keys(fields);
  if (keys.length === numPresent) return;
  const known = new Set(rules.map((r) => r.spec.name));
  for (const key of keys) {
    if (!known.has(key)) list.add('unknown_field', `only the fields of schema "${schemaName}"`, fields[key], index, key);
  }
}

/** The first rule a present, non-null numeric value breaks, or undefined when it is valid. */
function numericIssue(value: unknown, spec: ColumnSpec): IssueCode | undefined {
  if (typeof value !== 'number') return 'wrong_type';
  if (!Number.isFinite(value)) return 'not_finite';
  if (spec.integer && !Number.isInteger(value)) return 'not_integer';
  if ((spec.min !== undefined && value < spec.min) || (spec.max !== undefined && value > spec.max)) return 'out_of_range';
  return undefined;
}
