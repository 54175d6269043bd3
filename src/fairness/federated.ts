/**
 * The federated fairness report, coordinator side: one `fairnessCounts` exchange (nodes score
 * their own rows with the model and return group × decision × outcome counts and calibration
 * histograms, summed through the aggregation seam), the metrics of ./metrics.ts, and for every
 * protected attribute left out of the features the proxy check of ./proxy.ts.
 */
import { plainAggregator } from '../coordinator/aggregation.js';
import { exchange } from '../coordinator/exchange.js';
import type { TrainSettings } from '../coordinator/roundLoop.js';
import type { ModelSpec } from '../node/jobContext.js';
import type { EncoderSpec } from '../preprocess/encoder.js';
import { readArray } from '../protocol/config.js';
import type { FederationTarget } from '../scorecard/federated.js';
import { DEFAULT_THRESHOLDS } from '../scoring/scorer.js';
import { fairnessLayout } from './counts.js';
import type { FairnessAttribute } from './groups.js';
import { FAIRNESS_MESSAGES } from './handlers.js';
import { fairnessFromCounts, type AttributeFairness } from './metrics.js';
import { proxyCheck, type ProxyResult } from './proxy.js';

/** Options of {@link federatedFairness}. */
export interface FairnessRequest extends FederationTarget {
  readonly encoder: EncoderSpec;
  readonly model: ModelSpec;
  readonly parameters: Float64Array;
  readonly attributes: readonly FairnessAttribute[];
  /** Approve when P(default) < threshold (default 1/6, the German cost-optimal cut-off the scorer uses). */
  readonly threshold?: number;
  /** Calibration bins (default 10). */
  readonly numBins?: number;
  /** Rows to report on (default 'test': rows the model was not trained on). */
  readonly split?: 'train' | 'test';
  /** Proxy check settings, or false to skip it. */
  readonly proxy?: false | { readonly seed: number | string; readonly rounds?: number; readonly train?: TrainSettings };
}

/** One attribute in the report. */
export interface AttributeReport extends AttributeFairness {
  /** The attribute's column is not a model feature. */
  readonly excludedFromFeatures: boolean;
  /** Absent when the check was skipped or the column is itself a feature. */
  readonly proxy?: ProxyResult;
  /** The model can tell the groups apart: the column is a feature, or proxies remain. */
  readonly proxiesRemain: boolean | null;
}

/** The fairness report. */
export interface FairnessReport {
  readonly threshold: number;
  readonly split: 'train' | 'test';
  readonly numApplicants: number;
  readonly participants: string[];
  readonly attributes: AttributeReport[];
}

/**
 * Run the counts exchange and, unless disabled, the proxy checks (see the module doc).
 *
 * @example const report = await federatedFairness({ ...target, encoder, model: { kind: 'logreg', config: {} }, parameters, attributes: GERMAN_FAIRNESS_ATTRIBUTES, proxy: { seed: 42 } });
 */
export async function federatedFairness(request: FairnessRequest): Promise<FairnessReport> {
  const threshold = request.threshold ?? DEFAULT_THRESHOLDS.classify;
  if (typeof threshold !== 'number' || !(threshold > 0 && threshold <= 1)) throw new RangeError(`threshold: expected a probability in (0, 1], got ${String(threshold)}`);
  const numBins = request.numBins ?? 10;
  const split = request.split ?? 'test';
  const layout = fairnessLayout(request.attributes, numBins);
  const { replies } = await exchange({
    transport: request.transport, jobId: request.jobId, round: 0, type: FAIRNESS_MESSAGES.counts, nodeIds: request.nodeIds,
    arrays: { parameters: request.parameters },
    config: {
      datasetKey: request.datasetKey, split, threshold, numBins,
      encoder: JSON.stringify(request.encoder), model: JSON.stringify(request.model), attributes: JSON.stringify(request.attributes),
    },
    timeoutMs: request.timeoutMs, minReplies: request.minNodes,
  });
  const aggregator = request.aggregator ?? plainAggregator;
  const counts = aggregator.sum(replies.map((r) => ({ nodeId: r.nodeId, vector: readArray(r.arrays, 'counts', layout.length) })));
  const metrics = fairnessFromCounts(counts, request.attributes, numBins);
  const features = new Set(request.encoder.features.map((f) => f.column));
  const attributes: AttributeReport[] = [];
  for (let a = 0; a < request.attributes.length; a++) {
    const attribute = request.attributes[a];
    const excludedFromFeatures = !features.has(attribute.column);
    let proxy: ProxyResult | undefined;
    if (excludedFromFeatures && request.proxy) {
      proxy = await proxyCheck({ ...request, attribute, seed: request.proxy.seed, rounds: request.proxy.rounds, train: request.proxy.train });
    }
    const proxiesRemain = !excludedFromFeatures ? true : proxy ? proxy.proxiesRemain : null;
    attributes.push({ ...metrics[a], excludedFromFeatures, ...(proxy ? { proxy } : {}), proxiesRemain });
  }
  const numApplicants = replies.reduce((s, r) => s + Number(r.config.numRows ?? 0), 0);
  return { threshold, split, numApplicants, participants: replies.map((r) => r.nodeId), attributes };
}
