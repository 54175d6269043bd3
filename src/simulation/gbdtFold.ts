/**
 * One fold of a simulated federation that grows gradient-boosted trees (`--model gbdt`):
 * in-process lenders answer the quantile-sketch exchange (bin edges come from the federated
 * quantiles) and the boosting exchanges of ../coordinator/gbdtTrainer.ts, every sum plain or,
 * with `secureAggregation`, through secure aggregation. The references run
 * the same algorithm on rows held in one place: *pooled* (every node's training rows, binned
 * from their statistics, which equal the federation's sums, so the bins are the same) and
 * *local-only* (each node alone, binned from its own statistics).
 */
import type { AggregationMode } from '../coordinator/collect.js';
import { federatedGbdtBinning } from '../coordinator/gbdtBinning.js';
import { trainFederatedGbdt } from '../coordinator/gbdtTrainer.js';
import type { Table } from '../data/schema.js';
import { ensembleScoringModel, treeEncoderSpec } from '../model/gbdt/adapter.js';
import type { TreeEnsemble } from '../model/gbdt/ensemble.js';
import { trainGbdtOnTable } from '../model/gbdt/local.js';
import type { GbdtParams } from '../model/gbdt/params.js';
import { NodeApp } from '../node/app.js';
import { createCreditHandlers } from '../node/creditHandlers.js';
import { createGbdtHandlers } from '../node/gbdtHandlers.js';
import { secAggMod } from '../node/secaggMod.js';
import type { NodeDataset } from '../node/jobContext.js';
import { InProcessTransport } from '../transport/inProcess.js';
import type { LocalOnlyNode } from './baselines.js';
import { concatTables, simulatedNodeIds } from './dataset.js';
import type { SimulationOptions } from './options.js';
import type { FoldReport, SimulationReport } from './report.js';
import { scoreUnion, type UnionMetrics } from './score.js';
import type { SimulationProgress } from './simulate.js';

/** A fold report with the federated ensemble it produced. */
export type GbdtFoldReport = FoldReport & { readonly ensemble: TreeEnsemble };

/** Run one fold with `params` (see the module doc). */
export async function runGbdtFold(
  nodes: readonly NodeDataset[], datasetKey: string, options: SimulationOptions, params: GbdtParams,
  fold: number, folds: number, onProgress?: (event: SimulationProgress) => void,
): Promise<GbdtFoldReport> {
  const nodeIds = simulatedNodeIds(options.numNodes);
  const transport = new InProcessTransport(nodes.map((d, i) => {
    const held = new Map([[datasetKey, d]]);
    return [nodeIds[i], new NodeApp({ nodeId: nodeIds[i], handlers: { ...createCreditHandlers(held), ...createGbdtHandlers(held) }, mods: [secAggMod()] })];
  }));
  const jobId = `sim-${options.seed}-fold${fold + 1}`;
  const minNodes = options.minNodes ?? Math.max(1, Math.ceil(options.numNodes * options.fractionFit));
  const schema = nodes[0].train.schema;

  const fedStarted = performance.now();
  const aggregation: AggregationMode = options.secureAggregation ? { kind: 'secure', neighbours: options.secureAggregation.neighbours } : { kind: 'plain' };
  const { features, rows } = await federatedGbdtBinning({ transport, jobId, datasetKey, schema, nodeIds, minNodes, timeoutMs: options.timeoutMs, maxBins: params.maxBins, aggregation });
  const { ensemble, history } = await trainFederatedGbdt({
    transport, jobId, datasetKey, features, params, nodeIds, minNodes, timeoutMs: options.timeoutMs, aggregation, rows,
    evaluateEvery: options.evaluateEveryRound ? 1 : 0,
    onTree: (report) => onProgress?.({ phase: 'round', fold, folds, round: report.round, rounds: params.numTrees, report }),
  });
  const federatedMs = performance.now() - fedStarted;
  await transport.close();

  const unionTest = concatTables(nodes.map((n) => n.test));
  const last = history[history.length - 1]?.metrics;
  let pooled: UnionMetrics | undefined;
  let localOnly: LocalOnlyNode[] | undefined;
  if (options.baselines) {
    onProgress?.({ phase: 'baselines', fold, folds });
    pooled = score(trainGbdtOnTable(concatTables(nodes.map((n) => n.train)), params), unionTest);
    localOnly = nodes.map((node, i) => {
      const model = trainGbdtOnTable(node.train, params);
      const bad = node.train.label.reduce((s, v) => s + v, 0);
      return { nodeId: nodeIds[i], numTrain: node.train.numRows, numTest: node.test.numRows, badRate: bad / node.train.numRows, own: score(model, node.test), union: score(model, unionTest) };
    });
  }
  return {
    fold: fold + 1,
    numFeatures: features.length,
    numParameters: ensemble.trees.reduce((s, t) => s + t.nodes.length, 0),
    federated: { ...score(ensemble, unionTest), aucFromHistograms: last?.auc, ksFromHistograms: last?.ks },
    pooled,
    localOnly,
    rounds: history,
    federatedMs,
    parameters: new Float64Array(0),
    encoder: treeEncoderSpec(features),
    ensemble,
  };
}

/** Exact metrics of an ensemble on a table, through the same scorer as the other models. */
function score(ensemble: TreeEnsemble, table: Table): UnionMetrics {
  return scoreUnion(ensembleScoringModel(ensemble), treeEncoderSpec(ensemble.features), table);
}

/** The simulation report of a boosting run: the model described as gbdt, with the last fold's ensemble. */
export function gbdtReport(report: SimulationReport, params: GbdtParams, ensemble: TreeEnsemble): SimulationReport & { readonly gbdt: ReturnType<TreeEnsemble['toJSON']> } {
  return { ...report, config: { ...report.config, model: { kind: 'gbdt', config: params } }, gbdt: ensemble.toJSON() };
}
