/**
 * FedAdam and FedYogi (Reddi et al., "Adaptive Federated Optimization", ICLR 2021): the server
 * treats the FedAvg mean minus the current model as a pseudo-gradient and applies Adam or Yogi
 * to it. Sum-based (the mean may come from secure aggregation); the moments m and v are the
 * server's only state and are persisted through `getState`/`setState` so that a restarted
 * coordinator continues the same optimisation path.
 */
import { initialServerMoments, serverAdam, serverYogi } from './adaptive.js';
import type { ServerOptimizerInput, ServerOptimizerOptions, ServerOptimizerStep } from './adaptive.js';
import { checkNumber, checkRound, checkStateKeys, checkVector } from './check.js';
import { averageInput } from './fedavg.js';
import type { AggregateInput, Strategy, StrategyName } from './strategy.js';
import type { ConfigValue } from '../protocol/message.js';

/** Options of {@link FedAdam} and {@link FedYogi}; omitted fields take the strategy's defaults. */
export type FedOptOptions = Partial<ServerOptimizerOptions>;

/** FedAdam defaults: Flower's `flwr.serverapp.strategy.FedAdam` (η = 0.1, β₁ = 0.9, β₂ = 0.99, τ = 1e-3). */
export const FEDADAM_DEFAULTS: ServerOptimizerOptions = Object.freeze({ serverLr: 0.1, beta1: 0.9, beta2: 0.99, tau: 1e-3 });

/** FedYogi defaults: Flower's `flwr.serverapp.strategy.FedYogi` (η = 0.01, β₁ = 0.9, β₂ = 0.99, τ = 1e-3). */
export const FEDYOGI_DEFAULTS: ServerOptimizerOptions = Object.freeze({ serverLr: 0.01, beta1: 0.9, beta2: 0.99, tau: 1e-3 });

type ServerRule = (input: ServerOptimizerInput, options: ServerOptimizerOptions) => ServerOptimizerStep;

/** Shared body of FedAdam and FedYogi: option checks, moment state, one rule call per round. */
abstract class FedOpt implements Strategy {
  abstract readonly name: StrategyName;
  readonly needsIndividualUpdates = false;
  readonly options: ServerOptimizerOptions;
  private moments: { m: Float64Array; v: Float64Array } | undefined;

  protected constructor(
    options: FedOptOptions,
    defaults: ServerOptimizerOptions,
    private readonly rule: ServerRule,
  ) {
    if (typeof options !== 'object' || options === null) throw new TypeError('options: expected { serverLr?, beta1?, beta2?, tau? }');
    this.options = Object.freeze({
      serverLr: checkNumber('serverLr', options.serverLr ?? defaults.serverLr, { min: 0, minExclusive: true }),
      beta1: checkNumber('beta1', options.beta1 ?? defaults.beta1, { min: 0, max: 1, maxExclusive: true }),
      beta2: checkNumber('beta2', options.beta2 ?? defaults.beta2, { min: 0, max: 1, maxExclusive: true }),
      tau: checkNumber('tau', options.tau ?? defaults.tau, { min: 0, minExclusive: true }),
    });
  }

  /** No extra training config. */
  fitConfig(round: number): Record<string, ConfigValue> {
    checkRound(round);
    return {};
  }

  /** One server-optimizer step from `current` towards this round's FedAvg mean; updates m and v. */
  aggregateFit(current: Float64Array, input: AggregateInput, round: number): Float64Array {
    checkRound(round);
    const average = averageInput(current, input);
    const moments = this.moments ?? initialServerMoments(current.length, this.options.tau);
    if (moments.m.length !== current.length) {
      throw new RangeError(`current: model has ${current.length} parameters but the ${this.name} state has ${moments.m.length}`);
    }
    const step = this.rule({ current, average, m: moments.m, v: moments.v }, this.options);
    this.moments = { m: step.m, v: step.v };
    return step.parameters;
  }

  /** `{ m, v }` (copies) after the first round; `{}` before it. */
  getState(): Record<string, Float64Array> {
    if (this.moments === undefined) return {};
    return { m: this.moments.m.slice(), v: this.moments.v.slice() };
  }

  /** Restore `{ m, v }` from {@link getState} (copied), or reset with `{}`. */
  setState(state: Record<string, Float64Array>): void {
    const checked = checkStateKeys(state, ['m', 'v']);
    if (checked.m === undefined && checked.v === undefined) {
      this.moments = undefined;
      return;
    }
    const m = checkVector('state.m', checked.m);
    const v = checkVector('state.v', checked.v, m.length);
    for (let i = 0; i < v.length; i++) if (v[i] < 0) throw new RangeError(`state.v[${i}]: second moment must be ≥ 0, got ${v[i]}`);
    this.moments = { m: m.slice(), v: v.slice() };
  }
}

/**
 * FedAdam: Adam on the server over FedAvg pseudo-gradients (Reddi et al. 2021, Alg. 2).
 *
 * @example const strategy = new FedAdam({ serverLr: 0.05 }); // other options from FEDADAM_DEFAULTS
 */
export class FedAdam extends FedOpt {
  readonly name: StrategyName = 'fedadam';
  constructor(options: FedOptOptions = {}) {
    super(options, FEDADAM_DEFAULTS, serverAdam);
  }
}

/**
 * FedYogi: Yogi on the server over FedAvg pseudo-gradients (Reddi et al. 2021, Alg. 2), whose
 * additive second-moment update is gentler than Adam's when the nodes' updates shrink.
 *
 * @example const strategy = new FedYogi(); // FEDYOGI_DEFAULTS
 */
export class FedYogi extends FedOpt {
  readonly name: StrategyName = 'fedyogi';
  constructor(options: FedOptOptions = {}) {
    super(options, FEDYOGI_DEFAULTS, serverYogi);
  }
}
