import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { informationValue, ivStrength, weightOfEvidence, woeTerm, ZERO_CELL_CORRECTION } from '../../src/scorecard/woe.js';

interface WoeCase { name: string; good: number[]; bad: number[]; bins: { good: number; bad: number; woe: number; iv: number }[]; iv: number }
const vectors = JSON.parse(readFileSync(new URL('../vectors/woe-iv.json', import.meta.url), 'utf8')) as { cases: WoeCase[] };

describe('weight of evidence and information value (test/vectors/woe-iv.json, hand-computed)', () => {
  for (const c of vectors.cases) {
    it(`${c.name}: WOE and IV term of every bin, and the IV`, () => {
      const totalGood = c.good.reduce((s, x) => s + x, 0);
      const totalBad = c.bad.reduce((s, x) => s + x, 0);
      c.bins.forEach((b) => {
        expect(weightOfEvidence(b.good, b.bad, totalGood, totalBad)).toBeCloseTo(b.woe, 14);
        expect(woeTerm(b.good, b.bad, totalGood, totalBad).iv).toBeCloseTo(b.iv, 14);
      });
      expect(informationValue(c.good, c.bad)).toBeCloseTo(c.iv, 14);
    });
  }

  it('uses the sign convention ln(%good / %bad): safer than average is positive', () => {
    expect(weightOfEvidence(30, 10, 60, 40)).toBeCloseTo(Math.LN2, 15); // 50 % of goods, 25 % of bads
    expect(weightOfEvidence(10, 30, 40, 60)).toBeCloseTo(-Math.LN2, 15);
    expect(weightOfEvidence(6, 4, 60, 40)).toBe(0); // the population's bad rate
  });

  it('corrects a zero cell by adding 0.5 to both counts of that bin only', () => {
    expect(ZERO_CELL_CORRECTION).toBe(0.5);
    expect(weightOfEvidence(5, 0, 20, 10)).toBeCloseTo(Math.log(5.5 / 20 / (0.5 / 10)), 15);
    expect(Number.isFinite(weightOfEvidence(0, 0, 20, 10))).toBe(true);
  });

  it('gives IV 0 when only one class exists and skips empty bins', () => {
    expect(informationValue([3, 4], [0, 0])).toBe(0);
    expect(informationValue([30, 0, 30], [10, 0, 30])).toBeCloseTo(informationValue([30, 30], [10, 30]), 15);
  });

  it("reads IV with Siddiqi's rule of thumb", () => {
    expect(ivStrength(0)).toBe('unpredictive');
    expect(ivStrength(0.0199)).toBe('unpredictive');
    expect(ivStrength(0.02)).toBe('weak');
    expect(ivStrength(0.1)).toBe('medium');
    expect(ivStrength(0.3)).toBe('strong');
    expect(ivStrength(0.5)).toBe('strong');
    expect(ivStrength(0.51)).toBe('suspicious');
  });

  it.each([
    ['negative count', () => weightOfEvidence(-1, 1, 10, 10), /numGood/],
    ['NaN count', () => weightOfEvidence(1, NaN, 10, 10), /numBad/],
    ['string count', () => weightOfEvidence('3' as unknown as number, 1, 10, 10), /numGood/],
    ['zero total good', () => weightOfEvidence(1, 1, 0, 10), /totalGood/],
    ['infinite total bad', () => weightOfEvidence(1, 1, 10, Infinity), /totalBad/],
    ['mismatched lengths', () => informationValue([1, 2], [1]), /bad/],
    ['empty arrays', () => informationValue([], []), /bad/],
    ['negative in IV', () => informationValue([1, -2], [1, 1]), /good\[1\]/],
    ['NaN IV reading', () => ivStrength(NaN), /iv/],
  ])('rejects %s', (_name, call, message) => {
    expect(call).toThrow(message);
  });
});
