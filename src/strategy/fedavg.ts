/**
 * FedAvg (McMahan et al., "Communication-Efficient Learning of Deep Networks from Decentralized
 * Data", AISTATS 2017, Algorithm 1): the next global model is the example-weighted mean of the
 * nodes' parameters. Sum-based, so it works under secure aggregation.
 */
import { meanFromSum, weightedMean } from './aggregate.js';
import { checkFitResults, checkRound, checkStateKeys, checkVector } from './check.js';
import type { AggregateInput, Strategy, StrategyName } from './strategy.js';
import type { ConfigValue } from '../protocol/message.js';

/**
 * The FedAvg mean of either input form, checked against the global model `current`: individual
 * results are averaged with {@link weightedMean}, a sum with {@link meanFromSum}. Shared by
 * every sum-based strategy. `RangeError` for an empty round or a vector whose length differs
 * from `current`; `TypeError` for an input that is neither kind.
 */
export function averageInput(current: Float64Array, input: AggregateInput): Float64Array {
  const dim = checkVector('current', current).length;
  if (typeof input !== 'object' || input === null) throw new TypeError('input: expected a SumInput or IndividualInput object');
  if (input.kind === 'individual') {
    checkFitResults('input.results', input.results, dim);
    return weightedMean(input.results);
  }
  if (input.kind === 'sum') {
    checkVector('input.weightedSum', input.weightedSum, dim);
    return meanFromSum(input);
  }
  throw new TypeError(`input.kind: expected 'sum' or 'individual', got ${String((input as { kind?: unknown }).kind)}`);
}

/**
 * Federated averaging: config-free and stateless.
 *
 * @example const next = new FedAvg().aggregateFit(current, sumResults(results), round);
 */
export class FedAvg implements Strategy {
  readonly name: StrategyName = 'fedavg';
  readonly needsIndividualUpdates = false;

  /** No extra training config: nodes train with their job settings. */
  fitConfig(round: number): Record<string, ConfigValue> {
    checkRound(round);
    return {};
  }

  /** The example-weighted mean of this round's parameters (see {@link averageInput}). */
  aggregateFit(current: Float64Array, input: AggregateInput, round: number): Float64Array {
    checkRound(round);
    return averageInput(current, input);
  }

  /** FedAvg keeps no state between rounds. */
  getState(): Record<string, Float64Array> {
    return {};
  }

  /** Accepts only the empty state, so that a stateful strategy's state is not silently dropped. */
  setState(state: Record<string, Float64Array>): void {
    checkStateKeys(state, []);
  }
}
