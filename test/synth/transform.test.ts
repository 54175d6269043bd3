/**
 * CTGAN's data transformer: layout of the encoded vector, the round trip
 * inverse(transform(table)) ≈ table (exact for categories and missing values, within the α
 * clipping of |x − μ_k| ≤ 3.96σ_k for numbers, exact after rounding for integer columns), and
 * the inputs it must refuse.
 */
import { describe, expect, it } from 'vitest';
import { deriveRandom } from '../../src/math/random.js';
import { TabularTransformer, numericSlots } from '../../src/synth/transform.js';
import { toyTable } from './tables.js';

describe('TabularTransformer', () => {
  const table = toyTable(600);
  const tf = TabularTransformer.fit(table, { rng: deriveRandom(1, 'tf') });

  it('lays out α, the mode one-hot (with a missing slot) and the category one-hot', () => {
    const [amount, age, home] = tf.columns;
    if (amount.kind !== 'numeric' || age.kind !== 'numeric' || home.kind !== 'categorical') throw new Error('unexpected kinds');
    expect(amount.hasMissing).toBe(true);
    expect(age.hasMissing).toBe(false);
    expect(age.integer).toBe(true);
    expect(home.categories).toEqual(['rent', 'own', 'other', null]);
    expect(tf.width).toBe(1 + numericSlots(amount) + 1 + numericSlots(age) + 4);
    expect(tf.spans.map((s) => s.activation)).toEqual(['tanh', 'softmax', 'tanh', 'softmax', 'softmax']);
    expect(tf.spans.reduce((n, s) => n + s.size, 0)).toBe(tf.width);
    // bimodal amounts: at least one mode near each cluster centre
    expect(amount.gmm.means.some((m) => Math.abs(m - 1000) < 200)).toBe(true);
    expect(amount.gmm.means.some((m) => Math.abs(m - 5000) < 200)).toBe(true);
  });

  it('encodes each row with α in [−0.99, 0.99] and exactly one hot slot per one-hot block', () => {
    const x = tf.transform(table, { rng: deriveRandom(2, 'modes') });
    expect(x.rows).toBe(600);
    for (let i = 0; i < x.rows; i++) {
      for (const span of tf.spans) {
        const block = Array.from(x.data.subarray(i * x.cols + span.offset, i * x.cols + span.offset + span.size));
        if (span.activation === 'tanh') expect(Math.abs(block[0])).toBeLessThanOrEqual(0.99);
        else expect(block.sort()).toEqual([...new Array(span.size - 1).fill(0), 1]);
      }
    }
  });

  it('round trip with the most likely mode reproduces the table', () => {
    const back = tf.inverse(tf.transform(table, 'argmax'), table.label);
    expect(back.categorical.home).toEqual(table.categorical.home);
    expect(Array.from(back.numeric.age)).toEqual(Array.from(table.numeric.age));
    expect(Array.from(back.label)).toEqual(Array.from(table.label));
    const a = table.numeric.amount;
    const b = back.numeric.amount;
    for (let i = 0; i < a.length; i++) {
      if (Number.isNaN(a[i])) expect(b[i]).toBeNaN();
      else expect(Math.abs(b[i] - a[i])).toBeLessThan(1e-6 * Math.max(1, Math.abs(a[i])));
    }
  });

  it('round trip with sampled modes stays within the clipping of α', () => {
    const back = tf.inverse(tf.transform(table, { rng: deriveRandom(3, 'modes') }), table.label);
    const a = table.numeric.amount;
    let exact = 0;
    for (let i = 0; i < a.length; i++) {
      if (Number.isNaN(a[i])) continue;
      if (Math.abs(back.numeric.amount[i] - a[i]) < 1e-6 * Math.abs(a[i])) exact++;
    }
    // a sampled far mode can clip α; that happens with posterior probability only
    expect(exact / a.filter((v) => !Number.isNaN(v)).length).toBeGreaterThan(0.97);
  });

  it('decodes soft one-hots by argmax and clamps numbers to the range seen', () => {
    const x = new Float64Array(tf.width);
    x[0] = 5; // α beyond 1 is clipped to 1
    x[1] = 0.9; // first mode of amount
    const age = tf.columns[1];
    if (age.kind !== 'numeric') throw new Error('unexpected kind');
    x[age.offset] = -1;
    x[age.offset + 1] = 0.6;
    x[tf.width - 4 + 2] = 0.4; // home = other
    const back = tf.inverse({ data: x, rows: 1, cols: tf.width }, Uint8Array.of(1));
    expect(back.categorical.home).toEqual(['other']);
    expect(back.numeric.age[0]).toBeGreaterThanOrEqual(18);
    expect(Number.isInteger(back.numeric.age[0])).toBe(true);
    const amount = tf.columns[0];
    if (amount.kind !== 'numeric') throw new Error('unexpected kind');
    expect(back.numeric.amount[0]).toBeLessThanOrEqual(amount.max);
  });

  it('refuses values it was not fitted on and malformed matrices', () => {
    const other = { ...table, categorical: { home: table.categorical.home.map(() => 'castle') } };
    expect(() => tf.transform(other, 'argmax')).toThrow(/castle/);
    const complete = TabularTransformer.fit({ ...table, numeric: { ...table.numeric, amount: table.numeric.amount.map((v) => (Number.isNaN(v) ? 1 : v)) } }, { rng: deriveRandom(1) });
    expect(() => complete.transform(table, 'argmax')).toThrow(/missing value/);
    expect(() => tf.inverse({ data: new Float64Array(3), rows: 1, cols: 3 }, Uint8Array.of(0))).toThrow(TypeError);
    expect(() => tf.inverse({ data: new Float64Array(tf.width), rows: 1, cols: tf.width }, Uint8Array.of(0, 1))).toThrow(/label/);
    expect(() => TabularTransformer.fit({ ...table, numRows: 0 }, { rng: deriveRandom(1) })).toThrow(RangeError);
  });
});
