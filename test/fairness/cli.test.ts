import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { fairnessCommand } from '../../src/cli/fairness.js';
import { ConfigError } from '../../src/errors.js';

async function run(args: string[]): Promise<string> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => { out += String(chunk); return true; });
  try {
    await fairnessCommand().exitOverride().parseAsync(args, { from: 'user' });
  } finally {
    spy.mockRestore();
  }
  return out;
}

describe('fedcredit fairness', () => {
  it('prints disparate impact, equal opportunity, calibration and proxies for the German attributes, and writes JSON', async () => {
    const json = join(mkdtempSync(join(tmpdir(), 'fedcredit-fairness-')), 'fairness.json');
    const out = await run(['--dataset', 'german', '--nodes', '3', '--rounds', '5', '--proxy-rounds', '5', '--json', json]);
    for (const attribute of ['sex (column statussex)', 'marital status (column statussex)', 'age band (column age)', 'foreign worker (column foreignworker)']) expect(out).toContain(attribute);
    expect(out).toMatch(/excluded from features; proxies (REMAIN|do not remain) \(best AUC 0\.\d{3}/);
    expect(out).toMatch(/female\s+\d+\s+0\.\d{3}/);
    expect(out).toMatch(/disparate impact \d\.\d{3}: (ok|FLAGGED); equal opportunity \d\.\d{3}: (ok|FLAGGED)/);
    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(report.fairness.attributes).toHaveLength(4);
    expect(report.fairness.numApplicants).toBe(200);
    expect(report.fairness.attributes[2].groups.map((g: { group: string }) => g.group)).toEqual(['< 25', '25–39', '40+']);
  });

  it.each([
    [['--threshold', '0'], /--threshold/],
    [['--threshold', 'abc'], /--threshold/],
    [['--proxy-rounds', '0'], /--proxy-rounds/],
  ])('reports %s as a usage error', async (args, message) => {
    const error = await run(['--dataset', 'german', ...args]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
  });
});
