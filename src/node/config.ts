/**
 * A lender node's configuration file (`fedcredit node --config node.yaml`). The data owner
 * registers datasets by key (the data scientist asks for `german-bank-a`, never for a path, as
 * in PySyft), sets the policy jobs must respect, and chooses where the node's own API listens.
 * Parsing reports every problem at once with its YAML path, because an owner fixing a file one
 * error per restart gives up; unknown keys are errors, since a misspelt `minRowsPerUpdate`
 * would otherwise silently fall back to its default and weaken the owner's policy.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { getBuiltinSchema } from '../data/builtin/index.js';
import { loadCsv } from '../data/csv.js';
import { inferSchema } from '../data/infer.js';
import { selectRows, type Schema, type Table } from '../data/schema.js';
import { stratifiedSplit } from '../data/split.js';
import { DataError } from '../errors.js';
import { deriveRandom } from '../math/random.js';
import { ConfigChecker, NodeConfigError, SLUG_PATTERN, didYouMean, substituteEnv, type ConfigIssue, type Mapping } from './configCheck.js';
import type { NodeDataset } from './jobContext.js';

export { NodeConfigError, SLUG_PATTERN, type ConfigIssue };

/** One dataset the node holds, registered under a key that jobs refer to. */
export interface DatasetConfig {
  key: string;
  /** Absolute path of the CSV file (relative paths in the file resolve against its folder). */
  file: string;
  schema: 'german' | 'credit_data' | { infer: { target: string; bad: string; id?: string } };
  /** Share of rows held out for evaluation, stratified by label (default 0.2). */
  testFraction: number;
  description?: string;
  /** The owner's privacy budget for the dataset: jobs must be differentially private and fit in it. */
  privacy?: { budget: { epsilon: number; delta: number } };
}

/** What jobs may do with this node's data. */
export interface PolicyConfig {
  /** Model kinds a job may train here (default both). */
  allowedModels: ('logreg' | 'mlp')[];
  /** Fewest train rows behind any aggregate the node sends (default 50). */
  minRowsPerUpdate: number;
  /** Highest round number the node trains in (default 200). */
  maxRounds: number;
  /** `auto` accepts every job the policy allows; `manual` waits for the owner (default auto). */
  approval: 'auto' | 'manual';
  /** Dataset keys jobs may use; every registered dataset when absent. */
  allowedDatasets?: string[];
}

/** Which machine-API scorings a node files in its workspace (see NodeConfig.scoring). */
export const KEEP_SCORED = ['api', 'all', 'none'] as const;
export type KeepScored = (typeof KEEP_SCORED)[number];

/** A lender node's validated configuration, with defaults filled in and paths resolved. */
export interface NodeConfig {
  institution: string;
  nodeName: string;
  /** Where the node keeps its state (approvals, keys); default `./.fedcredit/<nodeName>`. */
  dataDir: string;
  coordinator?: string;
  enrollmentToken?: string;
  api: { host: string; port: number };
  datasets: DatasetConfig[];
  policy: PolicyConfig;
  /**
   * `keepScored`: which machine-API scorings are stored in the node's workspace
   * (`<dataDir>/applications.db`) for officers' review and feedback. `api` (default): records
   * scored by `/api/v1/score`; `all` (or `true`): also those of the seed-compatible
   * `/predictCreditRisk`; `none` (or `false`): neither. Records scored from the workspace page
   * are always stored. The seed API is left out by default because filing a record costs about
   * four times scoring it (reasons, contributions, a database row): bulk decision engines keep
   * the throughput of the system FedCredit replaces unless the owner asks otherwise
   * (bench/results/scoring.json measures both).
   */
  scoring: { dataset?: string; thresholds: { review: number; decline: number }; keepScored: KeepScored };
  /**
   * `keyLifetime`: how long the node keeps the X25519 key pair of secure aggregation. `job`
   * (default): one pair per job, so a job's later rounds agree no new secrets; a key stolen
   * later would open the node's masked inputs of that job. `session`: a fresh pair every
   * session (forward secrecy), at k X25519 agreements per round. See docs/secure-aggregation.md.
   */
  secagg: { keyLifetime: SecAggKeyLifetime };
  tls?: { ca?: string };
}

/** Lifetimes of a node's secure-aggregation key pair (see NodeConfig.secagg). */
export const SECAGG_KEY_LIFETIMES = ['job', 'session'] as const;
export type SecAggKeyLifetime = (typeof SECAGG_KEY_LIFETIMES)[number];

/** Defaults applied when the file leaves a field out. */
export const NODE_CONFIG_DEFAULTS = Object.freeze({
  apiHost: '127.0.0.1',
  apiPort: 8049,
  testFraction: 0.2,
  allowedModels: Object.freeze(['logreg', 'mlp'] as const),
  minRowsPerUpdate: 50,
  maxRounds: 200,
  approval: 'auto' as const,
  // A 30 % bad rate is German Credit's base rate: applicants scored above it get a human look,
  // applicants more likely bad than good are declined.
  thresholds: Object.freeze({ review: 0.3, decline: 0.5 }),
});

const TOP_KEYS = ['institution', 'nodeName', 'dataDir', 'coordinator', 'enrollmentToken', 'api', 'datasets', 'policy', 'scoring', 'secagg', 'tls'] as const;
const DATASET_KEYS = ['key', 'file', 'schema', 'testFraction', 'description', 'privacy'] as const;
const POLICY_KEYS = ['allowedModels', 'minRowsPerUpdate', 'maxRounds', 'approval', 'allowedDatasets'] as const;
const BUILTIN_NAMES = ['german', 'credit_data'] as const;
const MODEL_KINDS = ['logreg', 'mlp'] as const;

/**
 * Parse and validate a node configuration. `file` names the file in messages, `baseDir`
 * resolves relative paths, `env` (default `process.env`) fills `${NAME}` and `${NAME:-default}`
 * references in string values (write `$${` for a literal `${`). Dataset and CA files must exist.
 * Throws {@link NodeConfigError} (a `ConfigError`) listing every problem, one per line, e.g.
 * `node.yaml: datasets[1].key: expected a slug ([a-z0-9-]{1,64}), got "Bank A"`.
 *
 * @example
 * const config = parseNodeConfig(readFileSync('node.yaml', 'utf8'), { file: 'node.yaml', baseDir: process.cwd() });
 */
export function parseNodeConfig(text: string, options: { file: string; baseDir: string; env?: NodeJS.ProcessEnv }): NodeConfig {
  if (typeof text !== 'string') throw new TypeError('text: expected a string');
  if (typeof options?.file !== 'string' || options.file === '') throw new TypeError('options.file: expected a non-empty string');
  if (typeof options.baseDir !== 'string' || options.baseDir === '') throw new TypeError('options.baseDir: expected a non-empty string');
  const { file } = options;
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new NodeConfigError(file, doc.errors.map((e) => ({ path: e.linePos ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}` : 'YAML', message: e.message.split(/ at line \d+/)[0] })));
  }
  const c = new ConfigChecker(resolve(options.baseDir));
  const root = c.mapping(substituteEnv(doc.toJS(), '', options.env ?? process.env, c), '', TOP_KEYS, 'the document') ?? {};
  const institution = c.string(root, 'institution', '', { required: true, maxLength: 200 }) ?? '';
  const nodeName = c.slug(root, 'nodeName', '') ?? 'node';
  const datasets = readDatasets(c, root.datasets);
  const keys = [...new Set(datasets.map((d) => d.key).filter((key) => SLUG_PATTERN.test(key)))];
  const api = c.section(root, 'api', '', ['host', 'port']);
  const tls = root.tls === undefined || root.tls === null ? undefined : c.section(root, 'tls', '', ['ca']);
  const config: NodeConfig = {
    institution,
    nodeName,
    dataDir: c.path(root, 'dataDir', '', { mustExist: false }) ?? resolve(c.baseDir, '.fedcredit', nodeName),
    ...optional('coordinator', c.url(root, 'coordinator', '')),
    ...optional('enrollmentToken', c.string(root, 'enrollmentToken', '', { maxLength: 4096 })),
    api: {
      host: c.string(api, 'host', 'api', { maxLength: 255 }) ?? NODE_CONFIG_DEFAULTS.apiHost,
      port: c.integer(api, 'port', 'api', { min: 0, max: 65535, fallback: NODE_CONFIG_DEFAULTS.apiPort, hint: '(0 = any free port)' }),
    },
    datasets,
    policy: readPolicy(c, root, keys),
    scoring: readScoring(c, root, datasets, keys),
    secagg: { keyLifetime: c.oneOf(c.section(root, 'secagg', '', ['keyLifetime']), 'keyLifetime', 'secagg', SECAGG_KEY_LIFETIMES) ?? 'job' },
    ...(tls ? { tls: optional('ca', c.path(tls, 'ca', 'tls', { mustExist: true })) } : {}),
  };
  if (c.issues.length > 0) throw new NodeConfigError(file, c.issues);
  return config;
}

/**
 * Read and parse a node configuration file; relative paths in it resolve against the file's
 * folder and `${NAME}` references come from `process.env`. Throws `ConfigError` when the file
 * cannot be read or is invalid.
 */
export function loadNodeConfig(path: string): NodeConfig {
  if (typeof path !== 'string' || path === '') throw new TypeError('path: expected a non-empty string');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new NodeConfigError(path, [{ path: '(file)', message: `cannot read the node configuration (${(err as Error).message})` }], 'CONFIG_FILE');
  }
  return parseNodeConfig(text, { file: path, baseDir: dirname(resolve(path)), env: process.env });
}

/**
 * Load every configured dataset and split it into the node's train and test parts, stratified
 * by label with `deriveRandom(seed, 'holdout', key)` so that the same seed always holds out the
 * same rows. Built-in schemas validate strictly; `infer` schemas are inferred from the file.
 * Throws `DataError` naming the dataset and file.
 */
export function loadNodeDatasets(config: NodeConfig, seed: number | string): Map<string, NodeDataset> {
  if (!config || !Array.isArray(config.datasets)) throw new TypeError('config: expected a NodeConfig with datasets');
  if (typeof seed !== 'string' && !(typeof seed === 'number' && Number.isFinite(seed))) throw new TypeError('seed: expected a finite number or a string');
  const out = new Map<string, NodeDataset>();
  for (const dataset of config.datasets) {
    const table = loadDatasetTable(dataset);
    const split = stratifiedSplit(table.label, dataset.testFraction, deriveRandom(seed, 'holdout', dataset.key));
    out.set(dataset.key, { key: dataset.key, train: selectRows(table, split.train), test: selectRows(table, split.test) });
  }
  return out;
}

function loadDatasetTable(dataset: DatasetConfig): Table {
  try {
    const schema: Schema = typeof dataset.schema === 'string' ? getBuiltinSchema(dataset.schema) : inferSchema(dataset.file, { ...dataset.schema.infer, name: dataset.key, file: dataset.file }).schema;
    return loadCsv(dataset.file, schema, { file: dataset.file });
  } catch (err) {
    if (!(err instanceof DataError)) throw err;
    throw new DataError(`dataset "${dataset.key}": ${err.message}`, { file: err.file ?? dataset.file, row: err.row, column: err.column, code: err.code });
  }
}

/** Where a node keeps its privacy ledger (see src/privacy/ledger.ts). */
export function privacyLedgerFile(dataDir: string): string {
  if (typeof dataDir !== 'string' || dataDir === '') throw new TypeError('dataDir: expected a non-empty path');
  return join(dataDir, 'privacy-ledger.json');
}

/** The owner's privacy budgets by dataset key (datasets without `privacy` have none). */
export function privacyBudgetsOf(config: NodeConfig): Record<string, { epsilon: number; delta: number }> {
  if (!config || !Array.isArray(config.datasets)) throw new TypeError('config: expected a NodeConfig with datasets');
  return Object.fromEntries(config.datasets.flatMap((d) => (d.privacy ? [[d.key, d.privacy.budget] as const] : [])));
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function readDatasets(c: ConfigChecker, value: unknown): DatasetConfig[] {
  if (!Array.isArray(value) || value.length === 0) {
    c.add('datasets', value === undefined || value === null || Array.isArray(value) ? 'required: list at least one dataset (key, file, schema)' : `expected a list of datasets, got ${c.describe(value)}`);
    return [];
  }
  const firstAt = new Map<string, number>();
  return value.map((item, i) => {
    const path = `datasets[${i}]`;
    const m = c.mapping(item, path, DATASET_KEYS, 'a dataset') ?? {};
    const key = c.slug(m, 'key', path) ?? `#${i}`;
    if (firstAt.has(key)) c.add(`${path}.key`, `duplicate of datasets[${firstAt.get(key)}].key "${key}"`);
    else firstAt.set(key, i);
    const testFraction = c.number(m, 'testFraction', path, { min: 0, max: 1, exclusive: true, fallback: NODE_CONFIG_DEFAULTS.testFraction });
    const description = c.string(m, 'description', path, { maxLength: 1000 });
    const privacy = readPrivacy(c, m, path);
    return { key, file: c.path(m, 'file', path, { mustExist: true, required: true }) ?? '', schema: readSchema(c, m.schema, `${path}.schema`), testFraction, ...optional('description', description), ...optional('privacy', privacy) };
  });
}

/** `privacy: { budget: { epsilon, delta } }` of a dataset; absent means no privacy requirement. */
function readPrivacy(c: ConfigChecker, m: Mapping, path: string): DatasetConfig['privacy'] {
  if (m.privacy === undefined || m.privacy === null) return undefined;
  const p = c.mapping(m.privacy, `${path}.privacy`, ['budget'], 'the privacy settings') ?? {};
  const b = c.mapping(p.budget, `${path}.privacy.budget`, ['epsilon', 'delta'], 'the privacy budget { epsilon, delta }');
  if (!b) return undefined;
  const at = `${path}.privacy.budget`;
  if (b.epsilon === undefined || b.epsilon === null) c.add(`${at}.epsilon`, 'required: the total ε jobs may spend on this dataset');
  if (b.delta === undefined || b.delta === null) c.add(`${at}.delta`, 'required: the δ of the budget, e.g. 1e-5 (well below 1 / number of rows)');
  const epsilon = c.number(b, 'epsilon', at, { min: 0, max: 1000, exclusive: true, fallback: NaN });
  const delta = c.number(b, 'delta', at, { min: 0, max: 0.1, exclusive: true, fallback: NaN });
  return Number.isNaN(epsilon) || Number.isNaN(delta) ? undefined : { budget: { epsilon, delta } };
}

function readSchema(c: ConfigChecker, value: unknown, path: string): DatasetConfig['schema'] {
  const expected = 'expected german, credit_data or { infer: { target, bad, id? } }';
  if (value === undefined || value === null) {
    c.add(path, `required: ${expected}`);
    return 'german';
  }
  if (typeof value === 'string') {
    if ((BUILTIN_NAMES as readonly string[]).includes(value)) return value as (typeof BUILTIN_NAMES)[number];
    c.add(path, `unknown schema "${value}"${didYouMean(value, BUILTIN_NAMES)}; ${expected}`);
    return 'german';
  }
  const m = c.mapping(value, path, ['infer'], expected) ?? {};
  const infer: Mapping = c.mapping(m.infer, `${path}.infer`, ['target', 'bad', 'id'], 'the target column and its bad value') ?? {};
  const p = `${path}.infer`;
  // YAML reads `bad: 2` as a number; the CSV cell is the text "2".
  const bad = typeof infer.bad === 'number' && Number.isFinite(infer.bad) ? String(infer.bad) : c.string(infer, 'bad', p, { required: true, maxLength: 200 });
  const target = c.string(infer, 'target', p, { required: true, maxLength: 200 }) ?? '';
  const id = c.string(infer, 'id', p, { maxLength: 200 });
  if (id !== undefined && id === target) c.add(`${p}.id`, `must differ from target "${target}"`);
  return { infer: { target, bad: bad ?? '', ...optional('id', id) } };
}

function readPolicy(c: ConfigChecker, root: Mapping, keys: readonly string[]): PolicyConfig {
  const m = c.section(root, 'policy', '', POLICY_KEYS);
  const allowedModels = c.list(m, 'allowedModels', 'policy', MODEL_KINDS, { nonEmpty: true, noun: 'model kind' }) ?? [...NODE_CONFIG_DEFAULTS.allowedModels];
  const allowedDatasets = c.list(m, 'allowedDatasets', 'policy', keys, { noun: 'dataset key' });
  return {
    allowedModels,
    minRowsPerUpdate: c.integer(m, 'minRowsPerUpdate', 'policy', { min: 1, max: 1e9, fallback: NODE_CONFIG_DEFAULTS.minRowsPerUpdate }),
    maxRounds: c.integer(m, 'maxRounds', 'policy', { min: 1, max: 1e6, fallback: NODE_CONFIG_DEFAULTS.maxRounds }),
    approval: c.oneOf(m, 'approval', 'policy', ['auto', 'manual'] as const) ?? NODE_CONFIG_DEFAULTS.approval,
    ...optional('allowedDatasets', allowedDatasets),
  };
}

function readScoring(c: ConfigChecker, root: Mapping, datasets: readonly DatasetConfig[], keys: readonly string[]): NodeConfig['scoring'] {
  const m = c.section(root, 'scoring', '', ['dataset', 'thresholds', 'keepScored']);
  const given = m.keepScored ?? 'api';
  const keepScored: KeepScored | undefined = given === true ? 'all' : given === false ? 'none' : KEEP_SCORED.find((k) => k === given);
  if (keepScored === undefined) c.add('scoring.keepScored', `expected one of ${KEEP_SCORED.join(', ')} (or true / false), got ${c.describe(given)}`);
  const t = c.section(m, 'thresholds', 'scoring', ['review', 'decline']);
  const review = c.number(t, 'review', 'scoring.thresholds', { min: 0, max: 1, fallback: NODE_CONFIG_DEFAULTS.thresholds.review });
  const decline = c.number(t, 'decline', 'scoring.thresholds', { min: 0, max: 1, fallback: NODE_CONFIG_DEFAULTS.thresholds.decline });
  if (review > decline) c.add('scoring.thresholds', `review (${review}) must not exceed decline (${decline}): scores between them go to review`);
  const named = c.oneOf(m, 'dataset', 'scoring', keys, 'dataset key');
  const dataset = named ?? datasets.find((d) => d.schema === 'german')?.key;
  return { ...optional('dataset', dataset), thresholds: { review, decline }, keepScored: keepScored ?? 'api' };
}
