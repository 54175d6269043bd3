/**
 * The simulation report: federated vs pooled vs local-only, per fold and averaged over folds,
 * with per-round metrics. Its JSON form is what `--json FILE` writes and what the benchmarks read.
 */
import type { RoundReport } from '../coordinator/roundLoop.js';
import type { EncoderSpec } from '../preprocess/encoder.js';
import type { LocalOnlyNode } from './baselines.js';
import type { PersonalizedNode } from './personalize.js';
import type { SimulationOptions } from './options.js';
import type { UnionMetrics } from './score.js';

export interface FoldReport {
  readonly fold: number;
  readonly numFeatures: number;
  readonly numParameters: number;
  readonly federated: UnionMetrics & { aucFromHistograms?: number; ksFromHistograms?: number };
  readonly pooled?: UnionMetrics;
  readonly localOnly?: LocalOnlyNode[];
  readonly personalized?: PersonalizedNode[];
  readonly rounds: RoundReport[];
  /** Wall time of the federated part (preprocessing, setup, rounds, evaluation). */
  readonly federatedMs: number;
  readonly parameters: Float64Array;
  readonly encoder: EncoderSpec;
}

/** Means over nodes of each node-alone model. */
export interface LocalOnlySummary {
  /** Mean over nodes of each node-alone model's AUC on the union test set. */
  readonly meanAuc: number;
  readonly meanKs: number;
  readonly meanBrier: number;
  readonly meanExpectedCost: number;
  /** Mean over nodes of each node-alone model's AUC on its own test split (nodes whose split has one class left out). */
  readonly meanOwnAuc: number;
  readonly perNode: LocalOnlyNode[];
}

export interface RoundSummary {
  readonly round: number;
  readonly auc?: number;
  readonly ks?: number;
  readonly brier?: number;
  readonly logLoss?: number;
  readonly trainLoss: number;
  readonly participants: number;
  readonly durationMs: number;
}

export interface SimulationReport {
  readonly config: Record<string, unknown>;
  readonly numRows: number;
  readonly numFeatures: number;
  readonly numParameters: number;
  readonly folds: number;
  readonly federated: UnionMetrics & { aucFromHistograms?: number };
  readonly pooled?: UnionMetrics;
  readonly localOnly?: LocalOnlySummary;
  /** Per node, on its own test split: global vs personalised vs local-only (last fold). */
  readonly personalization?: { readonly meanGlobalAuc: number; readonly meanPersonalizedAuc: number; readonly meanLocalOnlyAuc?: number; readonly perNode: PersonalizedNode[] };
  /** Per-round federated metrics (mean over folds). */
  readonly rounds: RoundSummary[];
  readonly perFold: Array<{ fold: number; federated: UnionMetrics; pooled?: UnionMetrics; localOnlyMeanAuc?: number; federatedMs: number }>;
  /** Mean wall time of one fold's federated part. */
  readonly federatedMs: number;
  readonly wallMs: number;
  /** The last fold's model and encoder (to save or score with). */
  readonly model: { readonly parameters: number[]; readonly encoder: EncoderSpec };
}

const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
/** Mean over the defined (non-NaN) values; NaN when there are none. */
const meanDefined = (xs: readonly number[]) => mean(xs.filter((x) => !Number.isNaN(x)));

function meanMetrics<T extends object>(items: readonly T[]): T {
  const out: Record<string, number> = {};
  for (const key of Object.keys(items[0])) {
    const values = items.map((i) => (i as Record<string, unknown>)[key]);
    if (values.every((v) => typeof v === 'number')) out[key] = mean(values as number[]);
  }
  return out as T;
}

/** Average fold reports into one simulation report. */
export function summarizeFolds(options: SimulationOptions, folds: readonly FoldReport[], numRows: number, wallMs: number): SimulationReport {
  const localSummaries = folds.every((f) => f.localOnly) ? folds.map((f) => summarizeLocal(f.localOnly!)) : undefined;
  const numRounds = Math.min(...folds.map((f) => f.rounds.length));
  const rounds: RoundSummary[] = [];
  for (let r = 0; r < numRounds; r++) {
    const rs = folds.map((f) => f.rounds[r]);
    const withMetrics = rs.filter((x) => x.metrics);
    rounds.push({
      round: rs[0].round,
      auc: withMetrics.length ? mean(withMetrics.map((x) => x.metrics!.auc)) : undefined,
      ks: withMetrics.length ? mean(withMetrics.map((x) => x.metrics!.ks)) : undefined,
      brier: withMetrics.length ? mean(withMetrics.map((x) => x.metrics!.brier)) : undefined,
      logLoss: withMetrics.length ? mean(withMetrics.map((x) => x.metrics!.logLoss)) : undefined,
      trainLoss: mean(rs.map((x) => x.trainLoss)),
      participants: mean(rs.map((x) => x.participants.length)),
      durationMs: mean(rs.map((x) => x.durationMs)),
    });
  }
  const last = folds[folds.length - 1];
  return {
    config: {
      dataset: options.dataset, nodes: options.numNodes, rounds: options.rounds, partition: options.partition,
      strategy: options.strategy, strategyOptions: options.strategyOptions ?? {}, model: options.model, train: options.train,
      seed: options.seed, cvFolds: options.cvFolds, fractionFit: options.fractionFit,
    },
    numRows,
    numFeatures: last.numFeatures,
    numParameters: last.numParameters,
    folds: folds.length,
    federated: meanMetrics(folds.map((f) => f.federated)),
    pooled: folds.every((f) => f.pooled) ? meanMetrics(folds.map((f) => f.pooled!)) : undefined,
    localOnly: localSummaries ? { ...meanMetrics(localSummaries.map(({ perNode: _p, ...rest }) => rest)), perNode: localSummaries[localSummaries.length - 1].perNode } : undefined,
    ...(folds.every((f) => f.personalized) ? { personalization: summarizePersonalization(folds.flatMap((f) => f.personalized!), last.personalized!) } : {}),
    rounds,
    perFold: folds.map((f, i) => ({ fold: f.fold, federated: f.federated, pooled: f.pooled, localOnlyMeanAuc: localSummaries?.[i].meanAuc, federatedMs: f.federatedMs })),
    federatedMs: mean(folds.map((f) => f.federatedMs)),
    wallMs,
    model: { parameters: Array.from(last.parameters), encoder: last.encoder },
  };
}

/** Means over every node of every fold (nodes whose test split has one class left out); last fold's nodes. */
function summarizePersonalization(all: readonly PersonalizedNode[], lastFold: PersonalizedNode[]): NonNullable<SimulationReport['personalization']> {
  const local = all.filter((n) => n.localOnly).map((n) => n.localOnly!.auc);
  return {
    meanGlobalAuc: meanDefined(all.map((n) => n.global.auc)),
    meanPersonalizedAuc: meanDefined(all.map((n) => n.personalized.auc)),
    ...(local.length ? { meanLocalOnlyAuc: meanDefined(local) } : {}),
    perNode: lastFold,
  };
}

function summarizeLocal(nodes: readonly LocalOnlyNode[]): LocalOnlySummary {
  return {
    meanAuc: mean(nodes.map((n) => n.union.auc)),
    meanKs: mean(nodes.map((n) => n.union.ks)),
    meanBrier: mean(nodes.map((n) => n.union.brier)),
    meanExpectedCost: mean(nodes.map((n) => n.union.expectedCost)),
    meanOwnAuc: meanDefined(nodes.map((n) => n.own.auc)),
    perNode: [...nodes],
  };
}
