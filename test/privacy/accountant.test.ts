import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RdpAccountant } from '../../src/privacy/accountant.js';
import { DEFAULT_ORDERS, computeRdp, epsilonFor, getPrivacySpent } from '../../src/privacy/rdp.js';
import { describeAccountantConformance } from './accountantConformance.js';

const vectors = JSON.parse(readFileSync(new URL('../vectors/rdp.json', import.meta.url), 'utf8')) as {
  published: { epsilon: { noiseMultiplier: number; sampleRate: number; steps: number; delta: number; epsilon: number; absTolerance: number }[] };
};

describeAccountantConformance('RdpAccountant', () => new RdpAccountant(), RdpAccountant.fromJSON);

describe('RdpAccountant', () => {
  it("reproduces Opacus' test_rdp_accountant with 2250 single steps", () => {
    const v = vectors.published.epsilon[0];
    const a = new RdpAccountant();
    for (let i = 0; i < v.steps; i++) a.step(v.noiseMultiplier, v.sampleRate);
    expect(a.history).toEqual([{ noiseMultiplier: v.noiseMultiplier, sampleRate: v.sampleRate, numSteps: v.steps }]);
    expect(Math.abs(a.getEpsilon(v.delta) - v.epsilon)).toBeLessThan(v.absTolerance);
    expect(a.getPrivacySpent(v.delta).order).toBe(3.9);
  });

  it('composes heterogeneous steps by summing RDP per order', () => {
    const runs = [
      { noiseMultiplier: 1.0, sampleRate: 0.01, steps: 300 },
      { noiseMultiplier: 2.5, sampleRate: 0.05, steps: 40 },
      { noiseMultiplier: 0.8, sampleRate: 0.001, steps: 1000 },
    ];
    const a = new RdpAccountant();
    const total = new Float64Array(DEFAULT_ORDERS.length);
    for (const r of runs) {
      a.step(r.noiseMultiplier, r.sampleRate, r.steps);
      computeRdp(r).forEach((v, k) => (total[k] += v));
    }
    expect(a.getPrivacySpent(1e-6)).toEqual(getPrivacySpent({ orders: DEFAULT_ORDERS, rdp: total, delta: 1e-6 }));
    // Composition costs more than any part, and less than if every step had the worst setting.
    const parts = runs.map((r) => epsilonFor({ ...r, delta: 1e-6 }).epsilon);
    expect(a.getEpsilon(1e-6)).toBeGreaterThan(Math.max(...parts));
  });

  it('uses and persists custom orders', () => {
    const orders = [2, 4, 8, 16, 32];
    const a = new RdpAccountant({ orders });
    a.step(1.5, 0.04, 2250);
    expect(a.getPrivacySpent(1e-5)).toEqual(epsilonFor({ noiseMultiplier: 1.5, sampleRate: 0.04, steps: 2250, delta: 1e-5, orders }));
    const b = RdpAccountant.fromJSON(JSON.parse(JSON.stringify(a)));
    expect(b.orders).toEqual(orders);
    expect(b.getEpsilon(1e-5)).toBe(a.getEpsilon(1e-5));
    expect(() => new RdpAccountant({ orders: [0.5] })).toThrow(/orders\[0\]/);
  });

  it('reports ε = ∞ after a step without noise, and 0-rate steps add no RDP', () => {
    const a = new RdpAccountant();
    a.step(1, 0, 1000);
    // Like Opacus, only the RDP→(ε, δ) conversion term remains once a step was taken.
    expect(a.getPrivacySpent(1e-5)).toEqual(getPrivacySpent({ orders: DEFAULT_ORDERS, rdp: new Float64Array(151), delta: 1e-5 }));
    a.step(0, 0.1);
    expect(a.getEpsilon(1e-5)).toBe(Infinity);
  });

  it('keeps an unmerged saved history as it was', () => {
    const state = {
      mechanism: 'rdp',
      version: 1,
      orders: [2, 3],
      history: [
        { noiseMultiplier: 1, sampleRate: 0.1, numSteps: 2 },
        { noiseMultiplier: 1, sampleRate: 0.1, numSteps: 3 },
      ],
    };
    expect(RdpAccountant.fromJSON(state).toJSON()).toEqual(state);
  });
});
