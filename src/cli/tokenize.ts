/**
 * `fedcredit tokenize`: a pseudonymised export. Streams a CSV file, replaces the listed columns
 * by deterministic tokens under the consortium key (or, with `--reveal`, turns siv tokens back
 * into values) and copies every other cell unchanged, so exports of different lenders can be
 * joined on tokens without revealing identifiers. `fedcredit tokenize keygen` makes the key.
 */
import { closeSync, chmodSync, createReadStream, createWriteStream, openSync, readSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { basename, resolve } from 'node:path';
import { Command, Option } from 'commander';
import cliProgress from 'cli-progress';
import { parse } from 'csv-parse';
import { ConfigError, DataError } from '../errors.js';
import { formatConsortiumKey, generateConsortiumKey, loadConsortiumKey, Tokenizer, type NormalizeOptions, type TokenMode } from '../privacy/tokenize.js';

/** Options of {@link tokenizeCsvFile}. */
export interface TokenizeCsvOptions {
  readonly inputPath: string;
  readonly outputPath: string;
  /** Header names of the columns to tokenize (or reveal). */
  readonly columns: readonly string[];
  readonly key: Uint8Array;
  readonly mode: TokenMode;
  /** Turn siv tokens back into values instead of tokenizing. */
  readonly reveal?: boolean;
  readonly normalize?: NormalizeOptions;
  /** Called now and then with bytes of input parsed so far and the file size. */
  readonly onProgress?: (bytesRead: number, totalBytes: number) => void;
}

/** What {@link tokenizeCsvFile} did. */
export interface TokenizeCsvResult {
  readonly numRows: number;
  readonly columns: readonly string[];
}

const WRITE_BATCH_CHARS = 64 * 1024;
const PROGRESS_EVERY_ROWS = 2000;
const PROGRESS_MIN_BYTES = 1024 * 1024;

/** RFC 4180 quoting, only where needed, so untouched cells are written as they were read. */
function csvCell(cell: string): string {
  return /[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}

function csvLine(cells: readonly string[], eol: string): string {
  // a lone empty cell would be a blank line, which readers skip: quote it to keep the row
  if (cells.length === 1 && cells[0] === '') return `""${eol}`;
  return cells.map(csvCell).join(',') + eol;
}

/** Keep the input's line-break convention (CRLF or LF), judged from its first line. */
function detectEol(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(64 * 1024);
    const n = readSync(fd, head, 0, head.length, 0);
    const lf = head.subarray(0, n).indexOf(0x0a);
    return lf > 0 && head[lf - 1] === 0x0d ? '\r\n' : '\n';
  } finally {
    closeSync(fd);
  }
}

function locateColumns(header: readonly string[], columns: readonly string[], file: string): number[] {
  const names = header.map((h) => h.trim());
  const unknown = columns.filter((c) => !names.includes(c));
  if (unknown.length > 0) {
    throw new DataError(`${file}: unknown column${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; the header has: ${names.join(', ')}`, { file, code: 'DATA_COLUMN' });
  }
  return columns.map((c) => {
    if (names.indexOf(c) !== names.lastIndexOf(c)) throw new DataError(`${file}: column "${c}" appears twice in the header`, { file, column: c, code: 'DATA_HEADER' });
    return names.indexOf(c);
  });
}

function csvError(err: unknown, file: string): unknown {
  const e = err as { code?: unknown; lines?: number; message?: string };
  if (typeof e.code === 'string' && e.code.startsWith('CSV_')) {
    const where = e.lines === undefined ? '' : ` row ${e.lines}`;
    return new DataError(`${file}${where}: not valid CSV (${e.message})`, { file, row: e.lines, code: 'DATA_CSV' });
  }
  return err;
}

/**
 * Stream `inputPath` to `outputPath`, tokenizing (or revealing) `columns`. The output is
 * written to a temporary file next to it and renamed at the end, so a failed run never leaves
 * a half-written export. Empty cells stay empty (missing stays missing); the header and all
 * other cells are copied as read. Throws `DataError` naming file, row and column on bad input.
 *
 * @example await tokenizeCsvFile({ inputPath: 'loans.csv', outputPath: 'export.csv', columns: ['id'], key, mode: 'hmac' })
 */
export async function tokenizeCsvFile(options: TokenizeCsvOptions): Promise<TokenizeCsvResult> {
  const { inputPath, outputPath, columns, key, mode, reveal = false, normalize, onProgress } = options;
  if (typeof inputPath !== 'string' || inputPath === '') throw new TypeError('inputPath: expected a non-empty string');
  if (typeof outputPath !== 'string' || outputPath === '') throw new TypeError('outputPath: expected a non-empty string');
  if (!Array.isArray(columns) || columns.length === 0 || columns.some((c) => typeof c !== 'string' || c === '')) {
    throw new TypeError('columns: expected a non-empty array of column names');
  }
  const file = basename(inputPath);
  if (resolve(inputPath) === resolve(outputPath)) throw new ConfigError('--output must differ from --input (the input is read while the output is written)');
  let totalBytes: number;
  let eol: string;
  try {
    const stats = statSync(inputPath);
    if (!stats.isFile()) throw Object.assign(new Error('not a file'), { code: 'EISDIR' });
    totalBytes = stats.size;
    eol = detectEol(inputPath);
  } catch (err) {
    throw new DataError(`${file}: cannot read ${inputPath} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { file, code: 'DATA_FILE' });
  }
  const tokenizers = [...new Set(columns)].map((domain) => new Tokenizer({ key, mode, domain, normalize }));
  const tmpPath = `${outputPath}.partial-${process.pid}`;
  const out = createWriteStream(tmpPath, { flags: 'wx' });
  let writeError: ConfigError | undefined;
  out.on('error', (err: NodeJS.ErrnoException) => {
    writeError = new ConfigError(`cannot write ${outputPath} (${err.code ?? err.message})`, 'OUTPUT_UNWRITABLE');
  });
  const source = createReadStream(inputPath);
  // no `info: true`: per-record info halves csv-parse's speed; lines are found again on error
  const parser = source.pipe(parse({ bom: true, skip_empty_lines: true }));
  source.on('error', (err) => parser.destroy(err));
  let numRows = 0;
  let batch = '';
  const flush = async () => {
    if (writeError !== undefined) throw writeError;
    const ok = out.write(batch);
    batch = '';
    // a destroyed stream never drains; its error is already in writeError
    if (!ok && !out.destroyed) await once(out, 'drain').catch(() => undefined);
    if (writeError !== undefined) throw writeError;
  };
  try {
    let at: number[] | undefined;
    try {
      for await (const record of parser as AsyncIterable<string[]>) {
        if (at === undefined) {
          at = locateColumns(record, tokenizers.map((t) => t.domain), file);
          batch += csvLine(record, eol);
          continue;
        }
        for (let j = 0; j < at.length; j++) {
          const cell = record[at[j]];
          if (cell === '') continue;
          try {
            record[at[j]] = reveal ? tokenizers[j].reveal(cell) : tokenizers[j].token(cell);
          } catch (err) {
            if (!(err instanceof DataError)) throw err;
            const row = await lineOfRecord(inputPath, numRows);
            throw new DataError(`${file} row ${row}: ${err.message}`, { file, row, column: tokenizers[j].domain, code: err.code });
          }
        }
        batch += csvLine(record, eol);
        numRows++;
        if (batch.length >= WRITE_BATCH_CHARS) await flush();
        if (onProgress !== undefined && numRows % PROGRESS_EVERY_ROWS === 0) onProgress(parser.info.bytes, totalBytes);
      }
    } catch (err) {
      throw csvError(err, file);
    }
    if (at === undefined) throw new DataError(`${file}: the file is empty (no header)`, { file, code: 'DATA_EMPTY' });
    await flush();
    out.end();
    await finished(out).catch(() => undefined);
    if (writeError !== undefined) throw writeError;
    try {
      renameSync(tmpPath, outputPath);
    } catch (err) {
      throw new ConfigError(`cannot write ${outputPath} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, 'OUTPUT_UNWRITABLE');
    }
    onProgress?.(totalBytes, totalBytes);
    return { numRows, columns: tokenizers.map((t) => t.domain) };
  } catch (err) {
    source.destroy();
    out.destroy();
    rmSync(tmpPath, { force: true });
    throw err;
  } finally {
    for (const t of tokenizers) t.wipe();
  }
}

/**
 * The file line on which data record `recordIndex` (0-based) starts, found by parsing again on
 * the error path only. Counted from each record's raw text, because csv-parse's own line
 * counter reports where a record ends and counts a quoted CRLF as two lines. (Its raw text
 * ends with only the first character of a CRLF record delimiter, hence the lone-CR case.)
 */
async function lineOfRecord(path: string, recordIndex: number): Promise<number> {
  const parser = createReadStream(path).pipe(parse({ bom: true, raw: true, relax_column_count: true }));
  let line = 1;
  let numRecords = 0;
  for await (const { record, raw } of parser as AsyncIterable<{ record: string[]; raw: string }>) {
    const blank = record.length === 1 && record[0] === '';
    if (!blank && numRecords++ === recordIndex + 1) break; // + 1: the header
    line += raw.match(/\r\n|\r|\n/g)?.length ?? 0;
  }
  return line;
}

/** Warn (never fail) when a key file is readable by other users, as ssh does for private keys. */
function warnIfKeyFileOpen(path: string): void {
  if (process.platform === 'win32') return;
  try {
    if ((statSync(path).mode & 0o077) !== 0) process.stderr.write(`fedcredit: warning: key file ${path} is readable by other users; run chmod 600 ${path}\n`);
  } catch {
    // unreadable files are reported by loadConsortiumKey
  }
}

interface TokenizeFlags {
  input?: string; output?: string; columns?: string; keyFile?: string;
  mode?: TokenMode; reveal?: boolean; trim?: boolean; caseFold?: boolean; quiet?: boolean;
}

function parseColumns(value: string | undefined): string[] {
  const columns = (value ?? '').split(',').map((c) => c.trim()).filter((c) => c !== '');
  if (columns.length === 0) throw new ConfigError('--columns: give the columns to tokenize, e.g. --columns id,statussex');
  return columns;
}

async function runTokenize(flags: TokenizeFlags): Promise<void> {
  if (!flags.input) throw new ConfigError('--input FILE.csv is required');
  if (!flags.output) throw new ConfigError('--output OUT.csv is required');
  const columns = parseColumns(flags.columns);
  const reveal = flags.reveal === true;
  const mode: TokenMode = flags.mode ?? (reveal ? 'siv' : 'hmac');
  if (reveal && mode !== 'siv') throw new ConfigError('--reveal works only with --mode siv: hmac tokens are one-way');
  if (flags.keyFile !== undefined) warnIfKeyFileOpen(flags.keyFile);
  const key = loadConsortiumKey({ path: flags.keyFile });
  const bar = !flags.quiet && process.stderr.isTTY && statSafe(flags.input) >= PROGRESS_MIN_BYTES
    ? new cliProgress.SingleBar({ format: `${reveal ? 'revealing' : 'tokenizing'} |{bar}| {percentage}%  {value}/{total} bytes`, stream: process.stderr, hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic)
    : undefined;
  let started = false;
  try {
    const result = await tokenizeCsvFile({
      inputPath: flags.input,
      outputPath: flags.output,
      columns,
      key,
      mode,
      reveal,
      normalize: { trim: flags.trim === true, caseFold: flags.caseFold === true },
      onProgress: bar === undefined ? undefined : (bytesRead, totalBytes) => {
        if (!started) bar.start(totalBytes, 0);
        started = true;
        bar.update(bytesRead);
      },
    });
    bar?.stop();
    const verb = reveal ? 'revealed' : `tokenized (${mode})`;
    process.stdout.write(`${verb} ${result.columns.join(', ')} in ${result.numRows} rows: ${flags.output}\n`);
  } finally {
    bar?.stop();
    key.fill(0);
  }
}

function statSafe(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

function keygenCommand(): Command {
  return new Command('keygen')
    .description('write a new random 256-bit consortium key (hex, file mode 0600); share it with members over a secure channel')
    .option('--out <file>', 'key file to create')
    .option('--force', 'overwrite an existing key file (every token made with the old key stops linking)')
    .action((flags: { out?: string; force?: boolean }) => {
      if (!flags.out) throw new ConfigError('--out KEYFILE is required');
      const key = generateConsortiumKey();
      try {
        writeFileSync(flags.out, formatConsortiumKey(key), { mode: 0o600, flag: flags.force ? 'w' : 'wx' });
        chmodSync(flags.out, 0o600); // the mode option applies only when the file is created
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') throw new ConfigError(`${flags.out} already exists; use --force to replace it (old tokens will no longer link)`, 'KEY_EXISTS');
        throw new ConfigError(`cannot write key file ${flags.out} (${code ?? 'error'})`, 'KEY_UNWRITABLE');
      } finally {
        key.fill(0);
      }
      process.stdout.write(`wrote a new consortium key to ${flags.out} (mode 600)\n`);
    });
}

/** Build the `tokenize` command (with its `keygen` subcommand). */
export function tokenizeCommand(): Command {
  // Options are checked in the action rather than with requiredOption: commander would demand
  // them for `tokenize keygen` too.
  const tokenize = new Command('tokenize')
    .description('pseudonymised export: replace the listed CSV columns by deterministic tokens under the consortium key')
    .option('--input <file>', 'CSV file to read')
    .option('--output <file>', 'CSV file to write')
    .option('--columns <names>', 'comma-separated columns to tokenize, e.g. id,statussex')
    .option('--key-file <file>', `consortium key file (hex or base64); default: the FEDCREDIT_CONSORTIUM_KEY variable`)
    .addOption(new Option('--mode <mode>', 'hmac: one-way tokens for linking; siv: tokens the key holder can reveal (default hmac)').choices(['hmac', 'siv']))
    .option('--reveal', 'turn siv tokens in the listed columns back into values')
    .option('--trim', 'ignore leading and trailing spaces of values')
    .option('--case-fold', 'ignore letter case (and Unicode compatibility forms) of values')
    .option('--quiet', 'no progress bar')
    .action(runTokenize);
  tokenize.addCommand(keygenCommand().exitOverride());
  return tokenize;
}
