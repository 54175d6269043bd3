/**
 * Runs the jobs kept in the store, one at a time, over a transport (the node hub in the
 * networked coordinator). Every round is committed to the store before the next one starts,
 * so a coordinator killed at any point resumes a running job from its last committed round:
 * parameters and strategy state are reloaded, nodes are set up again, and no round is counted
 * twice (commits are idempotent).
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { parseSchemaJson, sameFeatureLayout } from '../data/schemaJson.js';
import { featureColumns, type Schema } from '../data/schema.js';
import { baselineFromColumnStats } from '../scoring/baseline.js';
import { DEFAULT_THRESHOLDS } from '../scoring/scorer.js';
import type { EvaluationFairness } from '../fairness/evaluation.js';
import { defaultFairnessAttributes } from '../fairness/groups.js';
import { deriveRandom } from '../math/random.js';
import { createModel } from '../model/factory.js';
import type { ModelSpec } from '../node/jobContext.js';
import { parseEncoderSpec, type EncoderSpec } from '../preprocess/encoder.js';
import { readJson } from '../protocol/config.js';
import type { Reply } from '../protocol/message.js';
import type { JobRecord, JobSpec, JsonObject, Store } from '../store/index.js';
import { createStrategy } from '../strategy/index.js';
import type { StrategyName } from '../strategy/strategy.js';
import type { Transport } from '../transport/transport.js';
import { RoundError } from './errors.js';
import { privacyConfigOf } from './jobSpec.js';
import { exchange } from './exchange.js';
import { federatedPreprocess } from './preprocess.js';
import { aggregationModeOf } from './aggregationMode.js';
import { federatedEvaluate } from './evaluate.js';
import { restrictTransport } from './restrictedTransport.js';
import { runRounds, type RoundReport, type TrainSettings } from './roundLoop.js';
import { runGbdtJob } from './gbdtJob.js';
import { bytesToFloat64, decodeArrays, encodeArrays, float64ToBytes } from './stateCodec.js';

export interface JobRunnerOptions {
  readonly store: Store;
  readonly transport: Transport;
  readonly logger: Logger;
  /** How long a job waits for its minimum number of nodes to be online (default 5 min). */
  readonly startTimeoutMs?: number;
  /** How often the runner looks for work when idle (default 500 ms). */
  readonly pollIntervalMs?: number;
}

/** Events: 'round' ({ jobId, report }), 'status' ({ jobId, status, error? }). */
export class JobRunner extends EventEmitter {
  private readonly options: JobRunnerOptions;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(options: JobRunnerOptions) {
    super();
    this.options = options;
  }

  /** Start working through pending and running jobs. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.work();
  }

  /** Look for work now (after a job was submitted). */
  poke(): void {
    this.wake?.();
  }

  /** Stop after the current round. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  private async work(): Promise<void> {
    const { store, logger } = this.options;
    while (this.running) {
      const job = await this.nextJob().catch((err) => {
        logger.error({ err }, 'job runner: cannot read jobs');
        return undefined;
      });
      if (!job) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, this.options.pollIntervalMs ?? 500);
          this.wake = () => { clearTimeout(t); resolve(); };
        });
        this.wake = undefined;
        continue;
      }
      try {
        await this.runJob(job);
      } catch (err) {
        if (err instanceof StopRequested) return;
        const message = err instanceof Error ? err.message : String(err);
        logger.warn({ jobId: job.id, code: (err as { code?: string }).code }, `job failed: ${message}`);
        const current = await store.getJob(job.id);
        if (current.status === 'running' || current.status === 'pending') {
          await store.updateJobStatus(job.id, 'failed', { error: message });
          await store.appendAudit({ actor: 'coordinator', action: 'job.failed', subject: job.id, details: { error: message.slice(0, 1000) } });
          this.emit('status', { jobId: job.id, status: 'failed', error: message });
        }
      }
    }
  }

  private async nextJob(): Promise<JobRecord | undefined> {
    const running = await this.options.store.listJobs({ status: 'running' });
    if (running.length > 0) return running.sort((a, b) => a.createdAt - b.createdAt)[0];
    const pending = await this.options.store.listJobs({ status: 'pending' });
    return pending.sort((a, b) => a.createdAt - b.createdAt)[0];
  }

  private async runJob(job: JobRecord): Promise<void> {
    const { store, logger, transport } = this.options;
    const spec = job.spec;
    if (job.status === 'pending') {
      await store.updateJobStatus(job.id, 'running');
      await store.appendAudit({ actor: 'coordinator', action: 'job.started', subject: job.id, details: { datasetKey: spec.datasetKey, model: spec.model, strategy: spec.strategy, rounds: spec.rounds } });
      this.emit('status', { jobId: job.id, status: 'running' });
    } else {
      logger.info({ jobId: job.id, lastRound: job.currentRound }, 'resuming job after restart');
      await store.appendAudit({ actor: 'coordinator', action: 'job.resumed', subject: job.id, details: { fromRound: job.currentRound + 1 } });
    }
    // A private job's settings go with describe, setup and train: each node checks the plan
    // against its budget before any computation. Non-private jobs send exactly what they did.
    const privacy = privacyConfigOf(spec);
    const privacyConfig: Record<string, string> = privacy === undefined ? {} : { privacy };
    const online = await this.waitForNodes(job.id, spec.minNodes);
    const { participants, schema } = await this.describe(job.id, spec, online, privacyConfig);
    const jobTransport = restrictTransport(transport, participants);
    if (spec.model === 'gbdt') return this.finishGbdt(job, jobTransport, participants, schema);
    const modelSpec = modelSpecOf(spec);
    const strategy = createStrategy(spec.strategy as StrategyName, strategyOptionsOf(spec));
    const timeoutMs = spec.roundTimeoutMs;

    // one mode for every sum of the job: statistics, updates and evaluation histograms
    const aggregation = aggregationModeOf(spec.options);
    let encoder: EncoderSpec;
    let baseline: number[];
    let totalRows: number;
    let parameters: Float64Array;
    if (job.currentRound === 0) {
      const pre = await federatedPreprocess({ transport: jobTransport, jobId: job.id, datasetKey: spec.datasetKey, schema, nodeIds: participants, minNodes: spec.minNodes, timeoutMs, aggregation });
      encoder = pre.encoder;
      // the federation's mean applicant in encoded space: the reference for reason codes
      baseline = Array.from(baselineFromColumnStats(encoder, featureColumns(schema), pre.stats));
      totalRows = pre.numRows;
      parameters = createModel(modelSpec.kind, encoder.features.length, modelSpec.config, deriveRandom(spec.seed, 'init')).getParameters();
    } else {
      const first = await store.getRound(job.id, 1);
      encoder = parseEncoderSpec(first.metrics.encoder);
      baseline = (first.metrics.baseline as number[] | undefined) ?? new Array<number>(encoder.features.length).fill(0);
      totalRows = typeof first.metrics.totalRows === 'number' ? first.metrics.totalRows : 100_000;
      const last = await store.getRound(job.id, job.currentRound);
      parameters = bytesToFloat64(last.parameters!);
      if (last.strategyState) strategy.setState(decodeArrays(last.strategyState));
    }
    const setup = async (nodeIds: readonly string[], minReplies: number) => exchange({
      transport: jobTransport, jobId: job.id, round: 0, type: 'setup', nodeIds, minReplies, timeoutMs,
      config: { datasetKey: spec.datasetKey, encoder: JSON.stringify(encoder), model: JSON.stringify(modelSpec), seed: spec.seed, ...privacyConfig },
    });
    await setup(participants, spec.minNodes);

    const h = spec.hyperparameters as Record<string, unknown>;
    const train: TrainSettings = {
      epochs: Number(h.epochs ?? 1), batchSize: Number(h.batchSize ?? 32), lr: Number(h.lr ?? 0.01),
      optimizer: (h.optimizer as 'sgd' | 'adam') ?? 'adam', l2: Number(h.l2 ?? 1e-3), classWeights: (h.classWeights as 'none' | 'balanced') ?? 'none',
    };
    const { parameters: final, history } = await runRounds({
      aggregation,
      totalRows,
      transport: jobTransport, strategy, jobId: job.id, seed: spec.seed, rounds: spec.rounds, startRound: job.currentRound + 1,
      initialParameters: parameters, train, fractionFit: Number(h.fractionFit ?? 1), minNodes: spec.minNodes, timeoutMs,
      extraTrainConfig: { datasetKey: spec.datasetKey, ...privacyConfig },
      onRound: async (report, params) => {
        const metrics: Record<string, unknown> = roundMetrics(report);
        if (report.round === 1) Object.assign(metrics, { encoder, baseline, totalRows });
        const state = strategy.getState();
        const { created } = await store.commitRound(job.id, report.round, {
          parameters: float64ToBytes(params), strategyState: Object.keys(state).length ? encodeArrays(state) : undefined,
          metrics: metrics as JsonObject, participants: report.participants,
        });
        if (created) await store.appendAudit({ actor: 'coordinator', action: 'round.committed', subject: job.id, details: { round: report.round, participants: report.participants, auc: report.metrics?.auc ?? null } });
        this.emit('round', { jobId: job.id, report });
        const lost = report.failures.filter((f) => f.code === 'JOB_UNKNOWN').map((f) => f.nodeId);
        if (lost.length > 0) await setup(lost, 0).catch(() => undefined); // a node restarted: set it up again
        if (!this.running) throw new StopRequested();
        const current = await store.getJob(job.id);
        if (current.status === 'cancelled') throw new RoundError('JOB_CANCELLED', report.round, `job ${job.id} was cancelled`);
      },
    });
    const rounds = await store.listRounds(job.id);
    const lastMetrics = rounds[rounds.length - 1]?.metrics ?? {};
    // the final model's score histograms (100 bins, summed over the nodes' test rows) for the
    // model report's ROC, KS, score-distribution and calibration charts; no score leaves a node
    const fairness = reportFairnessOf(schema);
    const evaluation = await federatedEvaluate({
      transport: jobTransport, jobId: job.id, round: spec.rounds + 1, nodeIds: participants, parameters: final, minNodes: spec.minNodes,
      timeoutMs, numBins: REPORT_BINS, totalRows, fairness, aggregation,
    }).catch((err: Error) => {
      this.options.logger.warn({ jobId: job.id }, `final evaluation for the model report failed: ${err.message}`);
      return undefined;
    });
    const nodes = [...new Set(rounds.flatMap((r) => r.participants))].sort();
    const version = await store.createModelVersion({
      jobId: job.id,
      parameters: float64ToBytes(final),
      meta: { kind: modelSpec.kind, config: modelSpec.config as JsonObject, numFeatures: encoder.features.length, encoder: encoder as unknown as JsonObject, baseline, datasetKey: spec.datasetKey, schema: schema as unknown as JsonObject, metrics: lastMetrics, ...reportMeta(evaluation, fairness) },
      // officers' feedback the nodes trained on (ids only; every round of a job reports the same set)
      lineage: { nodes, rounds: rounds.map((r) => r.round), settings: { model: spec.model, strategy: spec.strategy, hyperparameters: spec.hyperparameters, seed: spec.seed, rounds: spec.rounds }, feedbackIds: [...new Set(history.flatMap((r) => r.feedbackIds ?? []))].sort() },
    });
    await this.finish(job, version.id, history.length);
  }

  /** Grow a GBDT job's trees, register the ensemble as a model version, complete the job. */
  private async finishGbdt(job: JobRecord, transport: Transport, participants: string[], schema: Schema): Promise<void> {
    const { store } = this.options;
    // the whole ensemble's final evaluation, as for the other models: the model report's histograms and fairness counts
    const fairness = reportFairnessOf(schema);
    const { ensemble, lastMetrics, evaluation, evaluationError } = await runGbdtJob({
      store, job, transport, participants, schema, finalEvaluation: { numBins: REPORT_BINS, ...(fairness ? { fairness } : {}) },
      onRound: async (round, roundParticipants, auc) => {
        await store.appendAudit({ actor: 'coordinator', action: 'round.committed', subject: job.id, details: { round, participants: roundParticipants, auc } });
        this.emit('round', { jobId: job.id, report: { round, participants: roundParticipants, durationMs: 0, metrics: auc === null ? undefined : { auc } } });
        if (!this.running) throw new StopRequested();
        if ((await store.getJob(job.id)).status === 'cancelled') throw new RoundError('JOB_CANCELLED', round, `job ${job.id} was cancelled`);
      },
    });
    if (evaluationError !== undefined) this.options.logger.warn({ jobId: job.id }, `final evaluation for the model report failed: ${evaluationError}`);
    const rounds = await store.listRounds(job.id);
    const version = await store.createModelVersion({
      jobId: job.id,
      parameters: new Uint8Array(0),
      meta: { kind: 'gbdt', ensemble: ensemble.toJSON() as unknown as JsonObject, numFeatures: ensemble.features.length, datasetKey: job.spec.datasetKey, schema: schema as unknown as JsonObject, metrics: lastMetrics, ...reportMeta(evaluation, fairness) },
      lineage: { nodes: [...new Set(rounds.flatMap((r) => r.participants))].sort(), rounds: rounds.map((r) => r.round), settings: { model: 'gbdt', hyperparameters: job.spec.hyperparameters, seed: job.spec.seed, rounds: job.spec.rounds }, feedbackIds: [] },
    });
    await this.finish(job, version.id, rounds.length);
  }

  /** Register approval (if asked) and complete the job. */
  private async finish(job: JobRecord, versionId: string, numRounds: number): Promise<void> {
    const { store } = this.options;
    await store.appendAudit({ actor: 'coordinator', action: 'model.created', subject: versionId, details: { jobId: job.id } });
    if ((job.spec.options as { approveModel?: boolean } | undefined)?.approveModel) {
      await store.approveModel(versionId);
      await store.appendAudit({ actor: 'coordinator', action: 'model.approved', subject: versionId, details: { jobId: job.id, automatic: true } });
    }
    await store.updateJobStatus(job.id, 'completed');
    await store.appendAudit({ actor: 'coordinator', action: 'job.completed', subject: job.id, details: { rounds: numRounds, modelVersion: versionId } });
    this.emit('status', { jobId: job.id, status: 'completed', modelVersion: versionId });
  }

  /** Wait until `minNodes` nodes are online, or fail after the start timeout. */
  private async waitForNodes(jobId: string, minNodes: number): Promise<string[]> {
    const deadline = Date.now() + (this.options.startTimeoutMs ?? 300_000);
    for (;;) {
      const ids = await this.options.transport.nodeIds();
      if (ids.length >= minNodes) return ids;
      if (Date.now() > deadline) throw new RoundError('TOO_FEW_NODES', 0, `job ${jobId}: ${ids.length} nodes online after waiting, at least ${minNodes} needed`);
      if (!this.running) throw new StopRequested();
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** Ask online nodes to describe the dataset; keep those whose schema matches the first one's. */
  /** Keep a node's reported privacy budget in the audit log (the dashboard's privacy panel reads the newest). */
  private async recordBudget(jobId: string, datasetKey: string, reply: Reply): Promise<void> {
    const report = parseBudgetReport(reply.config.privacyBudget);
    if (report === undefined) return;
    if (typeof report === 'string') {
      this.options.logger.warn({ jobId, nodeId: reply.nodeId }, `node sent an invalid privacy budget: ${report}`);
      return;
    }
    await this.options.store.appendAudit({ actor: reply.nodeId, action: 'privacy.budget.reported', subject: reply.nodeId, details: { jobId, datasetKey, ...report } });
  }

  private async describe(jobId: string, spec: JobSpec, online: string[], extraConfig: Record<string, string>): Promise<{ participants: string[]; schema: Schema }> {
    const { replies, failures } = await exchange({ transport: this.options.transport, jobId, round: 0, type: 'describe', nodeIds: online, config: { datasetKey: spec.datasetKey, ...extraConfig }, timeoutMs: spec.roundTimeoutMs, minReplies: spec.minNodes });
    for (const f of failures) this.options.logger.info({ jobId, nodeId: f.nodeId, code: f.code }, `node does not take part: ${f.message}`);
    let schema: Schema | undefined;
    const participants: string[] = [];
    for (const r of replies) {
      let s: Schema;
      try {
        s = parseSchemaJson(readJson(r.config, 'schema', 1_000_000));
      } catch (err) {
        this.options.logger.warn({ jobId, nodeId: r.nodeId }, `node sent an invalid schema: ${(err as Error).message}`);
        continue;
      }
      if (!schema) schema = s;
      if (sameFeatureLayout(schema, s)) participants.push(r.nodeId);
      else this.options.logger.warn({ jobId, nodeId: r.nodeId }, `dataset "${spec.datasetKey}" has a different schema at this node; left out`);
      await this.recordBudget(jobId, spec.datasetKey, r);
    }
    if (!schema || participants.length < spec.minNodes) throw new RoundError('TOO_FEW_NODES', 0, `job ${jobId}: ${participants.length} nodes hold dataset "${spec.datasetKey}" with a common schema, at least ${spec.minNodes} needed`);
    return { participants: participants.sort(), schema };
  }
}

/**
 * What a node's describe reply says of its privacy budget for the dataset (`config.privacyBudget`,
 * see src/node/privacyMod.ts): undefined when absent, an error message when malformed.
 */
export function parseBudgetReport(value: unknown): { epsilon: number; delta: number; remainingEpsilon: number } | string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length > 500) return 'privacyBudget: expected a short JSON text';
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return 'privacyBudget: not JSON';
  }
  const { epsilon, delta, remainingEpsilon } = (parsed ?? {}) as Record<string, unknown>;
  if (typeof epsilon !== 'number' || !Number.isFinite(epsilon) || epsilon <= 0 || epsilon > 1e6) return 'privacyBudget.epsilon: expected a positive number';
  if (typeof delta !== 'number' || !(delta > 0 && delta < 1)) return 'privacyBudget.delta: expected a number in (0, 1)';
  if (typeof remainingEpsilon !== 'number' || !Number.isFinite(remainingEpsilon) || remainingEpsilon < 0 || remainingEpsilon > epsilon + 1e-9) return 'privacyBudget.remainingEpsilon: expected a number from 0 to epsilon';
  return { epsilon, delta, remainingEpsilon };
}

class StopRequested extends Error {}

/** Score-histogram bins of a model version's final evaluation (the model report's charts). */
const REPORT_BINS = 100;

/** The model-version meta the report reads: `evaluation` (histogram sums) and `fairness` (request and counts), when collected. */
function reportMeta(evaluation: { sums: Float64Array; participants: string[]; fairnessCounts?: Float64Array } | undefined, fairness: EvaluationFairness | undefined): JsonObject {
  return {
    ...(evaluation ? { evaluation: { numBins: REPORT_BINS, sums: Array.from(evaluation.sums), participants: evaluation.participants } } : {}),
    ...(fairness && evaluation?.fairnessCounts ? { fairness: { ...fairness, counts: Array.from(evaluation.fairnessCounts) } as unknown as JsonObject } : {}),
  };
}

/** The fairness counts the model report asks of the final evaluation: the schema's protected attributes, at the scorer's approval cut-off. */
function reportFairnessOf(schema: Schema): EvaluationFairness | undefined {
  const attributes = defaultFairnessAttributes(schema).filter((a) => schema.columns.some((c) => c.name === a.column));
  return attributes.length > 0 ? { attributes, threshold: DEFAULT_THRESHOLDS.classify, numBins: 20 } : undefined;
}

/** The model a job spec asks for. */
export function modelSpecOf(spec: JobSpec): ModelSpec {
  const h = spec.hyperparameters as Record<string, unknown>;
  return spec.model === 'mlp'
    ? { kind: 'mlp', config: { hidden: (h.hidden as number[]) ?? [16], activation: (h.activation as 'relu' | 'tanh') ?? 'relu' } }
    : { kind: 'logreg', config: {} };
}

function strategyOptionsOf(spec: JobSpec): Record<string, number> {
  const h = spec.hyperparameters as Record<string, unknown>;
  const out: Record<string, number> = {};
  const allowed: Record<string, string[]> = { fedprox: ['proximalMu'], trimmed: ['beta'], krum: ['numByzantine', 'multiKrum'], fedadam: ['serverLr', 'beta1', 'beta2', 'tau'], fedyogi: ['serverLr', 'beta1', 'beta2', 'tau'] };
  for (const k of allowed[spec.strategy] ?? []) if (typeof h[k] === 'number') out[k] = h[k] as number;
  return out;
}

function roundMetrics(report: RoundReport): Record<string, unknown> {
  const m = report.metrics;
  return {
    trainLoss: Number.isFinite(report.trainLoss) ? report.trainLoss : null, numExamples: report.numExamples, durationMs: report.durationMs, dropped: report.dropped,
    ...(m ? { auc: m.auc, ks: m.ks, brier: m.brier, logLoss: m.logLoss, numTestExamples: m.numExamples } : {}),
  };
}
