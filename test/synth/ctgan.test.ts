/**
 * The conditional tabular GAN end to end on small data: training moves generated rows toward
 * the data (a class-dependent bimodal column: bads around +3, goods around −3), the same seed
 * gives the same rows, generated tables respect the schema, and bad options are refused.
 * Networks are tiny so the file stays fast; bench/synth.ts measures the real configuration.
 */
import { describe, expect, it } from 'vitest';
import type { Schema, Table } from '../../src/data/schema.js';
import { deriveRandom } from '../../src/math/random.js';
import { CtganSynthesizer, type CtganOptions } from '../../src/synth/ctgan.js';
import { ksTwoSample } from '../../src/synth/fidelity.js';
import { toyTable } from './tables.js';

const schema: Schema = {
  name: 'bimodal',
  columns: [{ name: 'x', kind: 'numeric' }, { name: 'c', kind: 'categorical', categories: ['a', 'b'] }],
  target: { name: 't', bad: '1', good: '0' },
  missingTokens: [],
};

function bimodal(numRows: number): Table {
  const rng = deriveRandom(1, 'mix');
  const label = Uint8Array.from({ length: numRows }, () => (rng.next() < 0.5 ? 1 : 0));
  const x = Float64Array.from(label, (y) => (y ? 3 : -3) + 0.5 * rng.normal());
  const c = Array.from(label, (y) => (rng.next() < (y ? 0.9 : 0.1) ? 'a' : 'b'));
  return { schema, numRows, numeric: { x }, categorical: { c }, label };
}

const tiny: Omit<CtganOptions, 'epochs'> = { seed: 1, batchSize: 50, pac: 5, dropout: 0, noiseSize: 4, generatorHidden: [16, 16], discriminatorHidden: [16, 16], lr: 2e-3, maxModes: 2 };

describe('CtganSynthesizer', () => {
  it('training moves generated bads toward the real bads', () => {
    const data = bimodal(300);
    const realBads = data.numeric.x.filter((_, i) => data.label[i] === 1);
    const measure = (epochs: number) => {
      const losses: number[] = [];
      const gan = CtganSynthesizer.fit(data, { ...tiny, epochs, onEpoch: (p) => losses.push(p.generatorLoss, p.discriminatorLoss) });
      expect(losses.every(Number.isFinite)).toBe(true);
      const bads = gan.sample(300, 1, deriveRandom(2, 'sample'));
      return { ks: ksTwoSample(realBads, bads.numeric.x), positive: bads.numeric.x.filter((v) => v > 0).length / 300, a: bads.categorical.c.filter((v) => v === 'a').length / 300 };
    };
    const untrained = measure(1);
    const trained = measure(100);
    expect(untrained.positive).toBeLessThan(0.7); // the class condition means nothing yet
    expect(trained.positive).toBeGreaterThan(0.9); // bads now come from the bads' mode
    expect(trained.ks).toBeLessThan(untrained.ks - 0.05);
    expect(Math.abs(trained.a - 0.9)).toBeLessThan(0.1); // category frequency within the class
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const data = toyTable(120, 9);
    const fit = (seed: number) => CtganSynthesizer.fit(data, { ...tiny, seed, epochs: 2 });
    const a = fit(3).sample(40, 1, deriveRandom(1));
    const b = fit(3).sample(40, 1, deriveRandom(1));
    const c = fit(4).sample(40, 1, deriveRandom(1));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('generates tables of the schema: integer columns whole, numbers inside the range seen, labels fixed', () => {
    const data = toyTable(200, 10);
    const gan = CtganSynthesizer.fit(data, { ...tiny, epochs: 3 });
    const rows = gan.sample(123, 0, deriveRandom(5)); // more than one batch of 50
    expect(rows.numRows).toBe(123);
    expect(Array.from(rows.label).every((y) => y === 0)).toBe(true);
    const present = data.numeric.amount.filter((v) => !Number.isNaN(v));
    const [lo, hi] = [Math.min(...present), Math.max(...present)];
    for (const v of rows.numeric.amount) if (!Number.isNaN(v)) expect(v >= lo && v <= hi).toBe(true);
    for (const v of rows.numeric.age) expect(Number.isInteger(v) && v >= 18 && v <= 70).toBe(true);
    for (const v of rows.categorical.home) expect([null, 'rent', 'own', 'other']).toContain(v);
    expect(gan.sample(0, 1, deriveRandom(1)).numRows).toBe(0);
    expect(gan.trainMs).toBeGreaterThan(0);
  });

  it('refuses bad options, tiny tables and an unseen class', () => {
    const data = toyTable(60, 11);
    expect(() => CtganSynthesizer.fit(data, { ...tiny, epochs: 0 })).toThrow(/epochs/);
    expect(() => CtganSynthesizer.fit(data, { ...tiny, epochs: 1, batchSize: 52 })).toThrow(/multiple of pac/);
    expect(() => CtganSynthesizer.fit(data, { ...tiny, epochs: 1, lr: -1 })).toThrow(/lr/);
    expect(() => CtganSynthesizer.fit(data, { ...tiny, epochs: 1, dropout: 1 })).toThrow(/dropout/);
    expect(() => CtganSynthesizer.fit(data, { ...tiny, epochs: 1, generatorHidden: [] })).toThrow(/generatorHidden/);
    expect(() => CtganSynthesizer.fit(data, { epochs: 1 } as CtganOptions)).toThrow(/seed/);
    expect(() => CtganSynthesizer.fit({ ...data, numRows: 1 }, { ...tiny, epochs: 1 })).toThrow(/at least 2 rows/);
    const goodsOnly = CtganSynthesizer.fit({ ...data, label: new Uint8Array(60) }, { ...tiny, epochs: 1 });
    expect(() => goodsOnly.sample(5, 1, deriveRandom(1))).toThrow(/class 1/);
    expect(() => goodsOnly.sample(1.5, 0, deriveRandom(1))).toThrow(/numRows/);
  });
});
