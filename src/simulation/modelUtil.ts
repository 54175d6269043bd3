/** Rebuild a model of a given spec around a parameter vector. */
import { Random } from '../math/random.js';
import { createModel } from '../model/factory.js';
import type { Model } from '../model/model.js';
import type { ModelSpec } from '../node/jobContext.js';

/** A model of `spec` whose parameters are `parameters` (the initialisation seed is irrelevant). */
export function createModelFromParameters(spec: ModelSpec, numFeatures: number, parameters: Float64Array): Model {
  const model = createModel(spec.kind, numFeatures, spec.config, new Random([1, 2, 3, 4]));
  model.setParameters(parameters);
  return model;
}
