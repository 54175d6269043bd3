import { describe, expect, it } from 'vitest';
import { formatAuditReport, formatTransportCheck } from '../../../src/privacy/audit/format.js';
import { checkTarget, privacyAuditOptions, runAuditTransportChecks, runPrivacyAudit, type SettingReport } from '../../../src/privacy/audit/report.js';

const small = privacyAuditOptions({ numNodes: 3, rounds: 2, repeats: 2, numShadows: 1, epsilons: [3], seed: 7 });

describe('runPrivacyAudit (small configuration)', () => {
  it('reports every setting with model AUC, both attacks and the DP bound, deterministically for a seed', async () => {
    const events: string[] = [];
    const a = await runPrivacyAudit(small, (e) => events.push(`${e.setting}:${e.repeat}/${e.repeats}`));
    const b = await runPrivacyAudit(small);
    expect(events).toEqual(['non-private:1/2', 'non-private:2/2', 'ε=3:1/2', 'ε=3:2/2']);
    expect({ ...a, wallMs: 0 }).toEqual({ ...b, wallMs: 0 });

    expect(a.settings.map((s) => s.setting)).toEqual(['non-private', 'ε=3']);
    const [plain, dp] = a.settings;
    expect(plain.epsilon).toBeNull();
    expect(plain.noiseMultiplier).toBeNull();
    expect(plain.advantageBound).toBeNull();
    expect(dp.epsilon).toBe(3);
    expect(dp.noiseMultiplier).toBeGreaterThan(0);
    expect(dp.advantageBound).toBeCloseTo(Math.tanh(1.5), 4);
    for (const s of a.settings) {
      expect(s.perRepeat).toHaveLength(2);
      expect(s.modelAuc.mean).toBeGreaterThan(0.55);
      for (const m of [s.lossAttack.auc, s.shadowAttack.auc]) expect(m.mean).toBeGreaterThan(0.3);
      // mean and sample standard deviation of the per-repeat values
      const values = s.perRepeat.map((r) => r.loss.calibratedAdvantage);
      expect(s.lossAttack.calibratedAdvantage.mean).toBeCloseTo((values[0] + values[1]) / 2, 12);
      expect(s.lossAttack.calibratedAdvantage.std).toBeCloseTo(Math.abs(values[0] - values[1]) / Math.SQRT2, 12);
      expect(s.lossAttack.bestAdvantage.mean).toBeGreaterThanOrEqual(s.lossAttack.calibratedAdvantage.mean);
    }
    // 1000 rows, half to the target, each of its nodes trains on half: about 250 per side.
    expect(a.numMembers).toBeGreaterThan(230);
    expect(a.numMembers).toBe(a.numNonMembers);
    expect(a.target.checks.map((c) => c.setting)).toEqual(['ε=3']);
    expect(a.config).toMatchObject({ dataset: 'german', nodes: 3, epsilons: [3], delta: 1e-5, repeats: 2, seed: 7 });

    const text = formatAuditReport(a);
    expect(text).toMatch(/non-private\s+—\s+—\s+0\.\d{3} ± 0\.\d{3}/);
    expect(text).toMatch(/ε=3\s+\d+\.\d{3}\s+0\.905/);
    expect(text).toMatch(/target \(not a guarantee\): membership advantage ≤ 0\.02 at ε ≤ 3/);
    expect(text).toMatch(/ {2}ε=3: (met|NOT met) \(worst mean advantage/);
  }, 20_000);

  it('runs the transport check without DP and at the smallest ε', async () => {
    const checks = await runAuditTransportChecks({ ...small, epsilons: [8, 3] });
    expect(checks.map((c) => c.setting)).toEqual(['non-private', 'ε=3']);
    for (const c of checks) {
      expect(c.result.ok).toBe(true);
      expect(formatTransportCheck(c.setting, c.result)).toBe(`transport check (${c.setting}): ${3 * (3 + 2 * 2)} replies scanned, 0 record values found`);
    }
  });
});

describe('checkTarget', () => {
  const setting = (name: string, epsilon: number | null, loss: [number, number], shadow: [number, number]) => ({
    setting: name, epsilon,
    lossAttack: { calibratedAdvantage: { mean: loss[0], std: loss[1] } },
    shadowAttack: { advantage: { mean: shadow[0], std: shadow[1] } },
  }) as unknown as SettingReport;

  it('applies to ε ≤ the limit only and judges the worse attack; conclusive when the 95% upper end also meets it', () => {
    const checks = checkTarget([
      setting('non-private', null, [0.3, 0], [0.3, 0]),
      setting('ε=8', 8, [0.1, 0], [0.1, 0]),
      setting('ε=3', 3, [0.01, 0.01], [0.015, 0.02]),
      setting('ε=1', 1, [0.001, 0.001], [0.025, 0.001]),
    ], 0.02, 3, 4);
    expect(checks.map((c) => c.setting)).toEqual(['ε=3', 'ε=1']);
    // ε=3: worst mean 0.015 ≤ 0.02 (met); upper end max(0.01 + 1.96·0.01/2, 0.015 + 1.96·0.02/2) = 0.0346.
    expect(checks[0]).toMatchObject({ advantage: 0.015, met: true, conclusive: false });
    expect(checks[0].upper95).toBeCloseTo(0.0346, 12);
    expect(checks[1]).toMatchObject({ advantage: 0.025, met: false, conclusive: false });
    expect(checkTarget([setting('ε=1', 1, [0, 0.001], [0.005, 0.001])], 0.02, 3, 5)[0]).toMatchObject({ met: true, conclusive: true });
  });
});

describe('privacyAuditOptions', () => {
  it('fills in the documented defaults', () => {
    const o = privacyAuditOptions();
    expect(o).toMatchObject({ dataset: 'german', numNodes: 5, epsilons: [8, 3, 1], delta: 1e-5, repeats: 5, rounds: 30, numShadows: 4, targetAdvantage: 0.02, targetMaxEpsilon: 3 });
    expect(o.dp).toEqual({ sampleRate: 0.1, maxGradNorm: 1 });
    expect(o.train.lr).toBe(0.01);
  });

  it.each([
    ['one repeat (no std)', { repeats: 1 }],
    ['0 nodes', { numNodes: 0 }],
    ['a negative ε', { epsilons: [3, -1] }],
    ['ε as a string', { epsilons: ['3'] as unknown as number[] }],
    ['δ of 0', { delta: 0 }],
    ['a fractional seed', { seed: 1.5 }],
    ['0 shadows', { numShadows: 0 }],
  ])('rejects %s', (_name, partial) => {
    expect(() => privacyAuditOptions(partial)).toThrow(RangeError);
  });
});
