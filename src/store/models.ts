/**
 * Model versions: the parameters a job produced, with metadata and lineage (which nodes and
 * rounds contributed, with which settings and feedback). Versions count from 1 per job.
 * Lifecycle candidate → approved → retired; "the latest approved model" is the one most
 * recently approved, which is what a scoring service should serve.
 */
import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import { forUpdate, inTransaction, isUniqueViolation } from './context.js';
import type { StoreContext } from './context.js';
import { StoreError } from './errors.js';
import type { ModelVersionsTable } from './schema.js';
import type { JsonObject, ModelLineage, ModelStatus, ModelVersionRecord } from './store.js';
import { checkBytes, checkId, checkIdArray, checkInt, checkOptions, checkRecord, fromDbBytes, jsonObjectText, parseJsonColumn, toDbBytes, toInt } from './values.js';

const MODEL_STATUSES: readonly ModelStatus[] = ['candidate', 'approved', 'retired'];

function checkModelStatus(value: unknown): ModelStatus {
  if (!MODEL_STATUSES.includes(value as ModelStatus)) throw new TypeError(`status must be one of ${MODEL_STATUSES.join(', ')}, got ${String(value)}`);
  return value as ModelStatus;
}

/** Validate a lineage and return its canonical JSON text. */
function lineageText(value: unknown): string {
  const lineage = checkRecord('lineage', value);
  const known = new Set(['nodes', 'rounds', 'settings', 'feedbackIds']);
  for (const key of Object.keys(lineage)) if (!known.has(key)) throw new TypeError(`lineage.${key} is not a lineage field`);
  checkIdArray('lineage.nodes', lineage.nodes);
  if (!Array.isArray(lineage.rounds)) throw new TypeError('lineage.rounds must be an array of round numbers');
  lineage.rounds.forEach((round, i) => checkInt(`lineage.rounds[${i}]`, round, 1));
  jsonObjectText('lineage.settings', lineage.settings);
  checkIdArray('lineage.feedbackIds', lineage.feedbackIds);
  return jsonObjectText('lineage', lineage);
}

function toModel(row: Selectable<ModelVersionsTable>): ModelVersionRecord {
  return {
    id: row.id,
    jobId: row.job_id,
    version: row.version,
    status: row.status as ModelStatus,
    createdAt: toInt(row.created_at, 'model_versions.created_at'),
    updatedAt: toInt(row.updated_at, 'model_versions.updated_at'),
    meta: parseJsonColumn<JsonObject>(row.meta),
    parameters: fromDbBytes(row.parameters),
    lineage: parseJsonColumn<ModelLineage>(row.lineage),
  };
}

/** Store a new candidate version of a job's model; its version is the job's previous + 1. */
export async function createModelVersion(
  ctx: StoreContext,
  input: { jobId: string; parameters: Uint8Array; meta: JsonObject; lineage: ModelLineage; id?: string },
): Promise<ModelVersionRecord> {
  const options = checkRecord('input', input);
  const jobId = checkId('jobId', options.jobId);
  const id = options.id === undefined ? randomUUID() : checkId('id', options.id);
  const parameters = toDbBytes(checkBytes('parameters', options.parameters));
  const meta = jsonObjectText('meta', options.meta);
  const lineage = lineageText(options.lineage);
  return inTransaction(ctx, async (tx) => {
    // Locking the job row serialises version numbering per job (PostgreSQL).
    const job = await forUpdate(ctx, tx.selectFrom('jobs').select('id').where('id', '=', jobId)).executeTakeFirst();
    if (job === undefined) throw new StoreError('NOT_FOUND', `job ${jobId} does not exist`);
    const last = await tx.selectFrom('model_versions').select('version').where('job_id', '=', jobId).orderBy('version', 'desc').limit(1).executeTakeFirst();
    const now = ctx.now();
    const row = { id, job_id: jobId, version: (last?.version ?? 0) + 1, status: 'candidate', created_at: now, updated_at: now, meta, parameters, lineage };
    try {
      await tx.insertInto('model_versions').values(row).execute();
    } catch (error) {
      if (isUniqueViolation(error)) throw new StoreError('CONFLICT', `model version ${id} already exists`, { cause: error });
      throw error;
    }
    return toModel(row);
  });
}

/** Read one model version. */
export async function getModelVersion(ctx: StoreContext, id: string): Promise<ModelVersionRecord> {
  const row = await ctx.db.selectFrom('model_versions').selectAll().where('id', '=', checkId('id', id)).executeTakeFirst();
  if (row === undefined) throw new StoreError('NOT_FOUND', `model version ${id} does not exist`);
  return toModel(row);
}

/** Versions, oldest first, optionally of one job and/or status. */
export async function listModelVersions(ctx: StoreContext, filter?: { jobId?: string; status?: ModelStatus }): Promise<ModelVersionRecord[]> {
  const { jobId, status } = checkOptions('filter', filter);
  const rows = await ctx.db.selectFrom('model_versions').selectAll()
    .$if(jobId !== undefined, (q) => q.where('job_id', '=', checkId('filter.jobId', jobId)))
    .$if(status !== undefined, (q) => q.where('status', '=', checkModelStatus(status)))
    .orderBy('created_at').orderBy('job_id').orderBy('version').execute();
  return rows.map(toModel);
}

/** Move a version to `target` if allowed from its current status; same status is a no-op. */
async function transition(ctx: StoreContext, id: string, target: ModelStatus, allowedFrom: readonly ModelStatus[]): Promise<ModelVersionRecord> {
  checkId('id', id);
  return inTransaction(ctx, async (tx) => {
    const row = await forUpdate(ctx, tx.selectFrom('model_versions').selectAll().where('id', '=', id)).executeTakeFirst();
    if (row === undefined) throw new StoreError('NOT_FOUND', `model version ${id} does not exist`);
    if (row.status === target) return toModel(row);
    if (!allowedFrom.includes(row.status as ModelStatus)) {
      throw new StoreError('INVALID_TRANSITION', `model version ${id} cannot go from ${row.status} to ${target}`);
    }
    const now = ctx.now();
    await tx.updateTable('model_versions').set({ status: target, updated_at: now }).where('id', '=', id).execute();
    return toModel({ ...row, status: target, updated_at: now });
  });
}

/** Approve a candidate. */
export function approveModel(ctx: StoreContext, id: string): Promise<ModelVersionRecord> {
  return transition(ctx, id, 'approved', ['candidate']);
}

/** Retire a candidate or approved version. */
export function retireModel(ctx: StoreContext, id: string): Promise<ModelVersionRecord> {
  return transition(ctx, id, 'retired', ['candidate', 'approved']);
}

/** The most recently approved version (approval time is `updatedAt` of an approved row), or undefined. */
export async function getLatestApprovedModel(ctx: StoreContext, filter?: { jobId?: string }): Promise<ModelVersionRecord | undefined> {
  const { jobId } = checkOptions('filter', filter);
  const row = await ctx.db.selectFrom('model_versions').selectAll().where('status', '=', 'approved')
    .$if(jobId !== undefined, (q) => q.where('job_id', '=', checkId('filter.jobId', jobId)))
    .orderBy('updated_at', 'desc').orderBy('created_at', 'desc').orderBy('version', 'desc').limit(1).executeTakeFirst();
  return row === undefined ? undefined : toModel(row);
}
