/**
 * Differentially private federated analytics, the PySyft idea: a data scientist asks a dataset
 * for a count, a mean or a histogram and gets a noisy answer, never a record. Each answer is one
 * Laplace (pure ε-DP) or Gaussian ((ε, δ)-DP, analytic calibration) release over the dataset's
 * training rows, charged to the dataset's privacy budget by the privacy mod before it leaves.
 *
 * Sensitivities (add/remove one record): a count changes by 1; a histogram changes one bin by
 * 1; a mean is released as a noisy centred sum Σ(clip(v) − m) (m the middle of the declared
 * bounds, sensitivity h = half their width) and a noisy count, each normalised to sensitivity
 * 1, so the pair has L1 sensitivity 2 and L2 sensitivity √2. Values outside the declared
 * bounds are clipped into them; missing values are not counted in a mean and fall in a
 * histogram's last bin.
 */
import type { Table } from '../data/schema.js';
import type { PrivacySpend } from '../privacy/cost.js';
import { gaussianSigmaFor, laplaceNoise } from '../privacy/mechanisms.js';
import { cryptoNoiseSource, type NoiseSource } from '../privacy/noiseSource.js';
import { ProtocolError, readJson, readString } from '../protocol/config.js';
import { replyTo, type ConfigValue, type Message } from '../protocol/message.js';
import type { Handler, Mod } from './app.js';
import type { NodeDataset } from './jobContext.js';

/** A question to one dataset, carried as JSON in `config.query` of an `analytics` message. */
export interface AnalyticsQuery {
  readonly kind: 'count' | 'mean' | 'histogram';
  /** The column a mean or histogram is about. */
  readonly column?: string;
  /** Only rows whose column equals the value (the target column takes "bad" or "good"). */
  readonly where?: { readonly column: string; readonly equals: string | number };
  /** Equal-width bins of a numeric histogram (default 10). */
  readonly bins?: number;
  /** [lo, hi] for a numeric mean or histogram: values are clipped into it. */
  readonly bounds?: readonly [number, number];
  readonly epsilon: number;
  /** Required for the Gaussian mechanism. */
  readonly delta?: number;
  readonly mechanism: 'laplace' | 'gaussian';
  /** Idempotency key: asking again with the same id returns the same answer, charged once. */
  readonly queryId?: string;
}

const FIELDS = ['kind', 'column', 'where', 'bins', 'bounds', 'epsilon', 'delta', 'mechanism', 'queryId'];

/** Check a query from the network; throws ProtocolError (BAD_MESSAGE) naming the field. */
export function parseAnalyticsQuery(value: unknown): AnalyticsQuery {
  const bad = (message: string): never => {
    throw new ProtocolError(`config.query.${message}`);
  };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ProtocolError('config.query: expected a JSON object');
  const q = value as Record<string, unknown>;
  for (const key of Object.keys(q)) if (!FIELDS.includes(key)) bad(`${key}: unknown field; expected one of ${FIELDS.join(', ')}`);
  if (q.kind !== 'count' && q.kind !== 'mean' && q.kind !== 'histogram') bad(`kind: expected count, mean or histogram, got ${JSON.stringify(q.kind)}`);
  if (q.mechanism !== 'laplace' && q.mechanism !== 'gaussian') bad(`mechanism: expected laplace or gaussian, got ${JSON.stringify(q.mechanism)}`);
  if (typeof q.epsilon !== 'number' || !(q.epsilon > 0 && q.epsilon <= 100)) bad(`epsilon: expected a number above 0 up to 100, got ${JSON.stringify(q.epsilon)}`);
  if (q.mechanism === 'gaussian' && (typeof q.delta !== 'number' || !(q.delta > 0 && q.delta < 0.1))) bad(`delta: the Gaussian mechanism needs a δ above 0 and below 0.1, got ${JSON.stringify(q.delta)}`);
  if (q.mechanism === 'laplace' && q.delta !== undefined) bad('delta: the Laplace mechanism is pure ε-DP; leave delta out');
  if (q.kind !== 'count' && (typeof q.column !== 'string' || q.column === '')) bad(`column: required for a ${String(q.kind)}`);
  if (q.kind === 'count' && q.column !== undefined) bad('column: a count takes no column (use where)');
  if (q.bounds !== undefined) {
    const b = q.bounds;
    if (!Array.isArray(b) || b.length !== 2 || !b.every((x) => typeof x === 'number' && Number.isFinite(x)) || !(b[0] < b[1])) bad('bounds: expected [lo, hi] with finite lo < hi');
  }
  if (q.bins !== undefined && (!Number.isInteger(q.bins) || (q.bins as number) < 1 || (q.bins as number) > 1000)) bad('bins: expected an integer from 1 to 1000');
  if (q.where !== undefined) {
    const w = q.where as Record<string, unknown>;
    if (typeof w !== 'object' || w === null || typeof w.column !== 'string' || (typeof w.equals !== 'string' && typeof w.equals !== 'number')) bad('where: expected { column, equals }');
  }
  if (q.queryId !== undefined && (typeof q.queryId !== 'string' || q.queryId === '' || q.queryId.length > 200)) bad('queryId: expected a non-empty string of at most 200 characters');
  return q as unknown as AnalyticsQuery;
}

/** The Gaussian σ (per normalised coordinate) of a query: analytic calibration to its L2 sensitivity. */
function gaussianSigma(query: AnalyticsQuery): number {
  return gaussianSigmaFor({ epsilon: query.epsilon, delta: query.delta!, sensitivity: query.kind === 'mean' ? Math.SQRT2 : 1 });
}

/** What answering `query` costs: its mechanism's Rényi DP and its own (ε, δ). */
export function analyticsSpend(query: AnalyticsQuery): PrivacySpend {
  if (query.mechanism === 'laplace') return { cost: { mechanism: 'laplace', epsilon: query.epsilon, parts: query.kind === 'mean' ? 2 : 1 }, epsilon: query.epsilon, delta: 0 };
  const sensitivity = query.kind === 'mean' ? Math.SQRT2 : 1;
  return { cost: { mechanism: 'gaussian', noiseMultiplier: gaussianSigma(query) / sensitivity }, epsilon: query.epsilon, delta: query.delta! };
}

/** Indices of the rows matching `where` (every row without it). */
function selectedRows(table: Table, where: AnalyticsQuery['where']): number[] {
  const all = Array.from({ length: table.numRows }, (_, i) => i);
  if (!where) return all;
  const { schema } = table;
  if (where.column === schema.target.name) {
    const bad = where.equals === 'bad' || where.equals === schema.target.bad;
    const good = where.equals === 'good' || (schema.target.good !== undefined && where.equals === schema.target.good);
    if (!bad && !good) throw new ProtocolError(`config.query.where.equals: the target takes "bad" or "good", got ${JSON.stringify(where.equals)}`);
    return all.filter((i) => table.label[i] === (bad ? 1 : 0));
  }
  const numeric = table.numeric[where.column];
  if (numeric) {
    if (typeof where.equals !== 'number') throw new ProtocolError(`config.query.where.equals: column "${where.column}" is numeric; expected a number`);
    return all.filter((i) => numeric[i] === where.equals);
  }
  const codes = table.categorical[where.column];
  if (!codes) throw new ProtocolError(`config.query.where.column: no column "${where.column}" in dataset "${schema.name}"`);
  return all.filter((i) => codes[i] === String(where.equals));
}

/**
 * Answer `query` over `table` with fresh noise from `noise`: the noisy arrays (`value` for a
 * count; `sum` and `count` for a mean, whose ratio is the mean; `counts` for a histogram) and
 * config (noise scale, the mean, bin labels). Pure apart from the noise; the caller charges it.
 */
export function answerQuery(table: Table, query: AnalyticsQuery, noise: NoiseSource): { arrays: Record<string, Float64Array>; config: Record<string, ConfigValue> } {
  const rows = selectedRows(table, query.where);
  // One draw of noise with unit sensitivity: Laplace(scale parts/ε) or N(0, σ²).
  const parts = query.kind === 'mean' ? 2 : 1;
  const sigma = query.mechanism === 'gaussian' ? gaussianSigma(query) : 0;
  const draw = (): number => (query.mechanism === 'laplace' ? laplaceNoise(parts / query.epsilon, noise) : sigma * noise.normal());
  const scale = { mechanism: query.mechanism, noiseScale: query.mechanism === 'laplace' ? parts / query.epsilon : sigma };
  if (query.kind === 'count') return { arrays: { value: Float64Array.of(rows.length + draw()) }, config: { ...scale } };

  const column = query.column!;
  const numeric = table.numeric[column];
  const codes = table.categorical[column];
  if (!numeric && !codes) throw new ProtocolError(`config.query.column: no column "${column}" in dataset "${table.schema.name}"`);
  if (numeric && query.bounds === undefined) throw new ProtocolError(`config.query.bounds: required for numeric column "${column}" (values are clipped into [lo, hi]; the noise is scaled to it)`);
  if (query.kind === 'mean') {
    if (!numeric) throw new ProtocolError(`config.query.column: "${column}" is not numeric; a mean needs a numeric column`);
    const [lo, hi] = query.bounds!;
    const middle = (lo + hi) / 2;
    const half = (hi - lo) / 2;
    let centred = 0;
    let count = 0;
    for (const i of rows) {
      const v = numeric[i];
      if (Number.isNaN(v)) continue;
      centred += Math.min(hi, Math.max(lo, v)) - middle;
      count++;
    }
    const noisyCount = count + draw();
    const noisyCentred = centred + half * draw();
    const mean = noisyCount > 0 ? Math.min(hi, Math.max(lo, middle + noisyCentred / noisyCount)) : middle;
    return { arrays: { sum: Float64Array.of(noisyCentred + middle * noisyCount), count: Float64Array.of(noisyCount) }, config: { ...scale, mean } };
  }
  let labels: string[];
  let binOf: (i: number) => number;
  if (numeric) {
    const [lo, hi] = query.bounds!;
    const bins = query.bins ?? 10;
    const width = (hi - lo) / bins;
    labels = [...Array.from({ length: bins }, (_, b) => `[${lo + b * width}, ${lo + (b + 1) * width}${b === bins - 1 ? ']' : ')'}`), 'missing'];
    binOf = (i) => (Number.isNaN(numeric[i]) ? bins : Math.min(bins - 1, Math.max(0, Math.floor((numeric[i] - lo) / width))));
  } else {
    const categories = table.schema.columns.find((c) => c.name === column)?.categories ?? [...new Set(codes.filter((c): c is string => c !== null))].sort();
    const index = new Map(categories.map((c, b) => [c, b] as const));
    labels = [...categories, 'missing'];
    binOf = (i) => (codes[i] === null ? categories.length : (index.get(codes[i]!) ?? categories.length));
  }
  const counts = new Float64Array(labels.length);
  for (const i of rows) counts[binOf(i)]++;
  for (let b = 0; b < counts.length; b++) counts[b] += draw();
  return { arrays: { counts }, config: { ...scale, bins: JSON.stringify(labels) } };
}

/**
 * The `analytics` handler over the datasets a node holds: reads `config.datasetKey` and
 * `config.query`, answers over the training rows with noise from `options.noise` (the OS by
 * default). Charging the budget is the privacy mod's job; a node without that mod must not
 * register this handler.
 */
export function createAnalyticsHandler(datasets: ReadonlyMap<string, NodeDataset>, options: { noise?: () => NoiseSource } = {}): Handler {
  if (!(datasets instanceof Map)) throw new TypeError('datasets: expected a Map of NodeDataset');
  const noiseFor = options.noise ?? cryptoNoiseSource;
  return async (message: Message) => {
    const key = readString(message.config, 'datasetKey', { maxLength: 200 });
    const dataset = datasets.get(key);
    if (!dataset) throw new ProtocolError(`dataset "${key}" is not registered at this node`, 'DATASET_UNKNOWN');
    const query = parseAnalyticsQuery(readJson(message.config, 'query', 10_000));
    return replyTo(message, answerQuery(dataset.train, query, noiseFor()));
  };
}

/**
 * Let `analytics` messages through the owner's policy mod the way `describe` is: the dataset
 * must be registered and open to jobs, but no training job need be admitted (a query is not a
 * job; its spend is limited by the privacy budget instead).
 */
export function admitAnalyticsAsDescribe(policy: Mod): Mod {
  if (typeof policy !== 'function') throw new TypeError('policy: expected a Mod');
  return (message, next) => {
    if (message.type !== 'analytics') return policy(message, next);
    return policy({ ...message, type: 'describe' }, () => next(message)).then((reply) => ({ ...reply, type: message.type }));
  };
}
