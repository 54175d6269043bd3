/**
 * How the coordinator turns the nodes' locally trained parameters into the next global model.
 *
 * Strategies are small: configuration plus calls to pure aggregation functions
 * (`aggregate.ts`). Sum-based strategies (FedAvg, FedProx, FedAdam, FedYogi) only ever see the
 * example-weighted *sum* of the nodes' parameters and the sum of weights, so that the sum can be
 * computed under secure aggregation; robust strategies (trimmed mean, median, Krum) need every
 * node's vector and declare it with `needsIndividualUpdates`.
 */
import type { ConfigValue } from '../protocol/message.js';

/** One node's training result. */
export interface FitResult {
  readonly nodeId: string;
  /** The node's locally trained parameters. */
  readonly parameters: Float64Array;
  /** Number of training examples behind them (the FedAvg weight). */
  readonly numExamples: number;
}

/** What a sum-based strategy receives: Σ nᵢ·θᵢ and Σ nᵢ over the round's nodes. */
export interface SumInput {
  readonly kind: 'sum';
  readonly weightedSum: Float64Array;
  readonly totalWeight: number;
  readonly numNodes: number;
}

/** What a robust strategy receives: every node's result. */
export interface IndividualInput {
  readonly kind: 'individual';
  readonly results: readonly FitResult[];
}

export type AggregateInput = SumInput | IndividualInput;

export type StrategyName = 'fedavg' | 'fedprox' | 'fedadam' | 'fedyogi' | 'trimmed' | 'median' | 'krum';

export interface Strategy {
  readonly name: StrategyName;
  /** True when aggregation needs each node's vector (incompatible with secure aggregation). */
  readonly needsIndividualUpdates: boolean;
  /** Extra config sent to nodes with each train message (e.g. `proximalMu` for FedProx). */
  fitConfig(round: number): Record<string, ConfigValue>;
  /**
   * The next global parameters. `current` is the global model sent this round; it is not
   * modified. Throws `RangeError` if the input is empty or of the wrong length.
   */
  aggregateFit(current: Float64Array, input: AggregateInput, round: number): Float64Array;
  /** Server-side state to persist between rounds (e.g. Adam moments); empty for stateless strategies. */
  getState(): Record<string, Float64Array>;
  /** Restore state saved by {@link getState} (after a coordinator restart). */
  setState(state: Record<string, Float64Array>): void;
}

/** Σ nᵢ·θᵢ and Σ nᵢ of individual results (what a plain aggregator computes). */
export function sumResults(results: readonly FitResult[]): SumInput {
  if (results.length === 0) throw new RangeError('results: expected at least one fit result');
  const dim = results[0].parameters.length;
  const weightedSum = new Float64Array(dim);
  let totalWeight = 0;
  for (const r of results) {
    if (r.parameters.length !== dim) throw new RangeError(`results: node ${r.nodeId} sent ${r.parameters.length} parameters, expected ${dim}`);
    for (let i = 0; i < dim; i++) weightedSum[i] += r.numExamples * r.parameters[i];
    totalWeight += r.numExamples;
  }
  return { kind: 'sum', weightedSum, totalWeight, numNodes: results.length };
}
