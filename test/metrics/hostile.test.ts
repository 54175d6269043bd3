/**
 * Hostile inputs for every public metric taking (scores, labels): each must throw a TypeError
 * or RangeError whose message starts with the offending parameter.
 */
import { describe, expect, it } from 'vitest';
import * as metrics from '../../src/metrics/index.js';

type Metric = (scores: Float64Array, labels: Uint8Array | Float64Array) => unknown;

const metricFunctions: [string, Metric][] = [
  ['auc', metrics.auc],
  ['ks', metrics.ks],
  ['gini', metrics.gini],
  ['brier', metrics.brier],
  ['logLoss', metrics.logLoss],
  ['confusionAt', (s, y) => metrics.confusionAt(s, y, 0.5)],
  ['expectedCost', (s, y) => metrics.expectedCost(s, y, 0.5)],
  ['optimalThreshold', (s, y) => metrics.optimalThreshold(s, y)],
  ['calibrationTable', (s, y) => metrics.calibrationTable(s, y)],
  ['expectedCalibrationError', (s, y) => metrics.expectedCalibrationError(s, y)],
  ['scoreHistogram', (s, y) => metrics.scoreHistogram(s, y, 10)],
  ['localEvaluationSums', (s, y) => metrics.localEvaluationSums(s, y, 10)],
  ['evaluateScores', (s, y) => metrics.evaluateScores(s, y)],
];

const hostile: [string, unknown, unknown, ErrorConstructor, RegExp][] = [
  ['empty arrays', new Float64Array(0), new Uint8Array(0), RangeError, /^scores: .*empty/],
  ['length mismatch', Float64Array.of(0.1, 0.9), Uint8Array.of(1), RangeError, /^labels: length 1 does not match/],
  ['NaN score', Float64Array.of(0.1, NaN), Uint8Array.of(0, 1), RangeError, /^scores\[1\]: expected a finite/],
  ['Infinity score', Float64Array.of(Infinity, 0.1), Uint8Array.of(0, 1), RangeError, /^scores\[0\]:/],
  ['label 2', Float64Array.of(0.1, 0.9), Uint8Array.of(0, 2), RangeError, /^labels\[1\]: expected 0/],
  ['label 0.5', Float64Array.of(0.1, 0.9), Float64Array.of(0, 0.5), RangeError, /^labels\[1\]:/],
  ['NaN label', Float64Array.of(0.1, 0.9), Float64Array.of(NaN, 1), RangeError, /^labels\[0\]:/],
  ['plain array of scores', [0.1, 0.9], Uint8Array.of(0, 1), TypeError, /^scores: expected a Float64Array/],
  ['strings as scores', ['0.1', '0.9'], Uint8Array.of(0, 1), TypeError, /^scores:/],
  ['Float32Array scores', Float32Array.of(0.1, 0.9), Uint8Array.of(0, 1), TypeError, /^scores:/],
  ['plain array of labels', Float64Array.of(0.1, 0.9), [0, 1], TypeError, /^labels: expected a Uint8Array/],
  ['Int8Array labels', Float64Array.of(0.1, 0.9), Int8Array.of(0, 1), TypeError, /^labels:/],
  ['undefined scores', undefined, Uint8Array.of(0, 1), TypeError, /^scores:/],
  ['null labels', Float64Array.of(0.1, 0.9), null, TypeError, /^labels:/],
];

describe.each(metricFunctions)('%s', (_name, metric) => {
  it.each(hostile)('%s', (_case, scores, labels, errorType, message) => {
    expect(() => metric(scores as Float64Array, labels as Uint8Array)).toThrow(errorType);
    expect(() => metric(scores as Float64Array, labels as Uint8Array)).toThrow(message);
  });
});

describe('numBins checks', () => {
  const s = Float64Array.of(0.1, 0.9);
  const y = Uint8Array.of(0, 1);
  it.each([0, -3, 2.5, NaN, Infinity, 1e8])('numBins %s is a RangeError', (numBins) => {
    expect(() => metrics.scoreHistogram(s, y, numBins)).toThrow(RangeError);
    expect(() => metrics.localEvaluationSums(s, y, numBins)).toThrow(/^numBins:/);
  });
  it('a string numBins is a TypeError', () => {
    expect(() => metrics.scoreHistogram(s, y, '10' as never)).toThrow(TypeError);
  });
});
