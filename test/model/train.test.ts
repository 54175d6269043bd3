import { describe, expect, it } from 'vitest';
import { deriveRandom } from '../../src/math/random.js';
import { LogisticRegression } from '../../src/model/logistic.js';
import { Mlp } from '../../src/model/mlp.js';
import type { Model, Penalty } from '../../src/model/model.js';
import { trainLocal, type TrainOptions } from '../../src/model/train.js';
import { linearlySeparable } from './synthetic.js';

const data = linearlySeparable(deriveRandom(21, 'data'), 50, 4);
const rng = () => deriveRandom(21, 'train');

/** One full-batch gradient step θ ← θ − lr·∇ computed directly with the model. */
function manualStep(model: Model, lr: number, weights?: Float64Array, penalty?: Penalty): Float64Array {
  const grad = new Float64Array(model.numParameters);
  model.lossAndGradient({ ...data, weights }, grad, penalty);
  const theta = model.getParameters();
  for (let i = 0; i < theta.length; i++) theta[i] -= lr * grad[i];
  return theta;
}

function expectClose(actual: Float64Array, expected: Float64Array): void {
  expect(actual).toHaveLength(expected.length);
  for (let i = 0; i < expected.length; i++) expect(actual[i]).toBeCloseTo(expected[i], 13);
}

describe('trainLocal', () => {
  it('counts examples and steps, including a final partial batch', () => {
    const model = new LogisticRegression(4);
    expect(trainLocal(model, data, { epochs: 3, batchSize: 16, lr: 0.1, rng: rng() })).toMatchObject({ numExamples: 50, steps: 12 });
    expect(trainLocal(model, data, { epochs: 2, batchSize: 500, lr: 0.1, rng: rng() })).toMatchObject({ steps: 2 });
    expect(trainLocal(model, data, { epochs: 1, lr: 0.1, rng: rng() })).toMatchObject({ steps: 2 }); // default batch 32
  });

  it('reports the loss before the step: log 2 for logistic regression at θ = 0', () => {
    const result = trainLocal(new LogisticRegression(4), data, { epochs: 1, batchSize: 50, lr: 0.1, rng: rng() });
    expect(result.meanLoss).toBeCloseTo(Math.LN2, 15);
  });

  it('takes exactly the full-batch gradient step when batchSize ≥ numRows', () => {
    const model = new Mlp(4, { hidden: [5], activation: 'tanh' }, 3);
    const expected = manualStep(model, 0.3, undefined, { l2: 0.01 });
    trainLocal(model, data, { epochs: 1, batchSize: 64, lr: 0.3, l2: 0.01, rng: rng() });
    expectClose(model.getParameters(), expected);
  });

  it('weights classes as given, and n/(2·n_class) when balanced', () => {
    const numBad = data.y.reduce((a, b) => a + b, 0);
    expect(numBad).toBeGreaterThan(0);
    expect(numBad).toBeLessThan(50);
    const given = data.y.map((v) => (v === 1 ? 3 : 0.5));
    const balanced = data.y.map((v) => (v === 1 ? 50 / (2 * numBad) : 50 / (2 * (50 - numBad))));
    const cases: [TrainOptions['classWeights'], Float64Array][] = [
      [{ bad: 3, good: 0.5 }, given],
      ['balanced', balanced],
    ];
    for (const [classWeights, weights] of cases) {
      const model = new LogisticRegression(4);
      model.setParameters(Float64Array.of(0.1, -0.2, 0.3, -0.4, 0.5));
      const expected = manualStep(model, 0.5, weights);
      trainLocal(model, data, { epochs: 1, batchSize: 50, lr: 0.5, classWeights, rng: rng() });
      expectClose(model.getParameters(), expected);
    }
  });

  it('anchors the proximal term at the starting parameters by default', () => {
    const start = Float64Array.of(0.1, -0.2, 0.3, -0.4, 0.5);
    const model = new LogisticRegression(4);
    model.setParameters(start);
    // Step 1: θ = anchor so the proximal gradient vanishes; step 2 pulls back toward `start`.
    model.setParameters(manualStep(model, 0.5));
    const expected = manualStep(model, 0.5, undefined, { proximalMu: 2, anchor: start });
    model.setParameters(start);
    trainLocal(model, data, { epochs: 2, batchSize: 50, lr: 0.5, proximalMu: 2, rng: rng() });
    expectClose(model.getParameters(), expected);
  });

  it('uses an explicit anchor when given', () => {
    const anchor = Float64Array.of(1, 1, 1, 1, 1);
    const model = new LogisticRegression(4);
    const expected = manualStep(model, 0.5, undefined, { proximalMu: 2, anchor });
    trainLocal(model, data, { epochs: 1, batchSize: 50, lr: 0.5, proximalMu: 2, anchor, rng: rng() });
    expectClose(model.getParameters(), expected);
  });

  it('draws the batch order from the generator it is given', () => {
    const run = (seed: number) => {
      const model = new LogisticRegression(4);
      trainLocal(model, data, { epochs: 1, batchSize: 8, lr: 0.5, rng: deriveRandom(seed, 'train') });
      return Buffer.from(model.serialize().parameters);
    };
    expect(run(1).equals(run(1))).toBe(true);
    expect(run(1).equals(run(2))).toBe(false);
  });

  const base: TrainOptions = { epochs: 1, lr: 0.1, rng: deriveRandom(0) };
  const hostile: [string, () => unknown, ErrorConstructor, RegExp][] = [
    ['epochs 0', () => trainLocal(new LogisticRegression(4), data, { ...base, epochs: 0 }), RangeError, /epochs/],
    ['NaN lr', () => trainLocal(new LogisticRegression(4), data, { ...base, lr: NaN }), RangeError, /lr/],
    ['batchSize 0', () => trainLocal(new LogisticRegression(4), data, { ...base, batchSize: 0 }), RangeError, /batchSize/],
    ['batchSize 2.5', () => trainLocal(new LogisticRegression(4), data, { ...base, batchSize: 2.5 }), RangeError, /batchSize/],
    ['unknown optimizer', () => trainLocal(new LogisticRegression(4), data, { ...base, optimizer: 'rmsprop' as 'sgd' }), RangeError, /optimizer/],
    ['no rng', () => trainLocal(new LogisticRegression(4), data, { ...base, rng: undefined as never }), TypeError, /rng/],
    ['negative l2', () => trainLocal(new LogisticRegression(4), data, { ...base, l2: -1 }), RangeError, /l2/],
    ['NaN proximalMu', () => trainLocal(new LogisticRegression(4), data, { ...base, proximalMu: NaN }), RangeError, /proximalMu/],
    ['momentum 1', () => trainLocal(new LogisticRegression(4), data, { ...base, momentum: 1 }), RangeError, /momentum/],
    ['class weight NaN', () => trainLocal(new LogisticRegression(4), data, { ...base, classWeights: { bad: NaN, good: 1 } }), RangeError, /classWeights\.bad/],
    ['class weight 0', () => trainLocal(new LogisticRegression(4), data, { ...base, classWeights: { bad: 1, good: 0 } }), RangeError, /classWeights\.good/],
    ['class weights string', () => trainLocal(new LogisticRegression(4), data, { ...base, classWeights: 'even' as 'balanced' }), TypeError, /classWeights/],
    ['short anchor', () => trainLocal(new LogisticRegression(4), data, { ...base, proximalMu: 1, anchor: new Float64Array(2) }), RangeError, /anchor/],
    ['no options', () => trainLocal(new LogisticRegression(4), data, undefined as unknown as TrainOptions), TypeError, /options/],
    ['wrong columns', () => trainLocal(new LogisticRegression(3), data, base), RangeError, /data\.x/],
    ['NaN feature', () => trainLocal(new LogisticRegression(1), { x: { data: Float64Array.of(1, NaN), rows: 2, cols: 1 }, y: Float64Array.of(0, 1) }, base), RangeError, /data\.x/],
    ['no rows', () => trainLocal(new LogisticRegression(1), { x: { data: new Float64Array(0), rows: 0, cols: 1 }, y: new Float64Array(0) }, base), RangeError, /data\.x/],
    ['labels too short', () => trainLocal(new LogisticRegression(4), { x: data.x, y: data.y.subarray(1) }, base), RangeError, /data\.y/],
    ['no data', () => trainLocal(new LogisticRegression(4), null as never, base), TypeError, /data/],
  ];
  it.each(hostile)('rejects %s', (_label, call, type, pattern) => {
    expect(call).toThrow(type);
    expect(call).toThrow(pattern);
  });
});
