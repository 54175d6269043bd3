/** Distance to the closest record, quantiles and the exact-copy rate on hand examples. */
import { describe, expect, it } from 'vitest';
import { selectRows } from '../../src/data/schema.js';
import { deriveRandom } from '../../src/math/random.js';
import { distanceToClosest, privacy, quantile } from '../../src/synth/privacy.js';
import { toyTable } from './tables.js';

describe('distanceToClosest', () => {
  it('is the Euclidean distance to the nearest reference row (3-4-5 triangles)', () => {
    const reference = { data: Float64Array.from([0, 0, 3, 4]), rows: 2, cols: 2 };
    const query = { data: Float64Array.from([0, 0, 3, 0, 6, 8, -3, -4]), rows: 4, cols: 2 };
    expect(Array.from(distanceToClosest(query, reference))).toEqual([0, 3, 5, 5]);
    expect(() => distanceToClosest({ data: new Float64Array(3), rows: 1, cols: 3 }, reference)).toThrow(RangeError);
    expect(() => distanceToClosest(query, { data: new Float64Array(0), rows: 0, cols: 2 })).toThrow(RangeError);
  });
});

describe('quantile', () => {
  it('interpolates linearly between order statistics (type 7)', () => {
    expect(quantile(Float64Array.of(4, 1, 3, 2), 0.5)).toBe(2.5);
    expect(quantile(Float64Array.of(4, 1, 3, 2), 0)).toBe(1);
    expect(quantile(Float64Array.of(4, 1, 3, 2), 1)).toBe(4);
    // numpy.percentile([1..21], 5) = 2.0
    expect(quantile(Float64Array.from({ length: 21 }, (_, i) => i + 1), 0.05)).toBeCloseTo(2, 12);
    expect(() => quantile(new Float64Array(0), 0.5)).toThrow(RangeError);
    expect(() => quantile(Float64Array.of(1), 1.5)).toThrow(RangeError);
  });
});

describe('privacy', () => {
  it('counts exact copies at distance 0 and reports the holdout baseline', () => {
    const all = toyTable(400, 2);
    const order = deriveRandom(1).permutation(400);
    const train = selectRows(all, order.subarray(0, 300));
    const holdout = selectRows(all, order.subarray(300));
    const copies = selectRows(train, [0, 1, 2, 3]);
    const report = privacy(train, copies, holdout);
    expect(report.exactCopyRate).toBe(1);
    expect(report.dcrMedian).toBe(0);
    expect(report.dcr5th).toBe(0);
    expect(report.holdoutDcrMedian).toBeGreaterThan(0);
    expect(report.numSynthetic).toBe(4);
    // nudging one number makes it no longer a copy
    const nudged = { ...copies, numeric: { ...copies.numeric, age: copies.numeric.age.map((v, i) => (i === 0 ? v + 1 : v)) } };
    expect(privacy(train, nudged, holdout).exactCopyRate).toBe(0.75);
  });
});
