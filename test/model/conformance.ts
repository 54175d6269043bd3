/**
 * The conformance suite every {@link Model} implementation must pass: layout, parameter
 * copies, gradients against central finite differences (with class weights, L2 and the
 * proximal term), per-example gradients against the batch gradient, training behaviour,
 * determinism, serialization round trips and rejection of malformed arguments.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Matrix } from '../../src/math/linalg.js';
import { deriveRandom, type Random } from '../../src/math/random.js';
import type { Batch, Model } from '../../src/model/model.js';
import { decodeModelFile, deserializeModel, encodeModelFile } from '../../src/model/serialize.js';
import { trainLocal } from '../../src/model/train.js';
import { accuracy, linearlySeparable } from './synthetic.js';

/** Builds a fresh model over `numFeatures` features with initial weights drawn from `seed`. */
export type ModelFactory = (numFeatures: number, seed: number) => Model;

function randomMatrix(rng: Random, rows: number, cols: number): Matrix {
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = rng.normal();
  return { data, rows, cols };
}

function randomParameters(model: Model, rng: Random, scale = 0.5): Float64Array {
  const p = new Float64Array(model.numParameters);
  for (let i = 0; i < p.length; i++) p[i] = scale * rng.normal();
  return p;
}

/** A batch with hard labels, positive class weights in [0.5, 2.5) and one soft label. */
function randomBatch(rng: Random, rows: number, cols: number): Batch {
  const y = new Float64Array(rows);
  const weights = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    y[i] = rng.next() < 0.5 ? 1 : 0;
    weights[i] = 0.5 + 2 * rng.next();
  }
  y[0] = 0.3;
  return { x: randomMatrix(rng, rows, cols), y, weights };
}

/** Run the suite for one model implementation. */
export function runModelConformance(name: string, factory: ModelFactory): void {
  describe(`Model conformance: ${name}`, () => {
    const d = 5;

    it('lays its blocks end to end, covering every parameter once', () => {
      const model = factory(d, 1);
      let offset = 0;
      const names = new Set<string>();
      for (const block of model.layout) {
        expect(block.offset).toBe(offset);
        expect(names.has(block.name)).toBe(false);
        names.add(block.name);
        offset += block.shape.reduce((a, b) => a * b, 1);
      }
      expect(offset).toBe(model.numParameters);
      expect(model.numFeatures).toBe(d);
      expect(model.getParameters()).toHaveLength(model.numParameters);
    });

    it('copies parameters in and out', () => {
      const model = factory(d, 1);
      const p = randomParameters(model, deriveRandom(1, 'p'));
      const original = p[0];
      model.setParameters(p);
      p[0] += 1;
      expect(model.getParameters()[0]).toBe(original);
      const out = model.getParameters();
      out[0] = 99;
      expect(model.getParameters()[0]).not.toBe(99);
    });

    it('matches central finite differences with class weights, L2 and proximal term', () => {
      for (let seed = 0; seed < 5; seed++) {
        const rng = deriveRandom(seed, 'fd');
        const model = factory(d, seed);
        const theta = randomParameters(model, rng);
        model.setParameters(theta);
        const batch = randomBatch(rng, 7, d);
        const penalty = { l2: 0.3, proximalMu: 0.7, anchor: randomParameters(model, rng) };
        const grad = new Float64Array(model.numParameters);
        model.lossAndGradient(batch, grad, penalty);
        const scratch = new Float64Array(model.numParameters);
        const h = 1e-6;
        for (let k = 0; k < model.numParameters; k++) {
          const t = theta.slice();
          t[k] = theta[k] + h;
          model.setParameters(t);
          const up = model.lossAndGradient(batch, scratch, penalty);
          t[k] = theta[k] - h;
          model.setParameters(t);
          const down = model.lossAndGradient(batch, scratch, penalty);
          // Central difference error is O(h²·f''') plus rounding O(ε/h) ≈ 1e-10.
          expect(Math.abs((up - down) / (2 * h) - grad[k])).toBeLessThan(1e-7 * Math.max(1, Math.abs(grad[k])));
        }
      }
    });

    it('applies L2 to weights only and the proximal pull to every parameter', () => {
      const rng = deriveRandom(3, 'pen');
      const model = factory(d, 3);
      const theta = randomParameters(model, rng);
      model.setParameters(theta);
      const batch = randomBatch(rng, 4, d);
      const plain = new Float64Array(model.numParameters);
      const withL2 = new Float64Array(model.numParameters);
      const withProx = new Float64Array(model.numParameters);
      const anchor = randomParameters(model, rng);
      const base = model.lossAndGradient(batch, plain);
      const l2Loss = model.lossAndGradient(batch, withL2, { l2: 2 });
      const proxLoss = model.lossAndGradient(batch, withProx, { proximalMu: 3, anchor });
      let weightSquares = 0;
      let distance = 0;
      for (const block of model.layout) {
        const isBias = block.name.startsWith('b');
        const size = block.shape.reduce((a, b) => a * b, 1);
        for (let k = block.offset; k < block.offset + size; k++) {
          expect(withL2[k] - plain[k]).toBeCloseTo(isBias ? 0 : 2 * theta[k], 12);
          expect(withProx[k] - plain[k]).toBeCloseTo(3 * (theta[k] - anchor[k]), 12);
          if (!isBias) weightSquares += theta[k] ** 2;
          distance += (theta[k] - anchor[k]) ** 2;
        }
      }
      expect(l2Loss - base).toBeCloseTo(weightSquares, 10);
      expect(proxLoss - base).toBeCloseTo(1.5 * distance, 10);
    });

    it('has per-example gradients whose mean is the unweighted batch gradient', () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 1, max: 9 }), (seed, rows) => {
          const rng = deriveRandom(seed, 'per-example');
          const model = factory(d, seed);
          model.setParameters(randomParameters(model, rng));
          const { x, y } = randomBatch(rng, rows, d);
          const p = model.numParameters;
          const perExample = new Float64Array(rows * p).fill(NaN);
          model.perExampleGradients(x, y, perExample);
          const batchGrad = new Float64Array(p);
          model.lossAndGradient({ x, y }, batchGrad);
          const single = new Float64Array(p);
          for (let k = 0; k < p; k++) {
            let mean = 0;
            for (let i = 0; i < rows; i++) mean += perExample[i * p + k] / rows;
            expect(mean).toBeCloseTo(batchGrad[k], 12);
          }
          // Row i is exactly the gradient of the one-row batch {x_i, y_i}.
          const i = rows - 1;
          model.lossAndGradient({ x: { data: x.data.slice(i * d, (i + 1) * d), rows: 1, cols: d }, y: y.slice(i, i + 1) }, single);
          expect(Array.from(perExample.subarray(i * p, (i + 1) * p))).toEqual(Array.from(single));
        }),
        { numRuns: 25 },
      );
    });

    it('reports the log loss of its own probabilities', () => {
      const rng = deriveRandom(4, 'proba');
      const model = factory(d, 4);
      model.setParameters(randomParameters(model, rng, 2));
      const x = randomMatrix(rng, 6, d);
      const y = Float64Array.of(1, 0, 1, 0, 1, 1);
      const proba = model.predictProba(x);
      let expected = 0;
      for (let i = 0; i < 6; i++) {
        expect(proba[i]).toBeGreaterThan(0);
        expect(proba[i]).toBeLessThan(1);
        expected -= (y[i] === 1 ? Math.log(proba[i]) : Math.log1p(-proba[i])) / 6;
      }
      expect(model.lossAndGradient({ x, y }, new Float64Array(model.numParameters))).toBeCloseTo(expected, 12);
    });

    it('stays finite for huge logits (stable softplus)', () => {
      const model = factory(1, 5);
      const p = model.getParameters().fill(50);
      model.setParameters(p);
      const x = { data: Float64Array.of(40, -40), rows: 2, cols: 1 };
      const grad = new Float64Array(model.numParameters);
      const loss = model.lossAndGradient({ x, y: Float64Array.of(0, 1) }, grad);
      expect(Number.isFinite(loss)).toBe(true);
      expect(loss).toBeGreaterThan(100);
      expect(grad.every(Number.isFinite)).toBe(true);
    });

    it('clones independently', () => {
      const model = factory(d, 6);
      const copy = model.clone();
      expect(copy.kind).toBe(model.kind);
      expect(copy.getParameters()).toEqual(model.getParameters());
      copy.setParameters(copy.getParameters().fill(0.25));
      expect(model.getParameters()).not.toEqual(copy.getParameters());
    });

    it('learns a linearly separable problem to > 95% accuracy, reducing the loss', () => {
      const data = linearlySeparable(deriveRandom(7, 'data'), 400, 10);
      const model = factory(10, 7);
      const grad = new Float64Array(model.numParameters);
      const before = model.lossAndGradient(data, grad);
      const result = trainLocal(model, data, { epochs: 20, lr: 0.05, optimizer: 'adam', l2: 1e-4, rng: deriveRandom(7, 'train') });
      const after = model.lossAndGradient(data, grad);
      expect(result).toMatchObject({ numExamples: 400, steps: 20 * 13 });
      expect(after).toBeLessThan(before / 3);
      expect(accuracy(model.predictProba(data.x), data.y)).toBeGreaterThan(0.95);
    });

    it('trains bit for bit identically from the same seed', () => {
      const data = linearlySeparable(deriveRandom(8, 'data'), 100, d);
      const run = () => {
        const model = factory(d, 8);
        trainLocal(model, data, { epochs: 3, batchSize: 16, lr: 0.1, optimizer: 'sgd', momentum: 0.9, l2: 1e-3, rng: deriveRandom(8, 'train') });
        return Buffer.from(model.serialize().parameters);
      };
      expect(run().equals(run())).toBe(true);
    });

    it('round-trips through serialize/deserialize and the file format with identical predictions', () => {
      const rng = deriveRandom(9, 'ser');
      const model = factory(d, 9);
      model.setParameters(randomParameters(model, rng));
      const x = randomMatrix(rng, 20, d);
      const { meta, parameters } = model.serialize();
      const viaJson = deserializeModel(JSON.parse(JSON.stringify(meta)), parameters);
      const viaFile = decodeModelFile(encodeModelFile(model));
      for (const copy of [viaJson, viaFile]) {
        expect(copy.kind).toBe(model.kind);
        expect(copy.layout).toEqual(model.layout);
        expect(Buffer.from(copy.serialize().parameters).equals(Buffer.from(parameters))).toBe(true);
        expect(Array.from(copy.predictProba(x))).toEqual(Array.from(model.predictProba(x)));
      }
    });

    it('rejects malformed arguments with TypeError/RangeError naming the parameter', () => {
      const model = factory(d, 10);
      const n = model.numParameters;
      const good = { x: randomMatrix(deriveRandom(10), 3, d), y: Float64Array.of(1, 0, 1) };
      const grad = new Float64Array(n);
      const cases: [string, () => unknown, RegExp][] = [
        ['batch not an object', () => model.lossAndGradient(null as unknown as Batch, grad), /batch/],
        ['wrong column count', () => model.lossAndGradient({ ...good, x: randomMatrix(deriveRandom(1), 3, d + 1) }, grad), /batch\.x/],
        ['data length ≠ rows·cols', () => model.lossAndGradient({ ...good, x: { data: new Float64Array(5), rows: 3, cols: d } }, grad), /batch\.x/],
        ['empty batch', () => model.lossAndGradient({ x: { data: new Float64Array(0), rows: 0, cols: d }, y: new Float64Array(0) }, grad), /batch\.x/],
        ['NaN rows', () => model.lossAndGradient({ ...good, x: { data: good.x.data, rows: NaN, cols: d } }, grad), /batch\.x\.rows/],
        ['NaN label', () => model.lossAndGradient({ ...good, y: Float64Array.of(1, NaN, 0) }, grad), /batch\.y/],
        ['label 2', () => model.lossAndGradient({ ...good, y: Float64Array.of(1, 2, 0) }, grad), /batch\.y/],
        ['labels as plain array', () => model.lossAndGradient({ ...good, y: [1, 0, 1] as unknown as Float64Array }, grad), /batch\.y/],
        ['short labels', () => model.lossAndGradient({ ...good, y: Float64Array.of(1, 0) }, grad), /batch\.y/],
        ['negative weight', () => model.lossAndGradient({ ...good, weights: Float64Array.of(1, -1, 1) }, grad), /batch\.weights/],
        ['zero weights', () => model.lossAndGradient({ ...good, weights: new Float64Array(3) }, grad), /batch\.weights/],
        ['Infinity weight', () => model.lossAndGradient({ ...good, weights: Float64Array.of(1, Infinity, 1) }, grad), /batch\.weights/],
        ['short gradOut', () => model.lossAndGradient(good, new Float64Array(n - 1)), /gradOut/],
        ['NaN l2', () => model.lossAndGradient(good, grad, { l2: NaN }), /penalty\.l2/],
        ['negative l2', () => model.lossAndGradient(good, grad, { l2: -1 }), /penalty\.l2/],
        ['μ without anchor', () => model.lossAndGradient(good, grad, { proximalMu: 1 }), /penalty\.anchor/],
        ['short anchor', () => model.lossAndGradient(good, grad, { proximalMu: 1, anchor: new Float64Array(n - 1) }), /penalty\.anchor/],
        ['NaN anchor', () => model.lossAndGradient(good, grad, { proximalMu: 1, anchor: new Float64Array(n).fill(NaN) }), /penalty\.anchor/],
        ['string l2', () => model.lossAndGradient(good, grad, { l2: '1' as unknown as number }), /penalty\.l2/],
        ['predict wrong columns', () => model.predictProba(randomMatrix(deriveRandom(1), 2, d - 1)), /x/],
        ['perExample short out', () => model.perExampleGradients(good.x, good.y, new Float64Array(3 * n - 1)), /out/],
        ['perExample bad labels', () => model.perExampleGradients(good.x, Float64Array.of(0, 1, -1), new Float64Array(3 * n)), /y/],
        ['setParameters wrong length', () => model.setParameters(new Float64Array(n + 1)), /parameters/],
        ['setParameters NaN', () => model.setParameters(new Float64Array(n).fill(NaN)), /parameters/],
        ['setParameters plain array', () => model.setParameters([] as unknown as Float64Array), /parameters/],
      ];
      for (const [label, call, pattern] of cases) {
        let error: unknown;
        try {
          call();
        } catch (e) {
          error = e;
        }
        expect(error, label).toBeInstanceOf(Error);
        expect(error instanceof TypeError || error instanceof RangeError, label).toBe(true);
        expect((error as Error).message, label).toMatch(pattern);
      }
    });
  });
}
