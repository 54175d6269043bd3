/**
 * `fedcredit fairness` in simulation: train the federated model with the core simulation, then
 * ask the same simulated lenders (same seed, same rows) for the fairness report of that model
 * over the in-process transport, as a networked coordinator would.
 */
import { NodeApp } from '../node/app.js';
import { dealToNodes, loadSource, simulatedNodeIds } from '../simulation/dataset.js';
import type { SimulationOptions } from '../simulation/options.js';
import { simulate } from '../simulation/simulate.js';
import { InProcessTransport } from '../transport/inProcess.js';
import { federatedFairness, type FairnessReport } from './federated.js';
import { defaultFairnessAttributes, type FairnessAttribute } from './groups.js';
import { createFairnessHandlers } from './handlers.js';

/** Options of {@link simulateFairness}. */
export interface FairnessSimulationOptions {
  readonly simulation: SimulationOptions;
  /** Default: {@link defaultFairnessAttributes} of the dataset's schema. */
  readonly attributes?: readonly FairnessAttribute[];
  readonly threshold?: number;
  readonly numBins?: number;
  readonly split?: 'train' | 'test';
  /** Run the proxy check (default true). */
  readonly proxy?: boolean;
  readonly proxyRounds?: number;
}

/** The model's quality next to its fairness report. */
export interface FairnessSimulationReport {
  readonly dataset: string;
  readonly model: { readonly kind: string; readonly auc: number; readonly numFeatures: number };
  readonly fairness: FairnessReport;
  readonly wallMs: number;
}

/**
 * Train, then report (the last fold's model on the last fold's rows when cross-validating).
 *
 * @example const { fairness } = await simulateFairness({ simulation: simulationOptions({ dataset: { builtin: 'german' } }) });
 */
export async function simulateFairness(options: FairnessSimulationOptions): Promise<FairnessSimulationReport> {
  const started = performance.now();
  const sim = options.simulation;
  const data = loadSource(sim.dataset);
  const attributes = options.attributes ?? defaultFairnessAttributes(data.table.schema);
  if (attributes.length === 0) throw new RangeError(`attributes: dataset "${data.datasetKey}" declares no protected attribute; pass attributes explicitly`);
  const trained = await simulate({ ...sim, baselines: false, evaluateEveryRound: false });
  const folds = dealToNodes(data, sim);
  const nodes = folds[folds.length - 1];
  const nodeIds = simulatedNodeIds(sim.numNodes);
  const transport = new InProcessTransport(nodes.map((d, i) => [nodeIds[i], new NodeApp({ nodeId: nodeIds[i], handlers: createFairnessHandlers(new Map([[data.datasetKey, d]])) })]));
  try {
    const fairness = await federatedFairness({
      transport, jobId: `fairness-${sim.seed}`, datasetKey: data.datasetKey, nodeIds,
      minNodes: sim.minNodes ?? sim.numNodes, timeoutMs: sim.timeoutMs,
      encoder: trained.model.encoder, model: sim.model, parameters: Float64Array.from(trained.model.parameters),
      attributes, threshold: options.threshold, numBins: options.numBins, split: options.split,
      proxy: (options.proxy ?? true) ? { seed: sim.seed, rounds: options.proxyRounds } : false,
    });
    return {
      dataset: data.datasetKey,
      model: { kind: sim.model.kind, auc: trained.federated.auc, numFeatures: trained.numFeatures },
      fairness,
      wallMs: performance.now() - started,
    };
  } finally {
    await transport.close();
  }
}
