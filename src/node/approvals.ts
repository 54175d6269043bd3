/**
 * The owner's decisions about jobs: which jobs may use this node's data. In `auto` mode a job
 * the policy allows is approved on first sight; in `manual` mode it waits as a pending request
 * until the owner approves or rejects it (CLI or web). Decisions are written to a JSON file in
 * the node's data folder before they take effect, so a restart neither forgets a rejection nor
 * asks the owner twice.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError } from '../errors.js';
import { NodeError } from './app.js';

/** Where a job stands with the owner. */
export type ApprovalStatus = 'approved' | 'rejected' | 'pending';

/** What the owner is asked to approve: which dataset, which model, how many rounds. */
export interface JobSummary {
  datasetKey: string;
  /** Model description, e.g. `logreg` or `mlp(hidden=16x8, relu)`; {@link MODEL_NOT_ANNOUNCED} before setup. */
  model: string;
  rounds?: number;
}

/** One job's request and the owner's decision. */
export interface ApprovalRecord {
  jobId: string;
  status: ApprovalStatus;
  summary: JobSummary;
  /** Epoch ms of the first request. */
  requestedAt: number;
  /** Epoch ms of the last decision (absent while pending, and for auto approvals). */
  decidedAt?: number;
}

/** Decides whether a job may run at this node. */
export interface JobApprovals {
  /** The job's status; a job never requested is `pending` (not approved). */
  status(jobId: string): ApprovalStatus;
  /** Record a request (idempotent: an existing decision stands). */
  request(jobId: string, summary: JobSummary): void;
  /** The owner approves (also after a rejection: owners may change their mind). */
  approve(jobId: string): void;
  /** The owner rejects (also after an approval: consent can be withdrawn). */
  reject(jobId: string): void;
  /** Every request, oldest first. */
  list(): ApprovalRecord[];
}

/** Summary model of a job whose stats request came before the model was announced at setup. */
export const MODEL_NOT_ANNOUNCED = '(not announced yet)';

const FORMAT = 'fedcredit-approvals';
const STATUSES: readonly string[] = ['approved', 'rejected', 'pending'];

/**
 * Create the approval book. With `file`, earlier decisions are loaded from it (a corrupt file
 * is a `ConfigError` naming it, never silently reset) and every change is written atomically
 * (temporary file, then rename). `now` is the clock, injectable for tests.
 *
 * @example
 * const approvals = createApprovals({ mode: config.policy.approval, file: join(config.dataDir, 'approvals.json') });
 */
export function createApprovals(options: { mode: 'auto' | 'manual'; file?: string; now?: () => number }): JobApprovals {
  if (options?.mode !== 'auto' && options?.mode !== 'manual') throw new TypeError(`options.mode: expected "auto" or "manual", got ${JSON.stringify(options?.mode)}`);
  if (options.file !== undefined && (typeof options.file !== 'string' || options.file === '')) throw new TypeError('options.file: expected a non-empty path');
  const { mode, file } = options;
  const now = options.now ?? Date.now;
  const records = new Map<string, ApprovalRecord>(file ? readBook(file).map((r) => [r.jobId, r]) : []);
  const save = (): void => {
    if (file) writeBook(file, [...records.values()]);
  };
  const existing = (jobId: string): ApprovalRecord => {
    checkJobId(jobId);
    const record = records.get(jobId);
    if (!record) throw new NodeError('JOB_UNKNOWN', `no job "${jobId}" has asked to run at this node`);
    return record;
  };
  const decide = (jobId: string, status: ApprovalStatus): void => {
    const record = existing(jobId);
    records.set(jobId, { ...record, status, decidedAt: now() });
    save();
  };

  return {
    status(jobId) {
      checkJobId(jobId);
      return records.get(jobId)?.status ?? 'pending';
    },
    request(jobId, summary) {
      checkJobId(jobId);
      checkSummary(summary);
      const record = records.get(jobId);
      if (!record) {
        records.set(jobId, { jobId, status: mode === 'auto' ? 'approved' : 'pending', summary: { ...summary }, requestedAt: now() });
        return save();
      }
      // A stats request comes before the model is known; setup then fills it in for the owner.
      const fillModel = record.summary.model === MODEL_NOT_ANNOUNCED && summary.model !== MODEL_NOT_ANNOUNCED;
      const autoApprove = mode === 'auto' && record.status === 'pending';
      if (!fillModel && !autoApprove) return;
      records.set(jobId, {
        ...record,
        ...(fillModel ? { summary: { ...record.summary, model: summary.model, ...(summary.rounds !== undefined ? { rounds: summary.rounds } : {}) } } : {}),
        ...(autoApprove ? { status: 'approved' as const } : {}),
      });
      save();
    },
    approve: (jobId) => decide(jobId, 'approved'),
    reject: (jobId) => decide(jobId, 'rejected'),
    list: () => [...records.values()].map((r) => ({ ...r, summary: { ...r.summary } })),
  };
}

function checkJobId(jobId: unknown): asserts jobId is string {
  if (typeof jobId !== 'string' || jobId === '' || jobId.length > 200) throw new TypeError('jobId: expected a non-empty string of at most 200 characters');
}

function summaryProblem(s: unknown): string | undefined {
  const v = s as JobSummary;
  if (typeof v !== 'object' || v === null) return 'expected { datasetKey, model, rounds? }';
  if (typeof v.datasetKey !== 'string' || v.datasetKey === '') return 'datasetKey: expected a non-empty string';
  if (typeof v.model !== 'string' || v.model === '') return 'model: expected a non-empty string';
  if (v.rounds !== undefined && !(Number.isInteger(v.rounds) && v.rounds >= 0)) return 'rounds: expected a non-negative integer';
  return undefined;
}

function checkSummary(summary: unknown): void {
  const problem = summaryProblem(summary);
  if (problem) throw new TypeError(`summary: ${problem}`);
}

function readBook(file: string): ApprovalRecord[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new ConfigError(`${file}: cannot read the job approvals (${(err as Error).message})`, 'APPROVALS_FILE');
  }
  const fail = (why: string): never => {
    throw new ConfigError(`${file}: ${why}; fix or remove the file (removing it forgets every approval and rejection)`, 'APPROVALS_FILE');
  };
  let book: { format?: unknown; version?: unknown; jobs?: unknown };
  try {
    book = JSON.parse(text);
  } catch {
    return fail('not valid JSON');
  }
  if (book?.format !== FORMAT || book.version !== 1 || !Array.isArray(book.jobs)) return fail(`expected { "format": "${FORMAT}", "version": 1, "jobs": [...] }`);
  return book.jobs.map((record: ApprovalRecord, i: number) => {
    const problem = recordProblem(record);
    return problem ? fail(`jobs[${i}]${problem}`) : record;
  });
}

function recordProblem(r: ApprovalRecord): string | undefined {
  if (typeof r !== 'object' || r === null) return ': expected { jobId, status, summary, requestedAt }';
  if (typeof r.jobId !== 'string' || r.jobId === '') return '.jobId: expected a non-empty string';
  if (!STATUSES.includes(r.status)) return `.status: expected one of ${STATUSES.join(', ')}`;
  if (!Number.isFinite(r.requestedAt)) return '.requestedAt: expected epoch milliseconds';
  const problem = summaryProblem(r.summary);
  return problem && `.summary${problem.startsWith('expected') ? ': ' : '.'}${problem}`;
}

let tempCounter = 0;

function writeBook(file: string, records: ApprovalRecord[]): void {
  mkdirSync(dirname(file), { recursive: true });
  // Write a sibling temporary file and rename it over the old one: rename within a folder is
  // atomic on POSIX, so a crash leaves either the old book or the new one, never half of one.
  const temp = `${file}.${process.pid}.${++tempCounter}.tmp`;
  writeFileSync(temp, `${JSON.stringify({ format: FORMAT, version: 1, jobs: records }, null, 2)}\n`, { mode: 0o600 });
  renameSync(temp, file);
}
