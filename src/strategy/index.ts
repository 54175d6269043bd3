/**
 * The strategy domain's entry point: {@link createStrategy} builds a strategy from a name and a
 * flat options object (as they come from the CLI or a job file), and everything else is
 * re-exported so callers import from one place.
 */
import { FedAvg } from './fedavg.js';
import { FedAdam, FedYogi } from './fedopt.js';
import { FedProx } from './fedprox.js';
import { FedMedian, FedTrimmedAvg, Krum } from './robust.js';
import type { Strategy, StrategyName } from './strategy.js';

export * from './strategy.js';
export * from './aggregate.js';
export { averageInput, FedAvg } from './fedavg.js';
export { DEFAULT_PROXIMAL_MU, FedProx } from './fedprox.js';
export type { FedProxOptions } from './fedprox.js';
export { FEDADAM_DEFAULTS, FEDYOGI_DEFAULTS, FedAdam, FedYogi } from './fedopt.js';
export type { FedOptOptions } from './fedopt.js';
export { FedMedian, FedTrimmedAvg, Krum } from './robust.js';
export type { FedTrimmedAvgOptions, KrumStrategyOptions } from './robust.js';

/** Every strategy name {@link createStrategy} accepts, in a stable order (for CLI help and tests). */
export const STRATEGY_NAMES: readonly StrategyName[] = Object.freeze(['fedavg', 'fedprox', 'fedadam', 'fedyogi', 'trimmed', 'median', 'krum']);

/**
 * Options of every strategy in one flat object; each strategy accepts only its own fields
 * (see {@link STRATEGY_OPTIONS}) and fills the rest with its defaults.
 */
export interface StrategyOptions {
  /** fedprox: μ ≥ 0, the proximal coefficient (default 0.01). */
  readonly proximalMu?: number;
  /** fedadam / fedyogi: η > 0, server learning rate (default 0.1 / 0.01). */
  readonly serverLr?: number;
  /** fedadam / fedyogi: β₁ in [0, 1) (default 0.9). */
  readonly beta1?: number;
  /** fedadam / fedyogi: β₂ in [0, 1) (default 0.99). */
  readonly beta2?: number;
  /** fedadam / fedyogi: τ > 0, adaptivity floor (default 1e-3). */
  readonly tau?: number;
  /** trimmed: β in [0, 0.5), fraction trimmed from each end (default 0.2). */
  readonly beta?: number;
  /** krum: f ≥ 0, Byzantine nodes tolerated; rounds need more than 2f + 2 nodes (default 0). */
  readonly numByzantine?: number;
  /** krum: m ≥ 1, models averaged by Multi-Krum (default 1). */
  readonly multiKrum?: number;
}

/** Which {@link StrategyOptions} fields each strategy takes. */
export const STRATEGY_OPTIONS: Readonly<Record<StrategyName, readonly (keyof StrategyOptions)[]>> = Object.freeze({
  fedavg: [],
  fedprox: ['proximalMu'],
  fedadam: ['serverLr', 'beta1', 'beta2', 'tau'],
  fedyogi: ['serverLr', 'beta1', 'beta2', 'tau'],
  trimmed: ['beta'],
  median: [],
  krum: ['numByzantine', 'multiKrum'],
});

/**
 * Build the strategy called `name` with `options`. Throws `RangeError` for an unknown name, for
 * an option the strategy does not take (naming it, e.g. `options.beta` for fedadam, a likely
 * mix-up with `beta1`), and for an out-of-range value; `TypeError` for a non-number value.
 * Fields set to `undefined` are ignored, so a CLI can pass every flag through.
 *
 * @example createStrategy('fedprox', { proximalMu: 0.1 })
 * @example createStrategy('krum', { numByzantine: 1 })
 */
export function createStrategy(name: StrategyName, options: StrategyOptions = {}): Strategy {
  if (typeof name !== 'string' || !STRATEGY_NAMES.includes(name)) {
    throw new RangeError(`name: unknown strategy ${JSON.stringify(name)}; expected one of ${STRATEGY_NAMES.join(', ')}`);
  }
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError('options: expected an object of strategy options');
  }
  const allowed: readonly string[] = STRATEGY_OPTIONS[name];
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined && !allowed.includes(key)) {
      const takes = allowed.length === 0 ? 'no options' : allowed.join(', ');
      throw new RangeError(`options.${key}: strategy ${name} does not take this option (it takes ${takes})`);
    }
  }
  switch (name) {
    case 'fedavg':
      return new FedAvg();
    case 'fedprox':
      return new FedProx({ proximalMu: options.proximalMu });
    case 'fedadam':
      return new FedAdam(optimizerOptions(options));
    case 'fedyogi':
      return new FedYogi(optimizerOptions(options));
    case 'trimmed':
      return new FedTrimmedAvg({ beta: options.beta });
    case 'median':
      return new FedMedian();
    case 'krum':
      return new Krum({ numByzantine: options.numByzantine, multiKrum: options.multiKrum });
  }
}

function optimizerOptions(options: StrategyOptions): StrategyOptions {
  return { serverLr: options.serverLr, beta1: options.beta1, beta2: options.beta2, tau: options.tau };
}
