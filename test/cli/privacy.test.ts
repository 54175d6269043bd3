import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { privacyCommand } from '../../src/cli/privacy.js';
import { ConfigError } from '../../src/errors.js';
import { epsilonOfCost } from '../../src/privacy/cost.js';
import { PrivacyLedger } from '../../src/privacy/ledger.js';
import { fedcredit } from './run.js';

const opacus = JSON.parse(readFileSync(new URL('../vectors/rdp.json', import.meta.url), 'utf8')).published as {
  epsilon: { noiseMultiplier: number; sampleRate: number; steps: number; delta: number; epsilon: number }[];
  noiseMultiplier: { targetEpsilon: number; delta: number; sampleRate: number; steps: number; noiseMultiplier: number }[];
};
const dir = mkdtempSync(join(tmpdir(), 'fedcredit-cli-privacy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Run `fedcredit privacy …` in process and return what it printed. */
async function run(...args: string[]): Promise<string> {
  let out = '';
  const command = privacyCommand((text) => { out += text; }).exitOverride();
  for (const sub of command.commands) sub.exitOverride();
  await command.parseAsync(args, { from: 'user' });
  return out;
}

describe('fedcredit privacy', () => {
  it('epsilon --json prints the Opacus vector {"epsilon":7.3291…,"order":…} (the real binary)', () => {
    const v = opacus.epsilon[0];
    const r = fedcredit(['privacy', 'epsilon', '--noise-multiplier', String(v.noiseMultiplier), '--sample-rate', String(v.sampleRate), '--steps', String(v.steps), '--delta', String(v.delta), '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\{"epsilon":7\.3291\d*,"order":3\.9\}\n$/);
    expect(JSON.parse(r.stdout).epsilon).toBeCloseTo(v.epsilon, 7);
  });

  it('sigma --json prints Opacus\' calibrated noise multipliers', async () => {
    for (const v of opacus.noiseMultiplier) {
      const out = await run('sigma', '--epsilon', String(v.targetEpsilon), '--sample-rate', String(v.sampleRate), '--steps', String(v.steps), '--delta', String(v.delta), '--json');
      expect(Object.keys(JSON.parse(out))).toEqual(['noiseMultiplier']);
      expect(JSON.parse(out).noiseMultiplier).toBeCloseTo(v.noiseMultiplier, 4);
    }
  });

  it('prints sentences without --json', async () => {
    expect(await run('epsilon', '--noise-multiplier', '1.5', '--sample-rate', '0.04', '--steps', '2250', '--delta', '1e-5')).toBe('ε = 7.3291 at δ = 1e-5 (best Rényi order 3.9) after 2250 steps at σ = 1.5, q = 0.04\n');
    expect(await run('sigma', '--epsilon', '8', '--sample-rate', '0.04', '--steps', '2250', '--delta', '1e-5')).toBe('σ = 1.4160: 2250 steps at q = 0.04 spend ε ≤ 8 at δ = 1e-5\n');
  });

  it.each([
    [['epsilon', '--noise-multiplier', '0', '--sample-rate', '0.1', '--steps', '10', '--delta', '1e-5'], /--noise-multiplier/],
    [['epsilon', '--noise-multiplier', '1', '--sample-rate', '1.5', '--steps', '10', '--delta', '1e-5'], /--sample-rate/],
    [['epsilon', '--noise-multiplier', '1', '--sample-rate', '0.1', '--steps', '2.5', '--delta', '1e-5'], /--steps/],
    [['epsilon', '--noise-multiplier', '1', '--sample-rate', '0.1', '--steps', '10', '--delta', '1'], /--delta/],
    [['sigma', '--epsilon', '0.001', '--sample-rate', '0.1', '--steps', '10', '--delta', '1e-5'], /--epsilon: targetEpsilon/],
  ])('rejects %j with a ConfigError naming the option', async (args, message) => {
    await expect(run(...args)).rejects.toThrow(ConfigError);
    await expect(run(...args)).rejects.toThrow(message);
  });

  it('ledger shows budget, spent, remaining and the spend of each job', async () => {
    writeFileSync(join(dir, 'bank.csv'), 'unused');
    const config = join(dir, 'node.yaml');
    writeFileSync(config, 'institution: Bank A\nnodeName: bank-a\ndataDir: ./state\ndatasets:\n  - key: german-credit\n    file: bank.csv\n    schema: german\n    privacy:\n      budget: { epsilon: 3, delta: 1e-5 }\n');
    expect(await run('ledger', '--config', config)).toMatch(/german-credit\s+3\.00\s+1e-5\s+0\.00\s+0\.00\s+3\.00/);
    const ledger = PrivacyLedger.open({ file: join(dir, 'state', 'privacy-ledger.json'), budgets: { 'german-credit': { epsilon: 3, delta: 1e-5 } } });
    const cost = { mechanism: 'sgm' as const, noiseMultiplier: 1.5, sampleRate: 0.1, steps: 10 };
    ledger.charge({ key: 'job-7:1', datasetKey: 'german-credit', jobId: 'job-7', kind: 'dpsgd', cost, epsilon: epsilonOfCost(cost, 1e-5), delta: 1e-5, details: { round: 1 } });
    const spent = ledger.spent('german-credit');
    const text = await run('ledger', '--config', config);
    expect(text).toMatch(/german-credit\s+job-7\s+dpsgd\s+1\s+\d\.\d\d\s+no/);
    expect(text).toMatch(new RegExp(`german-credit\\s+3\\.00\\s+1e-5\\s+${spent.toFixed(2)}\\s+${spent.toFixed(2)}\\s+${(3 - spent).toFixed(2)}`));
    const json = JSON.parse(await run('ledger', '--config', config, '--json'));
    expect(json.datasets[0]).toMatchObject({ datasetKey: 'german-credit', budget: { epsilon: 3, delta: 1e-5 }, jobs: [{ jobId: 'job-7', charges: 1, reserved: false }] });
    expect(json.entries[0].key).toBe('job-7:1');
  });
});

describe('fedcredit simulate --dp-* (the real binary)', () => {
  it('trains with record-level DP-SGD at every node and says so', () => {
    const r = fedcredit(['simulate', '--dataset', 'german', '--nodes', '3', '--rounds', '3', '--dp-epsilon', '3', '--dp-sample-rate', '0.5', '--no-baselines', '--quiet']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/trained with record-level DP-SGD at every node: ε = 3, δ = 1e-5, σ = \d+\.\d{3}, clip 1, q = 0\.5/);
  });

  it('refuses --dp-* options without --dp-epsilon', () => {
    const r = fedcredit(['simulate', '--dataset', 'german', '--dp-delta', '1e-6']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--dp-delta: needs --dp-epsilon/);
  });
});
