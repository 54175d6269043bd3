/**
 * `fedcredit scorecard` in simulation: N lenders in one process (the in-process transport,
 * exactly as networked nodes would be reached) build a federated scorecard — binning, WOE
 * logistic regression, points — and the run compares it, on the union of the nodes' test rows,
 * with a plain federated logistic regression on the one-hot encoded features (the core
 * `simulate` on the same rows), with the scorecard trained centrally on the pooled rows, and
 * reports the population stability of every node's test rows against the federated training
 * population.
 */
import type { TrainSettings } from '../coordinator/roundLoop.js';
import { deriveRandom } from '../math/random.js';
import { auc, ks } from '../metrics/ranking.js';
import { LogisticRegression } from '../model/logistic.js';
import { trainLocal } from '../model/train.js';
import { federatedPsi, type PsiReport } from '../monitoring/federated.js';
import { createMonitoringHandlers } from '../monitoring/handlers.js';
import { NodeApp } from '../node/app.js';
import type { NodeDataset } from '../node/jobContext.js';
import { labelsOf } from '../preprocess/encoder.js';
import type { ScoreScale } from '../scoring/scale.js';
import { concatTables, dealToNodes, loadSource, simulatedNodeIds } from '../simulation/dataset.js';
import type { SimulationOptions } from '../simulation/options.js';
import { simulate } from '../simulation/simulate.js';
import { createStrategy } from '../strategy/index.js';
import { InProcessTransport } from '../transport/inProcess.js';
import type { Binning, BinningOptions } from './binning.js';
import { woeMatrix } from './encode.js';
import { federatedBinning, trainScorecard } from './federated.js';
import { createScorecardHandlers } from './handlers.js';
import { scoreTable, type Scorecard } from './points.js';
import { reasonCodes, type ReasonCode } from './reasons.js';
import { ivTable, type IvRow } from './tables.js';

/** Options of {@link simulateScorecard}: a simulation's options plus the scorecard's. */
export interface ScorecardSimulationOptions {
  readonly simulation: SimulationOptions;
  readonly binning?: BinningOptions;
  readonly gridCoarsening?: number;
  readonly scale?: ScoreScale;
  /** Overrides of the simulation's local-training settings for the WOE model. */
  readonly scorecardTrain?: Partial<TrainSettings>;
  /** Also run the plain federated logistic regression for comparison (default true). */
  readonly comparePlain?: boolean;
}

/** Ranking metrics on the union of the nodes' test rows. */
export interface ScorecardMetrics {
  readonly auc: number;
  readonly ks: number;
}

/** One fold of a scorecard simulation. */
export interface ScorecardFold {
  readonly fold: number;
  readonly scorecard: ScorecardMetrics;
  /** The same binning, WOE logistic regression trained centrally on the pooled training rows. */
  readonly pooledScorecard: ScorecardMetrics;
  readonly card: Scorecard;
  readonly psi: PsiReport;
  /** The three lowest-scoring test applicants with their reason codes (adverse-action style). */
  readonly examples: ScorecardExample[];
  readonly federatedMs: number;
}

/** One scored applicant with the reasons for the score. */
export interface ScorecardExample {
  readonly score: number;
  readonly probabilityOfDefault: number;
  readonly reasons: ReasonCode[];
}

/** What `fedcredit scorecard` prints and writes. */
export interface ScorecardSimulationReport {
  readonly numRows: number;
  readonly folds: number;
  /** Means over folds. */
  readonly scorecard: ScorecardMetrics;
  readonly pooledScorecard: ScorecardMetrics;
  /** The plain federated (and pooled) logistic regression on one-hot features, same rows. */
  readonly plainLogistic?: { readonly federatedAuc: number; readonly pooledAuc?: number };
  /** scorecard AUC − plain federated LR AUC (target: ≥ −0.01). */
  readonly aucGap?: number;
  readonly perFold: ScorecardFold[];
  /** IV table and scorecard of the last fold. */
  readonly ivTable: IvRow[];
  readonly card: Scorecard;
  readonly wallMs: number;
}

/**
 * Run the federated scorecard on every fold of `options.simulation` and compare (module doc).
 *
 * @example const report = await simulateScorecard({ simulation: simulationOptions({ dataset: { builtin: 'german' } }) });
 */
export async function simulateScorecard(options: ScorecardSimulationOptions): Promise<ScorecardSimulationReport> {
  const started = performance.now();
  const sim = options.simulation;
  const data = loadSource(sim.dataset);
  const folds = dealToNodes(data, sim);
  const perFold: ScorecardFold[] = [];
  for (let f = 0; f < folds.length; f++) perFold.push(await runFold(folds[f], data.datasetKey, options, f));
  let plainLogistic: ScorecardSimulationReport['plainLogistic'];
  if (options.comparePlain ?? true) {
    const plain = await simulate({ ...sim, model: { kind: 'logreg', config: {} }, evaluateEveryRound: false });
    plainLogistic = { federatedAuc: plain.federated.auc, pooledAuc: plain.pooled?.auc };
  }
  const mean = (pick: (f: ScorecardFold) => number) => perFold.reduce((s, f) => s + pick(f), 0) / perFold.length;
  const scorecard = { auc: mean((f) => f.scorecard.auc), ks: mean((f) => f.scorecard.ks) };
  const last = perFold[perFold.length - 1];
  return {
    numRows: data.table.numRows,
    folds: perFold.length,
    scorecard,
    pooledScorecard: { auc: mean((f) => f.pooledScorecard.auc), ks: mean((f) => f.pooledScorecard.ks) },
    plainLogistic,
    aucGap: plainLogistic ? scorecard.auc - plainLogistic.federatedAuc : undefined,
    perFold,
    ivTable: ivTable(last.card.binning),
    card: last.card,
    wallMs: performance.now() - started,
  };
}

async function runFold(nodes: NodeDataset[], datasetKey: string, options: ScorecardSimulationOptions, fold: number): Promise<ScorecardFold> {
  const sim = { ...options.simulation, train: { ...options.simulation.train, ...options.scorecardTrain } };
  const nodeIds = simulatedNodeIds(sim.numNodes);
  const transport = new InProcessTransport(nodes.map((d, i) => {
    const datasets = new Map([[datasetKey, d]]);
    return [nodeIds[i], new NodeApp({ nodeId: nodeIds[i], handlers: { ...createScorecardHandlers(datasets), ...createMonitoringHandlers(datasets) } })];
  }));
  const jobId = `scorecard-${sim.seed}-fold${fold + 1}`;
  const minNodes = sim.minNodes ?? Math.max(1, Math.ceil(sim.numNodes * sim.fractionFit));
  const target = { transport, jobId, datasetKey, nodeIds, minNodes, timeoutMs: sim.timeoutMs };
  const t0 = performance.now();
  const { binning } = await federatedBinning({ ...target, schema: nodes[0].train.schema, gridCoarsening: options.gridCoarsening, binning: options.binning });
  const { scorecard: card, parameters } = await trainScorecard({
    ...target, binning, seed: sim.seed, rounds: sim.rounds, train: sim.train, fractionFit: sim.fractionFit, scale: options.scale,
    strategy: createStrategy(sim.strategy, sim.strategyOptions),
  });
  const federatedMs = performance.now() - t0;
  const psi = await federatedPsi({
    ...target, binning, parameters,
    reference: { datasetKey, split: 'train' }, current: { datasetKey, split: 'test' },
  });
  await transport.close();

  const unionTest = concatTables(nodes.map((n) => n.test));
  const labels = unionTest.label;
  const scored = scoreTable(card, unionTest);
  const probabilities = scored.probabilities;
  const lowest = Array.from(scored.scores.keys()).sort((a, b) => scored.scores[a] - scored.scores[b] || a - b).slice(0, 3);
  const reasons = reasonCodes(card, unionTest, { scored });
  const examples = lowest.map((i) => ({ score: scored.scores[i], probabilityOfDefault: probabilities[i], reasons: reasons[i] }));
  const pooled = pooledScorecardProbabilities(binning, concatTables(nodes.map((n) => n.train)), unionTest, sim);
  return {
    fold: fold + 1,
    scorecard: { auc: auc(probabilities, labels), ks: ks(probabilities, labels) },
    pooledScorecard: { auc: auc(pooled, labels), ks: ks(pooled, labels) },
    card,
    psi,
    examples,
    federatedMs,
  };
}

/** The pooled reference: the WOE logistic regression trained centrally for as many passes as the federation makes. */
function pooledScorecardProbabilities(binning: Binning, pooledTrain: ReturnType<typeof concatTables>, test: ReturnType<typeof concatTables>, sim: SimulationOptions): Float64Array {
  const x = woeMatrix(binning, pooledTrain);
  const model = new LogisticRegression(x.cols);
  trainLocal(model, { x, y: labelsOf(pooledTrain) }, {
    ...sim.train,
    classWeights: sim.train.classWeights === 'balanced' ? 'balanced' : undefined,
    epochs: sim.rounds * sim.train.epochs,
    rng: deriveRandom(sim.seed, 'central', 'pooled-scorecard'),
  });
  return model.predictProba(woeMatrix(binning, test));
}
