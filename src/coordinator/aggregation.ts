/**
 * The one seam through which every federated sum passes: model updates, preprocessing
 * statistics and evaluation histograms. The plain aggregator adds vectors; secure aggregation
 * and Paillier implement the same interface so that turning privacy on protects every sum.
 */

/** One node's contribution to a sum. */
export interface Contribution {
  readonly nodeId: string;
  readonly vector: Float64Array;
}

export interface SumAggregator {
  readonly name: string;
  /** Element-wise sum of the contributions (all of equal length). */
  sum(contributions: readonly Contribution[]): Float64Array;
}

/** Adds vectors in the clear: the coordinator sees each contribution. */
export const plainAggregator: SumAggregator = {
  name: 'plain',
  sum(contributions) {
    if (contributions.length === 0) throw new RangeError('contributions: expected at least one');
    const length = contributions[0].vector.length;
    const out = new Float64Array(length);
    for (const c of contributions) {
      if (c.vector.length !== length) throw new RangeError(`contributions: node ${c.nodeId} sent ${c.vector.length} values, expected ${length}`);
      for (let i = 0; i < length; i++) out[i] += c.vector[i];
    }
    return out;
  },
};
