/**
 * Browser sessions and server settings (see account-types.ts for the contract). A session row
 * is keyed by the SHA-256 of the cookie's token, so reading the table does not let anyone act
 * as its users; expiry times are decided by the web layer and only stored here.
 */
import type { Selectable } from 'kysely';
import type { NewSessionInput, SessionRecord } from './account-types.js';
import { isForeignKeyViolation, isUniqueViolation } from './context.js';
import type { StoreContext } from './context.js';
import { StoreError } from './errors.js';
import type { SessionsTable } from './schema.js';
import type { JsonObject, JsonValue } from './store.js';
import { checkId, checkInt, checkOptions, checkRecord, jsonObjectText, jsonText, parseJsonColumn, toInt, toOptionalInt } from './values.js';

function checkDigest(name: string, value: unknown): string {
  if (typeof value !== 'string' || !/^[0-9a-f]{64}$/.test(value)) throw new RangeError(`${name} must be a SHA-256 hex digest`);
  return value;
}

function toSession(row: Selectable<SessionsTable>): SessionRecord {
  const revokedAt = toOptionalInt(row.revoked_at, 'sessions.revoked_at');
  return {
    id: row.id,
    userId: row.user_id,
    createdAt: toInt(row.created_at, 'sessions.created_at'),
    lastSeenAt: toInt(row.last_seen_at, 'sessions.last_seen_at'),
    expiresAt: toInt(row.expires_at, 'sessions.expires_at'),
    csrfTokenHash: row.csrf_token_hash,
    client: parseJsonColumn<JsonObject>(row.client),
    ...(revokedAt !== undefined ? { revokedAt } : {}),
  };
}

/** Store a new session. */
export async function createSession(ctx: StoreContext, input: NewSessionInput): Promise<SessionRecord> {
  const options = checkRecord('input', input);
  const at = options.atMs === undefined ? ctx.now() : checkInt('input.atMs', options.atMs, 0);
  const row = {
    id: checkDigest('input.id', options.id), user_id: checkId('input.userId', options.userId), created_at: at, last_seen_at: at,
    expires_at: checkInt('input.expiresAt', options.expiresAt, 0), csrf_token_hash: checkDigest('input.csrfTokenHash', options.csrfTokenHash),
    client: jsonObjectText('input.client', options.client), revoked_at: null,
  };
  try {
    await ctx.db.insertInto('sessions').values(row).execute();
  } catch (error) {
    if (isUniqueViolation(error)) throw new StoreError('CONFLICT', 'session id already exists', { cause: error });
    if (isForeignKeyViolation(error)) throw new StoreError('NOT_FOUND', `user ${row.user_id} does not exist`, { cause: error });
    throw error;
  }
  return toSession(row);
}

/** Read a session by id. */
export async function getSession(ctx: StoreContext, id: string): Promise<SessionRecord> {
  const row = await ctx.db.selectFrom('sessions').selectAll().where('id', '=', checkDigest('id', id)).executeTakeFirst();
  if (row === undefined) throw new StoreError('NOT_FOUND', 'no such session');
  return toSession(row);
}

/** Record activity on a live session. */
export async function touchSession(ctx: StoreContext, id: string, input: { lastSeenAt: number; expiresAt: number }): Promise<void> {
  checkDigest('id', id);
  const options = checkRecord('input', input);
  const lastSeenAt = checkInt('input.lastSeenAt', options.lastSeenAt, 0);
  const expiresAt = checkInt('input.expiresAt', options.expiresAt, 0);
  const result = await ctx.db.updateTable('sessions').set({ last_seen_at: lastSeenAt, expires_at: expiresAt })
    .where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) await getSession(ctx, id); // NOT_FOUND for an unknown id
}

/** End one session (idempotent). */
export async function revokeSession(ctx: StoreContext, id: string): Promise<void> {
  checkDigest('id', id);
  const result = await ctx.db.updateTable('sessions').set({ revoked_at: ctx.now() }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) await getSession(ctx, id);
}

/** End every live session of a user, optionally but one. */
export async function revokeUserSessions(ctx: StoreContext, userId: string, options?: { exceptId?: string }): Promise<number> {
  checkId('userId', userId);
  const { exceptId } = checkOptions('options', options);
  const result = await ctx.db.updateTable('sessions').set({ revoked_at: ctx.now() })
    .where('user_id', '=', userId).where('revoked_at', 'is', null)
    .$if(exceptId !== undefined, (q) => q.where('id', '!=', checkDigest('options.exceptId', exceptId)))
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Live sessions of a user, newest first. */
export async function listSessions(ctx: StoreContext, userId: string, options?: { atMs?: number }): Promise<SessionRecord[]> {
  checkId('userId', userId);
  const { atMs } = checkOptions('options', options);
  const at = atMs === undefined ? ctx.now() : checkInt('options.atMs', atMs, 0);
  const rows = await ctx.db.selectFrom('sessions').selectAll().where('user_id', '=', userId).where('revoked_at', 'is', null)
    .where('expires_at', '>', at).orderBy('created_at', 'desc').orderBy('id').execute();
  return rows.map(toSession);
}

/** Delete sessions that ended before `beforeMs`. */
export async function deleteStaleSessions(ctx: StoreContext, beforeMs: number): Promise<number> {
  const before = checkInt('beforeMs', beforeMs, 0);
  const result = await ctx.db.deleteFrom('sessions')
    .where((eb) => eb.or([eb('expires_at', '<', before), eb.and([eb('revoked_at', 'is not', null), eb('revoked_at', '<', before)])]))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** A setting's value, or undefined. */
export async function getSetting(ctx: StoreContext, key: string): Promise<JsonValue | undefined> {
  const row = await ctx.db.selectFrom('settings').select('value').where('key', '=', checkId('key', key)).executeTakeFirst();
  return row === undefined ? undefined : parseJsonColumn<JsonValue>(row.value);
}

/** Every stored setting. */
export async function listSettings(ctx: StoreContext): Promise<Record<string, JsonValue>> {
  const rows = await ctx.db.selectFrom('settings').select(['key', 'value']).orderBy('key').execute();
  return Object.fromEntries(rows.map((r) => [r.key, parseJsonColumn<JsonValue>(r.value)]));
}

/** Upsert a setting. */
export async function putSetting(ctx: StoreContext, key: string, value: JsonValue, updatedBy: string): Promise<void> {
  const row = { key: checkId('key', key), value: jsonText('value', value), updated_at: ctx.now(), updated_by: checkId('updatedBy', updatedBy) };
  await ctx.db.insertInto('settings').values(row)
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: row.value, updated_at: row.updated_at, updated_by: row.updated_by }))
    .execute();
}
