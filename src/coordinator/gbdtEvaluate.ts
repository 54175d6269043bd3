/**
 * The final evaluation of a boosting job, for its model report: every node that holds the whole
 * ensemble scores its test rows (`gbdt.evaluate`, ../node/gbdtHandlers.ts) and returns the same
 * sums the final evaluation of a logistic-regression job collects (./evaluate.ts): score
 * histograms at `numBins` bins, followed by the fairness counts of ../fairness/evaluation.ts when
 * asked. One vector per node, summed through {@link gbdtSum}, so it goes through plain or secure
 * aggregation like every other sum of the job; no score, label or protected value leaves a node.
 * Under secure aggregation the counts come back within a quantization step and are rounded to
 * integers (the sums of probabilities, Brier and log-loss terms are kept as they are).
 */
import { fairnessConfig, fairnessCountsLength, roundFairnessCounts, type EvaluationFairness } from '../fairness/evaluation.js';
import { metricsFromSums, type FederatedMetrics } from '../metrics/histogram.js';
import { RoundError } from './errors.js';
import { gbdtSum, type Failure, type GbdtSumRequest } from './gbdtSums.js';

/** What the final evaluation asks for: the histogram resolution and, optionally, fairness counts. */
export interface GbdtEvaluationRequest {
  readonly numBins: number;
  readonly fairness?: EvaluationFairness;
}

/** The summed evaluation of the final ensemble, in the shape ./evaluate.ts returns. */
export interface GbdtEvaluation extends FederatedMetrics {
  /** Nodes whose sums are in the total. */
  readonly participants: string[];
  /** The 2·numBins + 3 evaluation sums (../metrics/histogram.ts). */
  readonly sums: Float64Array;
  /** The fairness counts, when asked for. */
  readonly fairnessCounts?: Float64Array;
  readonly failures: Failure[];
}

type Sum = (request: Omit<GbdtSumRequest, 'transport' | 'jobId' | 'timeoutMs' | 'minReplies' | 'aggregation' | 'aggregator'>) => ReturnType<typeof gbdtSum>;

/**
 * Evaluate an ensemble of `numTrees` trees the nodes hold, on their test splits. `sum` runs the
 * job's summed exchange (its aggregation mode and minimum node count); `maxTest` is the largest
 * test split of one node (the secure-mode clipping bound, from `describe`). Throws RoundError
 * when fewer than `minNodes` nodes' sums are in the total.
 */
export async function evaluateGbdtEnsemble(options: {
  sum: Sum; round: number; nodeIds: readonly string[]; numTrees: number; baseMargin: number; minNodes: number; maxTest: number; request: GbdtEvaluationRequest;
}): Promise<GbdtEvaluation> {
  const { numBins, fairness } = options.request;
  if (!Number.isInteger(numBins) || numBins < 10 || numBins > 100_000) throw new RangeError(`numBins: expected an integer from 10 to 100000, got ${numBins}`);
  const evaluationLength = 2 * numBins + 3;
  const result = await options.sum({
    type: 'gbdt.evaluate', round: options.round, nodeIds: options.nodeIds, key: 'sums',
    length: evaluationLength + (fairness ? fairnessCountsLength(fairness) : 0),
    // counts, Brier and clipped log-loss terms (each ≤ 34.6) and sums of probabilities of one node's test rows
    clip: 35 * Math.max(1, options.maxTest),
    config: { numTrees: options.numTrees, baseMargin: options.baseMargin, split: 'test', numBins, ...(fairness ? fairnessConfig(fairness) : {}) },
    check: (v) => (v.every((x) => x >= 0) ? undefined : 'negative count or sum'),
    clean: (v) => {
      for (let i = 0; i < evaluationLength; i++) v[i] = Math.max(0, i <= 2 * numBins ? Math.round(v[i]) : v[i]);
      if (fairness) v.set(roundFairnessCounts(v.subarray(evaluationLength), fairness), evaluationLength);
    },
  });
  if (result.included.length < options.minNodes) {
    throw new RoundError('TOO_FEW_NODES', options.round, `gbdt.evaluate: ${result.included.length} nodes' sums, at least ${options.minNodes} needed (${result.failures.map((f) => `${f.nodeId}: ${f.code}`).join('; ')})`);
  }
  const sums = result.sum.slice(0, evaluationLength);
  return {
    ...metricsFromSums(sums, numBins), participants: [...result.included].sort(), sums, failures: result.failures,
    ...(fairness ? { fairnessCounts: result.sum.slice(evaluationLength) } : {}),
  };
}
