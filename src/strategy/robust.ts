/**
 * Byzantine-robust strategies: coordinate-wise trimmed mean and median (Yin et al., ICML 2018)
 * and Krum / Multi-Krum (Blanchard et al., NeurIPS 2017). They bound the influence of a node
 * that sends a corrupted or malicious model, at the price of seeing every node's vector:
 * `needsIndividualUpdates` is true, so they cannot run under secure aggregation, and they
 * ignore the self-reported `numExamples` (a Byzantine node could inflate it).
 */
import { coordinateMedian, krumSelect, trimmedMean } from './aggregate.js';
import { checkFitResults, checkNumber, checkRound, checkStateKeys, checkVector } from './check.js';
import type { AggregateInput, Strategy, StrategyName } from './strategy.js';
import type { ConfigValue } from '../protocol/message.js';

/** Shared body: stateless, config-free, individual updates only. */
abstract class RobustStrategy implements Strategy {
  abstract readonly name: StrategyName;
  readonly needsIndividualUpdates = true;

  /** No extra training config. */
  fitConfig(round: number): Record<string, ConfigValue> {
    checkRound(round);
    return {};
  }

  /** The robust aggregate of this round's individual vectors (see each subclass). */
  aggregateFit(current: Float64Array, input: AggregateInput, round: number): Float64Array {
    checkRound(round);
    return this.combine(this.vectorsOf(current, input));
  }

  /** Robust strategies keep no state between rounds. */
  getState(): Record<string, Float64Array> {
    return {};
  }

  /** Accepts only the empty state. */
  setState(state: Record<string, Float64Array>): void {
    checkStateKeys(state, []);
  }

  protected abstract combine(vectors: Float64Array[]): Float64Array;

  private vectorsOf(current: Float64Array, input: AggregateInput): Float64Array[] {
    const dim = checkVector('current', current).length;
    if (typeof input !== 'object' || input === null) throw new TypeError('input: expected an IndividualInput object');
    if (input.kind !== 'individual') {
      throw new TypeError(
        `input.kind: ${this.name} needs each node's update (kind 'individual'), got '${String(input.kind)}'; ` +
          'robust aggregation is incompatible with secure aggregation, which only reveals the sum',
      );
    }
    checkFitResults('input.results', input.results, dim);
    return input.results.map((r) => r.parameters);
  }
}

/** Options of {@link FedTrimmedAvg}. */
export interface FedTrimmedAvgOptions {
  /** β in [0, 0.5): fraction of nodes trimmed from each end, per coordinate. Default 0.2 (Flower's). */
  readonly beta?: number;
}

/**
 * Coordinate-wise β-trimmed mean (see `trimmedMean`). With n nodes it tolerates ⌊β·n⌋
 * arbitrary values per coordinate.
 *
 * @example new FedTrimmedAvg({ beta: 0.1 })
 */
export class FedTrimmedAvg extends RobustStrategy {
  readonly name: StrategyName = 'trimmed';
  readonly beta: number;

  constructor(options: FedTrimmedAvgOptions = {}) {
    super();
    if (typeof options !== 'object' || options === null) throw new TypeError('options: expected { beta? }');
    this.beta = checkNumber('beta', options.beta ?? 0.2, { min: 0, max: 0.5, maxExclusive: true });
  }

  protected combine(vectors: Float64Array[]): Float64Array {
    return trimmedMean(vectors, this.beta);
  }
}

/**
 * Coordinate-wise median (see `coordinateMedian`): tolerates fewer than half of the nodes
 * being arbitrary in each coordinate.
 */
export class FedMedian extends RobustStrategy {
  readonly name: StrategyName = 'median';

  protected combine(vectors: Float64Array[]): Float64Array {
    return coordinateMedian(vectors);
  }
}

/** Options of {@link Krum}. */
export interface KrumStrategyOptions {
  /** f ≥ 0: Byzantine nodes to tolerate; each round then needs more than 2f + 2 nodes. Default 0 (Flower's). */
  readonly numByzantine?: number;
  /** m ≥ 1: number of best-scored models averaged (Multi-Krum); default 1, plain Krum. */
  readonly multiKrum?: number;
}

/**
 * Krum / Multi-Krum (see `krumSelect`): picks the model(s) closest to their n − f − 2 nearest
 * neighbours. Round-time `RangeError` when fewer than 2f + 3 nodes replied.
 *
 * @example new Krum({ numByzantine: 1, multiKrum: 2 })
 */
export class Krum extends RobustStrategy {
  readonly name: StrategyName = 'krum';
  readonly numByzantine: number;
  readonly multiKrum: number;

  constructor(options: KrumStrategyOptions = {}) {
    super();
    if (typeof options !== 'object' || options === null) throw new TypeError('options: expected { numByzantine?, multiKrum? }');
    this.numByzantine = checkNumber('numByzantine', options.numByzantine ?? 0, { min: 0, integer: true });
    this.multiKrum = checkNumber('multiKrum', options.multiKrum ?? 1, { min: 1, integer: true });
  }

  protected combine(vectors: Float64Array[]): Float64Array {
    return krumSelect(vectors, { numByzantine: this.numByzantine, multiKrum: this.multiKrum }).parameters;
  }
}
