/**
 * Strict loading of a lender's CSV file against a {@link Schema}. Every cell is checked: numbers
 * must be plain decimals inside the declared bounds, codes must be in the codebook, the target
 * must be the declared bad or good value. A bad cell stops the load with a {@link DataError}
 * naming file, line, column, what was expected and what was found, so a lender can fix the
 * export instead of training on silently mangled data.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { DataError } from '../errors.js';
import { parseDecimal, quoteCell } from './cells.js';
import { readCsvRecords, type CsvRecord } from './csvRecords.js';
import { isNumericKind, type ColumnSpec, type Schema, type Table } from './schema.js';

/** Options of {@link loadCsv} and {@link parseCsvText}. */
export interface LoadCsvOptions {
  /** Name used in error messages; defaults to the file's base name (or `<text>`). */
  readonly file?: string;
  /** Enforce `min`, `max` and `integer` of numeric columns (default true). */
  readonly checkBounds?: boolean;
}

/**
 * Read and validate a CSV file. Columns not in the schema are ignored; missing tokens become
 * NaN (numeric) or null (codes). Labels are 1 = bad, 0 = good.
 *
 * @example
 * const table = loadCsv(builtinDataPath('german'), germanSchema); // 1000 rows, 300 bad
 */
export function loadCsv(path: string, schema: Schema, options: LoadCsvOptions = {}): Table {
  if (typeof path !== 'string' || path === '') throw new TypeError('path: expected a non-empty string');
  const file = options.file ?? basename(path);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new DataError(`${file}: cannot read ${path} (${(err as Error).message})`, { file, code: 'DATA_FILE' });
  }
  return parseCsvText(text, schema, { ...options, file });
}

/** Like {@link loadCsv} but from CSV text already in memory (uploads, tests). */
export function parseCsvText(text: string, schema: Schema, options: LoadCsvOptions = {}): Table {
  if (typeof text !== 'string') throw new TypeError('text: expected a string');
  checkSchema(schema);
  const file = options.file ?? '<text>';
  const checkBounds = options.checkBounds ?? true;
  const { header, headerLine, records } = readCsvRecords(text, file);
  const position = locateColumns(header, headerLine, schema, file);
  if (records.length === 0) throw new DataError(`${file}: the header has no data rows below it`, { file, code: 'DATA_EMPTY' });

  const missing = new Set(schema.missingTokens);
  const numRows = records.length;
  const numeric: Record<string, Float64Array> = {};
  const categorical: Record<string, (string | null)[]> = {};
  for (const spec of schema.columns) {
    const at = position.get(spec.name)!;
    if (isNumericKind(spec.kind)) {
      numeric[spec.name] = readNumeric(records, at, spec, missing, { file, checkBounds });
    } else {
      categorical[spec.name] = readCodes(records, at, spec, missing, file);
    }
  }
  const label = readLabels(records, position.get(schema.target.name)!, schema, file);
  const table: Table = { schema, numRows, numeric, categorical, label };
  if (schema.id === undefined) return table;
  return { ...table, ids: readIds(records, position.get(schema.id)!, schema.id, missing, file) };
}

function checkSchema(schema: Schema): void {
  if (schema === null || typeof schema !== 'object' || !Array.isArray(schema.columns) || !schema.target) {
    throw new TypeError('schema: expected a Schema with columns and target');
  }
  if (!Array.isArray(schema.missingTokens)) throw new TypeError('schema.missingTokens: expected an array of strings');
}

function locateColumns(header: readonly string[], headerLine: number, schema: Schema, file: string): Map<string, number> {
  const index = new Map(header.map((name, i) => [name, i]));
  const required = [...schema.columns.map((c) => c.name), schema.target.name, ...(schema.id ? [schema.id] : [])];
  const absent = required.filter((name) => !index.has(name));
  if (absent.length > 0) {
    const list = absent.map((n) => `"${n}"`).join(', ');
    throw new DataError(
      `${file} row ${headerLine}: the header lacks column${absent.length > 1 ? 's' : ''} ${list} required by schema "${schema.name}"; header has: ${header.join(', ')}`,
      { file, row: headerLine, column: absent[0], code: 'DATA_HEADER' },
    );
  }
  return index;
}

function describeNumber(spec: ColumnSpec, checkBounds: boolean): string {
  const what = checkBounds && spec.integer ? 'an integer' : 'a number';
  const lo = spec.min ?? -Infinity;
  const hi = spec.max ?? Infinity;
  const range = !checkBounds || (lo === -Infinity && hi === Infinity) ? '' : ` in [${lo}, ${hi}]`;
  return `${what}${range}${spec.unit ? ` (${spec.unit})` : ''}`;
}

function readNumeric(
  records: readonly CsvRecord[],
  at: number,
  spec: ColumnSpec,
  missing: ReadonlySet<string>,
  how: { file: string; checkBounds: boolean },
): Float64Array {
  const out = new Float64Array(records.length);
  const lo = spec.min ?? -Infinity;
  const hi = spec.max ?? Infinity;
  for (let r = 0; r < records.length; r++) {
    const cell = records[r].cells[at];
    if (missing.has(cell)) {
      out[r] = NaN;
      continue;
    }
    const value = parseDecimal(cell);
    const ok =
      value !== undefined && (!how.checkBounds || (value >= lo && value <= hi && (!spec.integer || Number.isInteger(value))));
    if (!ok) {
      const { file } = how;
      const row = records[r].line;
      throw new DataError(
        `${file} row ${row}, column "${spec.name}": expected ${describeNumber(spec, how.checkBounds)}, got ${quoteCell(cell)}`,
        { file, row, column: spec.name, code: 'DATA_VALUE' },
      );
    }
    out[r] = value;
  }
  return out;
}

function readCodes(
  records: readonly CsvRecord[],
  at: number,
  spec: ColumnSpec,
  missing: ReadonlySet<string>,
  file: string,
): (string | null)[] {
  const allowed = spec.categories ? new Set(spec.categories) : undefined;
  const out = new Array<string | null>(records.length);
  for (let r = 0; r < records.length; r++) {
    const cell = records[r].cells[at];
    if (missing.has(cell)) {
      out[r] = null;
      continue;
    }
    if (allowed && !allowed.has(cell)) {
      const row = records[r].line;
      throw new DataError(
        `${file} row ${row}, column "${spec.name}": unknown code ${quoteCell(cell)}; allowed: ${spec.categories!.join(', ')}`,
        { file, row, column: spec.name, code: 'DATA_VALUE' },
      );
    }
    out[r] = cell;
  }
  return out;
}

function readLabels(records: readonly CsvRecord[], at: number, schema: Schema, file: string): Uint8Array {
  const { name, bad, good } = schema.target;
  const out = new Uint8Array(records.length);
  for (let r = 0; r < records.length; r++) {
    const cell = records[r].cells[at];
    if (cell === bad) out[r] = 1;
    else if (good === undefined ? cell !== '' && !schema.missingTokens.includes(cell) : cell === good) out[r] = 0;
    else {
      const row = records[r].line;
      const expected = good === undefined ? `a value (bad = ${quoteCell(bad)})` : `${quoteCell(bad)} (bad) or ${quoteCell(good)} (good)`;
      throw new DataError(`${file} row ${row}, column "${name}": expected target ${expected}, got ${quoteCell(cell)}`, {
        file,
        row,
        column: name,
        code: 'DATA_TARGET',
      });
    }
  }
  return out;
}

function readIds(records: readonly CsvRecord[], at: number, name: string, missing: ReadonlySet<string>, file: string): string[] {
  const seen = new Map<string, number>();
  return records.map(({ cells, line }) => {
    const id = cells[at];
    if (missing.has(id)) {
      throw new DataError(`${file} row ${line}, column "${name}": expected an id, got missing value ${quoteCell(id)}`, {
        file,
        row: line,
        column: name,
        code: 'DATA_VALUE',
      });
    }
    const first = seen.get(id);
    if (first !== undefined) {
      throw new DataError(`${file} row ${line}, column "${name}": id ${quoteCell(id)} already used on row ${first}`, {
        file,
        row: line,
        column: name,
        code: 'DATA_VALUE',
      });
    }
    seen.set(id, line);
    return id;
  });
}
