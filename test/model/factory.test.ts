import { describe, expect, it } from 'vitest';
import { deriveRandom } from '../../src/math/random.js';
import { createModel, type ModelConfig } from '../../src/model/factory.js';
import { LogisticRegression } from '../../src/model/logistic.js';
import { Mlp } from '../../src/model/mlp.js';
import type { ModelKind } from '../../src/model/model.js';
import * as api from '../../src/model/index.js';

describe('createModel', () => {
  it('builds a model around given parameters, as setParameters would, without drawing weights', () => {
    for (const [kind, config] of [['logreg', {}], ['mlp', { hidden: [6, 3] }]] as [ModelKind, ModelConfig][]) {
      const trained = createModel(kind, 5, config, deriveRandom(9, 'other'));
      const parameters = trained.getParameters().map((p, k) => p + 0.01 * k);
      const viaSet = createModel(kind, 5, config, 1);
      viaSet.setParameters(parameters);
      const direct = createModel(kind, 5, config, parameters);
      expect(direct.getParameters()).toEqual(viaSet.getParameters());
      expect(() => createModel(kind, 5, config, parameters.subarray(1))).toThrow(RangeError);
      expect(() => createModel(kind, 5, config, parameters.map((p, k) => (k === 2 ? Number.NaN : p)))).toThrow();
    }
  });

  it('builds logistic regression and MLPs with defaults', () => {
    const logreg = createModel('logreg', 7, {}, 1);
    expect(logreg).toBeInstanceOf(LogisticRegression);
    expect(logreg.numParameters).toBe(8);
    const mlp = createModel('mlp', 7, {}, deriveRandom(1, 'init'));
    expect(mlp).toBeInstanceOf(Mlp);
    expect((mlp as Mlp).hidden).toEqual([32]);
    expect((mlp as Mlp).activation).toBe('relu');
    expect(mlp.numParameters).toBe(32 * 7 + 32 + 32 + 1);
  });

  it('gives every party the same initial MLP from the same seed', () => {
    const config: ModelConfig = { hidden: [8, 4], activation: 'tanh' };
    const a = createModel('mlp', 5, config, deriveRandom(9, 'init'));
    const b = createModel('mlp', 5, config, deriveRandom(9, 'init'));
    expect(Buffer.from(a.serialize().parameters).equals(Buffer.from(b.serialize().parameters))).toBe(true);
    expect(Buffer.from(createModel('mlp', 5, config, 9).serialize().parameters).equals(Buffer.from(a.serialize().parameters))).toBe(false);
  });

  const hostile: [string, ModelKind, number, ModelConfig, ErrorConstructor, RegExp][] = [
    ['unknown kind', 'gbdt' as ModelKind, 3, {}, RangeError, /kind/],
    ['numFeatures 0', 'logreg', 0, {}, RangeError, /numFeatures/],
    ['numFeatures NaN', 'mlp', NaN, {}, RangeError, /numFeatures/],
    ['hidden with logreg', 'logreg', 3, { hidden: [4] }, RangeError, /mlp/],
    ['hidden [0]', 'mlp', 3, { hidden: [0] }, RangeError, /hidden/],
    ['config null', 'mlp', 3, null as unknown as ModelConfig, TypeError, /config/],
  ];
  it.each(hostile)('rejects %s', (_label, kind, numFeatures, config, type, pattern) => {
    expect(() => createModel(kind, numFeatures, config, 1)).toThrow(type);
    expect(() => createModel(kind, numFeatures, config, 1)).toThrow(pattern);
  });

  it('is re-exported with the rest of the model API from src/model/index.ts', () => {
    for (const name of ['createModel', 'LogisticRegression', 'Mlp', 'Sgd', 'Adam', 'trainLocal', 'encodeModelFile', 'decodeModelFile', 'serializeModel', 'deserializeModel']) {
      expect(api, name).toHaveProperty(name);
    }
  });
});
