/**
 * Fairness counts collected with a job's final evaluation, so that every model version carries
 * the data of its fairness section (src/report): the coordinator adds a `fairness` setting to the
 * `evaluate` message, and the node appends its group × decision × outcome counts and per-group
 * calibration histograms (./counts.ts) to the evaluation sums. One summed vector, so the counts
 * go through plain or secure aggregation exactly like the histograms: only sums over rows ever
 * leave a node, never a record or a protected value.
 */
import type { Table } from '../data/schema.js';
import { ProtocolError, readJson } from '../protocol/config.js';
import type { ConfigValue } from '../protocol/message.js';
import { fairnessLayout, localFairnessCounts, BIN_SIZE, CONFUSION_SIZE } from './counts.js';
import { groupIndex, parseFairnessAttributes, type FairnessAttribute } from './groups.js';

/** What the coordinator asks for: attributes, the approval threshold and calibration bins. */
export interface EvaluationFairness {
  readonly attributes: readonly FairnessAttribute[];
  /** Approve when P(default) < threshold. */
  readonly threshold: number;
  /** Calibration bins per group (uniform on the probability of default). */
  readonly numBins: number;
}

/** Key of the setting in the evaluate message's config. */
export const FAIRNESS_CONFIG_KEY = 'fairness';

/** Check a fairness request received from the network; throws TypeError naming the problem. */
export function parseEvaluationFairness(value: unknown): EvaluationFairness {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TypeError('fairness: expected { attributes, threshold, numBins }');
  const v = value as Record<string, unknown>;
  const threshold = v.threshold;
  if (typeof threshold !== 'number' || !(threshold > 0 && threshold <= 1)) throw new TypeError(`fairness.threshold: expected a probability in (0, 1], got ${JSON.stringify(threshold)}`);
  const numBins = v.numBins;
  if (typeof numBins !== 'number' || !Number.isInteger(numBins) || numBins < 1 || numBins > 100) throw new TypeError(`fairness.numBins: expected an integer from 1 to 100, got ${JSON.stringify(numBins)}`);
  return { attributes: parseFairnessAttributes(v.attributes), threshold, numBins };
}

/** The config entry of an evaluate message that asks for fairness counts. */
export function fairnessConfig(request: EvaluationFairness): Record<string, string> {
  return { [FAIRNESS_CONFIG_KEY]: JSON.stringify({ attributes: request.attributes, threshold: request.threshold, numBins: request.numBins }) };
}

/** Length of the counts vector a request produces. */
export function fairnessCountsLength(request: EvaluationFairness): number {
  return fairnessLayout(request.attributes, request.numBins).length;
}

/**
 * Node side: the evaluation sums with the fairness counts appended when the message asks for
 * them (the sums unchanged otherwise). `table` is the split that was scored, `probabilities` the
 * model's P(default) for its rows.
 */
export function withFairnessCounts(config: Readonly<Record<string, ConfigValue>>, sums: Float64Array, table: Table, probabilities: Float64Array): Float64Array {
  if (config[FAIRNESS_CONFIG_KEY] === undefined) return sums;
  let request: EvaluationFairness;
  try {
    request = parseEvaluationFairness(readJson(config, FAIRNESS_CONFIG_KEY, 200_000));
  } catch (err) {
    if (err instanceof TypeError) throw new ProtocolError(`config.${FAIRNESS_CONFIG_KEY}: ${err.message}`);
    throw err;
  }
  for (const a of request.attributes) {
    if (!table.schema.columns.some((c) => c.name === a.column)) throw new ProtocolError(`config.${FAIRNESS_CONFIG_KEY}: column "${a.column}" is not in this dataset`);
  }
  const counts = localFairnessCounts(request.attributes, request.attributes.map((a) => groupIndex(table, a)), probabilities, table.label, request);
  const out = new Float64Array(sums.length + counts.length);
  out.set(sums);
  out.set(counts, sums.length);
  return out;
}

/**
 * Coordinator side, after secure aggregation: fixed-point sums come back within a quantization
 * step, so the count entries (not the sums of predicted probabilities) are rounded to integers.
 */
export function roundFairnessCounts(counts: Float64Array, request: EvaluationFairness): Float64Array {
  const layout = fairnessLayout(request.attributes, request.numBins);
  if (counts.length !== layout.length) throw new RangeError(`counts: length ${counts.length}, expected ${layout.length}`);
  const out = Float64Array.from(counts, (v) => Math.max(0, v));
  for (let block = 0; block < out.length; block += layout.blockSize) {
    for (let i = 0; i < CONFUSION_SIZE; i++) out[block + i] = Math.round(out[block + i]);
    for (let k = 0; k < request.numBins; k++) {
      const at = block + CONFUSION_SIZE + BIN_SIZE * k;
      out[at] = Math.round(out[at]);
      out[at + 2] = Math.round(out[at + 2]);
    }
  }
  return out;
}
