/**
 * Dashboard accounts and the first-admin setup token (see account-types.ts for the contract).
 * Every read-check-write runs in one transaction with the row locked, so a lockout counter, a
 * recovery code or a TOTP step cannot be spent twice by concurrent requests, and the last
 * active admin cannot be demoted or disabled by two admins acting at once.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Kysely, Selectable, Updateable } from 'kysely';
import { USER_ROLES } from './account-types.js';
import type { NewUserInput, SignInFailureState, TotpPatch, UserPatch, UserRecord, UserRole, UserStatus } from './account-types.js';
import { forUpdate, inTransaction, isForeignKeyViolation, isUniqueViolation } from './context.js';
import type { StoreContext } from './context.js';
import { StoreError } from './errors.js';
import type { Database, UsersTable } from './schema.js';
import { checkId, checkInt, checkOptions, checkRecord, checkText, jsonObjectText, parseJsonColumn, toInt, toOptionalInt } from './values.js';

const USER_STATUSES: readonly UserStatus[] = ['pending', 'active', 'disabled'];
/** Allowed status changes (setting the current status again is a no-op). */
const TRANSITIONS: Readonly<Record<UserStatus, readonly UserStatus[]>> = { pending: ['active', 'disabled'], active: ['disabled'], disabled: ['active', 'pending'] };
/** Longest email (RFC 5321 path limit). */
const MAX_EMAIL_LENGTH = 254;
/** Longest stored credential string (PHC hash, sealed secret). */
const MAX_CREDENTIAL_LENGTH = 1000;
const MAX_RECOVERY_CODES = 100;

/** SHA-256 (hex) of a setup token, the only form in which the store keeps it. */
export function hashSetupToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Trim and lower-case an email and check its shape (one @, no spaces); TypeError/RangeError. */
export function normalizeEmail(name: string, value: unknown): string {
  if (typeof value !== 'string') throw new TypeError(`${name} must be a string, got ${typeof value}`);
  const email = value.trim().toLowerCase();
  if (email.length > MAX_EMAIL_LENGTH || !/^[^\s@]+@[^\s@]+$/.test(email)) throw new RangeError(`${name} must be an email address of at most ${MAX_EMAIL_LENGTH} characters`);
  return email;
}

function checkRole(name: string, value: unknown): UserRole {
  if (!USER_ROLES.includes(value as UserRole)) throw new RangeError(`${name} must be one of ${USER_ROLES.join(', ')}, got ${String(value)}`);
  return value as UserRole;
}

function checkStatus(name: string, value: unknown): UserStatus {
  if (!USER_STATUSES.includes(value as UserStatus)) throw new RangeError(`${name} must be one of ${USER_STATUSES.join(', ')}, got ${String(value)}`);
  return value as UserStatus;
}

function checkCredential(name: string, value: unknown): string {
  const text = checkText(name, value, MAX_CREDENTIAL_LENGTH);
  if (text.length === 0) throw new RangeError(`${name} must not be empty`);
  return text;
}

function checkDisplayName(name: string, value: unknown): string {
  const text = checkText(name, value, 200).trim();
  if (text.length === 0) throw new RangeError(`${name} must not be empty`);
  return text;
}

function checkHashList(name: string, value: unknown): string[] {
  if (!Array.isArray(value) || value.length > MAX_RECOVERY_CODES) throw new TypeError(`${name} must be an array of at most ${MAX_RECOVERY_CODES} hex digests`);
  return value.map((item, i) => {
    if (typeof item !== 'string' || !/^[0-9a-f]{64}$/.test(item)) throw new RangeError(`${name}[${i}] must be a SHA-256 hex digest`);
    return item;
  });
}

function toUser(row: Selectable<UsersTable>): UserRecord {
  const lastStep = toOptionalInt(row.totp_last_step, 'users.totp_last_step');
  const lockedUntil = toOptionalInt(row.locked_until, 'users.locked_until');
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    ...(row.institution_id !== null ? { institutionId: row.institution_id } : {}),
    ...(row.requested_institution !== null ? { requestedInstitution: row.requested_institution } : {}),
    ...(row.role !== null ? { role: row.role as UserRole } : {}),
    status: row.status as UserStatus,
    passwordHash: row.password_hash,
    totpEnabled: Number(row.totp_enabled) === 1,
    ...(row.totp_secret !== null ? { totpSecret: row.totp_secret } : {}),
    ...(row.totp_pending_secret !== null ? { totpPendingSecret: row.totp_pending_secret } : {}),
    ...(lastStep !== undefined ? { totpLastStep: lastStep } : {}),
    recoveryCodeHashes: parseJsonColumn<string[]>(row.recovery_codes),
    failedAttempts: Number(row.failed_attempts),
    ...(lockedUntil !== undefined ? { lockedUntil } : {}),
    notificationPrefs: parseJsonColumn(row.notification_prefs),
    createdAt: toInt(row.created_at, 'users.created_at'),
    updatedAt: toInt(row.updated_at, 'users.updated_at'),
  };
}

async function loadUser(ctx: StoreContext, db: Kysely<Database>, id: string, lock = false): Promise<Selectable<UsersTable>> {
  const query = db.selectFrom('users').selectAll().where('id', '=', id);
  const row = await (lock ? forUpdate(ctx, query) : query).executeTakeFirst();
  if (row === undefined) throw new StoreError('NOT_FOUND', `user ${id} does not exist`);
  return row;
}

async function insertUser(ctx: StoreContext, db: Kysely<Database>, input: Required<Pick<NewUserInput, 'email' | 'displayName' | 'passwordHash' | 'status' | 'id'>> & NewUserInput): Promise<UserRecord> {
  const now = ctx.now();
  const row = {
    id: input.id, email: input.email, display_name: input.displayName, institution_id: input.institutionId ?? null,
    requested_institution: input.requestedInstitution ?? null, role: input.role ?? null, status: input.status, password_hash: input.passwordHash,
    totp_enabled: 0, totp_secret: null, totp_pending_secret: null, totp_last_step: null, recovery_codes: '[]', failed_attempts: 0,
    locked_until: null, notification_prefs: '{}', created_at: now, updated_at: now,
  };
  try {
    await db.insertInto('users').values(row).execute();
  } catch (error) {
    if (isUniqueViolation(error)) throw new StoreError('CONFLICT', 'an account with this email or id already exists', { cause: error });
    if (isForeignKeyViolation(error)) throw new StoreError('NOT_FOUND', `institution ${input.institutionId ?? ''} does not exist`, { cause: error });
    throw error;
  }
  return toUser(row);
}

/** Number of accounts. */
export async function countUsers(ctx: StoreContext): Promise<number> {
  const row = await ctx.db.selectFrom('users').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
  return toInt(row.n, 'count(users)');
}

/** Issue the setup token (earlier unused ones stop working); CONFLICT once an account exists. */
export async function createSetupToken(ctx: StoreContext, input: { ttlMs: number }): Promise<{ token: string; expiresAt: number }> {
  const ttlMs = checkInt('input.ttlMs', checkRecord('input', input).ttlMs, 1);
  const token = `fcst_${randomBytes(32).toString('base64url')}`;
  return inTransaction(ctx, async (tx) => {
    const users = await tx.selectFrom('users').select('id').limit(1).execute();
    if (users.length > 0) throw new StoreError('CONFLICT', 'the first admin already exists; setup is closed');
    await tx.deleteFrom('setup_tokens').where('used_at', 'is', null).execute();
    const now = ctx.now();
    await tx.insertInto('setup_tokens').values({ token_hash: hashSetupToken(token), created_at: now, expires_at: now + ttlMs, used_at: null, used_by_user_id: null }).execute();
    return { token, expiresAt: now + ttlMs };
  });
}

/** Consume the setup token and create the first admin, atomically. */
export async function createFirstAdmin(ctx: StoreContext, input: { setupToken: string; email: string; displayName: string; passwordHash: string; id?: string }): Promise<UserRecord> {
  const options = checkRecord('input', input);
  const token = checkText('input.setupToken', options.setupToken, 200);
  const user = {
    email: normalizeEmail('input.email', options.email), displayName: checkDisplayName('input.displayName', options.displayName),
    passwordHash: checkCredential('input.passwordHash', options.passwordHash), id: options.id === undefined ? randomUUID() : checkId('input.id', options.id),
    role: 'admin' as const, status: 'active' as const,
  };
  return inTransaction(ctx, async (tx) => {
    const row = await forUpdate(ctx, tx.selectFrom('setup_tokens').selectAll().where('token_hash', '=', hashSetupToken(token))).executeTakeFirst();
    if (row === undefined) throw new StoreError('TOKEN_INVALID', 'unknown setup token');
    if (row.used_at !== null) throw new StoreError('TOKEN_USED', 'the setup token was already used');
    if (toInt(row.expires_at, 'setup_tokens.expires_at') <= ctx.now()) throw new StoreError('TOKEN_EXPIRED', 'the setup token has expired; restart the coordinator for a new one');
    const existing = await tx.selectFrom('users').select('id').limit(1).execute();
    if (existing.length > 0) throw new StoreError('CONFLICT', 'the first admin already exists; setup is closed');
    const created = await insertUser(ctx, tx, user);
    await tx.updateTable('setup_tokens').set({ used_at: ctx.now(), used_by_user_id: created.id }).where('token_hash', '=', row.token_hash).execute();
    return created;
  });
}

/** Create an account (pending unless told otherwise). */
export async function createUser(ctx: StoreContext, input: NewUserInput): Promise<UserRecord> {
  const options = checkRecord('input', input);
  const status = options.status === undefined ? 'pending' : checkStatus('input.status', options.status);
  const role = options.role === undefined ? undefined : checkRole('input.role', options.role);
  if (status === 'active' && role === undefined) throw new RangeError('input.role is required for an active account');
  return insertUser(ctx, ctx.db, {
    email: normalizeEmail('input.email', options.email), displayName: checkDisplayName('input.displayName', options.displayName),
    passwordHash: checkCredential('input.passwordHash', options.passwordHash), status, id: options.id === undefined ? randomUUID() : checkId('input.id', options.id),
    ...(role !== undefined ? { role } : {}),
    ...(options.institutionId !== undefined ? { institutionId: checkId('input.institutionId', options.institutionId) } : {}),
    ...(options.requestedInstitution !== undefined ? { requestedInstitution: checkId('input.requestedInstitution', options.requestedInstitution) } : {}),
  });
}

/** Read one account. */
export async function getUser(ctx: StoreContext, id: string): Promise<UserRecord> {
  return toUser(await loadUser(ctx, ctx.db, checkId('id', id)));
}

/** Read one account by email (case-insensitive). */
export async function getUserByEmail(ctx: StoreContext, email: string): Promise<UserRecord> {
  const row = await ctx.db.selectFrom('users').selectAll().where('email', '=', normalizeEmail('email', email)).executeTakeFirst();
  if (row === undefined) throw new StoreError('NOT_FOUND', 'no account with this email');
  return toUser(row);
}

/** Accounts, oldest first. */
export async function listUsers(ctx: StoreContext, filter?: { status?: UserStatus; role?: UserRole }): Promise<UserRecord[]> {
  const { status, role } = checkOptions('filter', filter);
  const rows = await ctx.db.selectFrom('users').selectAll()
    .$if(status !== undefined, (q) => q.where('status', '=', checkStatus('filter.status', status)))
    .$if(role !== undefined, (q) => q.where('role', '=', checkRole('filter.role', role)))
    .orderBy('created_at').orderBy('id').execute();
  return rows.map(toUser);
}

/** Apply a checked patch to a locked row inside a transaction. */
async function patchInTx(ctx: StoreContext, tx: Kysely<Database>, row: Selectable<UsersTable>, patch: UserPatch): Promise<UserRecord> {
  const set: Updateable<UsersTable> = { updated_at: ctx.now() };
  if (patch.displayName !== undefined) set.display_name = checkDisplayName('patch.displayName', patch.displayName);
  if (patch.notificationPrefs !== undefined) set.notification_prefs = jsonObjectText('patch.notificationPrefs', patch.notificationPrefs);
  if (patch.passwordHash !== undefined) set.password_hash = checkCredential('patch.passwordHash', patch.passwordHash);
  if (patch.institutionId !== undefined) set.institution_id = patch.institutionId === null ? null : checkId('patch.institutionId', patch.institutionId);
  const oldStatus = row.status as UserStatus;
  const status = patch.status === undefined ? oldStatus : checkStatus('patch.status', patch.status);
  const role = patch.role === undefined ? row.role : checkRole('patch.role', patch.role);
  if (status !== oldStatus && !TRANSITIONS[oldStatus].includes(status)) throw new StoreError('INVALID_TRANSITION', `an account cannot go from ${oldStatus} to ${status}`);
  if (status === 'active' && role === null) throw new StoreError('INVALID_TRANSITION', 'an account needs a role to be active');
  if (row.role === 'admin' && oldStatus === 'active' && (role !== 'admin' || status !== 'active')) {
    const others = await tx.selectFrom('users').select('id').where('role', '=', 'admin').where('status', '=', 'active').where('id', '!=', row.id).limit(1).execute();
    if (others.length === 0) throw new StoreError('CONFLICT', 'this is the last active admin; promote another admin first');
  }
  set.status = status;
  set.role = role;
  try {
    await tx.updateTable('users').set(set).where('id', '=', row.id).execute();
  } catch (error) {
    if (isForeignKeyViolation(error)) throw new StoreError('NOT_FOUND', `institution ${String(patch.institutionId)} does not exist`, { cause: error });
    throw error;
  }
  // A changed role or a disabled account must not keep sessions minted under the old rights.
  if ((status === 'disabled' && oldStatus !== 'disabled') || role !== row.role) {
    await tx.updateTable('sessions').set({ revoked_at: ctx.now() }).where('user_id', '=', row.id).where('revoked_at', 'is', null).execute();
  }
  return toUser(await loadUser(ctx, tx, row.id));
}

/** Change an account's profile, password hash, role, status or institution. */
export async function updateUser(ctx: StoreContext, id: string, patch: UserPatch): Promise<UserRecord> {
  checkId('id', id);
  const checked = checkRecord('patch', patch) as UserPatch;
  return inTransaction(ctx, async (tx) => patchInTx(ctx, tx, await loadUser(ctx, tx, id, true), checked));
}

/** pending → active with a role. */
export async function approveUser(ctx: StoreContext, id: string, input: { role: UserRole; institutionId?: string }): Promise<UserRecord> {
  checkId('id', id);
  const options = checkRecord('input', input);
  const role = checkRole('input.role', options.role);
  const institutionId = options.institutionId === undefined ? undefined : checkId('input.institutionId', options.institutionId);
  return inTransaction(ctx, async (tx) => {
    const row = await loadUser(ctx, tx, id, true);
    if (row.status !== 'pending') throw new StoreError('INVALID_TRANSITION', `only a pending account can be approved (this one is ${row.status})`);
    return patchInTx(ctx, tx, row, { role, status: 'active', ...(institutionId !== undefined ? { institutionId } : {}) });
  });
}

/** Change second-factor fields. */
export async function updateUserTotp(ctx: StoreContext, id: string, patch: TotpPatch): Promise<UserRecord> {
  checkId('id', id);
  const p = checkRecord('patch', patch);
  const set: Updateable<UsersTable> = { updated_at: ctx.now() };
  if (p.enabled !== undefined) {
    if (typeof p.enabled !== 'boolean') throw new TypeError('patch.enabled must be a boolean');
    set.totp_enabled = p.enabled ? 1 : 0;
  }
  if (p.secret !== undefined) set.totp_secret = p.secret === null ? null : checkCredential('patch.secret', p.secret);
  if (p.pendingSecret !== undefined) set.totp_pending_secret = p.pendingSecret === null ? null : checkCredential('patch.pendingSecret', p.pendingSecret);
  if (p.lastStep !== undefined) set.totp_last_step = p.lastStep === null ? null : checkInt('patch.lastStep', p.lastStep, 0);
  if (p.recoveryCodeHashes !== undefined) set.recovery_codes = JSON.stringify(checkHashList('patch.recoveryCodeHashes', p.recoveryCodeHashes));
  const result = await ctx.db.updateTable('users').set(set).where('id', '=', id).executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) throw new StoreError('NOT_FOUND', `user ${id} does not exist`);
  return getUser(ctx, id);
}

/** Accept a TOTP step once (RFC 6238 §5.2: a verified OTP must not be accepted again). */
export async function claimTotpStep(ctx: StoreContext, id: string, step: number): Promise<boolean> {
  checkId('id', id);
  checkInt('step', step, 0);
  const result = await ctx.db.updateTable('users').set({ totp_last_step: step, updated_at: ctx.now() })
    .where('id', '=', id).where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)])).executeTakeFirst();
  if (Number(result.numUpdatedRows) === 1) return true;
  await loadUser(ctx, ctx.db, id); // NOT_FOUND for an unknown id
  return false;
}

/** Spend one recovery code. */
export async function consumeRecoveryCode(ctx: StoreContext, id: string, codeHash: string): Promise<boolean> {
  checkId('id', id);
  const [hash] = checkHashList('codeHash', [codeHash]);
  return inTransaction(ctx, async (tx) => {
    const row = await loadUser(ctx, tx, id, true);
    const codes = parseJsonColumn<string[]>(row.recovery_codes);
    const index = codes.indexOf(hash);
    if (index < 0) return false;
    codes.splice(index, 1);
    await tx.updateTable('users').set({ recovery_codes: JSON.stringify(codes), updated_at: ctx.now() }).where('id', '=', id).execute();
    return true;
  });
}

/** Count a failed sign-in; lock on the `maxAttempts`-th in a row. */
export async function recordSignInFailure(ctx: StoreContext, id: string, input: { atMs: number; maxAttempts: number; lockMs: number }): Promise<SignInFailureState> {
  checkId('id', id);
  const options = checkRecord('input', input);
  const atMs = checkInt('input.atMs', options.atMs, 0);
  const maxAttempts = checkInt('input.maxAttempts', options.maxAttempts, 1, 1000);
  const lockMs = checkInt('input.lockMs', options.lockMs, 1);
  return inTransaction(ctx, async (tx) => {
    const row = await loadUser(ctx, tx, id, true);
    const lockedUntil = toOptionalInt(row.locked_until, 'users.locked_until');
    if (lockedUntil !== undefined && lockedUntil > atMs) return { failedAttempts: Number(row.failed_attempts), lockedUntil };
    const attempts = (lockedUntil !== undefined ? 0 : Number(row.failed_attempts)) + 1;
    const lock = attempts >= maxAttempts ? atMs + lockMs : null;
    await tx.updateTable('users').set({ failed_attempts: lock === null ? attempts : 0, locked_until: lock, updated_at: ctx.now() }).where('id', '=', id).execute();
    return lock === null ? { failedAttempts: attempts } : { failedAttempts: attempts, lockedUntil: lock };
  });
}

/** Forget failures and any lock. */
export async function clearSignInFailures(ctx: StoreContext, id: string): Promise<UserRecord> {
  checkId('id', id);
  const result = await ctx.db.updateTable('users').set({ failed_attempts: 0, locked_until: null, updated_at: ctx.now() }).where('id', '=', id).executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) throw new StoreError('NOT_FOUND', `user ${id} does not exist`);
  return getUser(ctx, id);
}
