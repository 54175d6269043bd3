/**
 * How a job's sums are protected, from its options: plain (default), secure aggregation
 * (`secureAggregation: true` or `aggregation: 'secure'`, SecAgg+ with `secaggNeighbours`) or
 * Paillier (`aggregation: 'paillier'`). One mode object serves the whole job — preprocessing
 * statistics, model updates and evaluation histograms — so that no sum of a protected job is
 * ever added in the clear.
 */
import type { AggregationMode } from './collect.js';

/** The aggregation mode a job's (validated) options ask for. */
export function aggregationModeOf(options: Readonly<Record<string, unknown>> | undefined): AggregationMode {
  const o = options ?? {};
  if (o.aggregation === 'secure' || o.secureAggregation === true) {
    return { kind: 'secure', neighbours: typeof o.secaggNeighbours === 'number' ? o.secaggNeighbours : undefined };
  }
  if (o.aggregation === 'paillier') {
    // a fresh key cache per job: the nodes set up the key at the job's first sum
    return { kind: 'paillier', keyBits: typeof o.paillierKeyBits === 'number' ? o.paillierKeyBits : 2048, keys: {} };
  }
  return { kind: 'plain' };
}
