/**
 * The federated scorecard, coordinator side, in two exchanges:
 * 1. binning: every node sends good/bad counts per fine bin; the sum (through the aggregation
 *    seam) gives the coarse bins, WOE and IV of every variable ({@link fitBinning});
 * 2. training: nodes receive the binning, WOE-encode their own rows, and the core round loop
 *    runs FedAvg (or any strategy) on a logistic regression over the WOE features; the
 *    coefficients then become attribute points ({@link buildScorecard}).
 * No row, and no per-node count the aggregator hides, ever reaches the coordinator.
 */
import { plainAggregator, type SumAggregator } from '../coordinator/aggregation.js';
import { exchange } from '../coordinator/exchange.js';
import { runRounds, type RoundReport, type TrainSettings } from '../coordinator/roundLoop.js';
import { featureColumns, type Schema } from '../data/schema.js';
import { readArray } from '../protocol/config.js';
import type { ScoreScale } from '../scoring/scale.js';
import { createStrategy } from '../strategy/index.js';
import type { Strategy } from '../strategy/strategy.js';
import type { Transport } from '../transport/transport.js';
import { fitBinning, type Binning, type BinningOptions } from './binning.js';
import { selectedVariables } from './encode.js';
import { DEFAULT_GRID_COARSENING, woeCountsLayout, type WoeCountsLayout } from './fineCounts.js';
import { SCORECARD_MESSAGES } from './handlers.js';
import { buildScorecard, type Scorecard } from './points.js';
import { retypeTransport } from './retypedTransport.js';

/** Who to ask and how long to wait: shared by the scorecard exchanges. */
export interface FederationTarget {
  readonly transport: Transport;
  readonly jobId: string;
  readonly datasetKey: string;
  readonly nodeIds: readonly string[];
  readonly minNodes: number;
  readonly timeoutMs: number;
  readonly aggregator?: SumAggregator;
}

/** Options of {@link federatedBinning}. */
export interface FederatedBinningRequest extends FederationTarget {
  readonly schema: Schema;
  /** Bin protected attributes too (default false: they are not model features). */
  readonly includeProtected?: boolean;
  readonly gridCoarsening?: number;
  readonly binning?: BinningOptions;
}

/** The federated binning and what it was computed from. */
export interface FederatedBinningResult {
  readonly binning: Binning;
  readonly layout: WoeCountsLayout;
  /** Fine-bin counts summed over the participants. */
  readonly counts: Float64Array;
  readonly participants: string[];
}

/**
 * Exchange 1: the `woeCounts` round (round 0 of the job) and the binning fitted from the sum.
 *
 * @example const { binning } = await federatedBinning({ transport, jobId, datasetKey: 'german', schema, nodeIds, minNodes: 3, timeoutMs: 60_000 });
 */
export async function federatedBinning(request: FederatedBinningRequest): Promise<FederatedBinningResult> {
  const includeProtected = request.includeProtected ?? false;
  const gridCoarsening = request.gridCoarsening ?? DEFAULT_GRID_COARSENING;
  const layout = woeCountsLayout(featureColumns(request.schema, includeProtected), gridCoarsening);
  const { replies } = await exchange({
    transport: request.transport, jobId: request.jobId, round: 0, type: SCORECARD_MESSAGES.counts, nodeIds: request.nodeIds,
    config: { datasetKey: request.datasetKey, includeProtected, gridCoarsening },
    timeoutMs: request.timeoutMs, minReplies: request.minNodes,
  });
  const aggregator = request.aggregator ?? plainAggregator;
  const counts = aggregator.sum(replies.map((r) => ({ nodeId: r.nodeId, vector: readArray(r.arrays, 'counts', layout.length) })));
  return { binning: fitBinning(counts, layout, request.binning), layout, counts, participants: replies.map((r) => r.nodeId) };
}

/** Options of {@link trainScorecard}. */
export interface TrainScorecardRequest extends FederationTarget {
  readonly binning: Binning;
  readonly seed: number | string;
  readonly rounds: number;
  readonly train: TrainSettings;
  /** Default FedAvg. */
  readonly strategy?: Strategy;
  readonly fractionFit?: number;
  readonly scale?: ScoreScale;
  /** Federated evaluation on the nodes' test splits after every round (default false). */
  readonly evaluateEveryRound?: boolean;
  readonly onRound?: (report: RoundReport) => void;
}

/** The trained scorecard and its training history. */
export interface TrainScorecardResult {
  readonly scorecard: Scorecard;
  /** Logistic-regression parameters on the WOE features: [β_1 … β_m, α]. */
  readonly parameters: Float64Array;
  readonly history: RoundReport[];
}

/**
 * Exchange 2: `scorecardSetup`, then the round loop on `scorecardTrain` / `scorecardEvaluate`,
 * then the points.
 */
export async function trainScorecard(request: TrainScorecardRequest): Promise<TrainScorecardResult> {
  const m = selectedVariables(request.binning).length;
  if (m === 0) throw new RangeError('binning: no variable is selected (every IV is below minIv)');
  await exchange({
    transport: request.transport, jobId: request.jobId, round: 0, type: SCORECARD_MESSAGES.setup, nodeIds: request.nodeIds,
    config: { datasetKey: request.datasetKey, binning: JSON.stringify(request.binning), seed: request.seed },
    timeoutMs: request.timeoutMs, minReplies: request.minNodes,
  });
  const transport = retypeTransport(request.transport, { train: SCORECARD_MESSAGES.train, evaluate: SCORECARD_MESSAGES.evaluate });
  const { parameters, history } = await runRounds({
    transport, strategy: request.strategy ?? createStrategy('fedavg'), jobId: request.jobId, seed: request.seed, rounds: request.rounds,
    initialParameters: new Float64Array(m + 1), // logistic regression starts at zero (convex loss)
    train: request.train, fractionFit: request.fractionFit, minNodes: request.minNodes, timeoutMs: request.timeoutMs,
    evaluateEveryRound: request.evaluateEveryRound ?? false, aggregator: request.aggregator,
    onRound: request.onRound,
  });
  return { scorecard: buildScorecard({ binning: request.binning, parameters, scale: request.scale }), parameters, history };
}
