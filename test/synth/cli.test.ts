/**
 * `fedcredit synth` (src/cli/synth.ts) in process: option validation, rows kept in memory unless
 * --out, exported rows loading back with the inferred schema, and the --evaluate report.
 */
import { mkdtempSync, readFileSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { formatSynthReport, runSynth, synthCommand, toRunOptions } from '../../src/cli/synth.js';
import { parseCsvText } from '../../src/data/csv.js';
import { inferSchema } from '../../src/data/infer.js';
import { ConfigError } from '../../src/errors.js';
import { tableToCsv } from '../../src/synth/csv.js';
import { toyTable } from './tables.js';

const dir = mkdtempSync(join(tmpdir(), 'fedcredit-synth-'));
const csv = join(dir, 'loans.csv');
writeFileSync(csv, tableToCsv(toyTable(300, 8)));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const flags = { method: 'smotenc', class: 'bad', seed: '42' };

describe('toRunOptions', () => {
  it.each([
    [{ ...flags }, /--dataset NAME or --data FILE/],
    [{ ...flags, dataset: 'german', data: csv }, /not both/],
    [{ ...flags, data: csv }, /--target/],
    [{ ...flags, dataset: 'german', rows: '0' }, /--rows/],
    [{ ...flags, dataset: 'german', rows: 'many' }, /--rows/],
    [{ ...flags, dataset: 'german', epochs: '5' }, /--epochs and --batch-size apply/],
    [{ ...flags, method: 'gan', dataset: 'german', batchSize: '55' }, /multiple of 10/],
    [{ ...flags, method: 'gan', dataset: 'german', k: '5' }, /--k applies/],
    [{ ...flags, dataset: 'german', seed: '1.5' }, /--seed/],
  ])('rejects %j', (f, message) => {
    expect(() => toRunOptions(f)).toThrow(ConfigError);
    expect(() => toRunOptions(f)).toThrow(message);
  });

  it('maps flags to options', () => {
    expect(toRunOptions({ ...flags, data: csv, target: 'status', bad: 'bad', rows: '10', class: 'good', out: 'x.csv' })).toMatchObject({
      source: { file: csv, target: 'status', bad: 'bad' }, method: 'smotenc', numRows: 10, label: 0, seed: 42, out: 'x.csv', evaluate: false,
    });
  });
});

describe('runSynth', () => {
  it('keeps rows in memory without --out and exports loadable rows with it', () => {
    const inferred: string[] = [];
    const base = { ...toRunOptions({ ...flags, data: csv, target: 'status', bad: 'bad' }), onInferred: (s: string) => inferred.push(s) };
    const kept = runSynth(base);
    expect(kept.out).toBeUndefined();
    // default --rows: as many as the class has
    expect(kept.syntheticRows).toBe(toyTable(300, 8).label.reduce((s, y) => s + y, 0));
    expect(kept.fittedRows).toBe(300);
    expect(formatSynthReport(kept)).toMatch(/kept in memory only/);
    expect(inferred).toHaveLength(1);

    const out = join(dir, 'synthetic.csv');
    const exported = runSynth({ ...base, numRows: 40, out });
    expect(existsSync(out)).toBe(true);
    const back = parseCsvText(readFileSync(out, 'utf8'), inferSchema(csv, { target: 'status', bad: 'bad' }).schema);
    expect(back.numRows).toBe(40);
    expect(Array.from(back.label).every((y) => y === 1)).toBe(true);
    expect(formatSynthReport(exported)).toMatch(/written to/);
  });

  it('evaluates on a held-out split (GAN, one epoch)', () => {
    const report = runSynth({ ...toRunOptions({ ...flags, method: 'gan', data: csv, target: 'status', bad: 'bad', epochs: '1' }), evaluate: true, numRows: 30 });
    expect(report.fittedRows).toBe(240);
    const e = report.evaluation!;
    expect(e.method).toBe('gan');
    expect(e.numJudged).toBe(30);
    expect(e.fidelity.meanKs).toBeGreaterThanOrEqual(0);
    expect(e.utility.real.auc).toBeGreaterThan(0.5);
    expect(Number.isFinite(e.privacy.dcrMedian)).toBe(true);
    expect(formatSynthReport(report)).toMatch(/TSTR/);
  });

  it('runs as a command and writes the JSON summary without rows', async () => {
    const json = join(dir, 'report.json');
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      await synthCommand().exitOverride().parseAsync(['--data', csv, '--target', 'status', '--bad', 'bad', '--method', 'smotenc', '--rows', '5', '--json', json, '--quiet'], { from: 'user' });
    } finally {
      write.mockRestore();
    }
    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(report).toMatchObject({ method: 'smotenc', class: 'bad', syntheticRows: 5 });
    expect(JSON.stringify(report)).not.toMatch(/numeric|categorical/);
  });
});
