import { describe, expect, it } from 'vitest';
import { deriveRandom } from '../../src/math/random.js';
import { LogisticRegression } from '../../src/model/logistic.js';
import { trainLocal } from '../../src/model/train.js';
import { runModelConformance } from './conformance.js';
import { accuracy, xorLike } from './synthetic.js';
import { closeTo, matrixOf, vectors } from './vectors.js';

runModelConformance('LogisticRegression', (numFeatures) => new LogisticRegression(numFeatures));

describe('LogisticRegression', () => {
  const vector = vectors.models.find((v) => v.kind === 'logreg')!;

  it(`matches the known answer: ${vector.name} (${vector.source})`, () => {
    const model = new LogisticRegression(vector.numFeatures);
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

  it('uses the layout weights [d], bias [1] and starts at zero', () => {
    const model = new LogisticRegression(4);
    expect(model.layout).toEqual([
      { name: 'weights', shape: [4], offset: 0 },
      { name: 'bias', shape: [1], offset: 4 },
    ]);
    expect(model.numParameters).toBe(5);
    expect(Array.from(model.getParameters())).toEqual([0, 0, 0, 0, 0]);
    // At θ = 0 every probability is 1/2 and the loss is log 2 whatever the data.
    const loss = model.lossAndGradient({ x: matrixOf([[1, 2, 3, 4]]), y: Float64Array.of(1) }, new Float64Array(5));
    expect(loss).toBeCloseTo(Math.LN2, 15);
  });

  it('cannot learn XOR-like data (no linear rule beats chance by much)', () => {
    const data = xorLike(deriveRandom(11, 'xor'), 400);
    const model = new LogisticRegression(2);
    trainLocal(model, data, { epochs: 30, lr: 0.05, optimizer: 'adam', rng: deriveRandom(11, 'train') });
    expect(accuracy(model.predictProba(data.x), data.y)).toBeLessThan(0.65);
  });

  it.each([0, -1, 1.5, NaN, Infinity, 100_001])('rejects numFeatures = %s', (numFeatures) => {
    expect(() => new LogisticRegression(numFeatures)).toThrow(RangeError);
  });

  it('rejects a non-numeric numFeatures', () => {
    expect(() => new LogisticRegression('3' as unknown as number)).toThrow(TypeError);
  });
});
