/**
 * FedProx (Li et al., "Federated Optimization in Heterogeneous Networks", MLSys 2020): each node
 * minimises its loss plus (μ/2)·‖w − wᵗ‖², which keeps local models of lenders with very
 * different portfolios from drifting apart. The server side is FedAvg; the only difference is
 * that μ travels to the nodes in the train config as `proximalMu`.
 */
import { checkNumber, checkRound } from './check.js';
import { FedAvg } from './fedavg.js';
import type { StrategyName } from './strategy.js';
import type { ConfigValue } from '../protocol/message.js';

/** Options of {@link FedProx}. */
export interface FedProxOptions {
  /**
   * μ ≥ 0, the proximal coefficient; 0 is plain FedAvg. Default 0.01, within the range
   * {0.001, 0.01, 0.1, 1} that Li et al. (2020, §5.2) tune over.
   */
  readonly proximalMu?: number;
}

/** Default μ of {@link FedProx}. */
export const DEFAULT_PROXIMAL_MU = 0.01;

/**
 * FedProx: FedAvg aggregation plus `{ proximalMu }` in every train message's config, which a
 * node's trainer adds as the proximal term (μ/2)·‖w − wᵗ‖² (gradient μ·(w − wᵗ)).
 *
 * @example new FedProx({ proximalMu: 0.1 }).fitConfig(1) // { proximalMu: 0.1 }
 */
export class FedProx extends FedAvg {
  override readonly name: StrategyName = 'fedprox';
  readonly proximalMu: number;

  constructor(options: FedProxOptions = {}) {
    super();
    if (typeof options !== 'object' || options === null) throw new TypeError('options: expected { proximalMu? }');
    this.proximalMu = checkNumber('proximalMu', options.proximalMu ?? DEFAULT_PROXIMAL_MU, { min: 0 });
  }

  /** `{ proximalMu }`: the coefficient of the proximal term nodes add to their local loss. */
  override fitConfig(round: number): Record<string, ConfigValue> {
    checkRound(round);
    return { proximalMu: this.proximalMu };
  }
}
