import { describe, expect, it } from 'vitest';
import { norm2, type Matrix } from '../../src/math/linalg.js';
import { deriveRandom } from '../../src/math/random.js';
import { LogisticRegression } from '../../src/model/logistic.js';
import { Mlp } from '../../src/model/mlp.js';
import type { Model } from '../../src/model/model.js';
import { trainLocal } from '../../src/model/train.js';
import { l2Mask, trainLocalDp, type DpTrainOptions } from '../../src/privacy/dpsgd.js';
import { seededNoiseSource } from '../../src/privacy/noiseSource.js';
import { linearlySeparable } from '../model/synthetic.js';

const data = linearlySeparable(deriveRandom(1, 'dpsgd-data'), 120, 6);
const base = (seed: number): Pick<DpTrainOptions, 'rng' | 'noise'> => ({ rng: deriveRandom(seed, 'sampling'), noise: seededNoiseSource(deriveRandom(seed, 'noise')) });

/** Records every per-example gradient call: batch sizes, and each batch's rows after clipping (read back at the next call). */
function spy(model: Model) {
  const batchSizes: number[] = [];
  const clippedNorms: number[] = [];
  const rawNorms: number[] = [];
  let pending: { out: Float64Array; rows: number } | undefined;
  const p = model.numParameters;
  const readPending = () => {
    if (!pending) return;
    for (let b = 0; b < pending.rows; b++) clippedNorms.push(norm2(pending.out.subarray(b * p, (b + 1) * p)));
    pending = undefined;
  };
  const wrapped = Object.create(model) as Model;
  wrapped.perExampleGradients = (x: Matrix, y: Float64Array, out: Float64Array) => {
    readPending();
    model.perExampleGradients(x, y, out);
    for (let b = 0; b < x.rows; b++) rawNorms.push(norm2(out.subarray(b * p, (b + 1) * p)));
    batchSizes.push(x.rows);
    pending = { out, rows: x.rows };
  };
  return { model: wrapped, batchSizes, clippedNorms, rawNorms, finish: readPending };
}

describe('trainLocalDp', () => {
  it.each(['sgd', 'adam'] as const)('with σ = 0, C = ∞ and q = 1 equals full-batch trainLocal step for step (%s, logreg and MLP)', (optimizer) => {
    for (const make of [() => new LogisticRegression(6), () => new Mlp(6, { hidden: [5], activation: 'tanh' }, deriveRandom(3, 'init'))]) {
      for (let epochs = 1; epochs <= 4; epochs++) {
        const plain = make();
        const dp = make();
        trainLocal(plain, data, { epochs, batchSize: data.x.rows, lr: 0.1, optimizer, l2: 0.01, rng: deriveRandom(0, 'order') });
        const result = trainLocalDp(dp, data, { epochs, sampleRate: 1, lr: 0.1, optimizer, l2: 0.01, maxGradNorm: Infinity, noiseMultiplier: 0, ...base(1) });
        expect(result.steps).toBe(epochs);
        const a = plain.getParameters();
        const b = dp.getParameters();
        // Only the order of the sum differs (trainLocal visits a permutation).
        for (let i = 0; i < a.length; i++) expect(b[i]).toBeCloseTo(a[i], 11);
      }
    }
  });

  it('clips every per-example gradient to norm ≤ C (and some needed clipping)', () => {
    const s = spy(new LogisticRegression(6));
    trainLocalDp(s.model, data, { epochs: 2, sampleRate: 0.25, lr: 0.5, maxGradNorm: 0.3, noiseMultiplier: 1, ...base(2) });
    s.finish();
    expect(s.clippedNorms.length).toBe(s.rawNorms.length);
    expect(Math.max(...s.clippedNorms)).toBeLessThanOrEqual(0.3);
    expect(s.rawNorms.filter((n) => n > 0.3).length).toBeGreaterThan(s.rawNorms.length / 2);
    // rows already inside the ball are left as they were
    s.rawNorms.forEach((raw, i) => { if (raw <= 0.3) expect(s.clippedNorms[i]).toBe(raw); });
  });

  it('samples Poisson batches: each step includes each row with probability q (mean q·n, variance n·q(1−q))', () => {
    const s = spy(new LogisticRegression(6));
    const q = 0.2;
    const result = trainLocalDp(s.model, data, { epochs: 100, sampleRate: q, lr: 0.01, maxGradNorm: 1, noiseMultiplier: 1, ...base(3) });
    expect(result.steps).toBe(500);
    const n = data.x.rows;
    const sizes = s.batchSizes;
    expect(sizes.length).toBe(500); // q·n = 24: no empty batch at this size
    const mean = sizes.reduce((a, b) => a + b, 0) / sizes.length;
    const variance = sizes.reduce((a, b) => a + (b - mean) ** 2, 0) / (sizes.length - 1);
    expect(Math.abs(mean - q * n)).toBeLessThan(4 * Math.sqrt((n * q * (1 - q)) / sizes.length));
    expect(variance / (n * q * (1 - q))).toBeGreaterThan(0.8);
    expect(variance / (n * q * (1 - q))).toBeLessThan(1.2);
  });

  it('adds N(0, σ²C²) to the gradient sum and divides by q·n: on a zero-gradient model each SGD step moves a weight by N(0, (σC/(qn))²)', () => {
    // All-zero features: the per-example gradient of every weight is exactly 0, so weights move by noise only.
    const numFeatures = 3000;
    const n = 40;
    const x = { data: new Float64Array(n * numFeatures), rows: n, cols: numFeatures };
    const y = new Float64Array(n).fill(0.5);
    const model = new LogisticRegression(numFeatures);
    const sigma = 1.3, clip = 0.7, q = 0.5, lr = 1;
    const result = trainLocalDp(model, { x, y }, { epochs: 1, sampleRate: q, lr, maxGradNorm: clip, noiseMultiplier: sigma, ...base(4) });
    expect(result.steps).toBe(2);
    const w = model.getParameters().subarray(0, numFeatures);
    const expectedVariance = result.steps * (lr * sigma * clip / (q * n)) ** 2;
    const mean = w.reduce((a, b) => a + b, 0) / w.length;
    const variance = w.reduce((a, b) => a + (b - mean) ** 2, 0) / (w.length - 1);
    expect(Math.abs(mean)).toBeLessThan(4 * Math.sqrt(expectedVariance / w.length));
    // sample variance of 3000 normals: relative standard error √(2/3000) ≈ 2.6 %
    expect(variance / expectedVariance).toBeGreaterThan(0.9);
    expect(variance / expectedVariance).toBeLessThan(1.1);
  });

  it('takes a noisy step even when the Poisson batch is empty', () => {
    const tiny = { x: { data: data.x.data.subarray(0, 6 * 3), rows: 3, cols: 6 }, y: data.y.subarray(0, 3) };
    const s = spy(new LogisticRegression(6));
    const result = trainLocalDp(s.model, tiny, { epochs: 1, sampleRate: 0.02, lr: 0.1, maxGradNorm: 1, noiseMultiplier: 1, ...base(5) });
    expect(result.steps).toBe(50);
    expect(s.batchSizes.length).toBeLessThan(50); // most batches were empty and never asked for gradients
    expect(Array.from(s.model.getParameters()).every((v) => v !== 0)).toBe(true);
  });

  it('is deterministic given its streams, and another noise stream gives another model', () => {
    const run = (noiseSeed: number) => {
      const m = new LogisticRegression(6);
      trainLocalDp(m, data, { epochs: 2, sampleRate: 0.1, lr: 0.1, optimizer: 'adam', l2: 1e-3, maxGradNorm: 1, noiseMultiplier: 1.1, rng: deriveRandom(9, 's'), noise: seededNoiseSource(deriveRandom(noiseSeed, 'n')) });
      return Array.from(m.getParameters());
    };
    expect(run(1)).toEqual(run(1));
    expect(run(1)).not.toEqual(run(2));
  });

  it('still learns a separable problem at moderate noise', () => {
    const m = new LogisticRegression(6);
    trainLocalDp(m, data, { epochs: 20, sampleRate: 0.2, lr: 0.1, optimizer: 'adam', maxGradNorm: 1, noiseMultiplier: 0.8, ...base(6) });
    const p = m.predictProba(data.x);
    let correct = 0;
    for (let i = 0; i < p.length; i++) if (p[i] > 0.5 === (data.y[i] === 1)) correct++;
    expect(correct / p.length).toBeGreaterThan(0.85);
  });

  it.each([
    [{ epochs: 0 }, /epochs/], [{ sampleRate: 0 }, /sampleRate/], [{ sampleRate: 1.5 }, /sampleRate/], [{ lr: -1 }, /lr/], [{ maxGradNorm: 0 }, /maxGradNorm/],
    [{ maxGradNorm: Infinity }, /maxGradNorm/], [{ noiseMultiplier: -1 }, /noiseMultiplier/], [{ noiseMultiplier: Number.NaN }, /noiseMultiplier/],
    [{ optimizer: 'rmsprop' }, /optimizer/], [{ rng: {} }, /rng/], [{ noise: null }, /noise/], [{ l2: '1' }, /l2/],
  ])('rejects %j', (patch, message) => {
    const options = { epochs: 1, sampleRate: 0.1, lr: 0.1, maxGradNorm: 1, noiseMultiplier: 1, ...base(7), ...patch } as DpTrainOptions;
    expect(() => trainLocalDp(new LogisticRegression(6), data, options)).toThrow(message);
  });

  it('rejects data of the wrong shape', () => {
    const options = { epochs: 1, sampleRate: 0.1, lr: 0.1, maxGradNorm: 1, noiseMultiplier: 1, ...base(8) };
    expect(() => trainLocalDp(new LogisticRegression(5), data, options)).toThrow(/columns/);
    expect(() => trainLocalDp(new LogisticRegression(6), { x: data.x, y: new Float64Array(3) }, options)).toThrow(/data.y/);
    expect(() => trainLocalDp(new LogisticRegression(6), null as never, options)).toThrow(TypeError);
  });
});

describe('l2Mask', () => {
  it('marks exactly the weight blocks of each model (biases are not penalised)', () => {
    const expectMask = (model: Model) => {
      const mask = l2Mask(model);
      for (const block of model.layout) {
        const size = block.shape.reduce((a, b) => a * b, 1);
        const isBias = /^b/.test(block.name);
        for (let i = block.offset; i < block.offset + size; i++) expect(mask[i], block.name).toBe(isBias ? 0 : 1);
      }
    };
    expectMask(new LogisticRegression(4));
    expectMask(new Mlp(4, { hidden: [3, 2], activation: 'relu' }, deriveRandom(1, 'i')));
  });
});
