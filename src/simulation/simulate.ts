/**
 * `fedcredit simulate`: N simulated lenders in one process, talking to the coordinator's round
 * loop through the in-process transport exactly as networked nodes would. One run yields the
 * federated model and, on the same rows, the pooled and local-only baselines.
 */
import { runRounds, type RoundReport } from '../coordinator/roundLoop.js';
import { federatedPreprocess } from '../coordinator/preprocess.js';
import { exchange } from '../coordinator/exchange.js';
import { deriveRandom } from '../math/random.js';
import { createModel } from '../model/factory.js';
import { NodeApp } from '../node/app.js';
import { createCreditHandlers } from '../node/creditHandlers.js';
import type { NodeDataset } from '../node/jobContext.js';
import { createStrategy } from '../strategy/index.js';
import { InProcessTransport } from '../transport/inProcess.js';
import { encoderFor, localOnly, trainCentral, type LocalOnlyNode } from './baselines.js';
import { concatTables, dealToNodes, loadSource, simulatedNodeIds } from './dataset.js';
import type { SimulationOptions } from './options.js';
import { scoreUnion, type UnionMetrics } from './score.js';
import { summarizeFolds, type SimulationReport, type FoldReport } from './report.js';
import { createModelFromParameters } from './modelUtil.js';

/** Progress events, for progress bars. */
export type SimulationProgress =
  | { readonly phase: 'load'; readonly numRows: number; readonly inferredSummary?: string }
  | { readonly phase: 'round'; readonly fold: number; readonly folds: number; readonly round: number; readonly rounds: number; readonly report: RoundReport }
  | { readonly phase: 'baselines'; readonly fold: number; readonly folds: number };

/** Run a simulation; see {@link SimulationOptions}. */
export async function simulate(options: SimulationOptions, onProgress?: (event: SimulationProgress) => void): Promise<SimulationReport> {
  const started = performance.now();
  const data = loadSource(options.dataset);
  onProgress?.({ phase: 'load', numRows: data.table.numRows, inferredSummary: data.inferredSummary });
  const folds = dealToNodes(data, options);
  const foldReports: FoldReport[] = [];
  for (let f = 0; f < folds.length; f++) {
    foldReports.push(await runFold(folds[f], data.datasetKey, options, f, folds.length, onProgress));
  }
  return summarizeFolds(options, foldReports, data.table.numRows, performance.now() - started);
}

async function runFold(nodes: NodeDataset[], datasetKey: string, options: SimulationOptions, fold: number, folds: number, onProgress?: (event: SimulationProgress) => void): Promise<FoldReport> {
  const nodeIds = simulatedNodeIds(options.numNodes);
  const transport = new InProcessTransport(nodes.map((d, i) => [nodeIds[i], new NodeApp({ nodeId: nodeIds[i], handlers: createCreditHandlers(new Map([[datasetKey, d]])) })]));
  const jobId = `sim-${options.seed}-fold${fold + 1}`;
  const minNodes = options.minNodes ?? Math.max(1, Math.ceil(options.numNodes * options.fractionFit));
  const schema = nodes[0].train.schema;

  const fedStarted = performance.now();
  const pre = await federatedPreprocess({ transport, jobId, datasetKey, schema, nodeIds, minNodes, timeoutMs: options.timeoutMs });
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
  return {
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
