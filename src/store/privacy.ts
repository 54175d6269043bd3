/**
 * The privacy ledger: every (ε, δ) charged to a subject (a node, a dataset key), keyed by a
 * caller-chosen idempotency key so that a round replayed after a crash charges nothing twice.
 * The store only records and sums; composing spends tightly is the accountant's job.
 */
import type { Selectable } from 'kysely';
import { isForeignKeyViolation } from './context.js';
import type { StoreContext } from './context.js';
import { StoreError } from './errors.js';
import type { PrivacyLedgerTable } from './schema.js';
import type { JsonObject, PrivacySpendInput, PrivacySpendRecord, PrivacySpent } from './store.js';
import { checkId, checkInt, checkNumber, checkOptions, checkRecord, jsonObjectText, parseJsonColumn, toInt } from './values.js';

function toSpend(row: Selectable<PrivacyLedgerTable>): PrivacySpendRecord {
  return {
    key: row.id,
    subject: row.subject,
    ...(row.job_id !== null ? { jobId: row.job_id } : {}),
    ...(row.round !== null ? { round: row.round } : {}),
    epsilon: row.epsilon,
    delta: row.delta,
    details: parseJsonColumn<JsonObject>(row.details),
    createdAt: toInt(row.created_at, 'privacy_ledger.created_at'),
  };
}

/**
 * Record a spend. A repeated key returns the stored spend with `created: false`; a repeated key
 * with different amounts, subject, job or round is a bug in the caller and throws CONFLICT.
 */
export async function recordPrivacySpend(ctx: StoreContext, input: PrivacySpendInput): Promise<{ spend: PrivacySpendRecord; created: boolean }> {
  const options = checkRecord('input', input);
  const row = {
    id: checkId('key', options.key),
    subject: checkId('subject', options.subject),
    job_id: options.jobId === undefined ? null : checkId('jobId', options.jobId),
    round: options.round === undefined ? null : checkInt('round', options.round, 1),
    epsilon: checkNumber('epsilon', options.epsilon, 0),
    delta: checkNumber('delta', options.delta, 0),
    created_at: ctx.now(),
    details: options.details === undefined ? '{}' : jsonObjectText('details', options.details),
  };
  if (row.delta > 1) throw new RangeError(`delta must be in [0, 1], got ${row.delta}`);
  let inserted: bigint;
  try {
    const result = await ctx.db.insertInto('privacy_ledger').values(row).onConflict((oc) => oc.column('id').doNothing()).executeTakeFirst();
    inserted = result.numInsertedOrUpdatedRows ?? 0n;
  } catch (error) {
    if (isForeignKeyViolation(error)) throw new StoreError('NOT_FOUND', `job ${row.job_id} does not exist`, { cause: error });
    throw error;
  }
  if (inserted > 0n) return { spend: toSpend(row), created: true };
  const stored = (await ctx.db.selectFrom('privacy_ledger').selectAll().where('id', '=', row.id).executeTakeFirst())!;
  if (stored.subject !== row.subject || stored.job_id !== row.job_id || stored.round !== row.round || stored.epsilon !== row.epsilon || stored.delta !== row.delta) {
    throw new StoreError('CONFLICT', `privacy spend ${row.id} was already recorded with different values`);
  }
  return { spend: toSpend(stored), created: false };
}

/** All spends of a subject (optionally within one job), oldest first, with their plain sums. */
export async function getPrivacySpent(ctx: StoreContext, subject: string, filter?: { jobId?: string }): Promise<PrivacySpent> {
  checkId('subject', subject);
  const { jobId } = checkOptions('filter', filter);
  const rows = await ctx.db.selectFrom('privacy_ledger').selectAll().where('subject', '=', subject)
    .$if(jobId !== undefined, (q) => q.where('job_id', '=', checkId('filter.jobId', jobId)))
    .orderBy('created_at').orderBy('id').execute();
  const entries = rows.map(toSpend);
  let epsilon = 0;
  let delta = 0;
  for (const entry of entries) {
    epsilon += entry.epsilon;
    delta += entry.delta;
  }
  return { subject, epsilon, delta, entries };
}
