/**
 * What a data scientist submits to train a model (`POST /api/v1/jobs`, `fedcredit jobs
 * submit`): parsed from untrusted JSON into a complete spec with defaults, or a list of coded
 * issues naming each bad field.
 */
import { STRATEGY_NAMES } from '../strategy/index.js';
import type { JobSpec } from '../store/index.js';

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

const TOP_FIELDS = new Set(['datasetKey', 'model', 'strategy', 'hyperparameters', 'rounds', 'minNodes', 'roundTimeoutMs', 'seed', 'options']);
const HYPER_FIELDS = new Set(['epochs', 'batchSize', 'lr', 'optimizer', 'l2', 'classWeights', 'fractionFit', 'hidden', 'activation', 'proximalMu', 'beta', 'numByzantine', 'multiKrum', 'serverLr', 'beta1', 'beta2', 'tau']);
const OPTION_FIELDS = new Set(['approveModel', 'description']);

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
  const model = str(b.model, 'model', JOB_DEFAULTS.model, ['logreg', 'mlp']);
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
  }
  const o = b.options === undefined ? {} : b.options;
  const options: Record<string, boolean | string> = {};
  if (typeof o !== 'object' || o === null || Array.isArray(o)) add('options', 'wrong_type', 'expected an object');
  else {
    for (const [k, v] of Object.entries(o)) {
      if (!OPTION_FIELDS.has(k)) add(`options.${k}`, 'unknown_field', `unknown option; expected one of ${[...OPTION_FIELDS].join(', ')}`);
      else if (k === 'approveModel' && typeof v !== 'boolean') add('options.approveModel', 'wrong_type', 'expected true or false');
      else if (k === 'description' && (typeof v !== 'string' || v.length > 1000)) add('options.description', 'wrong_type', 'expected a string of at most 1000 characters');
      else options[k] = v as boolean | string;
    }
  }
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, spec: { datasetKey, model, strategy, hyperparameters, rounds, minNodes, roundTimeoutMs, seed, options } };
}
