import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { calibrateForBudget, parsePrivacySettings, plannedEpsilon, resolvePrivacy, stepsPerEpoch } from '../../src/privacy/plan.js';
import { epsilonFor } from '../../src/privacy/rdp.js';
import { noiseMultiplierFor } from '../../src/privacy/calibrate.js';

const opacus = JSON.parse(readFileSync(new URL('../vectors/rdp.json', import.meta.url), 'utf8')).published as {
  epsilon: { noiseMultiplier: number; sampleRate: number; steps: number; delta: number; epsilon: number }[];
  noiseMultiplier: { targetEpsilon: number; delta: number; sampleRate: number; steps: number; noiseMultiplier: number; absTolerance: number }[];
};

describe('plannedEpsilon', () => {
  it('composes rounds × steps per round: 90 rounds of 25 steps is the Opacus vector (2250 steps, ε ≈ 7.32911)', () => {
    const v = opacus.epsilon[0];
    const planned = plannedEpsilon({ noiseMultiplier: v.noiseMultiplier, sampleRate: v.sampleRate, stepsPerRound: 25, rounds: 90, delta: v.delta });
    expect(planned.epsilon).toBeCloseTo(v.epsilon, 7);
    expect(planned).toEqual(epsilonFor({ noiseMultiplier: v.noiseMultiplier, sampleRate: v.sampleRate, steps: 2250, delta: v.delta }));
  });

  it('equals epsilonFor of the composed steps for any split (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), fc.double({ min: 0.5, max: 5, noNaN: true }), (perRound, rounds, sigma) => {
      const a = plannedEpsilon({ noiseMultiplier: sigma, sampleRate: 0.05, stepsPerRound: perRound, rounds, delta: 1e-5 });
      const b = epsilonFor({ noiseMultiplier: sigma, sampleRate: 0.05, steps: perRound * rounds, delta: 1e-5 });
      expect(a).toEqual(b);
    }), { numRuns: 25 });
  });

  it('rejects non-integer steps per round and rounds', () => {
    expect(() => plannedEpsilon({ noiseMultiplier: 1, sampleRate: 0.1, stepsPerRound: 1.5, rounds: 2, delta: 1e-5 })).toThrow(/stepsPerRound/);
    expect(() => plannedEpsilon({ noiseMultiplier: 1, sampleRate: 0.1, stepsPerRound: 1, rounds: 0, delta: 1e-5 })).toThrow(/rounds/);
  });
});

describe('calibrateForBudget', () => {
  it.each(opacus.noiseMultiplier)('reproduces Opacus: ε=$targetEpsilon, q=$sampleRate, $steps steps → σ ≈ $noiseMultiplier', (v) => {
    expect(calibrateForBudget(v)).toBeCloseTo(v.noiseMultiplier, 4);
    expect(calibrateForBudget(v)).toBe(noiseMultiplierFor(v));
  });

  it('never overshoots the target', () => {
    for (const targetEpsilon of [0.5, 1, 3, 8]) {
      const sigma = calibrateForBudget({ targetEpsilon, delta: 1e-5, sampleRate: 0.1, steps: 300 });
      expect(epsilonFor({ noiseMultiplier: sigma, sampleRate: 0.1, steps: 300, delta: 1e-5 }).epsilon).toBeLessThanOrEqual(targetEpsilon);
    }
  });
});

describe('stepsPerEpoch', () => {
  it('is round(1/q), at least 1', () => {
    expect(stepsPerEpoch(0.1)).toBe(10);
    expect(stepsPerEpoch(0.04)).toBe(25);
    expect(stepsPerEpoch(0.3)).toBe(3);
    expect(stepsPerEpoch(1)).toBe(1);
    expect(() => stepsPerEpoch(0)).toThrow(RangeError);
  });
});

describe('parsePrivacySettings / resolvePrivacy', () => {
  const dpsgd = { mechanism: 'dpsgd', targetEpsilon: 3, maxGradNorm: 1, sampleRate: 0.1, delta: 1e-5, rounds: 30, epochs: 1 };
  const fedavg = { mechanism: 'dp-fedavg', noiseMultiplier: 1, clipNorm: 0.5, nodeSampleRate: 1, numNodes: 5, delta: 1e-5, rounds: 20 };

  it('accepts complete settings of both mechanisms', () => {
    expect(parsePrivacySettings(dpsgd)).toEqual({ ok: true, settings: dpsgd });
    expect(parsePrivacySettings(fedavg)).toEqual({ ok: true, settings: fedavg });
  });

  it.each([
    [null, ''], [[], ''], [{ ...dpsgd, mechanism: 'local' }, 'mechanism'], [{ ...dpsgd, noiseMultiplier: 1 }, 'noiseMultiplier'],
    [{ ...dpsgd, targetEpsilon: undefined }, 'noiseMultiplier'], [{ ...dpsgd, targetEpsilon: -1 }, 'targetEpsilon'], [{ ...dpsgd, sampleRate: 0 }, 'sampleRate'],
    [{ ...dpsgd, sampleRate: 1.5 }, 'sampleRate'], [{ ...dpsgd, delta: 0.5 }, 'delta'], [{ ...dpsgd, rounds: 2.5 }, 'rounds'], [{ ...dpsgd, epochs: '1' }, 'epochs'],
    [{ ...dpsgd, maxGradNorm: Number.NaN }, 'maxGradNorm'], [{ ...dpsgd, extra: 1 }, 'extra'], [{ ...fedavg, numNodes: 0 }, 'numNodes'], [{ ...fedavg, clipNorm: undefined }, 'clipNorm'],
    [{ ...fedavg, maxGradNorm: 1 }, 'maxGradNorm'],
  ])('reports %j at its field', (value, field) => {
    const parsed = parsePrivacySettings(value);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.issues.map((i) => i.field)).toContain(field);
  });

  it('resolves a target ε to the calibrated σ, with the plan not above the target', () => {
    const r = resolvePrivacy(dpsgd as never);
    expect(r.stepsPerRound).toBe(10);
    expect(r.noiseMultiplier).toBe(calibrateForBudget({ targetEpsilon: 3, delta: 1e-5, sampleRate: 0.1, steps: 300 }));
    expect(r.plannedCost).toEqual({ mechanism: 'sgm', noiseMultiplier: r.noiseMultiplier, sampleRate: 0.1, steps: 300 });
    expect(r.plannedEpsilon).toBeLessThanOrEqual(3);
    expect(r.plannedEpsilon).toBeGreaterThan(2.9);
  });

  it('resolves DP-FedAvg to one step per round at the node sampling rate', () => {
    const r = resolvePrivacy(fedavg as never);
    expect(r.stepsPerRound).toBe(1);
    expect(r.plannedCost).toEqual({ mechanism: 'sgm', noiseMultiplier: 1, sampleRate: 1, steps: 20 });
    expect(r.plannedEpsilon).toBe(epsilonFor({ noiseMultiplier: 1, sampleRate: 1, steps: 20, delta: 1e-5 }).epsilon);
  });

  it('throws RangeError for settings that fail the check or an unreachable target', () => {
    expect(() => resolvePrivacy({ ...dpsgd, sampleRate: 2 } as never)).toThrow(/sampleRate/);
    expect(() => resolvePrivacy({ ...dpsgd, targetEpsilon: 0.01 } as never)).toThrow(RangeError);
  });
});
