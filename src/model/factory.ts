/**
 * Build a model from its kind and architecture, the way a job configuration names it. The
 * coordinator and every node call this with the same config and a seed derived from the job,
 * so they all start from the same initial parameters.
 */
import type { Random } from '../math/random.js';
import type { Model, ModelKind } from './model.js';
import { LogisticRegression } from './logistic.js';
import { Mlp, type Activation } from './mlp.js';

/** Architecture options; `hidden` and `activation` apply to 'mlp' only (defaults [32], 'relu'). */
export interface ModelConfig {
  readonly hidden?: readonly number[];
  readonly activation?: Activation;
}

/**
 * A fresh model of `kind` over `numFeatures` features. Logistic regression starts at zero and
 * ignores `rng` (still required, so a caller switching kinds cannot forget it); the MLP draws
 * its initial weights from `rng` (a {@link Random}, or an integer seed derived under purpose
 * 'mlp-init'). Throws RangeError for an unknown kind, and for
 * `hidden`/`activation` given with 'logreg' (a config that silently does nothing is a bug).
 *
 * @example
 * const model = createModel('mlp', 61, { hidden: [32, 16], activation: 'tanh' }, deriveRandom(seed, 'init'));
 */
export function createModel(kind: ModelKind, numFeatures: number, config: ModelConfig, rng: Random | number): Model;
/** A model of `kind` holding `parameters` (validated like setParameters), without drawing initial weights. */
export function createModel(kind: ModelKind, numFeatures: number, config: ModelConfig, parameters: Float64Array): Model;
export function createModel(kind: ModelKind, numFeatures: number, config: ModelConfig, rng: Random | number | Float64Array): Model {
  if (typeof config !== 'object' || config === null) throw new TypeError('config: expected an object');
  switch (kind) {
    case 'logreg':
      if (config.hidden !== undefined || config.activation !== undefined) {
        throw new RangeError("config: hidden and activation apply to kind 'mlp' only");
      }
      {
        const model = new LogisticRegression(numFeatures);
        if (rng instanceof Float64Array) model.setParameters(rng);
        return model;
      }
    case 'mlp':
      return new Mlp(numFeatures, config, rng);
    default:
      throw new RangeError(`kind: expected 'logreg' or 'mlp', got ${String(kind)}`);
  }
}
