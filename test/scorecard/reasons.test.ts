import { describe, expect, it } from 'vitest';
import { buildScorecard, scoreTable } from '../../src/scorecard/points.js';
import { reasonCodes } from '../../src/scorecard/reasons.js';
import { describeValue, rawValue } from '../../src/scoring/reasons.js';
import { germanScorecard, tinyBinning, tinyTable } from './fixture.js';

describe('reason codes (points below the characteristic maximum)', () => {
  const factor = 20 / Math.LN2;

  it('ranks hand-made applicants by points lost, in the codebook words, and skips characteristics at their maximum', () => {
    // β = (−0.8, −0.2), α = −1: A loses 0.8·factor for Y and 0.4·factor for "other"; B loses 0.4·factor for ≥ 10, 0.2·factor for "other"
    const card = buildScorecard({ binning: tinyBinning, parameters: Float64Array.of(-0.8, -0.2, -1) });
    const [xLow, yHigh, unknown, xHigh] = reasonCodes(card, tinyTable());
    expect(xLow).toEqual([]); // (X, 5): best attribute of both characteristics
    expect(yHigh.map((r) => [r.rank, r.column, r.value, r.words, r.attribute])).toEqual([[1, 'A', 'Y', 'colour y', 'Y'], [2, 'B', 12, 'Size: 12 cm', '≥ 10']]);
    expect(yHigh[0].pointsBelowMax).toBeCloseTo(0.8 * factor, 10);
    expect(yHigh[1].pointsBelowMax).toBeCloseTo(0.4 * factor, 10);
    expect(yHigh[0].points + yHigh[0].pointsBelowMax).toBeCloseTo(yHigh[0].maxPoints, 10);
    expect(unknown.map((r) => [r.column, r.words, r.attribute])).toEqual([['A', 'colour z', 'other'], ['B', 'Size: not given', 'other']]);
    expect(unknown[1].pointsBelowMax).toBeCloseTo(0.2 * factor, 10);
    expect(xHigh.map((r) => r.column)).toEqual(['B']);
  });

  it('breaks ties by characteristic order and honours numReasons', () => {
    const card = buildScorecard({ binning: tinyBinning, parameters: Float64Array.of(-0.8, -0.4, -1) }); // Y and ≥ 10 both lose 0.8·factor
    expect(reasonCodes(card, tinyTable())[1].map((r) => r.column)).toEqual(['A', 'B']);
    expect(reasonCodes(card, tinyTable(), { numReasons: 1 })[1].map((r) => r.column)).toEqual(['A']);
    expect(reasonCodes(card, tinyTable(), { numReasons: 0 })[1]).toEqual([]);
  });

  it('gives every German applicant at most 4 reasons, the largest losses, in the words of the codebook', () => {
    const { table, card } = germanScorecard();
    const scored = scoreTable(card, table);
    const all = reasonCodes(card, table, { scored });
    const m = card.characteristics.length;
    let withFour = 0;
    all.forEach((reasons, i) => {
      expect(reasons.length).toBeLessThanOrEqual(4);
      if (reasons.length === 4) withFour++;
      for (let r = 1; r < reasons.length; r++) expect(reasons[r].pointsBelowMax).toBeLessThanOrEqual(reasons[r - 1].pointsBelowMax);
      const listed = new Set(reasons.map((r) => r.column));
      const smallest = reasons.length ? reasons[reasons.length - 1].pointsBelowMax : Infinity;
      for (let j = 0; j < m; j++) {
        const c = card.characteristics[j];
        const lost = c.maxPoints - scored.points[i * m + j];
        if (!listed.has(c.column)) expect(reasons.length < 4 ? lost <= 0 : lost <= smallest).toBe(true);
      }
      for (const r of reasons) {
        const column = table.schema.columns.find((c) => c.name === r.column)!;
        expect(r.pointsBelowMax).toBeGreaterThan(0);
        expect(r.words).toBe(describeValue(column, rawValue(table, column, i)));
      }
    });
    expect(withFour).toBeGreaterThan(900);
    const first = all.find((rs) => rs.some((r) => r.value === 'A11'))!;
    expect(first.find((r) => r.value === 'A11')!.words).toBe('checking account < 0 DM');
  });

  it('rejects bad options', () => {
    const { table, card } = germanScorecard();
    expect(() => reasonCodes(card, table, { numReasons: card.characteristics.length + 1 })).toThrow(/numReasons/);
    expect(() => reasonCodes(card, table, { numReasons: 1.5 })).toThrow(/numReasons/);
    expect(() => reasonCodes(card, tinyTable(), { scored: scoreTable(card, table) })).toThrow();
    const tinyCard = buildScorecard({ binning: tinyBinning, parameters: Float64Array.of(-0.8, -0.4, -1) });
    expect(() => reasonCodes(tinyCard, tinyTable(), { scored: scoreTable(card, table) })).toThrow(/options.scored/);
    expect(() => reasonCodes(tinyCard, { ...tinyTable(), schema: { ...tinyTable().schema, columns: [] } })).toThrow(/no column "A"/);
  });
});
