import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { scorecardCommand } from '../../src/cli/scorecard.js';
import { ConfigError } from '../../src/errors.js';
import { parseXml } from './xml.js';

async function run(args: string[]): Promise<string> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => { out += String(chunk); return true; });
  try {
    await scorecardCommand().exitOverride().parseAsync(args, { from: 'user' });
  } finally {
    spy.mockRestore();
  }
  return out;
}

describe('fedcredit scorecard', () => {
  afterEach(() => vi.restoreAllMocks());

  it('builds the scorecard, prints the IV table, AUC against plain LR, reasons and PSI, and writes CSV, JSON and PMML', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fedcredit-scorecard-'));
    const out = await run(['--dataset', 'german', '--nodes', '3', '--rounds', '5', '--pdo', '40', '--base-score', '500', '--base-odds', '20', '--out', dir, '--json', join(dir, 'report.json')]);
    expect(out).toMatch(/500 points at 20:1, 40 points to double the odds/);
    expect(out).toMatch(/existingchecking\s+0\.\d{4}\s+suspicious/);
    expect(out).toMatch(/federated scorecard\s+0\.\d{3}/);
    expect(out).toMatch(/plain federated logistic regression\s+0\.\d{3}/);
    expect(out).toMatch(/scorecard − plain LR AUC: [-+]0\.\d{4}/);
    expect(out).toMatch(/1\. .+ \(−\d+\.\d points\)/);
    expect(out).toMatch(/node-3\s+\d+\s+\d\.\d{3}/);
    const csv = readFileSync(join(dir, 'scorecard.csv'), 'utf8');
    expect(csv.split('\r\n')[0]).toMatch(/^characteristic,description,attribute,words/);
    const card = JSON.parse(readFileSync(join(dir, 'scorecard.json'), 'utf8'));
    expect(card.scale).toEqual({ basePoints: 500, baseOdds: 20, pointsToDouble: 40 });
    expect(parseXml(readFileSync(join(dir, 'scorecard.pmml'), 'utf8')).name).toBe('PMML');
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    expect(report.scorecard.auc).toBeGreaterThan(0.65);
    expect(report.perFold[0].psi.perNode).toHaveLength(3);
  });

  it.each([
    [['--pdo', '0'], /--pdo/],
    [['--base-odds', '-2'], /--base-odds/],
    [['--max-bins', '0'], /--max-bins/],
    [['--min-bin-share', '0.7'], /--min-bin-share/],
    [['--grid-coarsening', '3'], /--grid-coarsening/],
    [['--nodes', 'x'], /--nodes/],
  ])('reports %s as a usage error', async (args, message) => {
    const error = await run(['--dataset', 'german', ...args]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
  });
});
