/**
 * Jobs and their rounds. The invariant the coordinator's crash recovery rests on: a round row
 * with status 'committed' and the job's `current_round` always move together (one
 * transaction), rounds commit strictly in order, and committing a round twice writes nothing
 * the second time. A restarted coordinator lists running jobs, reads the last committed round
 * and continues with the next one.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { forUpdate, inTransaction, isUniqueViolation } from './context.js';
import type { StoreContext } from './context.js';
import { StoreError } from './errors.js';
import type { Database, JobsTable, RoundsTable } from './schema.js';
import type { CommitRoundResult, JobRecord, JobSpec, JobStatus, RoundCommit, RoundRecord, RoundStatus } from './store.js';
import {
  checkBytes, checkId, checkIdArray, checkInt, checkOptions, checkRecord, checkText, fromDbBytes, jsonObjectText, parseJsonColumn, toDbBytes, toInt, toOptionalInt,
} from './values.js';

/** Upper bounds that catch unit mistakes (seconds for ms, a loop counter for rounds). */
const MAX_ROUNDS = 1_000_000;
const MAX_ERROR_LENGTH = 10_000;
const JOB_STATUSES: readonly JobStatus[] = ['pending', 'running', 'completed', 'failed', 'cancelled'];
/** Allowed status changes; terminal states have none. */
const TRANSITIONS: Readonly<Record<JobStatus, readonly JobStatus[]>> = {
  pending: ['running', 'failed', 'cancelled'],
  running: ['completed', 'failed', 'cancelled'],
  completed: [],
  failed: [],
  cancelled: [],
};
const SPEC_KEYS = new Set(['datasetKey', 'model', 'strategy', 'hyperparameters', 'rounds', 'minNodes', 'roundTimeoutMs', 'seed', 'options']);

/** Validate a job spec field by field and return its canonical JSON text. */
function specText(value: unknown): string {
  const spec = checkRecord('spec', value);
  for (const key of Object.keys(spec)) if (!SPEC_KEYS.has(key)) throw new TypeError(`spec.${key} is not a job spec field`);
  checkId('spec.datasetKey', spec.datasetKey);
  checkId('spec.model', spec.model);
  checkId('spec.strategy', spec.strategy);
  jsonObjectText('spec.hyperparameters', spec.hyperparameters);
  checkInt('spec.rounds', spec.rounds, 1, MAX_ROUNDS);
  checkInt('spec.minNodes', spec.minNodes, 1);
  checkInt('spec.roundTimeoutMs', spec.roundTimeoutMs, 1);
  if (typeof spec.seed === 'number') checkInt('spec.seed', spec.seed, Number.MIN_SAFE_INTEGER);
  else checkId('spec.seed', spec.seed);
  if (spec.options !== undefined) jsonObjectText('spec.options', spec.options);
  return jsonObjectText('spec', spec);
}

function checkStatus(value: unknown): JobStatus {
  if (!JOB_STATUSES.includes(value as JobStatus)) throw new TypeError(`status must be one of ${JOB_STATUSES.join(', ')}, got ${String(value)}`);
  return value as JobStatus;
}

function toJob(row: Selectable<JobsTable>): JobRecord {
  return {
    id: row.id,
    spec: parseJsonColumn<JobSpec>(row.spec),
    status: row.status as JobStatus,
    createdBy: row.created_by,
    createdAt: toInt(row.created_at, 'jobs.created_at'),
    updatedAt: toInt(row.updated_at, 'jobs.updated_at'),
    currentRound: row.current_round,
    ...(row.error !== null ? { error: row.error } : {}),
  };
}

function toRound(row: Selectable<RoundsTable>): RoundRecord {
  const completedAt = toOptionalInt(row.completed_at, 'rounds.completed_at');
  return {
    jobId: row.job_id,
    round: row.round,
    status: row.status as RoundStatus,
    startedAt: toInt(row.started_at, 'rounds.started_at'),
    ...(completedAt !== undefined ? { completedAt } : {}),
    participants: parseJsonColumn<string[]>(row.participants),
    ...(row.parameters !== null ? { parameters: fromDbBytes(row.parameters) } : {}),
    ...(row.strategy_state !== null ? { strategyState: fromDbBytes(row.strategy_state) } : {}),
    metrics: parseJsonColumn(row.metrics),
  };
}

async function loadJob(ctx: StoreContext, db: Kysely<Database>, id: string, lock: boolean): Promise<Selectable<JobsTable>> {
  const query = db.selectFrom('jobs').selectAll().where('id', '=', id);
  const row = await (lock ? forUpdate(ctx, query) : query).executeTakeFirst();
  if (row === undefined) throw new StoreError('NOT_FOUND', `job ${id} does not exist`);
  return row;
}

async function findRound(db: Kysely<Database>, jobId: string, round: number): Promise<Selectable<RoundsTable> | undefined> {
  return db.selectFrom('rounds').selectAll().where('job_id', '=', jobId).where('round', '=', round).executeTakeFirst();
}

/** Create a pending job. */
export async function createJob(ctx: StoreContext, input: { spec: JobSpec; createdBy: string; id?: string }): Promise<JobRecord> {
  const options = checkRecord('input', input);
  const now = ctx.now();
  const row = {
    id: options.id === undefined ? randomUUID() : checkId('id', options.id),
    spec: specText(options.spec),
    status: 'pending',
    created_by: checkId('createdBy', options.createdBy),
    created_at: now,
    updated_at: now,
    current_round: 0,
    error: null,
  };
  try {
    await ctx.db.insertInto('jobs').values(row).execute();
  } catch (error) {
    if (isUniqueViolation(error)) throw new StoreError('CONFLICT', `job ${row.id} already exists`, { cause: error });
    throw error;
  }
  return toJob(row);
}

/** Read one job. */
export async function getJob(ctx: StoreContext, id: string): Promise<JobRecord> {
  return toJob(await loadJob(ctx, ctx.db, checkId('id', id), false));
}

/** Jobs, oldest first, optionally of one status. */
export async function listJobs(ctx: StoreContext, filter?: { status?: JobStatus }): Promise<JobRecord[]> {
  const { status } = checkOptions('filter', filter);
  const rows = await ctx.db.selectFrom('jobs').selectAll()
    .$if(status !== undefined, (q) => q.where('status', '=', checkStatus(status)))
    .orderBy('created_at').orderBy('id').execute();
  return rows.map(toJob);
}

/** Change a job's status along the lifecycle; INVALID_TRANSITION otherwise. */
export async function updateJobStatus(ctx: StoreContext, id: string, status: JobStatus, options?: { error?: string }): Promise<JobRecord> {
  checkId('id', id);
  checkStatus(status);
  const { error } = checkOptions('options', options);
  if (error !== undefined) checkText('options.error', error, MAX_ERROR_LENGTH);
  return inTransaction(ctx, async (tx) => {
    const job = await loadJob(ctx, tx, id, true);
    if (job.status === status) return toJob(job);
    if (!TRANSITIONS[job.status as JobStatus].includes(status)) {
      throw new StoreError('INVALID_TRANSITION', `job ${id} cannot go from ${job.status} to ${status}`);
    }
    await tx.updateTable('jobs').set({ status, updated_at: ctx.now(), ...(error !== undefined ? { error: error as string } : {}) }).where('id', '=', id).execute();
    return toJob(await loadJob(ctx, tx, id, false));
  });
}

/** Check that `round` is the next round of a running job. */
function checkNextRound(job: Selectable<JobsTable>, round: number): void {
  if (job.status !== 'running') throw new StoreError('JOB_NOT_RUNNING', `job ${job.id} is ${job.status}, not running`);
  const spec = parseJsonColumn<JobSpec>(job.spec);
  if (round !== job.current_round + 1 || round > spec.rounds) {
    throw new StoreError('ROUND_OUT_OF_ORDER', `job ${job.id}: next round is ${job.current_round + 1} of ${spec.rounds}, got ${round}`);
  }
}

/** Record that the next round has started (restarting it after a crash resets its start time). */
export async function startRound(ctx: StoreContext, jobId: string, round: number): Promise<RoundRecord> {
  checkId('jobId', jobId);
  checkInt('round', round, 1);
  return inTransaction(ctx, async (tx) => {
    const job = await loadJob(ctx, tx, jobId, true);
    const existing = await findRound(tx, jobId, round);
    if (existing?.status === 'committed') throw new StoreError('ROUND_COMMITTED', `job ${jobId} round ${round} is already committed`);
    checkNextRound(job, round);
    const now = ctx.now();
    if (existing !== undefined) {
      await tx.updateTable('rounds').set({ started_at: now }).where('job_id', '=', jobId).where('round', '=', round).execute();
    } else {
      await tx.insertInto('rounds').values({
        job_id: jobId, round, status: 'running', started_at: now, completed_at: null, participants: '[]', parameters: null, strategy_state: null, metrics: '{}',
      }).execute();
    }
    return toRound((await findRound(tx, jobId, round))!);
  });
}

/** Commit a round and advance the job, atomically and idempotently (see Store.commitRound). */
export async function commitRound(ctx: StoreContext, jobId: string, round: number, commit: RoundCommit): Promise<CommitRoundResult> {
  checkId('jobId', jobId);
  checkInt('round', round, 1);
  const input = checkRecord('commit', commit);
  const parameters = toDbBytes(checkBytes('commit.parameters', input.parameters));
  const strategyState = input.strategyState === undefined ? null : toDbBytes(checkBytes('commit.strategyState', input.strategyState));
  const metrics = jsonObjectText('commit.metrics', input.metrics);
  const participants = JSON.stringify(checkIdArray('commit.participants', input.participants));
  return inTransaction(ctx, async (tx) => {
    // Locking the job row first serialises concurrent commits of the same job (PostgreSQL).
    const job = await loadJob(ctx, tx, jobId, true);
    const existing = await findRound(tx, jobId, round);
    if (existing?.status === 'committed') return { round: toRound(existing), created: false };
    checkNextRound(job, round);
    const now = ctx.now();
    const values = { status: 'committed', completed_at: now, participants, parameters, strategy_state: strategyState, metrics };
    if (existing !== undefined) {
      await tx.updateTable('rounds').set(values).where('job_id', '=', jobId).where('round', '=', round).execute();
    } else {
      await tx.insertInto('rounds').values({ job_id: jobId, round, started_at: now, ...values }).execute();
    }
    await tx.updateTable('jobs').set({ current_round: round, updated_at: now }).where('id', '=', jobId).execute();
    return { round: toRound((await findRound(tx, jobId, round))!), created: true };
  });
}

/** Read one round. */
export async function getRound(ctx: StoreContext, jobId: string, round: number): Promise<RoundRecord> {
  const row = await findRound(ctx.db, checkId('jobId', jobId), checkInt('round', round, 1));
  if (row === undefined) throw new StoreError('NOT_FOUND', `job ${jobId} has no round ${round}`);
  return toRound(row);
}

/** All rounds of a job in order, including a started but uncommitted one. */
export async function listRounds(ctx: StoreContext, jobId: string): Promise<RoundRecord[]> {
  await loadJob(ctx, ctx.db, checkId('jobId', jobId), false);
  const rows = await ctx.db.selectFrom('rounds').selectAll().where('job_id', '=', jobId).orderBy('round').execute();
  return rows.map(toRound);
}

/** The last committed round of a job, or undefined before the first commit. */
export async function getLastCommittedRound(ctx: StoreContext, jobId: string): Promise<RoundRecord | undefined> {
  await loadJob(ctx, ctx.db, checkId('jobId', jobId), false);
  const row = await ctx.db.selectFrom('rounds').selectAll().where('job_id', '=', jobId).where('status', '=', 'committed')
    .orderBy('round', 'desc').limit(1).executeTakeFirst();
  return row === undefined ? undefined : toRound(row);
}
