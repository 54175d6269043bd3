/**
 * Federated gradient-boosted trees, coordinator side. Trees grow from aggregated histograms,
 * not by averaging parameters, so this loop drives its own exchanges (handlers in
 * ../node/gbdtHandlers.ts):
 *
 * 1. `gbdt.setup` (round 0): nodes bin their rows with the features (edges from federated
 *    quantile sketches, ./gbdtBinning.ts) and return [numRows, numBad]; the sum gives the
 *    base margin log(bad/good).
 * 2. Per tree t (round t + 1), per level: `gbdt.level` sends the partial tree and its open nodes;
 *    each node returns ONE vector of [G, H, N] per open node × feature × bin; the vectors are
 *    added and the {@link TreeGrower} picks the splits (or
 *    leaves). Then `gbdt.trees` sends the finished tree; nodes move their margins and return
 *    loss sums, and every `evaluateEvery` trees (and after the last) also the score histograms
 *    of their test rows, which give federated AUC/KS/Brier without a score leaving a node. A
 *    tree of depth D costs at most D + 1 exchanges, its evaluation included.
 *
 * 3. With `finalEvaluation` (a job's model report), after the last tree: nodes that miss trees
 *    get them, then `gbdt.evaluate` (round numTrees + 1) collects the whole ensemble's score
 *    histograms and fairness counts on the test splits (./gbdtEvaluate.ts). A failure there
 *    leaves the ensemble intact and is reported as `evaluationError`.
 *
 * Every sum goes through ./gbdtSums.ts: added in the clear (`aggregation` plain, the default)
 * or through secure aggregation (`aggregation` secure: setup label counts, level histograms,
 * loss sums and evaluation histograms reach the coordinator only as masked vectors; the clipping
 * bounds come from the nodes' public row counts, see gbdtSums.ts). Catch-up sends of missed
 * trees carry no sum.
 *
 * A participant that fails or does not answer during a tree is left out and the tree is grown
 * again without it (every level must sum the same rows); one that sends a malformed reply
 * (wrong length, NaN, negative counts; checked in plain mode only, since secure aggregation
 * hides each reply and bounds it by clipping instead) is excluded for the rest of the job. Nodes that missed
 * trees get them (in chunks) before they take part again. Fewer than `minNodes` left: RoundError.
 */
import { metricsFromSums } from '../metrics/histogram.js';
import { TreeEnsemble } from '../model/gbdt/ensemble.js';
import { binLayout, type GbdtFeature } from '../model/gbdt/features.js';
import { TreeGrower } from '../model/gbdt/grower.js';
import { baseMarginFromCounts } from '../model/gbdt/local.js';
import type { GbdtParams } from '../model/gbdt/params.js';
import type { Tree } from '../model/gbdt/tree.js';
import { HIST_STRIDE } from '../model/gbdt/split.js';
import { readNumber } from '../protocol/config.js';
import type { ConfigValue, Reply } from '../protocol/message.js';
import type { Transport } from '../transport/transport.js';
import type { SumAggregator } from './aggregation.js';
import type { AggregationMode } from './collect.js';
import { RoundError } from './errors.js';
import { exchange } from './exchange.js';
import { evaluateGbdtEnsemble, type GbdtEvaluation, type GbdtEvaluationRequest } from './gbdtEvaluate.js';
import { federationRows, gbdtSum, noReply, roundCounts, type Failure, type FederationRows, type GbdtSumRequest } from './gbdtSums.js';
import type { RoundReport } from './roundLoop.js';

/** What {@link trainFederatedGbdt} needs: the transport and nodes, the binned features and the boosting settings. */
export interface FederatedGbdtOptions {
  readonly transport: Transport;
  readonly jobId: string;
  readonly datasetKey: string;
  /** Binned features, e.g. `binningFromStats(columns, preprocess.stats, params.maxBins)`. */
  readonly features: readonly GbdtFeature[];
  readonly params: GbdtParams;
  readonly nodeIds: readonly string[];
  readonly minNodes: number;
  readonly timeoutMs: number;
  readonly includeProtected?: boolean;
  /** Plain mode: how contributions are added (default: in the clear). */
  readonly aggregator?: SumAggregator;
  /** Plain (default) or secure aggregation of every sum. */
  readonly aggregation?: AggregationMode;
  /** The nodes' row counts (secure mode bounds); asked with `describe` when secure and omitted. */
  readonly rows?: FederationRows;
  /** Evaluate on the nodes' test splits every this many trees and after the last (0: never; default 10). */
  readonly evaluateEvery?: number;
  /** Score-histogram resolution of the evaluation (default 1000). */
  readonly numEvalBins?: number;
  /** After the last tree, evaluate the ensemble once more with these settings (none by default). */
  readonly finalEvaluation?: GbdtEvaluationRequest;
  /** Continue from this ensemble (resume after a restart): its base margin and trees are kept. */
  readonly initial?: TreeEnsemble;
  /** Called after each tree (persist it here: the loop waits for the promise). */
  readonly onTree?: (report: RoundReport, ensemble: TreeEnsemble) => void | Promise<void>;
}

/** The trained ensemble with one {@link RoundReport} per tree. */
export interface FederatedGbdtResult {
  readonly ensemble: TreeEnsemble;
  readonly history: RoundReport[];
  /** Nodes that completed setup. */
  readonly members: string[];
  /** The final evaluation, when `finalEvaluation` asked for one and it succeeded. */
  readonly evaluation?: GbdtEvaluation;
  /** Why the final evaluation failed (the ensemble is complete regardless). */
  readonly evaluationError?: string;
}

/** Most characters of tree JSON sent in one catch-up message (the wire allows 1 MiB of strings). */
const CATCH_UP_CHARS = 500_000;

/** Boost `params.numTrees` trees over the nodes; see the module doc. */
export async function trainFederatedGbdt(options: FederatedGbdtOptions): Promise<FederatedGbdtResult> {
  const { transport, jobId, params, features, minNodes, timeoutMs } = options;
  if (!Number.isInteger(minNodes) || minNodes < 1) throw new RangeError(`minNodes: expected a positive integer, got ${minNodes}`);
  const evaluateEvery = options.evaluateEvery ?? 10;
  if (!Number.isInteger(evaluateEvery) || evaluateEvery < 0) throw new RangeError(`evaluateEvery: expected an integer ≥ 0, got ${evaluateEvery}`);
  const numEvalBins = options.numEvalBins ?? 1000;
  const aggregation = options.aggregation ?? { kind: 'plain' };
  const secure = aggregation.kind === 'secure';
  const layout = binLayout(features);
  const ask = (type: string, round: number, nodeIds: readonly string[], config: Record<string, ConfigValue>, minReplies = minNodes) =>
    exchange({ transport, jobId, round, type, nodeIds, config, timeoutMs, minReplies });
  const sum = (request: Omit<GbdtSumRequest, 'transport' | 'jobId' | 'timeoutMs' | 'minReplies' | 'aggregation' | 'aggregator'>) =>
    gbdtSum({ transport, jobId, timeoutMs, minReplies: minNodes, aggregation, aggregator: options.aggregator, ...request });
  const sorted = [...options.nodeIds].sort();
  const rows = options.rows ?? (secure ? await federationRows({ transport, jobId, datasetKey: options.datasetKey, nodeIds: sorted, timeoutMs, minReplies: minNodes }) : undefined);
  const maxTrain = rows?.maxTrain ?? 0;

  const setup = await sum({
    type: 'gbdt.setup', round: 0, nodeIds: rows ? sorted.filter((id) => rows.nodes.includes(id)) : sorted, key: 'labelSums', length: 2, clip: maxTrain, integers: true, clean: roundCounts,
    config: { datasetKey: options.datasetKey, features: JSON.stringify(features), includeProtected: options.includeProtected ?? false },
    check: (v) => (v[0] >= 0 && v[1] >= 0 && v[1] <= v[0] ? undefined : 'label counts out of range'),
  });
  if (setup.included.length < minNodes) throw new RoundError('TOO_FEW_NODES', 0, `gbdt.setup: ${setup.included.length} valid replies, at least ${minNodes} needed`);
  const members = [...setup.included].sort();
  const [numRows, numBad] = setup.sum;
  const baseMargin = options.initial?.baseMargin ?? baseMarginFromCounts(numRows, numBad);
  const trees: Tree[] = [...(options.initial?.trees ?? [])];
  const held = new Map<string, number>(members.map((id) => [id, 0]));
  const banned = new Set<string>();
  const history: RoundReport[] = [];

  for (let t = trees.length; t < params.numTrees; t++) {
    const round = t + 1;
    const started = Date.now();
    const failures: Failure[] = [];
    const available = new Set(await transport.nodeIds());
    let participants = members.filter((id) => available.has(id) && !banned.has(id));
    await catchUp(participants.filter((id) => held.get(id)! < t), round, failures);
    participants = participants.filter((id) => held.get(id) === t);

    let tree: Tree | undefined;
    while (!tree) {
      if (participants.length < minNodes) throw new RoundError('TOO_FEW_NODES', round, `tree ${t}: ${participants.length} nodes can take part, at least ${minNodes} needed (${failures.map((f) => `${f.nodeId}: ${f.code}`).join('; ')})`);
      const grown = await growTree(participants, t, round, failures);
      if (Array.isArray(grown)) participants = participants.filter((id) => !grown.includes(id));
      else tree = grown;
    }
    trees.push(tree);

    // the tree goes out; the loss sums come back, with the evaluation sums when one is due
    const due = evaluateEvery > 0 && (round % evaluateEvery === 0 || round === params.numTrees);
    const evalLength = due ? 2 * numEvalBins + 3 : 0;
    const sent = await sum({
      type: 'gbdt.trees', round, nodeIds: participants, key: 'lossSums', length: 2 + evalLength,
      // loss terms of a node's training rows; counts, Brier and clipped log-loss terms (≤ 34.6) of its test rows
      clip: Math.max(40 * maxTrain, due ? 35 * (rows?.maxTest ?? 0) : 0),
      config: { firstTree: t, trees: JSON.stringify([tree]), baseMargin, ...(due ? { evaluateBins: numEvalBins } : {}) },
      checkReply: (r) => (readNumber(r.config, 'numTrees', { min: 0, max: trees.length, integer: true, fallback: -1 }) === t + 1 ? undefined : `config.numTrees: expected ${t + 1}`),
      check: (v) => (v.every((x) => x >= 0) ? undefined : 'negative loss, count or sum'),
      clean: (v) => { for (let i = 0; i < v.length; i++) v[i] = Math.max(0, i === 1 || (i >= 2 && i <= 2 + 2 * numEvalBins) ? Math.round(v[i]) : v[i]); },
    });
    failures.push(...sent.failures);
    // a node whose (masked or checked) sums are in the total appended the tree
    for (const id of sent.included) held.set(id, t + 1);
    const [lossSum, numExamples] = sent.included.length > 0 ? sent.sum : [NaN, 0];
    const ensemble = new TreeEnsemble({ features, baseMargin, params, trees });
    const metrics = due && sent.included.length >= minNodes ? metricsFromSums(sent.sum.slice(2), numEvalBins) : undefined;
    const report: RoundReport = {
      round, participants, dropped: members.filter((id) => !participants.includes(id)), failures,
      numExamples, trainLoss: lossSum / numExamples, metrics, durationMs: Date.now() - started,
    };
    history.push(report);
    await options.onTree?.(report, ensemble);
  }
  const ensemble = new TreeEnsemble({ features, baseMargin, params, trees });
  if (!options.finalEvaluation) return { ensemble, history, members };
  try {
    return { ensemble, history, members, evaluation: await finalEvaluation(options.finalEvaluation) };
  } catch (err) {
    if (!(err instanceof RoundError)) throw err;
    return { ensemble, history, members, evaluationError: err.message };
  }

  /** Bring every reachable member up to the whole ensemble, then evaluate it (see the module doc). */
  async function finalEvaluation(request: GbdtEvaluationRequest): Promise<GbdtEvaluation> {
    const round = params.numTrees + 1;
    const available = new Set(await transport.nodeIds());
    const reachable = members.filter((id) => available.has(id) && !banned.has(id));
    await catchUp(reachable.filter((id) => held.get(id)! < trees.length), round, []);
    const nodeIds = reachable.filter((id) => held.get(id) === trees.length);
    if (nodeIds.length < minNodes) throw new RoundError('TOO_FEW_NODES', round, `final evaluation: ${nodeIds.length} nodes hold the ${trees.length} trees, at least ${minNodes} needed`);
    return evaluateGbdtEnsemble({ sum, round, nodeIds, numTrees: trees.length, baseMargin, minNodes, maxTest: rows?.maxTest ?? 0, request });
  }

  /** Grow tree t with `participants`; returns the tree, or the nodes lost on the way (grow again without them). */
  async function growTree(participants: string[], t: number, round: number, failures: Failure[]): Promise<Tree | string[]> {
    const grower = new TreeGrower(features, layout, params);
    while (!grower.done) {
      const level = await sum({
        type: 'gbdt.level', round, nodeIds: participants, key: 'histograms', length: grower.histogramLength,
        clip: Math.min(maxTrain, Math.ceil(grower.maxOpenCount ?? maxTrain)), check: checkHistogram, clean: cleanHistogram,
        config: { tree: t, baseMargin, partialTree: JSON.stringify(grower.partialTree()), openNodes: JSON.stringify(grower.openNodes) },
      });
      for (const f of level.malformed) banned.add(f.nodeId);
      failures.push(...level.failures);
      const lost = participants.filter((id) => !level.included.includes(id));
      if (lost.length > 0) return lost;
      if (!level.sum.every(Number.isFinite)) throw new RoundError('BAD_AGGREGATE', round, `tree ${t}: the aggregated histogram holds non-finite values`);
      grower.applyHistograms(level.sum);
    }
    return grower.finish();
  }

  /** Send nodes that hold fewer than `round − 1` trees the ones they miss. */
  async function catchUp(behind: readonly string[], round: number, failures: Failure[]): Promise<void> {
    const byHeld = new Map<number, string[]>();
    for (const id of behind) byHeld.set(held.get(id)!, [...(byHeld.get(held.get(id)!) ?? []), id]);
    for (const [from, group] of byHeld) {
      let nodes = group;
      for (let first = from; first < trees.length && nodes.length > 0;) {
        let last = first + 1;
        let size = JSON.stringify(trees[first]).length;
        while (last < trees.length && size + JSON.stringify(trees[last]).length < CATCH_UP_CHARS) size += JSON.stringify(trees[last++]).length;
        const sent = await ask('gbdt.trees', round, nodes, { firstTree: first, trees: JSON.stringify(trees.slice(first, last)), baseMargin, lossSums: false }, 0);
        failures.push(...sent.failures, ...sent.missing.map(noReply));
        acknowledge(sent.replies, failures);
        nodes = nodes.filter((id) => held.get(id) === last);
        first = last;
      }
    }
  }

  /** Record how many trees each replying node says it holds (a malformed count is a failure). */
  function acknowledge(replies: readonly Reply[], failures: Failure[]): void {
    for (const r of replies) {
      try {
        held.set(r.nodeId, readNumber(r.config, 'numTrees', { min: 0, max: trees.length, integer: true }));
      } catch (err) {
        failures.push({ nodeId: r.nodeId, code: 'BAD_REPLY', message: (err as Error).message });
      }
    }
  }

}

/** Secure-mode repair of a summed [G, H, N] histogram: counts back to integers, hessians ≥ 0. */
function cleanHistogram(v: Float64Array): void {
  for (let i = 0; i < v.length; i += HIST_STRIDE) {
    v[i + 1] = Math.max(0, v[i + 1]);
    v[i + 2] = Math.max(0, Math.round(v[i + 2]));
  }
}

/** Every H and N of a [G, H, N] histogram must be ≥ 0. */
function checkHistogram(v: Float64Array): string | undefined {
  for (let i = 0; i < v.length; i += HIST_STRIDE) if (v[i + 1] < 0 || v[i + 2] < 0) return `negative hessian or count at ${i}`;
  return undefined;
}
