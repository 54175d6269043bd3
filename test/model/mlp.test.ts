import { describe, expect, it } from 'vitest';
import { deriveRandom } from '../../src/math/random.js';
import { Mlp, type MlpConfig } from '../../src/model/mlp.js';
import { trainLocal } from '../../src/model/train.js';
import { runModelConformance } from './conformance.js';
import { accuracy, xorLike } from './synthetic.js';
import { closeTo, matrixOf, vectors } from './vectors.js';

runModelConformance('Mlp [6] relu', (numFeatures, seed) => new Mlp(numFeatures, { hidden: [6], activation: 'relu' }, seed));
runModelConformance('Mlp [4, 3] tanh', (numFeatures, seed) => new Mlp(numFeatures, { hidden: [4, 3], activation: 'tanh' }, seed));

describe('Mlp', () => {
  for (const vector of vectors.models.filter((v) => v.kind === 'mlp')) {
    it(`matches the known answer: ${vector.name} (${vector.source})`, () => {
      const model = new Mlp(vector.numFeatures, { hidden: vector.hidden, activation: vector.activation! }, 0);
      model.setParameters(Float64Array.from(vector.parameters));
      const x = matrixOf(vector.x);
      const y = Float64Array.from(vector.y);
      expect(closeTo(model.predictProba(x), vector.proba)).toBe(true);
      const grad = new Float64Array(model.numParameters);
      const loss = model.lossAndGradient({ x, y, weights: Float64Array.from(vector.weights) }, grad, {
        l2: vector.l2,
        proximalMu: vector.proximalMu,
        anchor: Float64Array.from(vector.anchor),
      });
      expect(loss).toBeCloseTo(vector.loss, 12);
      expect(closeTo(grad, vector.gradient)).toBe(true);
      expect(model.lossAndGradient({ x, y }, grad)).toBeCloseTo(vector.plainLoss, 12);
      expect(closeTo(grad, vector.plainGradient)).toBe(true);
    });
  }

  it('lays out W1, b1, W2, b2, wOut, bOut', () => {
    const model = new Mlp(3, { hidden: [4, 2] }, 1);
    expect(model.layout.map((b) => [b.name, b.shape, b.offset])).toEqual([
      ['W1', [4, 3], 0],
      ['b1', [4], 12],
      ['W2', [2, 4], 16],
      ['b2', [2], 24],
      ['wOut', [2], 26],
      ['bOut', [1], 28],
    ]);
    expect(model.numParameters).toBe(29);
    expect(model.activation).toBe('relu');
  });

  it('draws the same initial weights from the same seed, zero biases', () => {
    const a = new Mlp(5, { hidden: [8] }, deriveRandom(3, 'init'));
    const b = new Mlp(5, { hidden: [8] }, deriveRandom(3, 'init'));
    expect(Buffer.from(a.serialize().parameters).equals(Buffer.from(b.serialize().parameters))).toBe(true);
    const p = a.getParameters();
    const b1 = a.layout.find((block) => block.name === 'b1')!;
    expect(Array.from(p.subarray(b1.offset, b1.offset + 8))).toEqual(new Array(8).fill(0));
    expect(p[a.numParameters - 1]).toBe(0);
  });

  // Statistical check of the initialisers: the sample standard deviation of 51,200 N(0, σ²)
  // draws has relative standard error 1/√(2n) ≈ 0.3%, so a 2% band is > 6 standard errors.
  it.each([
    ['relu', Math.sqrt(2 / 200)],
    ['tanh', Math.sqrt(2 / (200 + 256))],
  ] as const)('initialises %s layers with the He / Glorot standard deviation', (activation, std) => {
    const model = new Mlp(200, { hidden: [256], activation }, deriveRandom(5, 'init'));
    const w1 = model.getParameters().subarray(0, 256 * 200);
    let sum = 0;
    let squares = 0;
    for (const v of w1) {
      sum += v;
      squares += v * v;
    }
    const mean = sum / w1.length;
    expect(Math.abs(mean)).toBeLessThan(4 * (std / Math.sqrt(w1.length)));
    expect(Math.sqrt(squares / w1.length - mean * mean) / std).toBeGreaterThan(0.98);
    expect(Math.sqrt(squares / w1.length - mean * mean) / std).toBeLessThan(1.02);
  });

  it('learns XOR-like data that logistic regression cannot', () => {
    const data = xorLike(deriveRandom(11, 'xor'), 400);
    const model = new Mlp(2, { hidden: [16], activation: 'tanh' }, deriveRandom(11, 'init'));
    trainLocal(model, data, { epochs: 200, lr: 0.02, optimizer: 'adam', rng: deriveRandom(11, 'train') });
    expect(accuracy(model.predictProba(data.x), data.y)).toBeGreaterThan(0.9);
  });

  const hostile: [string, number, MlpConfig, unknown][] = [
    ['numFeatures 0', 0, { hidden: [4] }, RangeError],
    ['numFeatures NaN', NaN, { hidden: [4] }, RangeError],
    ['hidden [0]', 3, { hidden: [0] }, RangeError],
    ['hidden [1025]', 3, { hidden: [1025] }, RangeError],
    ['hidden [2.5]', 3, { hidden: [2.5] }, RangeError],
    ['hidden []', 3, { hidden: [] }, RangeError],
    ['three hidden layers', 3, { hidden: [4, 4, 4] }, RangeError],
    ['hidden not an array', 3, { hidden: 4 as unknown as number[] }, TypeError],
    ['hidden of strings', 3, { hidden: ['4'] as unknown as number[] }, TypeError],
    ['unknown activation', 3, { hidden: [4], activation: 'sigmoid' as 'relu' }, RangeError],
    ['config null', 3, null as unknown as MlpConfig, TypeError],
  ];
  it.each(hostile)('rejects %s', (_label, numFeatures, config, errorType) => {
    expect(() => new Mlp(numFeatures, config, 1)).toThrow(errorType as ErrorConstructor);
  });

  it('rejects a missing generator or a negative seed', () => {
    expect(() => new Mlp(3, {}, undefined as unknown as number)).toThrow(TypeError);
    expect(() => new Mlp(3, {}, -1)).toThrow(RangeError);
  });
});
