/**
 * The owner's policy as a mod around the credit handlers: which datasets jobs may touch, which
 * models they may train, how many rounds, how few rows may stand behind an aggregate, and
 * whether the owner approves jobs by hand. A refusal is an error reply with a stable code, never
 * an exception, so the coordinator can tell "this node said no" from "this node broke".
 */
import { ProtocolError, readJson } from '../protocol/config.js';
import { replyTo, type Message, type ReplyError } from '../protocol/message.js';
import type { Mod } from './app.js';
import { MODEL_NOT_ANNOUNCED, type ApprovalStatus, type JobApprovals, type JobSummary } from './approvals.js';
import type { PolicyConfig } from './config.js';
import { parseModelSpec } from './creditHandlers.js';
import type { ModelSpec, NodeDataset } from './jobContext.js';

export { createApprovals, MODEL_NOT_ANNOUNCED, type ApprovalRecord, type ApprovalStatus, type JobApprovals, type JobSummary } from './approvals.js';

/** What {@link policyMod} needs to know about the node beyond the policy. */
export interface PolicyModOptions {
  /** Rows in a dataset's train split; undefined for a key the node does not hold. */
  datasetRows: (datasetKey: string) => number | undefined;
  /**
   * The dataset a job is bound to, if the caller tracks it. Optional: the mod remembers the
   * dataset each job named when admitted, and after a restart falls back to the approval book.
   */
  jobDataset?: (jobId: string) => string | undefined;
}

/** `datasetRows` for {@link PolicyModOptions} over the datasets the node loaded. */
export function datasetRowsOf(datasets: ReadonlyMap<string, NodeDataset>): (datasetKey: string) => number | undefined {
  if (!(datasets instanceof Map)) throw new TypeError('datasets: expected a Map of NodeDataset');
  return (key) => datasets.get(key)?.train.numRows;
}

/** A short description of a model for the owner, e.g. `logreg` or `mlp(hidden=16x8, relu)`. */
export function describeModel(spec: ModelSpec): string {
  if (spec.kind === 'logreg') return 'logreg';
  return `mlp(hidden=${(spec.config.hidden ?? []).join('x') || 'default'}, ${spec.config.activation ?? 'relu'})`;
}

/**
 * The policy mod. `describe` (a dataset's schema and size, asked before any job) only needs
 * the dataset registered and allowed. `stats` and `setup` admit a job: the dataset must be registered and allowed,
 * the model kind (required at setup, checked at stats when announced) allowed, announced
 * `config.rounds` within `maxRounds`, the train split at least `minRowsPerUpdate` rows, and the
 * job bound to one dataset; then the job is requested from `approvals` and must be approved
 * (auto mode approves on first sight). Every other message type needs an admitted, approved
 * job; `train` also checks `round ≤ maxRounds` and the row floor.
 * Codes: POLICY_DATASET_NOT_ALLOWED, DATASET_UNKNOWN, POLICY_MODEL_NOT_ALLOWED,
 * POLICY_MAX_ROUNDS, POLICY_MIN_ROWS, POLICY_DATASET_MISMATCH, JOB_PENDING_APPROVAL,
 * JOB_REJECTED, JOB_UNKNOWN, BAD_MESSAGE.
 *
 * @example
 * new NodeApp({ nodeId, handlers: createCreditHandlers(datasets), mods: [policyMod(config.policy, approvals, { datasetRows: datasetRowsOf(datasets) })] });
 */
export function policyMod(policy: PolicyConfig, approvals: JobApprovals, options: PolicyModOptions): Mod {
  checkPolicy(policy);
  if (!approvals || typeof approvals.status !== 'function' || typeof approvals.request !== 'function') throw new TypeError('approvals: expected a JobApprovals (see createApprovals)');
  if (typeof options?.datasetRows !== 'function') throw new TypeError('options.datasetRows: expected a function (datasetKey) => number | undefined');
  if (options.jobDataset !== undefined && typeof options.jobDataset !== 'function') throw new TypeError('options.jobDataset: expected a function (jobId) => string | undefined');
  const bindings = new Map<string, string>();
  const boundDataset = (jobId: string): string | undefined =>
    options.jobDataset?.(jobId) ?? bindings.get(jobId) ?? approvals.list().find((r) => r.jobId === jobId)?.summary.datasetKey;
  const rowFloor = (key: string): ReplyError | undefined => {
    const rows = options.datasetRows(key) ?? 0;
    if (rows >= policy.minRowsPerUpdate) return undefined;
    return { code: 'POLICY_MIN_ROWS', message: `dataset "${key}" has ${rows} training rows; the owner requires at least ${policy.minRowsPerUpdate} behind any update` };
  };

  const openDataset = (message: Message): string | ReplyError => {
    const key = message.config.datasetKey;
    if (typeof key !== 'string' || key === '') return { code: 'BAD_MESSAGE', message: 'config.datasetKey: required' };
    if (policy.allowedDatasets && !policy.allowedDatasets.includes(key)) {
      return { code: 'POLICY_DATASET_NOT_ALLOWED', message: `dataset "${key}" is not open to federated jobs at this node` };
    }
    if (options.datasetRows(key) === undefined) return { code: 'DATASET_UNKNOWN', message: `dataset "${key}" is not registered at this node` };
    return key;
  };

  const admit = (message: Message): ReplyError | undefined => {
    const key = openDataset(message);
    if (typeof key !== 'string') return key;
    const model = message.type === 'setup' || message.config.model !== undefined ? readModel(message) : MODEL_NOT_ANNOUNCED;
    if (typeof model !== 'string') return model;
    const rounds = message.config.rounds;
    if (rounds !== undefined && (typeof rounds !== 'number' || !Number.isInteger(rounds) || rounds < 0)) return { code: 'BAD_MESSAGE', message: 'config.rounds: expected a non-negative integer' };
    if (rounds !== undefined && rounds > policy.maxRounds) return maxRounds(rounds);
    const floor = rowFloor(key);
    if (floor) return floor;
    const bound = boundDataset(message.jobId);
    if (bound !== undefined && bound !== key) {
      return { code: 'POLICY_DATASET_MISMATCH', message: `job "${message.jobId}" was admitted for dataset "${bound}", not "${key}"` };
    }
    const summary: JobSummary = { datasetKey: key, model, ...(rounds !== undefined ? { rounds } : {}) };
    approvals.request(message.jobId, summary);
    const status = approvals.status(message.jobId);
    if (status !== 'approved') return notApproved(message.jobId, status, key);
    bindings.set(message.jobId, key);
    return undefined;
  };

  const readModel = (message: Message): string | ReplyError => {
    let spec: ModelSpec;
    try {
      spec = parseModelSpec(readJson(message.config, 'model', 10_000));
    } catch (err) {
      if (err instanceof ProtocolError) return { code: err.code, message: err.message };
      throw err;
    }
    if (policy.allowedModels.includes(spec.kind)) return describeModel(spec);
    return { code: 'POLICY_MODEL_NOT_ALLOWED', message: `model "${spec.kind}" is not allowed at this node; the owner allows: ${policy.allowedModels.join(', ')}` };
  };

  const maxRounds = (round: number): ReplyError => ({
    code: 'POLICY_MAX_ROUNDS',
    message: `round ${round} is past the owner's limit of ${policy.maxRounds} rounds`,
  });

  const checkJob = (message: Message): ReplyError | undefined => {
    const key = boundDataset(message.jobId);
    if (key === undefined) return { code: 'JOB_UNKNOWN', message: `job "${message.jobId}" was not admitted at this node (send stats or setup first)` };
    const status = approvals.status(message.jobId);
    if (status !== 'approved') return notApproved(message.jobId, status, key);
    if (message.type !== 'train') return undefined;
    if (message.round > policy.maxRounds) return maxRounds(message.round);
    return rowFloor(key);
  };

  return async (message, next) => {
    let refusal: ReplyError | undefined;
    if (message.type === 'describe') {
      const key = openDataset(message);
      refusal = typeof key === 'string' ? undefined : key;
    } else {
      // a job is admitted by its first data message: preprocessing statistics, setup, the
      // quantile sketch a boosting job starts with, or the key stages of a protected sum of
      // those (they come first and name the dataset, like stats)
      const keyStage = (message.type === 'secagg' || message.type === 'paillier') && message.round === 0 && message.config.datasetKey !== undefined;
      refusal = message.type === 'stats' || message.type === 'setup' || message.type === 'gbdt.sketch' || keyStage ? admit(message) : checkJob(message);
    }
    return refusal ? replyTo(message, { error: refusal }) : next(message);
  };
}

function notApproved(jobId: string, status: Exclude<ApprovalStatus, 'approved'>, datasetKey: string): ReplyError {
  return status === 'rejected'
    ? { code: 'JOB_REJECTED', message: `the owner of this node rejected job "${jobId}"` }
    : { code: 'JOB_PENDING_APPROVAL', message: `job "${jobId}" is waiting for the owner of this node to approve its use of dataset "${datasetKey}"` };
}

function checkPolicy(policy: PolicyConfig): void {
  if (typeof policy !== 'object' || policy === null) throw new TypeError('policy: expected a PolicyConfig (see parseNodeConfig)');
  if (!Array.isArray(policy.allowedModels)) throw new TypeError('policy.allowedModels: expected an array of model kinds');
  if (!Number.isInteger(policy.minRowsPerUpdate) || policy.minRowsPerUpdate < 0) throw new RangeError(`policy.minRowsPerUpdate: expected a non-negative integer, got ${policy.minRowsPerUpdate}`);
  if (!Number.isInteger(policy.maxRounds) || policy.maxRounds < 0) throw new RangeError(`policy.maxRounds: expected a non-negative integer, got ${policy.maxRounds}`);
  if (policy.allowedDatasets !== undefined && !Array.isArray(policy.allowedDatasets)) throw new TypeError('policy.allowedDatasets: expected an array of dataset keys');
}
