/**
 * Federated population-stability monitoring, coordinator side. Two `psiHistogram` exchanges:
 * the *reference* population (e.g. every node's training rows, summed through the aggregation
 * seam) and the *current* one (e.g. each node's newest applicants). PSI is reported for the
 * score and for every feature, for the federation as a whole (summed current histograms) and
 * per node (that node's current histogram against the federated reference, so a single
 * lender's drift shows even when the federation as a whole is stable).
 *
 * Per-node PSI needs each node's own coarse histogram (≤ 10 score groups, a few bins per
 * feature); a deployment that hides individual contributions with secure aggregation gets the
 * federated PSI only (`perNode: false`).
 */
import { plainAggregator, type SumAggregator } from '../coordinator/aggregation.js';
import { exchange } from '../coordinator/exchange.js';
import { readArray } from '../protocol/config.js';
import type { Binning } from '../scorecard/binning.js';
import type { Transport } from '../transport/transport.js';
import { MONITORING_MESSAGES } from './handlers.js';
import { featureHistogramLayout } from './histograms.js';
import { populationStabilityIndex, psiNoDriftQuantile, psiStatus, quantileGroups, regroup, type PsiStatus } from './psi.js';

/** A population: which dataset and split the nodes should histogram. */
export interface Population {
  readonly datasetKey: string;
  readonly split: 'train' | 'test';
}

/** Options of {@link federatedPsi}. */
export interface FederatedPsiRequest {
  readonly transport: Transport;
  readonly jobId: string;
  readonly round?: number;
  readonly nodeIds: readonly string[];
  readonly minNodes: number;
  readonly timeoutMs: number;
  readonly binning: Binning;
  /** WOE model parameters [β…, α]; without them only features are monitored. */
  readonly parameters?: Float64Array;
  readonly reference: Population;
  readonly current: Population;
  /** Reference quantile groups of the score (default 10: deciles). */
  readonly scoreGroups?: number;
  /** Resolution of the score histograms (default 1000 probability bins). */
  readonly numScoreBins?: number;
  /** Report each node's PSI too (default true; needs each node's histogram). */
  readonly perNode?: boolean;
  readonly aggregator?: SumAggregator;
  readonly epsilon?: number;
}

/** PSI of one quantity. */
export interface PsiValue {
  /** Feature column, or 'score'. */
  readonly name: string;
  readonly psi: number;
  readonly status: PsiStatus;
  /** The PSI sampling noise alone stays below with 95 % probability ({@link psiNoDriftQuantile}). */
  readonly noise95: number;
}

/** PSI values of one population against the reference. */
export interface PopulationPsi {
  readonly numRows: number;
  readonly score?: PsiValue;
  readonly features: PsiValue[];
}

/** The stability report. */
export interface PsiReport {
  readonly reference: Population & { numRows: number };
  readonly federated: PopulationPsi;
  readonly perNode: (PopulationPsi & { nodeId: string })[];
  /**
   * One line per value in status "warning", e.g. 'node-3: score PSI 0.312 > 0.25', noting when
   * the value is within what sampling noise alone produces.
   */
  readonly warnings: string[];
}

interface Histograms {
  readonly features: Float64Array;
  readonly score?: Float64Array;
  readonly numRows: number;
}

async function collect(request: FederatedPsiRequest, population: Population): Promise<{ perNode: (Histograms & { nodeId: string })[]; total: Histograms }> {
  const layout = featureHistogramLayout(request.binning);
  const numScoreBins = request.numScoreBins ?? 1000;
  const { replies } = await exchange({
    transport: request.transport, jobId: request.jobId, round: request.round ?? 0, type: MONITORING_MESSAGES.histogram, nodeIds: request.nodeIds,
    arrays: request.parameters ? { parameters: request.parameters } : {},
    config: { datasetKey: population.datasetKey, split: population.split, binning: JSON.stringify(request.binning), numScoreBins },
    timeoutMs: request.timeoutMs, minReplies: request.minNodes,
  });
  const perNode = replies.map((r) => ({
    nodeId: r.nodeId,
    features: readArray(r.arrays, 'features', layout.length),
    score: request.parameters ? readArray(r.arrays, 'score', numScoreBins) : undefined,
    numRows: Number(r.config.numRows ?? 0),
  }));
  const aggregator = request.aggregator ?? plainAggregator;
  // One sum for features and score together, so a secure aggregator runs one protocol.
  const total = aggregator.sum(perNode.map((n) => ({ nodeId: n.nodeId, vector: concat(n.features, n.score) })));
  return {
    perNode,
    total: { features: total.subarray(0, layout.length), score: request.parameters ? total.subarray(layout.length) : undefined, numRows: perNode.reduce((s, n) => s + n.numRows, 0) },
  };
}

function concat(a: Float64Array, b: Float64Array | undefined): Float64Array {
  if (!b) return a;
  const out = new Float64Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * Run the reference and current exchanges and compute the report (see the module doc).
 *
 * @example
 * const report = await federatedPsi({ transport, jobId, nodeIds, minNodes: 3, timeoutMs: 60_000, binning, parameters,
 *   reference: { datasetKey: 'german', split: 'train' }, current: { datasetKey: 'german', split: 'test' } });
 */
export async function federatedPsi(request: FederatedPsiRequest): Promise<PsiReport> {
  const reference = await collect(request, request.reference);
  const current = await collect(request, request.current);
  const layout = featureHistogramLayout(request.binning);
  const starts = reference.total.score ? quantileGroups(reference.total.score, request.scoreGroups ?? 10) : undefined;
  const psiOf = (name: string, ref: ArrayLike<number>, cur: ArrayLike<number>, numCurrent: number): PsiValue => {
    const psi = populationStabilityIndex(ref, cur, { epsilon: request.epsilon });
    let numBins = 0;
    for (let i = 0; i < ref.length; i++) if (ref[i] > 0 || cur[i] > 0) numBins++;
    const noise95 = psiNoDriftQuantile({ numBins, numReference: reference.total.numRows, numCurrent });
    return { name, psi, status: psiStatus(psi), noise95 };
  };
  const compare = (h: Histograms): PopulationPsi => ({
    numRows: h.numRows,
    score: starts && h.score ? psiOf('score', regroup(reference.total.score!, starts), regroup(h.score, starts), h.numRows) : undefined,
    features: layout.slots.map((s) => psiOf(s.column, reference.total.features.subarray(s.offset, s.offset + s.length), h.features.subarray(s.offset, s.offset + s.length), h.numRows)),
  });
  const federated = compare(current.total);
  const perNode = (request.perNode ?? true) ? current.perNode.filter((n) => n.numRows > 0).map((n) => ({ nodeId: n.nodeId, ...compare(n) })) : [];
  const warnings: string[] = [];
  for (const [who, p] of [['federation', federated] as const, ...perNode.map((n) => [n.nodeId, n] as const)]) {
    for (const v of [...(p.score ? [p.score] : []), ...p.features]) {
      if (v.status !== 'warning') continue;
      const noise = v.psi <= v.noise95 ? ` (within sampling noise: ${v.noise95.toFixed(3)} at 95 %)` : '';
      warnings.push(`${who}: ${v.name} PSI ${v.psi.toFixed(3)} > 0.25${noise}`);
    }
  }
  return { reference: { ...request.reference, numRows: reference.total.numRows }, federated, perNode, warnings };
}
