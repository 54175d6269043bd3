/**
 * Federated gradient-boosted trees, coordinator side. Trees grow from aggregated histograms,
 * not by averaging parameters, so this loop drives its own exchanges (handlers in
 * ../node/gbdtHandlers.ts):
 *
 * 1. `gbdt.setup` (round 0): nodes bin their rows with the features (edges from the federated
 *    quantiles of the preprocessing statistics) and return [numRows, numBad]; the sum gives the
 *    base margin log(bad/good).
 * 2. Per tree t (round t + 1), per level: `gbdt.level` sends the partial tree and its open nodes;
 *    each node returns ONE vector of [G, H, N] per open node × feature × bin; the vectors are
 *    added through the {@link SumAggregator} and the {@link TreeGrower} picks the splits (or
 *    leaves). Then `gbdt.trees` sends the finished tree; nodes move their margins and return
 *    loss sums. A tree of depth D costs at most D + 1 exchanges.
 * 3. Every `evaluateEvery` trees (and after the last), `gbdt.evaluate` returns score histograms
 *    that give federated AUC/KS/Brier without a score leaving a node.
 *
 * A participant that fails or does not answer during a tree is left out and the tree is grown
 * again without it (every level must sum the same rows); one that sends a malformed reply
 * (wrong length, NaN, negative counts) is excluded for the rest of the job. Nodes that missed
 * trees get them (in chunks) before they take part again. Fewer than `minNodes` left: RoundError.
 */
import { metricsFromSums, type FederatedMetrics } from '../metrics/histogram.js';
import { TreeEnsemble } from '../model/gbdt/ensemble.js';
import { binLayout, type GbdtFeature } from '../model/gbdt/features.js';
import { TreeGrower } from '../model/gbdt/grower.js';
import { baseMarginFromCounts } from '../model/gbdt/local.js';
import type { GbdtParams } from '../model/gbdt/params.js';
import type { Tree } from '../model/gbdt/tree.js';
import { HIST_STRIDE } from '../model/gbdt/split.js';
import { readArray, readNumber } from '../protocol/config.js';
import type { ConfigValue, Reply } from '../protocol/message.js';
import type { Transport } from '../transport/transport.js';
import { plainAggregator, type Contribution, type SumAggregator } from './aggregation.js';
import { RoundError } from './errors.js';
import { exchange } from './exchange.js';
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
  readonly aggregator?: SumAggregator;
  /** Evaluate on the nodes' test splits every this many trees and after the last (0: never; default 10). */
  readonly evaluateEvery?: number;
  /** Score-histogram resolution of the evaluation (default 1000). */
  readonly numEvalBins?: number;
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
}

type Failure = RoundReport['failures'][number];

/** Most characters of tree JSON sent in one catch-up message (the wire allows 1 MiB of strings). */
const CATCH_UP_CHARS = 500_000;

/** Boost `params.numTrees` trees over the nodes; see the module doc. */
export async function trainFederatedGbdt(options: FederatedGbdtOptions): Promise<FederatedGbdtResult> {
  const { transport, jobId, params, features, minNodes, timeoutMs } = options;
  if (!Number.isInteger(minNodes) || minNodes < 1) throw new RangeError(`minNodes: expected a positive integer, got ${minNodes}`);
  const evaluateEvery = options.evaluateEvery ?? 10;
  if (!Number.isInteger(evaluateEvery) || evaluateEvery < 0) throw new RangeError(`evaluateEvery: expected an integer ≥ 0, got ${evaluateEvery}`);
  const numEvalBins = options.numEvalBins ?? 1000;
  const aggregator = options.aggregator ?? plainAggregator;
  const layout = binLayout(features);
  const ask = (type: string, round: number, nodeIds: readonly string[], config: Record<string, ConfigValue>, minReplies = minNodes) =>
    exchange({ transport, jobId, round, type, nodeIds, config, timeoutMs, minReplies });

  const setup = await ask('gbdt.setup', 0, [...options.nodeIds].sort(), { datasetKey: options.datasetKey, features: JSON.stringify(features), includeProtected: options.includeProtected ?? false });
  const labels = collect(setup.replies, 'labelSums', 2);
  if (labels.contributions.length < minNodes) throw new RoundError('TOO_FEW_NODES', 0, `gbdt.setup: ${labels.contributions.length} valid replies, at least ${minNodes} needed`);
  const members = labels.contributions.map((c) => c.nodeId);
  const [numRows, numBad] = aggregator.sum(labels.contributions);
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

    const sent = await ask('gbdt.trees', round, participants, { firstTree: t, trees: JSON.stringify([tree]), baseMargin });
    failures.push(...sent.failures, ...sent.missing.map(noReply));
    const losses = acknowledge(sent.replies, failures);
    const [lossSum, numExamples] = losses.length ? aggregator.sum(losses) : [NaN, 0];
    const ensemble = new TreeEnsemble({ features, baseMargin, params, trees });
    const due = evaluateEvery > 0 && (round % evaluateEvery === 0 || round === params.numTrees);
    const metrics = due ? await evaluate(members.filter((id) => held.get(id) === round && !banned.has(id)), round) : undefined;
    const report: RoundReport = {
      round, participants, dropped: members.filter((id) => !participants.includes(id)), failures,
      numExamples, trainLoss: lossSum / numExamples, metrics, durationMs: Date.now() - started,
    };
    history.push(report);
    await options.onTree?.(report, ensemble);
  }
  return { ensemble: new TreeEnsemble({ features, baseMargin, params, trees }), history, members };

  /** Grow tree t with `participants`; returns the tree, or the nodes lost on the way (grow again without them). */
  async function growTree(participants: string[], t: number, round: number, failures: Failure[]): Promise<Tree | string[]> {
    const grower = new TreeGrower(features, layout, params);
    while (!grower.done) {
      const level = await ask('gbdt.level', round, participants, { tree: t, baseMargin, partialTree: JSON.stringify(grower.partialTree()), openNodes: JSON.stringify(grower.openNodes) });
      const { contributions, failures: bad } = collect(level.replies, 'histograms', grower.histogramLength, checkHistogram);
      for (const f of bad) banned.add(f.nodeId);
      const lost = [...level.failures, ...level.missing.map(noReply), ...bad];
      failures.push(...lost);
      if (lost.length > 0) return lost.map((f) => f.nodeId);
      const summed = aggregator.sum(contributions);
      if (!summed.every(Number.isFinite)) throw new RoundError('BAD_AGGREGATE', round, `tree ${t}: the aggregated histogram holds non-finite values`);
      grower.applyHistograms(summed);
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
        const sent = await ask('gbdt.trees', round, nodes, { firstTree: first, trees: JSON.stringify(trees.slice(first, last)), baseMargin }, 0);
        failures.push(...sent.failures, ...sent.missing.map(noReply));
        acknowledge(sent.replies, failures);
        nodes = nodes.filter((id) => held.get(id) === last);
        first = last;
      }
    }
  }

  /** Record how many trees each replying node holds; returns the valid loss sums. */
  function acknowledge(replies: readonly Reply[], failures: Failure[]): Contribution[] {
    const { contributions, failures: bad } = collect(replies, 'lossSums', 2, (v) => (v[0] >= 0 && v[1] >= 0 ? undefined : 'negative loss or row count'));
    failures.push(...bad);
    const good = new Set(contributions.map((c) => c.nodeId));
    for (const r of replies) {
      if (!good.has(r.nodeId)) continue;
      try {
        held.set(r.nodeId, readNumber(r.config, 'numTrees', { min: 0, max: trees.length, integer: true }));
      } catch (err) {
        good.delete(r.nodeId);
        failures.push({ nodeId: r.nodeId, code: 'BAD_REPLY', message: (err as Error).message });
      }
    }
    return contributions.filter((c) => good.has(c.nodeId));
  }

  async function evaluate(nodeIds: readonly string[], round: number): Promise<FederatedMetrics | undefined> {
    if (nodeIds.length < minNodes) return undefined;
    const { replies } = await ask('gbdt.evaluate', round, nodeIds, { numTrees: round, baseMargin, split: 'test', numBins: numEvalBins });
    const { contributions } = collect(replies, 'sums', 2 * numEvalBins + 3, (v) => (v.every((x) => x >= 0) ? undefined : 'negative count or sum'));
    return contributions.length >= minNodes ? metricsFromSums(aggregator.sum(contributions), numEvalBins) : undefined;
  }
}

/** Every H and N of a [G, H, N] histogram must be ≥ 0. */
function checkHistogram(v: Float64Array): string | undefined {
  for (let i = 0; i < v.length; i += HIST_STRIDE) if (v[i + 1] < 0 || v[i + 2] < 0) return `negative hessian or count at ${i}`;
  return undefined;
}

/** Split replies into well-formed contributions of `key` and coded failures (BAD_REPLY). */
function collect(replies: readonly Reply[], key: string, length: number, check?: (v: Float64Array) => string | undefined): { contributions: Contribution[]; failures: Failure[] } {
  const contributions: Contribution[] = [];
  const failures: Failure[] = [];
  for (const r of replies) {
    let problem: string | undefined;
    try {
      const vector = readArray(r.arrays, key, length);
      problem = check?.(vector);
      if (!problem) contributions.push({ nodeId: r.nodeId, vector });
    } catch (err) {
      problem = (err as Error).message;
    }
    if (problem) failures.push({ nodeId: r.nodeId, code: 'BAD_REPLY', message: problem });
  }
  return { contributions, failures };
}

function noReply(nodeId: string): Failure {
  return { nodeId, code: 'NO_REPLY', message: 'no reply before the deadline' };
}
