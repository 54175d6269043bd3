import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ORDERS, computeRdp, epsilonFor, getPrivacySpent } from '../../src/privacy/rdp.js';

interface EpsilonRow {
  noiseMultiplier: number;
  sampleRate: number;
  steps: number;
  delta: number;
  epsilon: number;
  order: number;
}
interface RdpVectors {
  published: {
    epsilon: (Omit<EpsilonRow, 'order'> & { absTolerance: number })[];
    composition: {
      runs: { sampleRate: number; noiseMultiplier: number; steps: number }[];
      delta: number;
      epsilon: number;
      order: number;
      absTolerance: number;
    }[];
  };
  crossChecked: { relTolerance: number; epsilon: EpsilonRow[] };
  logA: { relTolerance: number; values: { sampleRate: number; noiseMultiplier: number; order: number; logA: number }[] };
}
const vectors = JSON.parse(readFileSync(new URL('../vectors/rdp.json', import.meta.url), 'utf8')) as RdpVectors;

/** ε of T steps of the plain Gaussian mechanism (q = 1), from RDP α/(2σ²) per step (Mironov 2017, Prop. 7). */
function closedFormEpsilonQ1(sigma: number, steps: number, delta: number, orders: readonly number[]): number {
  let best = Infinity;
  for (const a of orders) {
    best = Math.min(best, (a / (2 * sigma * sigma)) * steps - (Math.log(delta) + Math.log(a)) / (a - 1) + Math.log((a - 1) / a));
  }
  return best;
}

describe('DEFAULT_ORDERS', () => {
  it("is Opacus' DEFAULT_ALPHAS: 1.1 … 10.9 by 0.1, then 12 … 63", () => {
    expect(DEFAULT_ORDERS).toHaveLength(151);
    expect(DEFAULT_ORDERS[0]).toBe(1.1);
    expect(DEFAULT_ORDERS[98]).toBe(10.9);
    expect(DEFAULT_ORDERS[99]).toBe(12);
    expect(DEFAULT_ORDERS[150]).toBe(63);
    // Python's 1 + x / 10.0 gives e.g. 1.3 as 1.3 exactly, not 1.2000000000000002 + 0.1.
    expect(DEFAULT_ORDERS[2]).toBe(1 + 3 / 10);
    expect(Object.isFrozen(DEFAULT_ORDERS)).toBe(true);
  });
});

describe('published Opacus values', () => {
  it.each(vectors.published.epsilon)(
    'σ = $noiseMultiplier, q = $sampleRate, $steps steps, δ = $delta → ε = $epsilon',
    ({ absTolerance, epsilon, ...options }) => {
      const spent = epsilonFor(options);
      expect(Math.abs(spent.epsilon - epsilon)).toBeLessThan(absTolerance);
      expect(spent.order).toBe(3.9);
    },
  );

  it.each(vectors.published.composition)('composes heterogeneous runs (rdp.py docstring): ε = $epsilon at order $order', (c) => {
    const orders = Array.from({ length: 31 }, (_, i) => i + 2);
    const total = new Float64Array(orders.length);
    for (const run of c.runs) {
      computeRdp({ ...run, orders }).forEach((v, k) => (total[k] += v));
    }
    const spent = getPrivacySpent({ orders, rdp: total, delta: c.delta });
    expect(Math.abs(spent.epsilon - c.epsilon)).toBeLessThan(c.absTolerance);
    expect(spent.order).toBe(c.order);
  });
});

describe('values cross-checked with an independent SciPy implementation', () => {
  it.each(vectors.crossChecked.epsilon)('σ = $noiseMultiplier, q = $sampleRate, $steps steps, δ = $delta', (row) => {
    const spent = epsilonFor(row);
    expect(Math.abs(spent.epsilon - row.epsilon) / row.epsilon).toBeLessThan(vectors.crossChecked.relTolerance);
    expect(spent.order).toBe(row.order);
  });
});

describe('log A_α against numerical integration of its definition (mpmath)', () => {
  it.each(vectors.logA.values)('q = $sampleRate, σ = $noiseMultiplier, α = $order', (v) => {
    const [rdp] = computeRdp({ sampleRate: v.sampleRate, noiseMultiplier: v.noiseMultiplier, steps: 1, orders: [v.order] });
    const logA = rdp * (v.order - 1);
    expect(Math.abs(logA - v.logA) / v.logA).toBeLessThan(vectors.logA.relTolerance);
  });
});

describe('degenerate cases (Opacus _compute_rdp)', () => {
  it('q = 0 costs nothing, whatever σ', () => {
    for (const sigma of [0, 0.5, 10]) {
      expect([...computeRdp({ sampleRate: 0, noiseMultiplier: sigma, steps: 100 })].every((v) => v === 0)).toBe(true);
    }
  });

  it('σ = 0 gives infinite RDP and ε = ∞', () => {
    const rdp = computeRdp({ sampleRate: 0.1, noiseMultiplier: 0, steps: 1 });
    expect([...rdp].every((v) => v === Infinity)).toBe(true);
    expect(epsilonFor({ sampleRate: 0.1, noiseMultiplier: 0, steps: 1, delta: 1e-5 }).epsilon).toBe(Infinity);
  });

  it('zero steps cost nothing, even without noise', () => {
    expect([...computeRdp({ sampleRate: 0.1, noiseMultiplier: 0, steps: 0 })].every((v) => v === 0)).toBe(true);
  });

  it('q = 1 is the Gaussian mechanism: RDP α·T/(2σ²) and the matching closed-form ε', () => {
    const orders = [1.5, 2, 7.25, 32];
    const rdp = computeRdp({ sampleRate: 1, noiseMultiplier: 2, steps: 3, orders });
    orders.forEach((a, k) => expect(rdp[k]).toBeCloseTo((a * 3) / 8, 14));
    fc.assert(
      fc.property(
        fc.double({ min: 0.5, max: 50, noNaN: true }),
        fc.integer({ min: 1, max: 1000 }),
        fc.constantFrom(1e-3, 1e-5, 1e-8),
        (sigma, steps, delta) => {
          const got = epsilonFor({ sampleRate: 1, noiseMultiplier: sigma, steps, delta }).epsilon;
          expect(got).toBeCloseTo(closedFormEpsilonQ1(sigma, steps, delta, DEFAULT_ORDERS), 10);
        },
      ),
    );
  });

  it('q → 1 through the general series approaches the q = 1 closed form (integer and fractional orders)', () => {
    const orders = [1.5, 2, 3.7, 8, 20.5];
    const near = computeRdp({ sampleRate: 1 - 1e-9, noiseMultiplier: 1.3, steps: 1, orders });
    orders.forEach((a, k) => expect(Math.abs(near[k] - a / (2 * 1.3 * 1.3)) / (a / (2 * 1.3 * 1.3))).toBeLessThan(1e-6));
  });

  it('getPrivacySpent returns ε = ∞ and order NaN when every order is NaN, and ignores NaN orders otherwise', () => {
    expect(getPrivacySpent({ orders: [2, 3], rdp: [NaN, NaN], delta: 1e-5 })).toEqual({ epsilon: Infinity, order: NaN });
    const spent = getPrivacySpent({ orders: [2, 3], rdp: [NaN, 1], delta: 1e-5 });
    expect(spent.order).toBe(3);
    expect(spent.epsilon).toBeCloseTo(1 - (Math.log(1e-5) + Math.log(3)) / 2 + Math.log(2 / 3), 14);
  });
});

describe('monotonicity (properties)', () => {
  const sigma = fc.double({ min: 0.4, max: 20, noNaN: true });
  const q = fc.double({ min: 1e-4, max: 0.9, noNaN: true });
  const steps = fc.integer({ min: 1, max: 5000 });
  const delta = fc.constantFrom(1e-4, 1e-5, 1e-7);
  // ε is a minimum over a fixed grid of orders, so it is monotone exactly, up to rounding.
  const slack = (e: number): number => 1e-9 * Math.max(1, Math.abs(e));

  it('ε decreases as σ increases', () => {
    fc.assert(
      fc.property(sigma, fc.double({ min: 1.01, max: 3, noNaN: true }), q, steps, delta, (s, factor, rate, t, d) => {
        const small = epsilonFor({ noiseMultiplier: s, sampleRate: rate, steps: t, delta: d }).epsilon;
        const large = epsilonFor({ noiseMultiplier: s * factor, sampleRate: rate, steps: t, delta: d }).epsilon;
        expect(large).toBeLessThanOrEqual(small + slack(small));
      }),
      { numRuns: 60 },
    );
  });

  it('ε increases with the number of steps', () => {
    fc.assert(
      fc.property(sigma, q, steps, fc.integer({ min: 1, max: 5000 }), delta, (s, rate, t, extra, d) => {
        const fewer = epsilonFor({ noiseMultiplier: s, sampleRate: rate, steps: t, delta: d }).epsilon;
        const more = epsilonFor({ noiseMultiplier: s, sampleRate: rate, steps: t + extra, delta: d }).epsilon;
        expect(more).toBeGreaterThanOrEqual(fewer - slack(fewer));
      }),
      { numRuns: 60 },
    );
  });

  it('ε increases with the sampling rate', () => {
    fc.assert(
      fc.property(sigma, q, fc.double({ min: 1.01, max: 5, noNaN: true }), steps, delta, (s, rate, factor, t, d) => {
        const higher = Math.min(1, rate * factor);
        const low = epsilonFor({ noiseMultiplier: s, sampleRate: rate, steps: t, delta: d }).epsilon;
        const high = epsilonFor({ noiseMultiplier: s, sampleRate: higher, steps: t, delta: d }).epsilon;
        expect(high).toBeGreaterThanOrEqual(low - slack(low));
      }),
      { numRuns: 60 },
    );
  });

  it('RDP is linear in steps and finite for σ > 0', () => {
    fc.assert(
      fc.property(sigma, q, steps, (s, rate, t) => {
        const one = computeRdp({ noiseMultiplier: s, sampleRate: rate, steps: 1 });
        const many = computeRdp({ noiseMultiplier: s, sampleRate: rate, steps: t });
        one.forEach((v, k) => {
          expect(Number.isFinite(v) && v >= 0).toBe(true);
          expect(many[k]).toBe(v * t);
        });
      }),
      { numRuns: 30 },
    );
  });
});

describe('argument checks', () => {
  const ok = { sampleRate: 0.1, noiseMultiplier: 1, steps: 10 };
  it.each([
    ['sampleRate NaN', { ...ok, sampleRate: NaN }, RangeError],
    ['sampleRate > 1', { ...ok, sampleRate: 1.5 }, RangeError],
    ['sampleRate < 0', { ...ok, sampleRate: -0.1 }, RangeError],
    ['sampleRate string', { ...ok, sampleRate: '0.1' }, TypeError],
    ['noiseMultiplier negative', { ...ok, noiseMultiplier: -1 }, RangeError],
    ['noiseMultiplier Infinity', { ...ok, noiseMultiplier: Infinity }, RangeError],
    ['noiseMultiplier missing', { sampleRate: 0.1, steps: 10 }, TypeError],
    ['steps fractional', { ...ok, steps: 1.5 }, RangeError],
    ['steps negative', { ...ok, steps: -1 }, RangeError],
    ['steps huge', { ...ok, steps: 2 ** 60 }, RangeError],
    ['orders empty', { ...ok, orders: [] }, RangeError],
    ['order 1', { ...ok, orders: [1, 2] }, RangeError],
    ['order Infinity', { ...ok, orders: [2, Infinity] }, RangeError],
    ['order string', { ...ok, orders: ['2'] }, TypeError],
    ['orders not an array', { ...ok, orders: 3 }, TypeError],
  ])('computeRdp rejects %s', (_name, options, error) => {
    expect(() => computeRdp(options as never)).toThrow(error);
  });

  it('names the parameter in the message', () => {
    expect(() => computeRdp({ ...ok, sampleRate: 2 })).toThrow(/sampleRate/);
    expect(() => computeRdp({ ...ok, orders: [2, 0.5] })).toThrow(/orders\[1\]/);
  });

  it.each([
    ['delta 0', { orders: [2], rdp: [1], delta: 0 }, RangeError],
    ['delta 1', { orders: [2], rdp: [1], delta: 1 }, RangeError],
    ['delta NaN', { orders: [2], rdp: [1], delta: NaN }, RangeError],
    ['length mismatch', { orders: [2, 3], rdp: [1], delta: 1e-5 }, RangeError],
    ['rdp not an array', { orders: [2], rdp: 1, delta: 1e-5 }, TypeError],
  ])('getPrivacySpent rejects %s', (_name, options, error) => {
    expect(() => getPrivacySpent(options as never)).toThrow(error);
  });
});
