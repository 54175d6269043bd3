import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  calibrationErrorOfTable,
  calibrationTable,
  expectedCalibrationError,
} from '../../src/metrics/calibration.js';
import { logisticScores } from './helpers.js';

function roundRows(rows: ReturnType<typeof calibrationTable>) {
  return rows.map((r) => [r.lower, r.upper, r.count, r.meanPredicted, r.observedRate].map((v) => +v.toFixed(12)));
}

// Hand table: bins of width 0.1; 1.0 belongs to the last bin.
const scores = Float64Array.of(0.05, 0.15, 0.12, 0.55, 0.95, 1.0);
const labels = Uint8Array.of(0, 0, 1, 1, 1, 0);

describe('calibrationTable, uniform bins', () => {
  it('hand table, empty bins left out', () => {
    // Bin 0: {0.05 good}; bin 1: {0.15 good, 0.12 bad} → mean 0.135, rate ½;
    // bin 5: {0.55 bad}; bin 9: {0.95 bad, 1.0 good} → mean 0.975, rate ½.
    expect(roundRows(calibrationTable(scores, labels))).toEqual([
      [0, 0.1, 1, 0.05, 0],
      [0.1, 0.2, 2, 0.135, 0.5],
      [0.5, 0.6, 1, 0.55, 1],
      [0.9, 1, 2, 0.975, 0.5],
    ]);
  });

  it('hand ECE: Σ count/n · |mean − rate|', () => {
    // (1·0.05 + 2·0.365 + 1·0.45 + 2·0.475) / 6 = 2.18 / 6.
    expect(expectedCalibrationError(scores, labels)).toBeCloseTo(2.18 / 6, 14);
  });

  it('one bin holds everything', () => {
    // Mean score 2.82/6 = 0.47, bad rate 3/6 → ECE 0.03.
    const rows = calibrationTable(scores, labels, { numBins: 1 });
    expect(rows).toHaveLength(1);
    expect(rows[0].count).toBe(6);
    expect(rows[0].meanPredicted).toBeCloseTo(0.47, 14);
    expect(calibrationErrorOfTable(rows)).toBeCloseTo(0.03, 14);
  });

  it('a perfectly calibrated table has ECE 0', () => {
    // Score 0.25 with 1 bad in 4, score 0.75 with 3 bad in 4.
    const s = Float64Array.of(0.25, 0.25, 0.25, 0.25, 0.75, 0.75, 0.75, 0.75);
    const y = Uint8Array.of(1, 0, 0, 0, 1, 1, 1, 0);
    expect(expectedCalibrationError(s, y, { numBins: 2 })).toBe(0);
  });
});

describe('calibrationTable, quantile bins', () => {
  it('hand table without ties: 6 examples in 3 bins of 2', () => {
    // Sorted: 0.05 g, 0.12 b | 0.15 g, 0.55 b | 0.95 b, 1.0 g.
    expect(roundRows(calibrationTable(scores, labels, { numBins: 3, strategy: 'quantile' }))).toEqual([
      [0.05, 0.15, 2, 0.085, 0.5],
      [0.15, 0.95, 2, 0.35, 0.5],
      [0.95, 1, 2, 0.975, 0.5],
    ]);
  });

  it('ties stay in one bin', () => {
    // Ranks 0..5, bin = floor(rank·3/6) of a group's first rank: 0.2 (ranks 0-2) → 0;
    // 0.4 (rank 3) → 1; 0.6 (rank 4) → 2; 0.8 (rank 5) → 2.
    const s = Float64Array.of(0.2, 0.8, 0.2, 0.4, 0.2, 0.6);
    const y = Uint8Array.of(0, 1, 1, 0, 0, 1);
    expect(roundRows(calibrationTable(s, y, { numBins: 3, strategy: 'quantile' }))).toEqual([
      [0.2, 0.4, 3, 0.2, 0.333333333333],
      [0.4, 0.6, 1, 0.4, 0],
      [0.6, 0.8, 2, 0.7, 1],
    ]);
  });

  it('realistic scores: 10 quantile bins of 100 each', () => {
    const { scores: s, labels: y } = logisticScores(7, 1000);
    const rows = calibrationTable(s, y, { numBins: 10, strategy: 'quantile' });
    expect(rows.map((r) => r.count)).toEqual(Array(10).fill(100));
    for (let k = 1; k < rows.length; k++) expect(rows[k].lower).toBe(rows[k - 1].upper);
  });
});

describe('calibrationTable properties', () => {
  it('counts sum to n, rows ascend, rates and means lie in their bins', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 1 })), {
          minLength: 1,
          maxLength: 80,
        }),
        fc.integer({ min: 1, max: 15 }),
        fc.constantFrom('uniform' as const, 'quantile' as const),
        (rows, numBins, strategy) => {
          const s = Float64Array.from(rows, ([v]) => v / 40);
          const y = Uint8Array.from(rows, ([, v]) => v);
          const table = calibrationTable(s, y, { numBins, strategy });
          expect(table.reduce((acc, r) => acc + r.count, 0)).toBe(s.length);
          expect(table.length).toBeLessThanOrEqual(numBins);
          for (const [k, r] of table.entries()) {
            expect(r.count).toBeGreaterThan(0);
            expect(r.observedRate).toBeGreaterThanOrEqual(0);
            expect(r.observedRate).toBeLessThanOrEqual(1);
            expect(r.meanPredicted).toBeGreaterThanOrEqual(r.lower - 1e-12);
            expect(r.meanPredicted).toBeLessThanOrEqual(r.upper + 1e-12);
            if (k > 0) expect(r.lower).toBeGreaterThanOrEqual(table[k - 1].lower);
          }
          const ece = calibrationErrorOfTable(table);
          expect(ece).toBeGreaterThanOrEqual(0);
          expect(ece).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 300, seed: 401 },
    );
  });
});

describe('calibration options', () => {
  it('rejects bad options naming them', () => {
    expect(() => calibrationTable(scores, labels, { numBins: 0 })).toThrow(/^options.numBins:/);
    expect(() => calibrationTable(scores, labels, { numBins: 2.5 })).toThrow(RangeError);
    expect(() => calibrationTable(scores, labels, { strategy: 'kmeans' as never })).toThrow(/^options.strategy:/);
    expect(() => calibrationTable(scores, labels, null as never)).toThrow(TypeError);
    expect(() => calibrationErrorOfTable([])).toThrow(/^rows:/);
  });
});
