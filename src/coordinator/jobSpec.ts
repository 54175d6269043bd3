/**
 * What a data scientist submits to train a model (`POST /api/v1/jobs`, `fedcredit jobs
 * submit`): parsed from untrusted JSON into a complete spec with defaults, or a list of coded
 * issues naming each bad field.
 */
import { STRATEGY_NAMES } from '../strategy/index.js';
import type { JobSpec, JsonObject } from '../store/index.js';
import { parsePrivacySettings, resolvePrivacy, type PrivacySettings } from '../privacy/plan.js';

export interface JobSubmissionIssue {
  readonly field: string;
  readonly code: 'required' | 'wrong_type' | 'out_of_range' | 'unknown_value' | 'unknown_field';
  readonly message: string;
}

/** The hyper-parameters a job understands, with their defaults. */
export const JOB_DEFAULTS = {
  model: 'logreg', strategy: 'fedavg', rounds: 30, minNodes: 2, roundTimeoutMs: 60_000, seed: 42,
  hyperparameters: { epochs: 1, batchSize: 32, lr: 0.01, optimizer: 'adam', l2: 1e-3, classWeights: 'none', fractionFit: 1 },
} as const;

const TOP_FIELDS = new Set(['datasetKey', 'model', 'strategy', 'hyperparameters', 'rounds', 'minNodes', 'roundTimeoutMs', 'seed', 'options', 'privacy']);
/** Defaults of a submission's `privacy` section; rounds and epochs come from the job itself. */
export const PRIVACY_DEFAULTS = { mechanism: 'dpsgd', delta: 1e-5, maxGradNorm: 1, sampleRate: 0.1, clipNorm: 1 } as const;
const PRIVACY_FIELDS: Record<PrivacySettings['mechanism'], readonly string[]> = {
  dpsgd: ['mechanism', 'targetEpsilon', 'noiseMultiplier', 'delta', 'maxGradNorm', 'sampleRate'],
  'dp-fedavg': ['mechanism', 'targetEpsilon', 'noiseMultiplier', 'delta', 'clipNorm', 'nodeSampleRate', 'numNodes'],
};
const HYPER_FIELDS = new Set(['epochs', 'batchSize', 'lr', 'optimizer', 'l2', 'classWeights', 'fractionFit', 'hidden', 'activation', 'proximalMu', 'beta', 'numByzantine', 'multiKrum', 'serverLr', 'beta1', 'beta2', 'tau', 'depth', 'learningRate', 'lambda', 'minChildWeight', 'maxBins']);
const OPTION_FIELDS = new Set(['approveModel', 'description', 'secureAggregation', 'secaggNeighbours', 'aggregation', 'paillierKeyBits']);
/** How a job's sums are protected (see aggregationMode.ts); `secureAggregation: true` means 'secure'. */
const AGGREGATION_MODES = ['plain', 'secure', 'paillier'] as const;
const PAILLIER_KEY_BITS = [1024, 2048, 3072, 4096];

/** Parse a job submission. */
export function parseJobSubmission(body: unknown): { ok: true; spec: JobSpec } | { ok: false; issues: JobSubmissionIssue[] } {
  const issues: JobSubmissionIssue[] = [];
  const add = (field: string, code: JobSubmissionIssue['code'], message: string) => issues.push({ field, code, message });
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, issues: [{ field: '', code: 'wrong_type', message: 'expected a JSON object' }] };
  const b = body as Record<string, unknown>;
  for (const k of Object.keys(b)) if (!TOP_FIELDS.has(k)) add(k, 'unknown_field', `unknown field; expected one of ${[...TOP_FIELDS].join(', ')}`);

  const str = (v: unknown, field: string, fallback?: string, allowed?: readonly string[]): string => {
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v !== 'string' || v.length === 0 || v.length > 200) { add(field, v === undefined ? 'required' : 'wrong_type', 'expected a non-empty string of at most 200 characters'); return fallback ?? ''; }
    if (allowed && !allowed.includes(v)) add(field, 'unknown_value', `expected one of ${allowed.join(', ')}, got "${v}"`);
    return v;
  };
  const num = (v: unknown, field: string, fallback: number, min: number, max: number, integer = false): number => {
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !Number.isFinite(v)) { add(field, 'wrong_type', `expected a number, got ${JSON.stringify(v)}`); return fallback; }
    if ((integer && !Number.isInteger(v)) || v < min || v > max) add(field, 'out_of_range', `expected ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got ${v}`);
    return v;
  };

  const datasetKey = str(b.datasetKey, 'datasetKey');
  const model = str(b.model, 'model', JOB_DEFAULTS.model, ['logreg', 'mlp', 'gbdt']);
  const strategy = str(b.strategy, 'strategy', JOB_DEFAULTS.strategy, STRATEGY_NAMES);
  const rounds = num(b.rounds, 'rounds', JOB_DEFAULTS.rounds, 1, 10_000, true);
  const minNodes = num(b.minNodes, 'minNodes', JOB_DEFAULTS.minNodes, 1, 10_000, true);
  const roundTimeoutMs = num(b.roundTimeoutMs, 'roundTimeoutMs', JOB_DEFAULTS.roundTimeoutMs, 100, 3_600_000, true);
  let seed: string | number = JOB_DEFAULTS.seed;
  if (b.seed !== undefined) {
    if ((typeof b.seed === 'number' && Number.isSafeInteger(b.seed)) || (typeof b.seed === 'string' && b.seed.length > 0 && b.seed.length <= 100)) seed = b.seed;
    else add('seed', 'wrong_type', 'expected an integer or a short string');
  }

  const h = b.hyperparameters === undefined ? {} : b.hyperparameters;
  const hyperparameters: Record<string, number | string | number[]> = {};
  if (typeof h !== 'object' || h === null || Array.isArray(h)) add('hyperparameters', 'wrong_type', 'expected an object');
  else {
    const hp = h as Record<string, unknown>;
    for (const k of Object.keys(hp)) if (!HYPER_FIELDS.has(k)) add(`hyperparameters.${k}`, 'unknown_field', `unknown hyper-parameter; expected one of ${[...HYPER_FIELDS].join(', ')}`);
    const d = JOB_DEFAULTS.hyperparameters;
    hyperparameters.epochs = num(hp.epochs, 'hyperparameters.epochs', d.epochs, 1, 1000, true);
    hyperparameters.batchSize = num(hp.batchSize, 'hyperparameters.batchSize', d.batchSize, 1, 100_000, true);
    hyperparameters.lr = num(hp.lr, 'hyperparameters.lr', d.lr, 1e-9, 10);
    hyperparameters.l2 = num(hp.l2, 'hyperparameters.l2', model === 'mlp' ? 1e-2 : d.l2, 0, 100);
    hyperparameters.fractionFit = num(hp.fractionFit, 'hyperparameters.fractionFit', d.fractionFit, 1e-6, 1);
    hyperparameters.optimizer = str(hp.optimizer, 'hyperparameters.optimizer', d.optimizer, ['sgd', 'adam']);
    hyperparameters.classWeights = str(hp.classWeights, 'hyperparameters.classWeights', d.classWeights, ['none', 'balanced']);
    if (model === 'mlp') {
      const hidden = hp.hidden ?? [16];
      if (!Array.isArray(hidden) || hidden.length < 1 || hidden.length > 2 || !hidden.every((x) => Number.isInteger(x) && x >= 1 && x <= 1024)) add('hyperparameters.hidden', 'out_of_range', 'expected 1 or 2 layer sizes from 1 to 1024');
      else hyperparameters.hidden = hidden as number[];
      hyperparameters.activation = str(hp.activation, 'hyperparameters.activation', 'relu', ['relu', 'tanh']);
    } else if (hp.hidden !== undefined || hp.activation !== undefined) add('hyperparameters.hidden', 'unknown_field', 'hidden/activation apply to model "mlp" only');
    for (const k of ['proximalMu', 'beta', 'numByzantine', 'multiKrum', 'serverLr', 'beta1', 'beta2', 'tau'] as const) {
      if (hp[k] !== undefined) hyperparameters[k] = num(hp[k], `hyperparameters.${k}`, 0, 0, 1e6);
    }
    const treeFields = ['depth', 'learningRate', 'lambda', 'minChildWeight', 'maxBins'] as const;
    if (model === 'gbdt') {
      // trees = rounds; the rest checked by the GBDT parameter rules
      const bounds = { depth: [1, 6, true], learningRate: [1e-6, 1, false], lambda: [0, 1e6, false], minChildWeight: [0, 1e6, false], maxBins: [2, 255, true] } as const;
      for (const k of treeFields) if (hp[k] !== undefined) hyperparameters[k] = num(hp[k], `hyperparameters.${k}`, 0, bounds[k][0], bounds[k][1], bounds[k][2]);
      if (rounds > 500) add('rounds', 'out_of_range', 'a gbdt job grows one tree per round: at most 500');
      if (!['fedavg'].includes(strategy) && b.strategy !== undefined) add('strategy', 'out_of_range', 'gbdt grows trees from aggregated histograms; leave strategy unset (fedavg)');
    } else for (const k of treeFields) if (hp[k] !== undefined) add(`hyperparameters.${k}`, 'unknown_field', `${k} applies to model "gbdt" only`);
  }
  const o = b.options === undefined ? {} : b.options;
  const options: Record<string, boolean | string | number | JsonObject> = {};
  if (typeof o !== 'object' || o === null || Array.isArray(o)) add('options', 'wrong_type', 'expected an object');
  else {
    for (const [k, v] of Object.entries(o)) {
      if (!OPTION_FIELDS.has(k)) add(`options.${k}`, 'unknown_field', `unknown option; expected one of ${[...OPTION_FIELDS].join(', ')}`);
      else if ((k === 'approveModel' || k === 'secureAggregation') && typeof v !== 'boolean') add(`options.${k}`, 'wrong_type', 'expected true or false');
      else if (k === 'secaggNeighbours' && (!Number.isInteger(v) || (v as number) < 2 || (v as number) > 254)) add('options.secaggNeighbours', 'out_of_range', 'expected an integer from 2 to 254');
      else if (k === 'secureAggregation' && v === true && ['trimmed', 'median', 'krum'].includes(strategy)) add('options.secureAggregation', 'out_of_range', `strategy ${strategy} needs each node's update, which secure aggregation hides`);
      else if (k === 'description' && (typeof v !== 'string' || v.length > 1000)) add('options.description', 'wrong_type', 'expected a string of at most 1000 characters');
      else if (k === 'aggregation' && (typeof v !== 'string' || !(AGGREGATION_MODES as readonly string[]).includes(v))) add('options.aggregation', 'unknown_value', `expected one of ${AGGREGATION_MODES.join(', ')}, got ${JSON.stringify(v)}`);
      else if (k === 'paillierKeyBits' && !PAILLIER_KEY_BITS.includes(v as number)) add('options.paillierKeyBits', 'out_of_range', `expected one of ${PAILLIER_KEY_BITS.join(', ')}, got ${JSON.stringify(v)}`);
      else options[k] = v as boolean | string | number;
    }
    const mode = options.aggregation;
    if (mode !== undefined && options.secureAggregation === true && mode !== 'secure') add('options.aggregation', 'out_of_range', `secureAggregation: true asks for secure aggregation, aggregation asks for ${String(mode)}: choose one`);
    if (mode === 'paillier') {
      if (model === 'gbdt') add('options.aggregation', 'out_of_range', 'Paillier aggregation is for logistic regression and MLP jobs; boosted trees support plain and secure aggregation');
      if (['trimmed', 'median', 'krum'].includes(strategy)) add('options.aggregation', 'out_of_range', `strategy ${strategy} needs each node's update, which Paillier aggregation hides`);
      if (minNodes < 3) add('options.aggregation', 'out_of_range', 'Paillier aggregation needs minNodes ≥ 3 (with two nodes each learns the other\'s update from the sum)');
    } else if (mode === 'secure' && ['trimmed', 'median', 'krum'].includes(strategy)) add('options.aggregation', 'out_of_range', `strategy ${strategy} needs each node's update, which secure aggregation hides`);
    if (options.paillierKeyBits !== undefined && mode !== 'paillier') add('options.paillierKeyBits', 'out_of_range', 'applies to aggregation "paillier" only');
  }
  if (b.privacy !== undefined && model === 'gbdt') add('privacy', 'out_of_range', 'differential privacy is not available for gbdt yet');
  if (b.privacy !== undefined) {
    const privacy = parsePrivacySection(b.privacy, { rounds, minNodes, hyperparameters, strategy }, issues);
    if (privacy) options.privacy = { ...privacy };
  }
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, spec: { datasetKey, model, strategy, hyperparameters, rounds, minNodes, roundTimeoutMs, seed, options } };
}

/**
 * A submission's `privacy` section completed into the settings every node receives: defaults
 * filled in ({@link PRIVACY_DEFAULTS}; DP-FedAvg shares the noise out over `minNodes` and samples
 * nodes at `fractionFit`), rounds and epochs taken from the job, and σ checked to be reachable.
 */
function parsePrivacySection(
  value: unknown,
  job: { rounds: number; minNodes: number; hyperparameters: Record<string, unknown>; strategy: string },
  issues: JobSubmissionIssue[],
): PrivacySettings | undefined {
  const add = (field: string, code: JobSubmissionIssue['code'], message: string) => issues.push({ field, code, message });
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    add('privacy', 'wrong_type', 'expected an object, e.g. { "targetEpsilon": 3, "delta": 1e-5 }');
    return undefined;
  }
  const p = value as Record<string, unknown>;
  const mechanism = p.mechanism ?? PRIVACY_DEFAULTS.mechanism;
  if (mechanism !== 'dpsgd' && mechanism !== 'dp-fedavg') {
    add('privacy.mechanism', 'unknown_value', `expected one of dpsgd, dp-fedavg, got ${JSON.stringify(mechanism)}`);
    return undefined;
  }
  const before = issues.length;
  for (const k of Object.keys(p)) if (!PRIVACY_FIELDS[mechanism].includes(k)) add(`privacy.${k}`, 'unknown_field', `unknown privacy setting for ${mechanism}; expected one of ${PRIVACY_FIELDS[mechanism].join(', ')}`);
  if (job.strategy === 'fedprox') add('privacy', 'out_of_range', 'differential privacy does not support the fedprox strategy');
  if (job.hyperparameters.classWeights === 'balanced') add('privacy', 'out_of_range', 'differential privacy does not support classWeights "balanced"');
  if (issues.length > before) return undefined;
  const d = PRIVACY_DEFAULTS;
  const settings = mechanism === 'dpsgd'
    ? { delta: d.delta, maxGradNorm: d.maxGradNorm, sampleRate: d.sampleRate, ...p, mechanism, rounds: job.rounds, epochs: job.hyperparameters.epochs }
    : { delta: d.delta, clipNorm: d.clipNorm, nodeSampleRate: job.hyperparameters.fractionFit, numNodes: job.minNodes, ...p, mechanism, rounds: job.rounds };
  const parsed = parsePrivacySettings(settings);
  if (!parsed.ok) {
    for (const i of parsed.issues) add(`privacy${i.field ? `.${i.field}` : ''}`, i.message === 'required' ? 'required' : 'out_of_range', i.message);
    return undefined;
  }
  try {
    resolvePrivacy(parsed.settings);
  } catch (err) {
    add('privacy.targetEpsilon', 'out_of_range', (err as Error).message);
    return undefined;
  }
  return parsed.settings;
}

/** The JSON of a job's privacy settings for node messages, or undefined for a non-private job. */
export function privacyConfigOf(spec: JobSpec): string | undefined {
  const privacy = (spec.options as { privacy?: unknown } | undefined)?.privacy;
  return privacy === undefined ? undefined : JSON.stringify(privacy);
}
