import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkPrivacyCost, composeEpsilon, epsilonOfCost, laplaceRdp, rdpOfCost, type PrivacySpend } from '../../src/privacy/cost.js';
import { DEFAULT_ORDERS, computeRdp, epsilonFor } from '../../src/privacy/rdp.js';

const laplace = JSON.parse(readFileSync(new URL('../vectors/laplace-rdp-mironov2017.json', import.meta.url), 'utf8')) as { vectors: { scale: number; order: number; rdp: number }[] };
const opacus = JSON.parse(readFileSync(new URL('../vectors/rdp.json', import.meta.url), 'utf8')).published.epsilon[0] as { noiseMultiplier: number; sampleRate: number; steps: number; delta: number; epsilon: number };

describe('laplaceRdp (Mironov 2017, Prop. 6)', () => {
  it.each(laplace.vectors)('scale $scale, order $order matches the mpmath value', ({ scale, order, rdp }) => {
    expect(laplaceRdp(scale, order)).toBeCloseTo(rdp, 13);
  });

  it('lies between the KL divergence (α → 1) and the pure-DP bound 1/b (α → ∞), increasing in α', () => {
    for (const b of [0.3, 1, 4]) {
      const kl = 1 / b + Math.exp(-1 / b) - 1;
      expect(laplaceRdp(b, 1 + 1e-7)).toBeCloseTo(kl, 5);
      expect(laplaceRdp(b, 1e7)).toBeCloseTo(1 / b, 5);
      let previous = 0;
      for (const a of DEFAULT_ORDERS) {
        const r = laplaceRdp(b, a);
        expect(r).toBeGreaterThanOrEqual(previous);
        expect(r).toBeLessThanOrEqual(1 / b + 1e-12);
        previous = r;
      }
    }
  });

  it('rejects a non-positive scale or an order ≤ 1', () => {
    expect(() => laplaceRdp(0, 2)).toThrow(RangeError);
    expect(() => laplaceRdp(1, 1)).toThrow(RangeError);
    expect(() => laplaceRdp(Number.NaN, 2)).toThrow(/scale/);
  });
});

describe('rdpOfCost / epsilonOfCost', () => {
  it('an SGM cost is computeRdp, and its ε is the Opacus vector', () => {
    const cost = { mechanism: 'sgm' as const, noiseMultiplier: opacus.noiseMultiplier, sampleRate: opacus.sampleRate, steps: opacus.steps };
    expect(Array.from(rdpOfCost(cost))).toEqual(Array.from(computeRdp(cost)));
    expect(epsilonOfCost(cost, opacus.delta)).toBeCloseTo(opacus.epsilon, 7);
  });

  it('a Gaussian release is the SGM at q = 1 (α/(2σ²))', () => {
    const rdp = rdpOfCost({ mechanism: 'gaussian', noiseMultiplier: 2 });
    const q1 = computeRdp({ noiseMultiplier: 2, sampleRate: 1, steps: 1 });
    for (let k = 0; k < rdp.length; k++) expect(rdp[k]).toBeCloseTo(q1[k], 14);
  });

  it('a Laplace release in parts sums the parts', () => {
    const two = rdpOfCost({ mechanism: 'laplace', epsilon: 1, parts: 2 });
    expect(two[10]).toBeCloseTo(2 * laplaceRdp(2, DEFAULT_ORDERS[10]), 14);
  });

  it.each([
    [null, TypeError], [{ mechanism: 'rr' }, RangeError], [{ mechanism: 'sgm', noiseMultiplier: 1, sampleRate: 0, steps: 1 }, RangeError],
    [{ mechanism: 'sgm', noiseMultiplier: 1, sampleRate: 0.1, steps: 1.5 }, RangeError], [{ mechanism: 'gaussian', noiseMultiplier: '1' }, TypeError],
    [{ mechanism: 'laplace', epsilon: Infinity, parts: 1 }, RangeError], [{ mechanism: 'laplace', epsilon: 1, parts: 0 }, RangeError],
  ])('checkPrivacyCost rejects %j', (value, error) => {
    expect(() => checkPrivacyCost(value)).toThrow(error);
  });
});

describe('composeEpsilon', () => {
  const sgm = (steps: number): PrivacySpend => {
    const cost = { mechanism: 'sgm' as const, noiseMultiplier: 1.5, sampleRate: 0.04, steps };
    return { cost, epsilon: epsilonOfCost(cost, 1e-5), delta: 1e-5 };
  };

  it('is 0 for nothing and exactly ε for one Laplace release (basic composition beats the RDP conversion)', () => {
    expect(composeEpsilon([], 1e-5)).toBe(0);
    expect(composeEpsilon([{ cost: { mechanism: 'laplace', epsilon: 0.5, parts: 1 }, epsilon: 0.5, delta: 0 }], 1e-5)).toBe(0.5);
  });

  it('composes SGM runs through RDP: 1125 + 1125 steps cost what 2250 steps cost (the Opacus vector), far below the sum', () => {
    const half = sgm(1125);
    const total = composeEpsilon([half, half], 1e-5);
    expect(total).toBeCloseTo(epsilonFor({ ...opacus }).epsilon, 10);
    expect(total).toBeCloseTo(opacus.epsilon, 7);
    expect(total).toBeLessThan(2 * half.epsilon);
  });

  it('mixes groups: SGM through RDP plus pure Laplace ε when that is smaller than converting everything', () => {
    const run = sgm(2250);
    const pure: PrivacySpend = { cost: { mechanism: 'laplace', epsilon: 0.1, parts: 1 }, epsilon: 0.1, delta: 0 };
    const total = composeEpsilon([run, pure], 1e-5);
    expect(total).toBeLessThanOrEqual(run.epsilon + 0.1 + 1e-12);
    expect(total).toBeGreaterThan(run.epsilon);
  });

  it('never exceeds any of its bounds and is monotone in what is added (property over random mixes)', () => {
    let state = 7;
    const next = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let trial = 0; trial < 20; trial++) {
      const spends: PrivacySpend[] = [];
      let previous = 0;
      for (let k = 0; k < 4; k++) {
        const u = next();
        if (u < 0.4) spends.push(sgm(1 + Math.floor(next() * 500)));
        else if (u < 0.7) { const e = 0.05 + next(); spends.push({ cost: { mechanism: 'laplace', epsilon: e, parts: 1 }, epsilon: e, delta: 0 }); }
        else spends.push({ cost: { mechanism: 'gaussian', noiseMultiplier: 1 + 5 * next() }, epsilon: 1, delta: 1e-7 });
        const now = composeEpsilon(spends, 1e-5);
        expect(now).toBeGreaterThanOrEqual(previous - 1e-12);
        previous = now;
      }
    }
  });

  it('rejects a bad δ or a malformed spend', () => {
    expect(() => composeEpsilon([], 0)).toThrow(/delta/);
    expect(() => composeEpsilon([{ cost: { mechanism: 'laplace', epsilon: 1, parts: 1 }, epsilon: -1, delta: 0 }], 1e-5)).toThrow(/epsilon/);
    expect(() => composeEpsilon('x' as never, 1e-5)).toThrow(TypeError);
  });
});
