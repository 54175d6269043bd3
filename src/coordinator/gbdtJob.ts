/**
 * A job that grows gradient-boosted trees (`"model": "gbdt"`): bins from federated quantile
 * sketches (gbdtBinning.ts), then trees grown by per-level histogram exchanges (gbdtTrainer.ts);
 * with secure aggregation (`options.secureAggregation`) every one of those sums goes through secure aggregation. Each tree is
 * a committed round (the round stores that tree; round 1 also the bins and base margin), so a
 * restarted coordinator resumes from the trees it has. The model version carries the ensemble
 * in its metadata; lender nodes score with it and explain decisions with TreeSHAP. With
 * `finalEvaluation`, the finished ensemble is evaluated once more on the nodes' test splits
 * (./gbdtEvaluate.ts: the model report's histograms and fairness counts).
 */
import type { Schema } from '../data/schema.js';
import { TreeEnsemble, type TreeEnsembleJson } from '../model/gbdt/ensemble.js';
import { gbdtParams, type GbdtParams } from '../model/gbdt/params.js';
import type { JobRecord, JsonObject, Store } from '../store/index.js';
import type { Transport } from '../transport/transport.js';
import { aggregationModeOf } from './aggregationMode.js';
import { federatedGbdtBinning } from './gbdtBinning.js';
import type { GbdtEvaluation, GbdtEvaluationRequest } from './gbdtEvaluate.js';
import type { FederationRows } from './gbdtSums.js';
import { trainFederatedGbdt } from './gbdtTrainer.js';

/** GBDT settings of a job's hyper-parameters (trees = the job's rounds). */
export function gbdtParamsOf(job: JobRecord): GbdtParams {
  const h = job.spec.hyperparameters as Record<string, number | undefined>;
  return gbdtParams({
    numTrees: job.spec.rounds,
    ...(h.depth !== undefined ? { maxDepth: h.depth } : {}),
    ...(h.learningRate !== undefined ? { learningRate: h.learningRate } : {}),
    ...(h.lambda !== undefined ? { l2: h.lambda } : {}),
    ...(h.minChildWeight !== undefined ? { minChildWeight: h.minChildWeight } : {}),
    ...(h.maxBins !== undefined ? { maxBins: h.maxBins } : {}),
  });
}

/**
 * Grow (or resume growing) the job's trees; returns the ensemble, the metrics of the last round
 * and, when `finalEvaluation` asks for it, the final evaluation (or why it failed).
 */
export async function runGbdtJob(options: {
  store: Store; job: JobRecord; transport: Transport; participants: string[]; schema: Schema;
  onRound: (round: number, participants: string[], auc: number | null) => Promise<void>;
  finalEvaluation?: GbdtEvaluationRequest;
}): Promise<{ ensemble: TreeEnsemble; lastMetrics: JsonObject; evaluation?: GbdtEvaluation; evaluationError?: string }> {
  const { store, job, transport, participants, schema } = options;
  const spec = job.spec;
  const params = gbdtParamsOf(job);
  let initial: TreeEnsemble | undefined;
  let features;
  const aggregation = aggregationModeOf(spec.options);
  let rows: FederationRows | undefined;
  if (job.currentRound === 0) {
    const binning = await federatedGbdtBinning({ transport, jobId: job.id, datasetKey: spec.datasetKey, schema, nodeIds: participants, minNodes: spec.minNodes, timeoutMs: spec.roundTimeoutMs, maxBins: params.maxBins, aggregation });
    features = binning.features;
    rows = binning.rows;
  } else {
    const rounds = await store.listRounds(job.id);
    const first = rounds[0].metrics as { gbdt?: Pick<TreeEnsembleJson, 'features' | 'baseMargin'> };
    const trees = rounds.filter((r) => r.status === 'committed').map((r) => JSON.parse(Buffer.from(r.parameters!).toString('utf8')));
    initial = TreeEnsemble.fromJSON({ format: 'fedcredit-gbdt', version: 1, features: first.gbdt!.features, baseMargin: first.gbdt!.baseMargin, params, trees });
    features = initial.features;
  }
  let lastMetrics: JsonObject = {};
  const { ensemble, evaluation, evaluationError } = await trainFederatedGbdt({
    transport, jobId: job.id, datasetKey: spec.datasetKey, features, params, nodeIds: participants, minNodes: spec.minNodes, timeoutMs: spec.roundTimeoutMs,
    initial, evaluateEvery: 1, aggregation, rows, ...(options.finalEvaluation ? { finalEvaluation: options.finalEvaluation } : {}),
    onTree: async (report, grown) => {
      const m = report.metrics;
      const metrics: Record<string, unknown> = {
        trainLoss: Number.isFinite(report.trainLoss) ? report.trainLoss : null, numExamples: report.numExamples, durationMs: report.durationMs, dropped: report.dropped,
        ...(m ? { auc: m.auc, ks: m.ks, brier: m.brier, logLoss: m.logLoss, numTestExamples: m.numExamples } : {}),
      };
      if (report.round === 1) metrics.gbdt = { features: grown.features, baseMargin: grown.baseMargin };
      const tree = grown.trees[grown.trees.length - 1];
      await store.commitRound(job.id, report.round, { parameters: new TextEncoder().encode(JSON.stringify(tree)), metrics: metrics as JsonObject, participants: report.participants });
      lastMetrics = metrics as JsonObject;
      await options.onRound(report.round, report.participants, m?.auc ?? null);
    },
  });
  return { ensemble, lastMetrics, ...(evaluation ? { evaluation } : {}), ...(evaluationError !== undefined ? { evaluationError } : {}) };
}
