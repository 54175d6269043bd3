/**
 * Training-by-sampling with the class as a condition: the condition vectors are well formed,
 * matched real rows really have the class and category asked for, the class is drawn with
 * probability ∝ log(1 + count), and generation conditions follow the class's own frequencies.
 */
import { describe, expect, it } from 'vitest';
import { deriveRandom } from '../../src/math/random.js';
import { ConditionSampler, NUM_CLASSES } from '../../src/synth/sampler.js';
import { TabularTransformer } from '../../src/synth/transform.js';
import { toyTable } from './tables.js';

describe('ConditionSampler', () => {
  const table = toyTable(1000, 3, 0.05);
  const tf = TabularTransformer.fit(table, { rng: deriveRandom(1) });
  const encoded = tf.transform(table, 'argmax');
  const sampler = new ConditionSampler(tf, encoded, table.label);
  const home = tf.columns[2];
  if (home.kind !== 'categorical') throw new Error('unexpected kind');

  it('has the class block then one block per categorical column', () => {
    expect(sampler.blocks).toEqual([{ dataOffset: home.offset, condOffset: NUM_CLASSES, size: 4 }]);
    expect(sampler.width).toBe(2 + 4);
  });

  it('matches every training condition with a real row of that class and category', () => {
    const n = 2000;
    const batch = sampler.training(n, deriveRandom(2, 'train'));
    let bads = 0;
    for (let i = 0; i < n; i++) {
      const cond = Array.from(batch.cond.subarray(i * 6, (i + 1) * 6));
      const y = cond[1] === 1 ? 1 : 0;
      expect(cond[0] + cond[1]).toBe(1);
      expect(cond.slice(2).reduce((a, b) => a + b, 0)).toBe(1);
      expect(table.label[batch.rows[i]]).toBe(y);
      expect(table.categorical.home[batch.rows[i]]).toBe(home.categories[batch.category[i]]);
      expect(cond[2 + batch.category[i]]).toBe(1);
      bads += y;
    }
    // P(bad) = log(1 + n_bad)/(log(1 + n_bad) + log(1 + n_good)), far above the 5 % bad rate
    const numBad = table.label.reduce((s, y) => s + y, 0);
    const expected = Math.log1p(numBad) / (Math.log1p(numBad) + Math.log1p(1000 - numBad));
    expect(Math.abs(bads / n - expected)).toBeLessThan(4 * Math.sqrt((expected * (1 - expected)) / n));
  });

  it('generation fixes the class and draws categories with their frequency within it', () => {
    const n = 4000;
    const batch = sampler.generation(n, 1, deriveRandom(3, 'gen'));
    const bads = Array.from(table.label.keys()).filter((i) => table.label[i] === 1);
    const rent = bads.filter((i) => table.categorical.home[i] === 'rent').length / bads.length;
    let drawn = 0;
    for (let i = 0; i < n; i++) {
      expect(batch.cond[i * 6 + 1]).toBe(1);
      if (batch.category[i] === 0) drawn++;
    }
    expect(Math.abs(drawn / n - rent)).toBeLessThan(4 * Math.sqrt((rent * (1 - rent)) / n));
  });

  it('is deterministic for a seed and refuses an absent class', () => {
    expect(sampler.training(50, deriveRandom(5))).toEqual(sampler.training(50, deriveRandom(5)));
    const goodsOnly = { ...table, label: new Uint8Array(table.numRows) };
    const s = new ConditionSampler(tf, encoded, goodsOnly.label);
    expect(s.hasClass(1)).toBe(false);
    expect(() => s.generation(1, 1, deriveRandom(1))).toThrow(/class 1/);
    expect(() => new ConditionSampler(tf, encoded, new Uint8Array(3))).toThrow(TypeError);
  });
});
