// Pure aggregation functions: hand-computed vectors (test/vectors/strategies.json, derivations
// inside), hostile inputs, and fast-check properties.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  coordinateMedian,
  initialServerMoments,
  krumSelect,
  meanFromSum,
  serverAdam,
  serverYogi,
  trimmedMean,
  weightedMean,
} from '../../src/strategy/aggregate.js';
import { sumResults } from '../../src/strategy/strategy.js';
import type { FitResult, SumInput } from '../../src/strategy/strategy.js';
import vectors from '../vectors/strategies.json' with { type: 'json' };

const f64 = (values: readonly number[]): Float64Array => Float64Array.from(values);
const fitResults = (rows: readonly { nodeId: string; parameters: number[]; numExamples: number }[]): FitResult[] =>
  rows.map((r) => ({ nodeId: r.nodeId, parameters: f64(r.parameters), numExamples: r.numExamples }));

function expectClose(actual: Float64Array, expected: readonly number[], tolerance = 1e-12): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i] - expected[i]), `index ${i}: ${actual[i]} vs ${expected[i]}`).toBeLessThanOrEqual(tolerance);
}

describe('known-answer vectors', () => {
  it.each(vectors.weightedMean)('weightedMean: $name', (c) => {
    expectClose(weightedMean(fitResults(c.results)), c.expected);
  });

  it.each(vectors.meanFromSum)('meanFromSum: $name', (c) => {
    const input: SumInput = { kind: 'sum', weightedSum: f64(c.input.weightedSum), totalWeight: c.input.totalWeight, numNodes: c.input.numNodes };
    expectClose(meanFromSum(input), c.expected);
  });

  it.each(vectors.coordinateMedian)('coordinateMedian: $name', (c) => {
    expectClose(coordinateMedian(c.vectors.map(f64)), c.expected);
  });

  it.each(vectors.trimmedMean)('trimmedMean: $name', (c) => {
    expectClose(trimmedMean(c.vectors.map(f64), c.beta), c.expected);
  });

  it.each(vectors.krum)('krumSelect: $name', (c) => {
    const selection = krumSelect(c.vectors.map(f64), { numByzantine: c.numByzantine, multiKrum: c.multiKrum });
    expectClose(selection.scores, c.expectedScores);
    expect(selection.selected).toEqual(c.expectedSelected);
    expectClose(selection.parameters, c.expected);
  });

  const optimizerCases = [
    ...vectors.serverAdam.map((c) => ({ ...c, rule: serverAdam, ruleName: 'serverAdam' })),
    ...vectors.serverYogi.map((c) => ({ ...c, rule: serverYogi, ruleName: 'serverYogi' })),
  ];
  it.each(optimizerCases)('$ruleName: $name', (c) => {
    const step = c.rule({ current: f64(c.current), average: f64(c.average), m: f64(c.m), v: f64(c.v) }, c.options);
    expectClose(step.m, c.expectedM);
    expectClose(step.v, c.expectedV);
    expectClose(step.parameters, c.expected);
  });

  it('initialServerMoments is m = 0, v = τ² (the v used by the first-step vectors)', () => {
    const { m, v } = initialServerMoments(2, 0.1);
    expect(Array.from(m)).toEqual([0, 0]);
    expectClose(v, vectors.serverAdam[0].v);
  });
});

describe('hostile inputs', () => {
  const good = [f64([1, 2]), f64([3, 4]), f64([5, 6]), f64([7, 8]), f64([9, 10])];
  const vectorFunctions: [string, (v: Float64Array[]) => unknown][] = [
    ['coordinateMedian', (v) => coordinateMedian(v)],
    ['trimmedMean', (v) => trimmedMean(v, 0.2)],
    ['krumSelect', (v) => krumSelect(v, { numByzantine: 1 })],
  ];
  const badVectorLists: [string, unknown, typeof TypeError | typeof RangeError][] = [
    ['empty list', [], RangeError],
    ['not an array', 'vectors', TypeError],
    ['plain number array', [[1, 2], [3, 4]], TypeError],
    ['wrong length', [...good.slice(0, 4), f64([1, 2, 3])], RangeError],
    ['NaN', [...good.slice(0, 4), f64([1, NaN])], RangeError],
    ['Infinity', [...good.slice(0, 4), f64([-Infinity, 1])], RangeError],
    ['null entry', [...good.slice(0, 4), null], TypeError],
  ];
  for (const [fnName, fn] of vectorFunctions) {
    it.each(badVectorLists)(`${fnName} rejects %s`, (_label, input, errorClass) => {
      expect(() => fn(input as Float64Array[])).toThrow(errorClass);
    });
  }

  it('identical values come back exactly, despite rounding in the sum (0.1/7 summed 7 times is 0.10000000000000002)', () => {
    for (const n of [6, 7, 10]) {
      const same = Array.from({ length: n }, () => f64([0.1, 3.3]));
      expect(Array.from(trimmedMean(same, 0))).toEqual([0.1, 3.3]);
      expect(Array.from(trimmedMean(same, 0.2))).toEqual([0.1, 3.3]);
      expect(Array.from(coordinateMedian(same))).toEqual([0.1, 3.3]);
    }
  });

  it('inputs of any length work, including the empty vector', () => {
    expect(coordinateMedian([new Float64Array(0)]).length).toBe(0);
    expect(Array.from(trimmedMean([f64([4])], 0.4))).toEqual([4]);
  });

  it.each([
    ['beta < 0', -0.1, RangeError],
    ['beta = 0.5', 0.5, RangeError],
    ['beta NaN', NaN, RangeError],
    ['beta string', '0.2', TypeError],
  ] as const)('trimmedMean rejects %s', (_label, beta, errorClass) => {
    expect(() => trimmedMean(good, beta as number)).toThrow(errorClass);
    expect(() => trimmedMean(good, beta as number)).toThrow(/beta/);
  });

  it.each([
    ['n = 2f + 2', { numByzantine: 2 }, /numByzantine/],
    ['fractional f', { numByzantine: 0.5 }, /numByzantine/],
    ['negative f', { numByzantine: -1 }, /numByzantine/],
    ['m = 0', { numByzantine: 1, multiKrum: 0 }, /multiKrum/],
    ['m > n - f', { numByzantine: 1, multiKrum: 5 }, /multiKrum/],
  ])('krumSelect rejects %s', (_label, options, message) => {
    expect(() => krumSelect(good, options)).toThrow(RangeError);
    expect(() => krumSelect(good, options)).toThrow(message);
  });

  it.each([
    ['negative numExamples', [{ nodeId: 'a', parameters: f64([1]), numExamples: -1 }], RangeError],
    ['NaN numExamples', [{ nodeId: 'a', parameters: f64([1]), numExamples: NaN }], RangeError],
    ['all zero weights', [{ nodeId: 'a', parameters: f64([1]), numExamples: 0 }], RangeError],
    ['string numExamples', [{ nodeId: 'a', parameters: f64([1]), numExamples: '10' }], TypeError],
    ['missing parameters', [{ nodeId: 'a', numExamples: 1 }], TypeError],
    ['mixed lengths', [{ nodeId: 'a', parameters: f64([1]), numExamples: 1 }, { nodeId: 'b', parameters: f64([1, 2]), numExamples: 1 }], RangeError],
    ['no results', [], RangeError],
  ])('weightedMean rejects %s', (_label, results, errorClass) => {
    expect(() => weightedMean(results as FitResult[])).toThrow(errorClass);
  });

  it.each([
    ['numNodes 0 (empty round)', { kind: 'sum', weightedSum: f64([1]), totalWeight: 1, numNodes: 0 }, /numNodes/],
    ['totalWeight 0', { kind: 'sum', weightedSum: f64([1]), totalWeight: 0, numNodes: 1 }, /totalWeight/],
    ['NaN in the sum', { kind: 'sum', weightedSum: f64([NaN]), totalWeight: 1, numNodes: 1 }, /weightedSum/],
  ])('meanFromSum rejects %s', (_label, input, message) => {
    expect(() => meanFromSum(input as SumInput)).toThrow(RangeError);
    expect(() => meanFromSum(input as SumInput)).toThrow(message);
  });

  const adamInput = { current: f64([0, 0]), average: f64([1, 1]), m: f64([0, 0]), v: f64([0, 0]) };
  const adamOptions = { serverLr: 0.1, beta1: 0.9, beta2: 0.99, tau: 1e-3 };
  it.each([
    ['serverLr 0', { ...adamInput }, { ...adamOptions, serverLr: 0 }, /serverLr/],
    ['beta1 = 1', { ...adamInput }, { ...adamOptions, beta1: 1 }, /beta1/],
    ['beta2 < 0', { ...adamInput }, { ...adamOptions, beta2: -0.1 }, /beta2/],
    ['tau 0', { ...adamInput }, { ...adamOptions, tau: 0 }, /tau/],
    ['short average', { ...adamInput, average: f64([1]) }, adamOptions, /average/],
    ['negative v', { ...adamInput, v: f64([0, -1]) }, adamOptions, /v\[1\]/],
  ])('serverAdam and serverYogi reject %s', (_label, input, options, message) => {
    expect(() => serverAdam(input, options)).toThrow(RangeError);
    expect(() => serverYogi(input, options)).toThrow(message);
  });
});

describe('properties', () => {
  const finite = fc.double({ min: -1e6, max: 1e6, noNaN: true });
  const vectorList = (minCount: number) =>
    fc.integer({ min: 0, max: 6 }).chain((dim) =>
      fc.array(fc.array(finite, { minLength: dim, maxLength: dim }).map(f64), { minLength: minCount, maxLength: 12 }),
    );

  it('weightedMean(results) equals meanFromSum(sumResults(results)) within 1e-12 relative', () => {
    const results = fc.integer({ min: 0, max: 6 }).chain((dim) =>
      fc.array(
        fc.record({
          nodeId: fc.string(),
          parameters: fc.array(finite, { minLength: dim, maxLength: dim }).map(f64),
          numExamples: fc.integer({ min: 1, max: 1_000_000 }),
        }),
        { minLength: 1, maxLength: 10 },
      ),
    );
    fc.assert(
      fc.property(results, (rs) => {
        const direct = weightedMean(rs);
        const viaSum = meanFromSum(sumResults(rs));
        for (let i = 0; i < direct.length; i++) {
          const scale = Math.max(1, ...rs.map((r) => Math.abs(r.parameters[i])));
          expect(Math.abs(direct[i] - viaSum[i])).toBeLessThanOrEqual(1e-12 * scale);
        }
      }),
    );
  });

  it('median and trimmed mean lie within each coordinate’s min and max', () => {
    fc.assert(
      fc.property(vectorList(1), fc.double({ min: 0, max: 0.49, noNaN: true }), (vs, beta) => {
        const median = coordinateMedian(vs);
        const trimmed = trimmedMean(vs, beta);
        for (let i = 0; i < median.length; i++) {
          const column = vs.map((v) => v[i]);
          const lo = Math.min(...column);
          const hi = Math.max(...column);
          expect(median[i]).toBeGreaterThanOrEqual(lo);
          expect(median[i]).toBeLessThanOrEqual(hi);
          expect(trimmed[i]).toBeGreaterThanOrEqual(lo);
          expect(trimmed[i]).toBeLessThanOrEqual(hi);
        }
      }),
    );
  });

  it('Krum never selects one of f far-away Byzantine vectors when n > 2f + 2', () => {
    const scenario = fc
      .record({ f: fc.integer({ min: 0, max: 4 }), extra: fc.integer({ min: 1, max: 4 }), dim: fc.integer({ min: 1, max: 5 }) })
      .chain(({ f, extra, dim }) => {
        const numHonest = f + 2 + extra; // n = 2f + 2 + extra > 2f + 2
        const point = (min: number, max: number) => fc.array(fc.double({ min, max, noNaN: true }), { minLength: dim, maxLength: dim });
        // Byzantine coordinates are ±[1e3, 1e6] away from the unit box, possibly colluding (identical).
        const farCoordinate = fc.tuple(fc.boolean(), fc.double({ min: 1e3, max: 1e6, noNaN: true })).map(([neg, x]) => (neg ? -x : x));
        const byzantine = fc.array(fc.array(farCoordinate, { minLength: dim, maxLength: dim }), { minLength: f, maxLength: f });
        const honest = fc.array(point(-1, 1), { minLength: numHonest, maxLength: numHonest });
        return fc.record({
          f: fc.constant(f),
          honest,
          byzantine: fc.oneof(byzantine, byzantine.map((b) => b.map(() => b[0]))),
          multiKrum: fc.integer({ min: 1, max: numHonest }),
          order: fc.array(fc.nat(), { minLength: numHonest + f, maxLength: numHonest + f }),
        });
      });
    fc.assert(
      fc.property(scenario, ({ f, honest, byzantine, multiKrum, order }) => {
        const all = [...honest.map((v) => ({ v, bad: false })), ...byzantine.map((v) => ({ v, bad: true }))];
        // Shuffle by the generated keys so Byzantine vectors sit anywhere in the list.
        const shuffled = all.map((x, i) => ({ ...x, key: order[i] * all.length + i })).sort((a, b) => a.key - b.key);
        const selection = krumSelect(shuffled.map((x) => f64(x.v)), { numByzantine: f, multiKrum });
        expect(selection.selected.length).toBe(multiKrum);
        for (const index of selection.selected) expect(shuffled[index].bad).toBe(false);
      }),
    );
  });
});
