/**
 * Bin edges of a boosting job from federated quantile sketches (round 0): every node sends the
 * grid histograms of its numeric feature columns (`gbdt.sketch`, ../model/gbdt/sketch.ts), the
 * coordinator sums them, plainly or through secure aggregation (./gbdtSums.ts), and cuts each
 * column at the quantiles of the sum. The sketch is also the message that admits the job at each
 * lender (its owner's policy and approval), as `stats` does for the other models.
 */
import { featureColumns } from '../data/schema.js';
import type { GbdtFeature } from '../model/gbdt/features.js';
import { binningFromSketch, sketchLength } from '../model/gbdt/sketch.js';
import { RoundError } from './errors.js';
import { federationRows, gbdtSum, roundCounts, type FederationRows } from './gbdtSums.js';
import type { PreprocessRequest } from './preprocess.js';

/** A preprocessing request (the same nodes, dataset and aggregation of the sums) with the bin budget. */
export interface GbdtBinningRequest extends PreprocessRequest {
  readonly maxBins: number;
}

export interface GbdtBinningResult {
  readonly features: GbdtFeature[];
  /** Nodes whose sketch is in the sum. */
  readonly participants: string[];
  /** Training rows summed over the participants (from the sketches). */
  readonly numRows: number;
  /** The row counts the nodes published (secure mode only): pass them on to the trainer. */
  readonly rows?: FederationRows;
}

/** Sum the nodes' sketches and cut the bins; see the module doc. */
export async function federatedGbdtBinning(request: GbdtBinningRequest): Promise<GbdtBinningResult> {
  const { transport, jobId, datasetKey, timeoutMs, minNodes } = request;
  const aggregation = request.aggregation ?? { kind: 'plain' };
  const nodeIds = [...request.nodeIds].sort();
  const columns = featureColumns(request.schema, request.includeProtected ?? false);
  const rows = aggregation.kind === 'secure' ? await federationRows({ transport, jobId, datasetKey, nodeIds, timeoutMs, minReplies: minNodes }) : undefined;
  const sketch = await gbdtSum({
    transport, jobId, round: 0, type: 'gbdt.sketch', nodeIds: rows ? nodeIds.filter((id) => rows.nodes.includes(id)) : nodeIds, timeoutMs, minReplies: minNodes, aggregation, aggregator: request.aggregator,
    config: { datasetKey, includeProtected: request.includeProtected ?? false },
    key: 'sketch', length: sketchLength(columns), clip: rows?.maxTrain ?? 0, integers: true, clean: roundCounts,
    check: (v) => (v.every((x) => x >= 0 && x <= v[0]) ? undefined : 'sketch counts out of range'),
  });
  if (sketch.included.length < minNodes) throw new RoundError('TOO_FEW_NODES', 0, `gbdt.sketch: ${sketch.included.length} valid replies, at least ${minNodes} needed`);
  return { features: binningFromSketch(columns, sketch.sum, request.maxBins), participants: [...sketch.included].sort(), numRows: sketch.sum[0], ...(rows ? { rows } : {}) };
}
