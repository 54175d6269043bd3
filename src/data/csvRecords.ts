/**
 * Low-level CSV reading: header plus records with their line numbers, rejecting malformed and
 * ragged files with a {@link DataError} that names the file and line. Interpretation of cells
 * (numbers, codes, missing values) is left to the loader and to schema inference.
 */
import { parse } from 'csv-parse/sync';
import { DataError } from '../errors.js';

/** One data record and the 1-based line of the file it starts on (the header is line 1). */
export interface CsvRecord {
  readonly cells: readonly string[];
  readonly line: number;
}

/** A parsed CSV: trimmed header names and the data records below it. */
export interface CsvRecords {
  readonly header: readonly string[];
  /** Line of the header: 1 unless blank lines precede it. */
  readonly headerLine: number;
  readonly records: readonly CsvRecord[];
}

interface ParsedRow {
  record: string[];
  /** The record's source text including its line break (csv-parse `raw: true`). */
  raw: string;
}

/**
 * Parse CSV text into header and records. Line endings may be CRLF, LF or a mix; cells are
 * trimmed; a UTF-8 byte-order mark and blank lines are skipped. Throws a `DataError` when the
 * text is not valid CSV, has no header, has duplicate or empty header names, or when a record has
 * a different number of cells than the header (the message gives the line and both counts).
 *
 * @param file name used in error messages, e.g. `german_credit.csv`.
 */
export function readCsvRecords(text: string, file: string): CsvRecords {
  if (typeof text !== 'string') throw new TypeError('text: expected a string');
  // One line-break convention, so that line numbers can be counted from the raw record text
  // (csv-parse's own line counter counts a quoted CRLF as two lines).
  const normalized = text.replace(/\r\n?/g, '\n');
  let rows: ParsedRow[];
  try {
    // With `raw: true` csv-parse returns { record, raw } objects; its typings only know string[][].
    const options = { raw: true, relax_column_count: true, bom: true, trim: true };
    rows = parse(normalized, options) as unknown as ParsedRow[];
  } catch (err) {
    const line = (err as { lines?: number }).lines;
    const where = line === undefined ? '' : ` line ${line}`;
    throw new DataError(`${file}${where}: not valid CSV (${(err as Error).message})`, { file, row: line, code: 'DATA_CSV' });
  }
  let header: string[] | undefined;
  let headerLine = 1;
  const records: CsvRecord[] = [];
  let line = 1;
  for (const { record, raw } of rows) {
    const start = line;
    line += countNewlines(raw);
    if (record.length === 1 && record[0] === '') continue; // blank line
    if (header === undefined) {
      checkHeader(record, file, start);
      header = record;
      headerLine = start;
    } else if (record.length !== header.length) {
      throw new DataError(
        `${file} row ${start}: expected ${header.length} cells (as in the header), got ${record.length}`,
        { file, row: start, code: 'DATA_RAGGED' },
      );
    } else records.push({ cells: record, line: start });
  }
  if (header === undefined) throw new DataError(`${file}: the file is empty (no header, no rows)`, { file, code: 'DATA_EMPTY' });
  return { header, headerLine, records };
}

function checkHeader(header: readonly string[], file: string, row: number): void {
  const seen = new Set<string>();
  header.forEach((name, i) => {
    if (name === '') {
      throw new DataError(`${file} row ${row}: header cell ${i + 1} is empty; every column needs a name`, {
        file,
        row,
        code: 'DATA_HEADER',
      });
    }
    if (seen.has(name)) {
      throw new DataError(`${file} row ${row}: column "${name}" appears twice in the header`, {
        file,
        row,
        column: name,
        code: 'DATA_HEADER',
      });
    }
    seen.add(name);
  });
}

function countNewlines(cell: string): number {
  let n = 0;
  for (let i = cell.indexOf('\n'); i !== -1; i = cell.indexOf('\n', i + 1)) n++;
  return n;
}
