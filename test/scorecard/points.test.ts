import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sigmoid } from '../../src/math/linalg.js';
import { woeMatrix } from '../../src/scorecard/encode.js';
import { buildScorecard, probabilityFromScore, scaleConstants, scoreTable } from '../../src/scorecard/points.js';
import { germanScorecard, tinyBinning, tinyTable } from './fixture.js';

const scaling = JSON.parse(readFileSync(new URL('../vectors/scorecard-scaling.json', import.meta.url), 'utf8')) as {
  scale: { basePoints: number; baseOdds: number; pointsToDouble: number }; published: { factor: number; offset: number; tolerance: number };
};

describe('scorecard points', () => {
  it("uses Siddiqi's published factor and offset (test/vectors/scorecard-scaling.json)", () => {
    const { factor, offset } = scaleConstants(scaling.scale);
    expect(Math.abs(factor - scaling.published.factor)).toBeLessThan(scaling.published.tolerance);
    expect(Math.abs(offset - scaling.published.offset)).toBeLessThan(scaling.published.tolerance);
  });

  it('allocates points by −(β·WOE + α/m)·factor + offset/m (hand-computed, Python 3)', () => {
    // β = (−0.8, −0.4), α = −1, m = 2, factor = 20/ln 2, offset = 600 − factor·ln 50
    const card = buildScorecard({ binning: tinyBinning, parameters: Float64Array.of(-0.8, -0.4, -1) });
    const [a, b] = card.characteristics;
    expect(a.attributes.map((x) => x.points)).toEqual([269.5299488382541, 246.44682818403066, 257.9883885111424].map((v) => expect.closeTo(v, 10)));
    expect(b.attributes.map((x) => x.points)).toEqual([269.5299488382541, 246.44682818403066, 257.9883885111424].map((v) => expect.closeTo(v, 10)));
    expect(a.attributes.map((x) => x.label)).toEqual(['X', 'Y', 'other']);
    expect(a.maxPoints).toBe(a.attributes[0].points);
    expect(a.minPoints).toBe(a.attributes[1].points);
    const scored = scoreTable(card, tinyTable());
    expect(scored.scores[0]).toBeCloseTo(539.0598976765082, 10); // X and < 10: z = −1.8
    expect(scored.probabilities[0]).toBeCloseTo(1 / (1 + Math.exp(1.8)), 14);
    expect(Array.from(scored.attributes)).toEqual([0, 0, 1, 1, 2, 2, 0, 1]); // (Z, missing) → "other" twice; B = 10 is ≥ 10
    expect(scored.scores[2]).toBeCloseTo(2 * 257.9883885111424, 10); // average evidence: score of the intercept alone
  });

  it('reproduces the model probability exactly for every German row (default and custom scales)', () => {
    const { table, binning, model, card } = germanScorecard();
    const x = woeMatrix(binning, table);
    const p = model.predictProba(x);
    const w = model.getParameters();
    for (const scale of [undefined, { basePoints: 500, baseOdds: 20, pointsToDouble: 40 }]) {
      const c = scale ? buildScorecard({ binning, parameters: w, scale }) : card;
      const scored = scoreTable(c, table);
      let worstP = 0;
      let worstScore = 0;
      for (let i = 0; i < table.numRows; i++) {
        let z = w[x.cols];
        for (let j = 0; j < x.cols; j++) z += w[j] * x.data[i * x.cols + j];
        worstScore = Math.max(worstScore, Math.abs(scored.scores[i] - (c.offset - c.factor * z)));
        worstP = Math.max(worstP, Math.abs(scored.probabilities[i] - p[i]), Math.abs(probabilityFromScore(c, scored.scores[i]) - sigmoid(z)));
      }
      expect(worstScore).toBeLessThan(1e-9);
      expect(worstP).toBeLessThan(1e-12);
    }
  });

  it('gives safer applicants more points: higher score, lower probability of default', () => {
    const { table, card } = germanScorecard();
    const { scores, probabilities } = scoreTable(card, table);
    const order = Array.from(scores.keys()).sort((a, b) => scores[a] - scores[b]);
    for (let k = 1; k < order.length; k++) expect(probabilities[order[k]]).toBeLessThanOrEqual(probabilities[order[k - 1]]);
    for (const c of card.characteristics) expect(c.coefficient).toBeLessThan(0); // WOE = ln(%good/%bad) against P(bad)
  });

  it.each([
    ['no options', () => buildScorecard(null as never), TypeError],
    ['a plain array of parameters', () => buildScorecard({ binning: tinyBinning, parameters: [1, 2, 3] as unknown as Float64Array }), /parameters/],
    ['too few parameters', () => buildScorecard({ binning: tinyBinning, parameters: Float64Array.of(1, 2) }), /expected 3 values/],
    ['a NaN parameter', () => buildScorecard({ binning: tinyBinning, parameters: Float64Array.of(1, NaN, 2) }), /finite/],
    ['nothing selected', () => buildScorecard({ binning: { ...tinyBinning, variables: tinyBinning.variables.map((v) => ({ ...v, selected: false })) }, parameters: Float64Array.of(1) }), /no variable is selected/],
    ['zero PDO', () => buildScorecard({ binning: tinyBinning, parameters: Float64Array.of(1, 2, 3), scale: { basePoints: 600, baseOdds: 50, pointsToDouble: 0 } }), /pointsToDouble/],
    ['negative odds', () => buildScorecard({ binning: tinyBinning, parameters: Float64Array.of(1, 2, 3), scale: { basePoints: 600, baseOdds: -50, pointsToDouble: 20 } }), /baseOdds/],
    ['a string base score', () => buildScorecard({ binning: tinyBinning, parameters: Float64Array.of(1, 2, 3), scale: { basePoints: '600' as unknown as number, baseOdds: 50, pointsToDouble: 20 } }), /basePoints/],
  ])('rejects %s', (_name, call, expected) => {
    expect(call).toThrow(expected as RegExp);
  });
});
