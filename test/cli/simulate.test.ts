import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fedcredit } from './run.js';

const dir = mkdtempSync(join(tmpdir(), 'fedcredit-cli-'));

describe('fedcredit simulate (the real binary)', () => {
  it('prints the comparison table and writes the JSON report with the documented fields', () => {
    const json = join(dir, 'report.json');
    const r = fedcredit(['simulate', '--dataset', 'german', '--nodes', '3', '--rounds', '5', '--seed', '1', '--json', json]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/federated\s+0\.\d{3}/);
    expect(r.stdout).toMatch(/pooled \(reference\)/);
    expect(r.stdout).toMatch(/local-only \(mean\)/);
    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(report.federated.auc).toBeGreaterThan(0.6);
    expect(report.pooled.auc).toBeGreaterThan(0.6);
    expect(report.localOnly.meanAuc).toBeGreaterThan(0.5);
    expect(report.rounds).toHaveLength(5);
    expect(report.rounds[0]).toHaveProperty('auc');
    expect(report.wallMs).toBeGreaterThan(0);
  });

  it('infers the schema of a bring-your-own CSV and prints what it inferred', () => {
    const csv = join(dir, 'loans.csv');
    const rows = ['loan_id,income,purpose,defaulted'];
    for (let i = 0; i < 300; i++) rows.push(`L${i},${1000 + ((i * 37) % 500)},${['car', 'home', 'other'][i % 3]},${i % 4 === 0 ? 'yes' : 'no'}`);
    writeFileSync(csv, `${rows.join('\n')}\n`);
    const r = fedcredit(['simulate', '--data', csv, '--target', 'defaulted', '--bad', 'yes', '--id', 'loan_id', '--nodes', '2', '--rounds', '2', '--no-baselines']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/Inferred schema/);
    expect(r.stderr).toMatch(/income/);
    expect(r.stderr).toMatch(/numeric/);
    expect(r.stderr).toMatch(/purpose/);
  });

  it('reports a bad file with file, row and column, exit code 2 and no stack trace', () => {
    const ragged = join(dir, 'ragged.csv');
    writeFileSync(ragged, 'income,purpose,defaulted\n100,car,no\n200,home\n300,car,yes\n');
    const r = fedcredit(['simulate', '--data', ragged, '--target', 'defaulted', '--bad', 'yes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/ragged\.csv/);
    expect(r.stderr).toMatch(/row 3/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const noTarget = fedcredit(['simulate', '--data', ragged.replace('ragged', 'missing'), '--target', 'x', '--bad', 'y']);
    expect(noTarget.code).toBe(2);
    expect(noTarget.stderr).toMatch(/missing\.csv/);
    const csv = join(dir, 'ok.csv');
    writeFileSync(csv, 'income,purpose,defaulted\n100,car,no\n200,home,yes\n');
    const wrongTarget = fedcredit(['simulate', '--data', csv, '--target', 'missing_column', '--bad', 'yes']);
    expect(wrongTarget.code).toBe(2);
    expect(wrongTarget.stderr).toMatch(/ok\.csv/);
    expect(wrongTarget.stderr).toMatch(/missing_column/);
    const wrongBad = fedcredit(['simulate', '--data', csv, '--target', 'defaulted', '--bad', 'maybe']);
    expect(wrongBad.code).toBe(2);
    expect(wrongBad.stderr).toMatch(/maybe/);
  });

  it('rejects bad options with exit code 2 and a message naming the option', () => {
    const r = fedcredit(['simulate', '--nodes', 'five']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--nodes: expected an integer, got "five"/);
    const p = fedcredit(['simulate', '--partition', 'dirichlet:-1']);
    expect(p.code).toBe(2);
    expect(p.stderr).toMatch(/dirichlet/);
    const s = fedcredit(['simulate', '--strategy', 'fedmagic']);
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(/fedmagic/);
  });
});
