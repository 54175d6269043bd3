import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tokenizeCsvFile, type TokenizeCsvOptions } from '../../src/cli/tokenize.js';
import { fedcredit } from './run.js';

// The first suites run the real binary (bin/fedcredit.js → dist/, built by `npm run build`);
// CSV details are checked in-process on tokenizeCsvFile, since every process start costs ~0.5 s.
const dir = mkdtempSync(join(tmpdir(), 'fedcredit-tokenize-'));
const GERMAN = new URL('../../data/german_credit.csv', import.meta.url).pathname;
const germanLines = readFileSync(GERMAN, 'utf8').trimEnd().split('\n');
const header = germanLines[0].split(',');
const TOKENIZED = ['statussex', 'foreignworker'];
const tokenizedAt = TOKENIZED.map((c) => header.indexOf(c));

function writeTo(name: string, content: string, mode = 0o600): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  chmodSync(path, mode);
  return path;
}

/** A key file like `keygen` writes, without spending a process start on it. */
function newKey(name: string, mode = 0o600): string {
  return writeTo(name, `${randomBytes(32).toString('hex')}\n`, mode);
}

function tokenize(args: string[]) {
  return fedcredit(['tokenize', '--quiet', ...args]);
}

describe('fedcredit tokenize keygen', () => {
  it('writes a 256-bit hex key readable only by its owner, and refuses to overwrite it', () => {
    const path = join(dir, 'k0.key');
    expect(fedcredit(['tokenize', 'keygen', '--out', path]).code).toBe(0);
    expect(readFileSync(path, 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const again = fedcredit(['tokenize', 'keygen', '--out', path]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists.*--force/);
    const before = readFileSync(path, 'utf8');
    expect(fedcredit(['tokenize', 'keygen', '--out', path, '--force']).code).toBe(0);
    expect(readFileSync(path, 'utf8')).not.toBe(before);
  });
});

describe('fedcredit tokenize on data/german_credit.csv', () => {
  const key = newKey('k1.key');
  const hmacOut = join(dir, 'german-hmac.csv');
  const columns = TOKENIZED.join(',');

  it('tokenizes statussex and foreignworker, copies every other cell byte for byte, one token per code', () => {
    const r = tokenize(['--input', GERMAN, '--output', hmacOut, '--columns', columns, '--key-file', key]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/statussex, foreignworker in 1000 rows/);
    const lines = readFileSync(hmacOut, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(germanLines.length);
    expect(lines[0]).toBe(germanLines[0]);
    const codeToToken = new Map<string, string>();
    const tokenToCode = new Map<string, string>();
    for (let i = 1; i < lines.length; i++) {
      const original = germanLines[i].split(',');
      const cells = lines[i].split(',');
      expect(cells).toHaveLength(original.length);
      cells.forEach((cell, j) => {
        if (!tokenizedAt.includes(j)) return expect(cell).toBe(original[j]);
        expect(cell).toMatch(/^tk_[A-Za-z0-9_-]{43}$/);
        const code = `${header[j]}=${original[j]}`;
        expect(codeToToken.get(code) ?? cell).toBe(cell); // same code, same token
        expect(tokenToCode.get(cell) ?? code).toBe(code); // different codes, different tokens
        codeToToken.set(code, cell);
        tokenToCode.set(cell, code);
      });
    }
    expect(codeToToken.size).toBe(4 + 2); // A91–A94 and A201–A202
  });

  it('gives the identical export in another process with the key from FEDCREDIT_CONSORTIUM_KEY', () => {
    const fromEnv = join(dir, 'german-env.csv');
    process.env.FEDCREDIT_CONSORTIUM_KEY = readFileSync(key, 'utf8');
    try {
      expect(tokenize(['--input', GERMAN, '--columns', columns, '--output', fromEnv]).code).toBe(0);
    } finally {
      delete process.env.FEDCREDIT_CONSORTIUM_KEY;
    }
    expect(readFileSync(fromEnv, 'utf8')).toBe(readFileSync(hmacOut, 'utf8'));
  });

  it('gives other tokens under another key, and warns when that key file is readable by others', () => {
    const other = join(dir, 'german-other.csv');
    const openKey = newKey('open.key', 0o644);
    const r = tokenize(['--input', GERMAN, '--columns', columns, '--key-file', openKey, '--output', other]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: key file .*open\.key is readable by other users; run chmod 600/);
    expect(r.stderr).not.toContain(readFileSync(openKey, 'utf8').trim());
    const second = (path: string) => readFileSync(path, 'utf8').split('\n')[1];
    expect(second(other)).not.toBe(second(hmacOut));
  });

  it('siv tokens reveal back to the original file, byte for byte', () => {
    const tokens = join(dir, 'german-siv.csv');
    const revealed = join(dir, 'german-revealed.csv');
    expect(tokenize(['--input', GERMAN, '--output', tokens, '--columns', columns, '--key-file', key, '--mode', 'siv']).code).toBe(0);
    expect(readFileSync(tokens, 'utf8')).not.toMatch(/A93/);
    const r = tokenize(['--input', tokens, '--output', revealed, '--columns', columns, '--key-file', key, '--reveal']);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(revealed)).toEqual(readFileSync(GERMAN));
  });
});

describe('fedcredit tokenize errors (exit code 2, one line, no stack trace, no output file)', () => {
  const key = newKey('k4.key');
  const ragged = writeTo('ragged.csv', 'id,grade\nL1,a\nL2\nL3,c\n');
  const cases: [string, string[], RegExp][] = [
    ['unknown columns, all listed with the header', ['--input', GERMAN, '--columns', 'statussex,nope,zzz', '--key-file', key], /unknown columns nope, zzz; the header has: existingchecking/],
    ['an unreadable key file', ['--input', GERMAN, '--columns', 'statussex', '--key-file', join(dir, 'missing.key')], /key file .*missing\.key: cannot read it \(ENOENT\)/],
    ['a ragged CSV', ['--input', ragged, '--columns', 'id', '--key-file', key], /ragged\.csv row 3: not valid CSV/],
    ['--reveal with hmac', ['--input', GERMAN, '--columns', 'statussex', '--key-file', key, '--mode', 'hmac', '--reveal'], /hmac tokens are one-way/],
    ['no --columns', ['--input', GERMAN, '--key-file', key], /--columns/],
  ];
  for (const [name, args, message] of cases) {
    it(name, () => {
      const out = join(dir, `error-${name.replace(/\W+/g, '-')}.csv`);
      const r = tokenize([...args, '--output', out]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(out)).toBe(false);
    });
  }
});

describe('tokenizeCsvFile (in process)', () => {
  const key = new Uint8Array(randomBytes(32));
  const run = (options: Partial<TokenizeCsvOptions> & Pick<TokenizeCsvOptions, 'inputPath' | 'outputPath'>) =>
    tokenizeCsvFile({ columns: ['id', 'name'], key, mode: 'siv', ...options });
  const text = 'id,name,note\r\n"L,1","Ann ""A"" Lee","two\r\nlines"\r\nL2,,plain\r\n,"Bob",\r\n';
  const input = writeTo('quoted.csv', text);

  it('keeps quoting, embedded commas, quotes and line breaks, CRLF line ends and empty cells', async () => {
    const tokens = join(dir, 'quoted-tk.csv');
    expect(await run({ inputPath: input, outputPath: tokens })).toEqual({ numRows: 3, columns: ['id', 'name'] });
    const out = readFileSync(tokens, 'utf8');
    expect(out.startsWith('id,name,note\r\n')).toBe(true);
    expect(out).toContain(',"two\r\nlines"\r\n');
    expect(out).toMatch(/\r\ntk_[A-Za-z0-9_-]+,,plain\r\n,tk_[A-Za-z0-9_-]+,\r\n$/); // empty cells stay empty
    const back = join(dir, 'quoted-back.csv');
    await run({ inputPath: tokens, outputPath: back, reveal: true });
    // "Bob" needed no quotes, so it comes back unquoted; everything else is as written
    expect(readFileSync(back, 'utf8')).toBe(text.replace('"Bob"', 'Bob'));
  });

  it('reports an altered token at the line its record starts on, and writes nothing', async () => {
    const tokens = join(dir, 'quoted-tk2.csv');
    await run({ inputPath: input, outputPath: tokens });
    // the first record spans lines 2-3, so the third record starts on line 5
    const altered = writeTo('quoted-altered.csv', readFileSync(tokens, 'utf8').replace(/\r\n,tk_(.)/, (_, c: string) => `\r\n,tk_${c === 'A' ? 'B' : 'A'}`));
    const outputPath = join(dir, 'quoted-altered-out.csv');
    await expect(run({ inputPath: altered, outputPath, reveal: true })).rejects.toThrow(/quoted-altered\.csv row 5: name: token does not verify/);
    await expect(run({ inputPath: GERMAN, outputPath, columns: ['statussex'], reveal: true })).rejects.toThrow(/german_credit\.csv row 2: statussex: not a siv token/);
    expect(existsSync(outputPath)).toBe(false);
  });

  it('rejects a missing input, an output equal to the input and bad arguments', async () => {
    await expect(run({ inputPath: join(dir, 'nothing.csv'), outputPath: join(dir, 'x.csv') })).rejects.toThrow(/nothing\.csv: cannot read .*ENOENT/);
    await expect(run({ inputPath: input, outputPath: input })).rejects.toThrow(/--output must differ/);
    await expect(run({ inputPath: input, outputPath: join(dir, 'no-such-dir', 'x.csv') })).rejects.toThrow(/cannot write/);
    await expect(run({ inputPath: input, outputPath: dir })).rejects.toThrow(/cannot write .*EISDIR/);
    await expect(run({ inputPath: dir, outputPath: join(dir, 'x.csv') })).rejects.toThrow(/cannot read .*EISDIR/);
    await expect(run({ inputPath: input, outputPath: join(dir, 'x.csv'), columns: [] })).rejects.toThrow(/columns/);
    await expect(run({ inputPath: writeTo('empty.csv', ''), outputPath: join(dir, 'x.csv') })).rejects.toThrow(/empty/);
  });

  it('reports progress up to the file size', async () => {
    const calls: [number, number][] = [];
    await run({ inputPath: GERMAN, outputPath: join(dir, 'progress.csv'), columns: ['statussex'], mode: 'hmac', onProgress: (done, total) => calls.push([done, total]) });
    const size = statSync(GERMAN).size;
    expect(calls.at(-1)).toEqual([size, size]);
    expect(calls.every(([done, total]) => total === size && done <= size)).toBe(true);
  });

  it('leaves no temporary files behind', () => {
    expect(readdirSync(dir).filter((f) => f.includes('.partial-'))).toEqual([]);
  });
});
