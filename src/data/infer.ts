/**
 * Schema inference for bring-your-own CSVs: a column is numeric when every non-missing cell is a
 * plain decimal number, otherwise categorical with the codes seen. The lender names the target
 * and its bad value; inference checks both against the file and reports per-column statistics
 * that the CLI prints (see `formatSchemaSummary`) so the lender can review the guess.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { DataError } from '../errors.js';
import { DEFAULT_MISSING_TOKENS, parseDecimal, quoteCell } from './cells.js';
import { readCsvRecords, type CsvRecord } from './csvRecords.js';
import type { ColumnKind, ColumnSpec, Schema } from './schema.js';

/** Options of {@link inferSchema}. */
export interface InferSchemaOptions {
  /** Name of the target column. */
  readonly target: string;
  /** Target value that means bad / default; must occur in the file. */
  readonly bad: string;
  /** Row id column, excluded from features and allowed any number of distinct values. */
  readonly id?: string;
  /** Schema name (default: the file's base name without extension). */
  readonly name?: string;
  /** A non-numeric column with more distinct values than this is rejected (default 50). */
  readonly maxCategories?: number;
  /** Columns to mark protected (kept for fairness reports, excluded from features by default). */
  readonly protectedColumns?: readonly string[];
  /** Name used in error messages (default: the file's base name, or `<text>`). */
  readonly file?: string;
}

/** One value of a categorical column and how often it occurs. */
export interface CategoryCount {
  readonly value: string;
  readonly count: number;
}

/** What inference saw in one column. */
export interface ColumnSummary {
  readonly name: string;
  readonly role: 'feature' | 'target' | 'id';
  /** Inferred kind; the target and id are reported as 'categorical'. */
  readonly kind: ColumnKind;
  readonly numMissing: number;
  readonly numDistinct: number;
  /** Numeric columns: smallest and largest value, and whether all are integers. */
  readonly min?: number;
  readonly max?: number;
  readonly integer?: boolean;
  /** Categorical columns and the target: values by decreasing count. */
  readonly categories?: readonly CategoryCount[];
}

/** Statistics of the file that an inferred schema was built from. */
export interface SchemaSummary {
  readonly file: string;
  readonly numRows: number;
  readonly numBad: number;
  readonly numGood: number;
  /** Missing tokens that actually occur in the file. */
  readonly missingTokensSeen: readonly string[];
  /** Every column of the file, in file order. */
  readonly columns: readonly ColumnSummary[];
}

/** An inferred schema and the statistics it was built from. */
export interface InferredSchema {
  readonly schema: Schema;
  readonly summary: SchemaSummary;
}

/**
 * Infer a schema from a CSV file.
 *
 * @example
 * const { schema, summary } = inferSchema('loans.csv', { target: 'Status', bad: 'bad' });
 * console.log(formatSchemaSummary(schema, summary));
 */
export function inferSchema(path: string, options: InferSchemaOptions): InferredSchema {
  if (typeof path !== 'string' || path === '') throw new TypeError('path: expected a non-empty string');
  const file = options?.file ?? basename(path);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new DataError(`${file}: cannot read ${path} (${(err as Error).message})`, { file, code: 'DATA_FILE' });
  }
  const name = options?.name ?? basename(path).replace(/\.[^.]*$/, '');
  return inferSchemaFromText(text, { ...options, file, name });
}

/** Like {@link inferSchema} but from CSV text already in memory. */
export function inferSchemaFromText(text: string, options: InferSchemaOptions): InferredSchema {
  checkOptions(options);
  const file = options.file ?? '<text>';
  const maxCategories = options.maxCategories ?? 50;
  const { header, headerLine, records } = readCsvRecords(text, file);
  if (records.length === 0) throw new DataError(`${file}: the header has no data rows below it`, { file, code: 'DATA_EMPTY' });
  for (const [what, column] of [
    ['target', options.target],
    ['id', options.id],
    ...(options.protectedColumns ?? []).map((c) => ['protected', c]),
  ] as const) {
    if (column !== undefined && !header.includes(column)) {
      throw new DataError(`${file} row ${headerLine}: ${what} column "${column}" is not in the header; header has: ${header.join(', ')}`, {
        file,
        row: headerLine,
        column,
        code: 'DATA_HEADER',
      });
    }
  }
  if (options.id === options.target) throw new RangeError('options.id: must differ from options.target');

  const missing = new Set(DEFAULT_MISSING_TOKENS);
  const seenTokens = new Set<string>();
  const isProtected = new Set(options.protectedColumns ?? []);
  const columns: ColumnSpec[] = [];
  const summaries: ColumnSummary[] = [];
  let numBad = 0;
  header.forEach((name, at) => {
    if (name === options.target) {
      const summary = summarizeTarget(records, at, name, options.bad, missing, file);
      numBad = summary.categories!.find((c) => c.value === options.bad)!.count;
      summaries.push(summary);
    } else if (name === options.id) {
      summaries.push(summarizeId(records, at, name, missing, file));
    } else {
      const { spec, summary } = inferColumn(records, at, name, { missing, maxCategories, file });
      columns.push(isProtected.has(name) ? { ...spec, protected: true } : spec);
      summaries.push(summary);
    }
  });
  for (const token of DEFAULT_MISSING_TOKENS) {
    if (records.some((r) => r.cells.includes(token))) seenTokens.add(token);
  }

  const targetValues = summaries.find((s) => s.role === 'target')!.categories!;
  const good = targetValues.length === 2 ? targetValues.find((c) => c.value !== options.bad)!.value : undefined;
  const schema: Schema = {
    name: options.name ?? 'custom',
    description: `Inferred from ${file} (${records.length} rows)`,
    columns,
    target: good === undefined ? { name: options.target, bad: options.bad } : { name: options.target, bad: options.bad, good },
    ...(options.id === undefined ? {} : { id: options.id }),
    missingTokens: DEFAULT_MISSING_TOKENS,
  };
  const summary: SchemaSummary = {
    file,
    numRows: records.length,
    numBad,
    numGood: records.length - numBad,
    missingTokensSeen: DEFAULT_MISSING_TOKENS.filter((t) => seenTokens.has(t)),
    columns: summaries,
  };
  return { schema, summary };
}

function checkOptions(options: InferSchemaOptions): void {
  if (options === null || typeof options !== 'object') throw new TypeError('options: expected { target, bad }');
  if (typeof options.target !== 'string' || options.target === '') throw new TypeError('options.target: expected a column name');
  if (typeof options.bad !== 'string') throw new TypeError('options.bad: expected the target value that means bad');
  if (options.id !== undefined && (typeof options.id !== 'string' || options.id === '')) {
    throw new TypeError('options.id: expected a column name');
  }
  const max = options.maxCategories;
  if (max !== undefined && (!Number.isInteger(max) || max < 2)) {
    throw new RangeError(`options.maxCategories: expected an integer ≥ 2, got ${max}`);
  }
}

// Natural order so that A40, A41, …, A49, A410 and 1, 2, 10 read as a person would sort them.
const collator = new Intl.Collator('en', { numeric: true });

function countValues(records: readonly CsvRecord[], at: number, missing: ReadonlySet<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const { cells } of records) {
    const cell = cells[at];
    if (!missing.has(cell)) counts.set(cell, (counts.get(cell) ?? 0) + 1);
  }
  return counts;
}

function byCount(counts: Map<string, number>): CategoryCount[] {
  return [...counts]
    .map(([value, count]) => ({ value, count }))
    .sort((a, b) => b.count - a.count || collator.compare(a.value, b.value));
}

function summarizeTarget(
  records: readonly CsvRecord[],
  at: number,
  name: string,
  bad: string,
  missing: ReadonlySet<string>,
  file: string,
): ColumnSummary {
  const gap = records.find((r) => missing.has(r.cells[at]));
  if (gap) {
    throw new DataError(`${file} row ${gap.line}, column "${name}": the target is missing (${quoteCell(gap.cells[at])})`, {
      file,
      row: gap.line,
      column: name,
      code: 'DATA_TARGET',
    });
  }
  const counts = countValues(records, at, missing);
  if (!counts.has(bad)) {
    const seen = byCount(counts).slice(0, 20).map((c) => `${quoteCell(c.value)} (${c.count})`);
    throw new DataError(
      `${file}, column "${name}": bad value ${quoteCell(bad)} never occurs; values seen: ${seen.join(', ')}${counts.size > 20 ? ', …' : ''}`,
      { file, column: name, code: 'DATA_TARGET' },
    );
  }
  return { name, role: 'target', kind: 'categorical', numMissing: 0, numDistinct: counts.size, categories: byCount(counts) };
}

function summarizeId(records: readonly CsvRecord[], at: number, name: string, missing: ReadonlySet<string>, file: string): ColumnSummary {
  const firstLine = new Map<string, number>();
  for (const { cells, line } of records) {
    const id = cells[at];
    const where = { file, row: line, column: name, code: 'DATA_VALUE' };
    if (missing.has(id)) throw new DataError(`${file} row ${line}, column "${name}": the id is missing (${quoteCell(id)})`, where);
    const first = firstLine.get(id);
    if (first !== undefined) {
      throw new DataError(`${file} row ${line}, column "${name}": id ${quoteCell(id)} already used on row ${first}`, where);
    }
    firstLine.set(id, line);
  }
  return { name, role: 'id', kind: 'categorical', numMissing: 0, numDistinct: firstLine.size };
}

function inferColumn(
  records: readonly CsvRecord[],
  at: number,
  name: string,
  how: { missing: ReadonlySet<string>; maxCategories: number; file: string },
): { spec: ColumnSpec; summary: ColumnSummary } {
  const counts = countValues(records, at, how.missing);
  const numMissing = records.length - [...counts.values()].reduce((a, b) => a + b, 0);
  if (counts.size === 0) {
    throw new DataError(`${how.file}, column "${name}": every cell is missing; drop the column from the file`, {
      file: how.file,
      column: name,
      code: 'DATA_VALUE',
    });
  }
  const values = [...counts.keys()].map(parseDecimal);
  if (values.every((v) => v !== undefined)) {
    const nums = values as number[];
    const integer = nums.every(Number.isInteger);
    const spec: ColumnSpec = { name, kind: 'numeric', ...(integer ? { integer: true } : {}) };
    const min = nums.reduce((a, b) => Math.min(a, b));
    const max = nums.reduce((a, b) => Math.max(a, b));
    return { spec, summary: { name, role: 'feature', kind: 'numeric', numMissing, numDistinct: counts.size, min, max, integer } };
  }
  if (counts.size > how.maxCategories) {
    throw new DataError(
      `${how.file}, column "${name}": ${counts.size} distinct non-numeric values, more than maxCategories = ${how.maxCategories}; ` +
        `if it identifies rows, declare it as the id column (--id ${name}); otherwise raise maxCategories or drop the column`,
      { file: how.file, column: name, code: 'DATA_CARDINALITY' },
    );
  }
  const categories = [...counts.keys()].sort(collator.compare);
  const spec: ColumnSpec = { name, kind: 'categorical', categories };
  return { spec, summary: { name, role: 'feature', kind: 'categorical', numMissing, numDistinct: counts.size, categories: byCount(counts) } };
}
