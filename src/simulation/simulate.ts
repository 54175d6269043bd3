/**
 * `fedcredit simulate`: N simulated lenders in one process, talking to the coordinator's round
 * loop through the in-process transport exactly as networked nodes would. One run yields the
 * federated model and, on the same rows, the pooled and local-only baselines.
 */
import { runRounds, type RoundReport } from '../coordinator/roundLoop.js';
import { federatedPreprocess } from '../coordinator/preprocess.js';
import type { AggregationMode } from '../coordinator/collect.js';
import { exchange } from '../coordinator/exchange.js';
import { deriveRandom } from '../math/random.js';
import { createModel } from '../model/factory.js';
import { NodeApp } from '../node/app.js';
import { createCreditHandlers } from '../node/creditHandlers.js';
import { secAggMod } from '../node/secaggMod.js';
import type { NodeDataset } from '../node/jobContext.js';
import { createStrategy } from '../strategy/index.js';
import { InProcessTransport } from '../transport/inProcess.js';
import { encoderFor, localOnly, trainCentral, type LocalOnlyNode } from './baselines.js';
import { concatTables, dealToNodes, loadSource, simulatedNodeIds } from './dataset.js';
import { simulationPrivacy, type SimulationOptions } from './options.js';
import { scoreUnion, type UnionMetrics } from './score.js';
import { summarizeFolds, type SimulationReport, type FoldReport } from './report.js';
import { createModelFromParameters } from './modelUtil.js';
import { personalize } from './personalize.js';
import { gbdtReport, runGbdtFold, type GbdtFoldReport } from './gbdtFold.js';
import type { TreeEnsembleJson } from '../model/gbdt/ensemble.js';

/** Progress events, for progress bars. */
export type SimulationProgress =
  | { readonly phase: 'load'; readonly numRows: number; readonly inferredSummary?: string }
  | { readonly phase: 'round'; readonly fold: number; readonly folds: number; readonly round: number; readonly rounds: number; readonly report: RoundReport }
  | { readonly phase: 'baselines'; readonly fold: number; readonly folds: number };

/** Run a simulation; see {@link SimulationOptions}. */
export async function simulate(options: SimulationOptions, onProgress?: (event: SimulationProgress) => void): Promise<SimulationReport & { gbdt?: TreeEnsembleJson }> {
  const started = performance.now();
  const data = loadSource(options.dataset);
  onProgress?.({ phase: 'load', numRows: data.table.numRows, inferredSummary: data.inferredSummary });
  const folds = dealToNodes(data, options);
  const foldReports: FoldReport[] = [];
  for (let f = 0; f < folds.length; f++) {
    foldReports.push(options.gbdt
      ? await runGbdtFold(folds[f], data.datasetKey, options, options.gbdt, f, folds.length, onProgress)
      : await runFold(folds[f], data.datasetKey, options, f, folds.length, onProgress));
  }
  const report = summarizeFolds(options, foldReports, data.table.numRows, performance.now() - started);
  if (options.gbdt) return gbdtReport(report, options.gbdt, (foldReports[foldReports.length - 1] as GbdtFoldReport).ensemble);
  const privacy = simulationPrivacy(options);
  if (privacy?.mechanism !== 'dpsgd') return report;
  const { delta, maxGradNorm, sampleRate, noiseMultiplier, stepsPerRound, plannedEpsilon } = privacy;
  const dp = { mechanism: 'dpsgd', targetEpsilon: options.dp!.epsilon, delta, maxGradNorm, sampleRate, noiseMultiplier, stepsPerRound, plannedEpsilon };
  return { ...report, config: { ...report.config, privacy: dp } };
}

async function runFold(nodes: NodeDataset[], datasetKey: string, options: SimulationOptions, fold: number, folds: number, onProgress?: (event: SimulationProgress) => void): Promise<FoldReport> {
  const nodeIds = simulatedNodeIds(options.numNodes);
  // Simulated DP draws its samples and noise from the seed, so a run repeats bit for bit.
  const transport = new InProcessTransport(nodes.map((d, i) => [nodeIds[i], new NodeApp({ nodeId: nodeIds[i], handlers: createCreditHandlers(new Map([[datasetKey, d]]), { dpRandomness: 'seeded' }), mods: [secAggMod()] })]));
  const privacy = simulationPrivacy(options);
  const jobId = `sim-${options.seed}-fold${fold + 1}`;
  const minNodes = options.minNodes ?? Math.max(1, Math.ceil(options.numNodes * options.fractionFit));
  const schema = nodes[0].train.schema;

  const fedStarted = performance.now();
  const aggregation: AggregationMode = options.secureAggregation ? { kind: 'secure', neighbours: options.secureAggregation.neighbours } : { kind: 'plain' };
  const pre = await federatedPreprocess({ transport, jobId, datasetKey, schema, nodeIds, minNodes, timeoutMs: options.timeoutMs, aggregation });
  const initial = createModel(options.model.kind, pre.encoder.features.length, options.model.config, deriveRandom(options.seed, 'init'));
  await exchange({
    transport, jobId, round: 0, type: 'setup', nodeIds, minReplies: minNodes, timeoutMs: options.timeoutMs,
    config: { datasetKey, encoder: JSON.stringify(pre.encoder), model: JSON.stringify(options.model), seed: options.seed },
  });
  const strategy = createStrategy(options.strategy, options.strategyOptions);
  const { parameters, history } = await runRounds({
    transport, strategy, jobId, seed: options.seed, rounds: options.rounds, initialParameters: initial.getParameters(),
    train: options.train, fractionFit: options.fractionFit, minNodes, timeoutMs: options.timeoutMs,
    evaluateEveryRound: options.evaluateEveryRound,
    aggregation,
    totalRows: pre.numRows,
    ...(privacy?.mechanism === 'dpsgd' ? { extraTrainConfig: { privacy: JSON.stringify({
      mechanism: 'dpsgd', noiseMultiplier: privacy.noiseMultiplier, maxGradNorm: privacy.maxGradNorm, sampleRate: privacy.sampleRate,
      delta: privacy.delta, rounds: privacy.rounds, epochs: privacy.epochs,
    }) } } : {}),
    onRound: (report) => onProgress?.({ phase: 'round', fold, folds, round: report.round, rounds: options.rounds, report }),
  });
  const federatedMs = performance.now() - fedStarted;
  await transport.close();

  const unionTest = concatTables(nodes.map((n) => n.test));
  const federatedModel = createModelFromParameters(options.model, pre.encoder.features.length, parameters);
  const federated: UnionMetrics = scoreUnion(federatedModel, pre.encoder, unionTest);
  const last = history[history.length - 1]?.metrics;

  let pooled: UnionMetrics | undefined;
  let local: LocalOnlyNode[] | undefined;
  if (options.baselines) {
    onProgress?.({ phase: 'baselines', fold, folds });
    const pooledTrain = concatTables(nodes.map((n) => n.train));
    const pooledEncoder = encoderFor(pooledTrain);
    pooled = scoreUnion(trainCentral(pooledTrain, pooledEncoder, options, 'pooled'), pooledEncoder, unionTest);
    local = localOnly(nodes, nodeIds, unionTest, options);
  }
  const personalized = options.personalize
    ? personalize(nodes, nodeIds, federatedModel, pre.encoder, options, options.personalize, local?.map((n) => n.own))
    : undefined;
  return {
    personalized,
    fold: fold + 1,
    numFeatures: pre.encoder.features.length,
    numParameters: parameters.length,
    federated: { ...federated, aucFromHistograms: last?.auc, ksFromHistograms: last?.ks },
    pooled,
    localOnly: local,
    rounds: history,
    federatedMs,
    parameters,
    encoder: pre.encoder,
  };
}
