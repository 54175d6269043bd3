/**
 * What each summed message type contributes to a federated sum. Both sides use this one
 * definition: the coordinator adds contributions in the clear (plain aggregation), and under
 * secure aggregation the node's mod masks exactly this vector, so the coordinator learns the
 * same sum and nothing else.
 *
 * - `train`: [w·θ, w] with w = numExamples / weightScale, so Σ w·θ / Σ w is the example-weighted
 *   FedAvg mean. `weightScale` (the federation's row count, known after preprocessing) keeps
 *   every entry small for fixed-point encoding; plain aggregation uses weightScale = 1.
 * - `evaluate`: the score-histogram sums as they are.
 * - `stats`: the preprocessing statistics (or the part of them asked for) as they are.
 * - boosting (../node/gbdtHandlers.ts): `gbdt.sketch` its grid counts, `gbdt.setup` its
 *   [numRows, numBad], `gbdt.level` its [G, H, N] histograms, `gbdt.trees` its loss sums and
 *   `gbdt.evaluate` its score-histogram sums, each as it is.
 */
import { ProtocolError } from './config.js';
import type { Reply } from './message.js';

/** Message types whose replies are summed. */
export const SUMMED_TYPES = ['train', 'evaluate', 'stats', 'gbdt.sketch', 'gbdt.setup', 'gbdt.level', 'gbdt.trees', 'gbdt.evaluate'] as const;
export type SummedType = (typeof SUMMED_TYPES)[number];

/** The reply array that is the contribution, for the types summed as they are. */
const SUMMED_ARRAY: Record<Exclude<SummedType, 'train'>, string> = {
  evaluate: 'sums', stats: 'stats', 'gbdt.sketch': 'sketch', 'gbdt.setup': 'labelSums', 'gbdt.level': 'histograms', 'gbdt.trees': 'lossSums', 'gbdt.evaluate': 'sums',
};

/** Whether replies of `type` are summed (and may go through secure aggregation). */
export function isSummedType(type: string): type is SummedType {
  return (SUMMED_TYPES as readonly string[]).includes(type);
}

/** The contribution vector of a (plain) reply. */
export function contributionOf(reply: Reply, weightScale = 1): Float64Array {
  if (!(weightScale > 0) || !Number.isFinite(weightScale)) throw new RangeError(`weightScale: expected a finite number > 0, got ${weightScale}`);
  if (reply.type === 'train') {
    const params = reply.arrays.parameters;
    const n = reply.config.numExamples;
    if (!(params instanceof Float64Array) || typeof n !== 'number' || !(n >= 0)) throw new ProtocolError('train reply: needs arrays.parameters and config.numExamples');
    const w = n / weightScale;
    const out = new Float64Array(params.length + 1);
    for (let i = 0; i < params.length; i++) out[i] = w * params[i];
    out[params.length] = w;
    return out;
  }
  if (isSummedType(reply.type)) {
    const key = SUMMED_ARRAY[reply.type as Exclude<SummedType, 'train'>];
    const sums = reply.arrays[key];
    if (!(sums instanceof Float64Array)) throw new ProtocolError(`${reply.type} reply: needs arrays.${key}`);
    return sums;
  }
  throw new ProtocolError(`replies of type "${reply.type}" are not summed`);
}
