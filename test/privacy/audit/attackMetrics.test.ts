import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deriveRandom } from '../../../src/math/random.js';
import { advantageAt, bestAdvantage, calibratedAdvantage, membershipAuc, nullBestAdvantage } from '../../../src/privacy/audit/attackMetrics.js';

// Hand example: six rows scored high → low, members marked 1.
//   scores   0.9 0.8 0.7 0.6 0.5 0.4
//   member    1   1   0   1   0   0      (3 members, 3 non-members)
// "member iff score ≥ t":  t=0.9: TPR 1/3, FPR 0   → 1/3
//                          t=0.8: TPR 2/3, FPR 0   → 2/3   ← best, first reached
//                          t=0.7: TPR 2/3, FPR 1/3 → 1/3
//                          t=0.6: TPR 1,   FPR 1/3 → 2/3
//                          t=0.5: TPR 1,   FPR 2/3 → 1/3
//                          t=0.4: TPR 1,   FPR 1   → 0
// AUC: member 0.9 and 0.8 each beat all 3 non-members, 0.6 beats 0.5 and 0.4: (3 + 3 + 2)/9 = 8/9.
const handScores = Float64Array.of(0.9, 0.8, 0.7, 0.6, 0.5, 0.4);
const handMembers = Uint8Array.of(1, 1, 0, 1, 0, 0);

describe('attack metrics on a hand example', () => {
  it('AUC is 8/9', () => {
    expect(membershipAuc(handScores, handMembers)).toBeCloseTo(8 / 9, 15);
  });

  it('best advantage is 2/3 at threshold 0.8', () => {
    const best = bestAdvantage(handScores, handMembers);
    expect(best.advantage).toBeCloseTo(2 / 3, 15);
    expect(best.threshold).toBe(0.8);
  });

  it.each([
    [Infinity, 0], [0.9, 1 / 3], [0.8, 2 / 3], [0.75, 2 / 3], [0.7, 1 / 3], [0.6, 2 / 3], [0.5, 1 / 3], [0.4, 0], [-Infinity, 0],
  ])('advantage at threshold %s is %s', (t, expected) => {
    expect(advantageAt(handScores, handMembers, t)).toBeCloseTo(expected, 15);
  });

  it('never splits equal scores: a tie group counts as one threshold', () => {
    // t = 0.9 → 1/2 − 0; t = 0.5 (both 0.5s at once) → 1 − 1/2 = 1/2; t = 0.1 → 0.
    const best = bestAdvantage(Float64Array.of(0.9, 0.5, 0.5, 0.1), Uint8Array.of(1, 1, 0, 0));
    expect(best).toEqual({ advantage: 0.5, threshold: 0.9 });
    expect(bestAdvantage(Float64Array.of(0.5, 0.5, 0.5, 0.5), Uint8Array.of(1, 0, 1, 0))).toEqual({ advantage: 0, threshold: Infinity });
    expect(membershipAuc(Float64Array.of(0.5, 0.5, 0.5, 0.5), Uint8Array.of(1, 0, 1, 0))).toBe(0.5);
  });

  it('perfect separation gives advantage 1 and AUC 1; an inverted score gives best advantage 0 and AUC 0', () => {
    const members = Uint8Array.of(1, 1, 0, 0);
    expect(bestAdvantage(Float64Array.of(4, 3, 2, 1), members).advantage).toBe(1);
    expect(membershipAuc(Float64Array.of(4, 3, 2, 1), members)).toBe(1);
    expect(bestAdvantage(Float64Array.of(1, 2, 3, 4), members).advantage).toBe(0);
    expect(membershipAuc(Float64Array.of(1, 2, 3, 4), members)).toBe(0);
    expect(advantageAt(Float64Array.of(1, 2, 3, 4), members, 3)).toBe(-1);
  });
});

describe('bestAdvantage (properties)', () => {
  const data = fc.integer({ min: 2, max: 40 }).chain((n) => fc.tuple(
    fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }),
    fc.array(fc.integer({ min: 0, max: 1 }), { minLength: n, maxLength: n }),
  )).filter(([, m]) => m.includes(0) && m.includes(1));

  it('equals the brute-force maximum of advantageAt over every observed score and +∞', () => {
    fc.assert(fc.property(data, ([s, m]) => {
      const scores = Float64Array.from(s, (v) => v / 10);
      const isMember = Uint8Array.from(m);
      const brute = Math.max(0, ...[...new Set(scores)].map((t) => advantageAt(scores, isMember, t)));
      const best = bestAdvantage(scores, isMember);
      expect(best.advantage).toBeCloseTo(brute, 12);
      expect(advantageAt(scores, isMember, best.threshold)).toBeCloseTo(best.advantage, 12);
    }));
  });

  it('is at least the advantage at any threshold, and calibratedAdvantage stays in [−1, 1]', () => {
    fc.assert(fc.property(data, fc.double({ min: -1, max: 2, noNaN: true }), ([s, m], t) => {
      const scores = Float64Array.from(s, (v) => v / 10);
      const isMember = Uint8Array.from(m);
      expect(bestAdvantage(scores, isMember).advantage).toBeGreaterThanOrEqual(advantageAt(scores, isMember, t) - 1e-12);
      if (m.filter((x) => x === 1).length >= 2 && m.filter((x) => x === 0).length >= 2) {
        const c = calibratedAdvantage(scores, isMember, deriveRandom(1));
        expect(c).toBeGreaterThanOrEqual(-1);
        expect(c).toBeLessThanOrEqual(1);
      }
    }));
  });
});

describe('calibratedAdvantage and the noise floor', () => {
  it('is 1 for scores separated by a wide gap and 0 for constant scores', () => {
    // members score 101..120, non-members 1..20: any calibration half puts the threshold midway
    // in the gap, which every held-out row clears on the right side.
    const isMember = Uint8Array.from({ length: 40 }, (_, i) => (i < 20 ? 1 : 0));
    expect(calibratedAdvantage(Float64Array.from({ length: 40 }, (_, i) => (i < 20 ? 120 - i : 20 - (i - 20))), isMember, deriveRandom(1))).toBe(1);
    expect(calibratedAdvantage(new Float64Array(40).fill(0.3), isMember, deriveRandom(1))).toBe(0);
  });

  it('is unbiased on scores with no signal while the best-threshold advantage sits at the Smirnov mean', () => {
    // n = m = 250 members/non-members with i.i.d. uniform scores. The one-sided KS statistic D⁺
    // satisfies P(√(nm/(n+m))·D⁺ > x) → exp(−2x²) (Smirnov 1939), so E[D⁺] ≈ √(π/8)/√125 ≈ 0.0560.
    const rng = deriveRandom(7, 'null');
    const isMember = Uint8Array.from({ length: 500 }, (_, i) => (i < 250 ? 1 : 0));
    let best = 0, calibrated = 0;
    const trials = 60;
    for (let k = 0; k < trials; k++) {
      const scores = Float64Array.from({ length: 500 }, () => rng.next());
      best += bestAdvantage(scores, isMember).advantage / trials;
      calibrated += calibratedAdvantage(scores, isMember, rng) / trials;
    }
    // Per trial: sd(D⁺) ≈ 0.024 and sd(calibrated) ≈ 0.045, so over 60 trials ±4 sd is ±0.013 and ±0.024.
    expect(Math.abs(best - 0.0560)).toBeLessThan(0.013);
    expect(Math.abs(calibrated)).toBeLessThan(0.024);
    const floor = nullBestAdvantage(Float64Array.from({ length: 500 }, () => rng.next()), isMember, rng, 200);
    expect(Math.abs(floor - 0.0560)).toBeLessThan(0.01);
  });

  it('is deterministic for a seed', () => {
    const rng = deriveRandom(3);
    const scores = Float64Array.from({ length: 100 }, () => rng.next());
    const isMember = Uint8Array.from({ length: 100 }, (_, i) => i % 2);
    expect(calibratedAdvantage(scores, isMember, deriveRandom(9))).toBe(calibratedAdvantage(scores, isMember, deriveRandom(9)));
    expect(nullBestAdvantage(scores, isMember, deriveRandom(9), 20)).toBe(nullBestAdvantage(scores, isMember, deriveRandom(9), 20));
  });
});

describe('hostile inputs', () => {
  const ok = Float64Array.of(0.1, 0.2, 0.3, 0.4);
  const members = Uint8Array.of(1, 0, 1, 0);
  it.each([
    ['scores as a plain array', () => membershipAuc([0.1, 0.2] as unknown as Float64Array, Uint8Array.of(1, 0)), TypeError],
    ['labels as a plain array', () => bestAdvantage(ok, [1, 0, 1, 0] as unknown as Uint8Array), TypeError],
    ['length mismatch', () => bestAdvantage(ok, Uint8Array.of(1, 0)), RangeError],
    ['a NaN score', () => bestAdvantage(Float64Array.of(0.1, NaN, 0.3, 0.4), members), RangeError],
    ['a label of 2', () => bestAdvantage(ok, Uint8Array.of(1, 0, 2, 0)), RangeError],
    ['no non-member', () => membershipAuc(ok, Uint8Array.of(1, 1, 1, 1)), RangeError],
    ['no member', () => advantageAt(ok, Uint8Array.of(0, 0, 0, 0), 0.2), RangeError],
    ['a NaN threshold', () => advantageAt(ok, members, NaN), TypeError],
    ['calibration with one member', () => calibratedAdvantage(ok, Uint8Array.of(1, 0, 0, 0), deriveRandom(1)), RangeError],
    ['zero permutations', () => nullBestAdvantage(ok, members, deriveRandom(1), 0), RangeError],
  ])('%s throws', (_name, call, type) => {
    expect(call).toThrow(type);
  });
});
