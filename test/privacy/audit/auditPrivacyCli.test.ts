/**
 * `fedcredit audit privacy`, driven in process through the `audit` command (the CLI test of
 * test/cli runs the built binary; this one needs no build).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { auditCommand } from '../../../src/cli/audit.js';
import { toAuditOptions, type AuditPrivacyFlags } from '../../../src/cli/auditPrivacy.js';
import { ConfigError } from '../../../src/errors.js';

const flags: AuditPrivacyFlags = {
  dataset: 'german', nodes: '5', epsilons: '8,3,1', delta: '1e-5', repeats: '5', rounds: '30', shadows: '4', model: 'logreg', seed: '42', transportCheck: true,
};

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

describe('fedcredit audit privacy', () => {
  it('prints the table and the transport check, and writes the JSON', async () => {
    const json = join(mkdtempSync(join(tmpdir(), 'fedcredit-audit-')), 'audit.json');
    let out = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => { out += String(chunk); return true; });
    await auditCommand().exitOverride().parseAsync(
      ['privacy', '--nodes', '3', '--rounds', '2', '--repeats', '2', '--shadows', '1', '--epsilons', '3', '--seed', '3', '--quiet', '--json', json],
      { from: 'user' },
    );
    vi.restoreAllMocks();
    expect(out).toMatch(/setting\s+σ\s+DP bound\s+model AUC\s+loss AUC\s+loss adv/);
    expect(out).toMatch(/\nnon-private\s/);
    expect(out).toMatch(/\nε=3\s/);
    expect(out).toMatch(/target \(not a guarantee\)/);
    expect(out).toMatch(/transport check \(non-private\): 21 replies scanned, 0 record values found/);
    expect(out).toMatch(/transport check \(ε=3\): 21 replies scanned, 0 record values found/);
    expect(process.exitCode ?? 0).toBe(0);
    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(report.settings).toHaveLength(2);
    expect(report.settings[1].epsilon).toBe(3);
    expect(report.settings[0].lossAttack.calibratedAdvantage).toHaveProperty('std');
    expect(report.transportChecks.map((c: { setting: string; result: { ok: boolean } }) => [c.setting, c.result.ok])).toEqual([['non-private', true], ['ε=3', true]]);
  }, 20_000);

  it('turns flags into options', () => {
    const o = toAuditOptions({ ...flags, epsilons: '8, 2.5', model: 'mlp', hidden: '8' });
    expect(o.epsilons).toEqual([8, 2.5]);
    expect(o.model).toEqual({ kind: 'mlp', config: { hidden: [8], activation: 'relu' } });
    expect(toAuditOptions({ ...flags, epsilons: '' }).epsilons).toEqual([]);
  });

  it.each([
    ['a non-numeric ε', { epsilons: '8,x' }, /--epsilons/],
    ['a negative ε', { epsilons: '-1' }, /epsilons/],
    ['one repeat', { repeats: '1' }, /repeats/],
    ['fractional nodes', { nodes: '2.5' }, /--nodes/],
    ['--hidden without mlp', { hidden: '8' }, /--hidden/],
  ])('reports %s as a usage error naming the flag', (_name, partial, message) => {
    expect(() => toAuditOptions({ ...flags, ...partial })).toThrow(ConfigError);
    expect(() => toAuditOptions({ ...flags, ...partial })).toThrow(message);
  });
});
