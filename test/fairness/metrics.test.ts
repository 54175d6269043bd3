import { describe, expect, it } from 'vitest';
import type { Table } from '../../src/data/schema.js';
import { fairnessLayout, localFairnessCounts } from '../../src/fairness/counts.js';
import { groupIndex, type FairnessAttribute } from '../../src/fairness/groups.js';
import { EQUAL_OPPORTUNITY_TOLERANCE, fairnessFromCounts, FOUR_FIFTHS } from '../../src/fairness/metrics.js';

const sex: FairnessAttribute = { name: 'sex', column: 's', groups: [{ name: 'female', values: ['F'] }, { name: 'male', values: ['M'] }] };
const band: FairnessAttribute = { name: 'age band', column: 'age', groups: [{ name: 'young', max: 25 }, { name: 'old', min: 25 }] };

/** Hand-made counts: [approved good, approved bad, declined good, declined bad] then per bin [n, Σp, bad]. */
function handCounts(): Float64Array {
  const layout = fairnessLayout([sex], 2);
  const c = new Float64Array(layout.length);
  c.set([30, 10, 20, 40, 40, 8, 10, 60, 39, 40], 0); // female: 100 applicants
  c.set([60, 10, 20, 10, 70, 10.5, 10, 30, 16.5, 10], layout.blockSize); // male: 100 applicants
  return c; // unknown: empty
}

describe('fairness metrics from counts (hand-computed)', () => {
  const [report] = fairnessFromCounts(handCounts(), [sex], 2);
  const [female, male] = report.groups;

  it('computes approval rates and the disparate-impact ratio against the most favoured group', () => {
    expect(report.groups.map((g) => g.group)).toEqual(['female', 'male']); // empty "unknown" left out
    expect(report.referenceGroup).toBe('male');
    expect(female.approvalRate).toBe(0.4);
    expect(male.approvalRate).toBe(0.7);
    expect(female.disparateImpact).toBeCloseTo(0.4 / 0.7, 15);
    expect(male.disparateImpact).toBe(1);
    expect(report.minDisparateImpact).toBeCloseTo(4 / 7, 15);
    expect(report.disparateImpactFlag).toBe(true); // 0.571 < 0.8
  });

  it('computes the equal-opportunity difference of true-positive rates for good applicants', () => {
    expect(female.truePositiveRate).toBe(0.6); // 30 of 50 good approved
    expect(male.truePositiveRate).toBe(0.75); // 60 of 80
    expect(female.equalOpportunityDifference).toBeCloseTo(-0.15, 15);
    expect(report.maxAbsEqualOpportunityDifference).toBeCloseTo(0.15, 15);
    expect(report.equalOpportunityFlag).toBe(true);
  });

  it('computes calibration by group: bins, ECE, predicted vs observed default rates', () => {
    expect(female.observedDefaultRate).toBe(0.5);
    expect(female.meanPredictedDefault).toBeCloseTo(0.47, 15);
    expect(female.calibration).toEqual([
      { lower: 0, upper: 0.5, count: 40, meanPredicted: 0.2, observedRate: 0.25 },
      { lower: 0.5, upper: 1, count: 60, meanPredicted: 0.65, observedRate: 40 / 60 },
    ]);
    expect(female.calibrationError).toBeCloseTo(0.4 * 0.05 + 0.6 * (40 / 60 - 0.65), 14); // 0.03
    expect(male.calibrationError).toBeCloseTo(0.7 * Math.abs(0.15 - 10 / 70) + 0.3 * Math.abs(0.55 - 10 / 30), 14);
  });

  it('does not flag a model within the four-fifths rule and the tolerance', () => {
    const c = handCounts();
    c.set([52, 10, 18, 20], 0); // female approval 0.62 → DI 0.886; TPR 52/70 = 0.743
    const [fair] = fairnessFromCounts(c, [sex], 2);
    expect(fair.minDisparateImpact).toBeGreaterThan(FOUR_FIFTHS);
    expect(fair.maxAbsEqualOpportunityDifference).toBeLessThan(EQUAL_OPPORTUNITY_TOLERANCE);
    expect([fair.disparateImpactFlag, fair.equalOpportunityFlag]).toEqual([false, false]);
  });

  it('reports NaN rates for a group without good applicants and shows a non-empty unknown group', () => {
    const layout = fairnessLayout([sex], 2);
    const c = handCounts();
    c.set([0, 5, 0, 5, 10, 5, 10, 0, 0, 0], 2 * layout.blockSize); // unknown: 10 bad applicants
    const [r] = fairnessFromCounts(c, [sex], 2);
    const unknown = r.groups.find((g) => g.group === 'unknown')!;
    expect(unknown.truePositiveRate).toBeNaN();
    expect(unknown.equalOpportunityDifference).toBeNaN();
    expect(unknown.approvalRate).toBe(0.5);
    expect(r.referenceGroup).toBe('male'); // the reference is always a declared group
    expect(r.maxAbsEqualOpportunityDifference).toBeCloseTo(0.15, 15);
  });

  it('counts a node’s rows into the same layout (approve below the threshold)', () => {
    const table: Table = {
      schema: { name: 't', columns: [{ name: 's', kind: 'categorical', categories: ['F', 'M'] }, { name: 'age', kind: 'numeric' }], target: { name: 'y', bad: '1' }, missingTokens: [] },
      numRows: 5, numeric: { age: Float64Array.of(20, 30, NaN, 24.9, 25) }, categorical: { s: ['F', 'M', null, 'F', 'X'] }, label: Uint8Array.of(1, 0, 0, 1, 0),
    };
    const groups = [groupIndex(table, sex), groupIndex(table, band)];
    expect(groups.map((g) => Array.from(g))).toEqual([[0, 1, 2, 0, 2], [0, 1, 2, 0, 1]]);
    const counts = localFairnessCounts([sex, band], groups, Float64Array.of(0.9, 0.1, 0.5, 0.2, 0.25), table.label, { threshold: 0.25, numBins: 2 });
    const layout = fairnessLayout([sex, band], 2);
    const block = (a: number, g: number) => Array.from(counts.subarray(layout.offsets[a] + g * layout.blockSize, layout.offsets[a] + (g + 1) * layout.blockSize));
    expect(block(0, 0)).toEqual([0, 1, 0, 1, 1, 0.2, 1, 1, 0.9, 1]); // F: p 0.9 bad declined, p 0.2 bad approved
    expect(block(0, 1)).toEqual([1, 0, 0, 0, 1, 0.1, 0, 0, 0, 0]);
    expect(block(0, 2)).toEqual([0, 0, 2, 0, 1, 0.25, 0, 1, 0.5, 0]); // missing and unknown code; p = 0.25 is not below 0.25
    expect(block(1, 1)).toEqual([1, 0, 1, 0, 2, 0.35, 0, 0, 0, 0]);
  });

  it.each([
    ['a short vector', () => fairnessFromCounts(new Float64Array(3), [sex], 2), /length/],
    ['a negative count', () => fairnessFromCounts(handCounts().map((v, i) => (i === 4 ? -1 : v)), [sex], 2), /summedCounts\[4\]/],
    ['NaN', () => fairnessFromCounts(handCounts().map((v, i) => (i === 0 ? NaN : v)), [sex], 2), /summedCounts\[0\]/],
    ['zero bins', () => fairnessLayout([sex], 0), /numBins/],
    ['a threshold of 0', () => localFairnessCounts([sex], [Int32Array.of(0)], Float64Array.of(0.5), [0], { threshold: 0, numBins: 2 }), /threshold/],
    ['a probability above 1', () => localFairnessCounts([sex], [Int32Array.of(0)], Float64Array.of(1.5), [0], { threshold: 0.5, numBins: 2 }), /probabilities\[0\]/],
    ['a group index out of range', () => localFairnessCounts([sex], [Int32Array.of(7)], Float64Array.of(0.5), [0], { threshold: 0.5, numBins: 2 }), /groups\[0\]\[0\]/],
    ['labels of another length', () => localFairnessCounts([sex], [Int32Array.of(0)], Float64Array.of(0.5), [0, 1], { threshold: 0.5, numBins: 2 }), /labels/],
  ])('rejects %s', (_name, call, expected) => {
    expect(call).toThrow(expected);
  });
});
