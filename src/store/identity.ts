/**
 * Institutions, single-use enrollment tokens and node identities. A node joins by presenting a
 * token issued to its institution together with its Ed25519 public key; the token is consumed
 * and the node registered in one transaction, so a crash can neither burn a token without a
 * node nor leave a node whose token is still usable.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { forUpdate, inTransaction, isUniqueViolation } from './context.js';
import type { StoreContext } from './context.js';
import { StoreError } from './errors.js';
import type { Database, InstitutionsTable, NodesTable } from './schema.js';
import type { InstitutionRecord, IssuedToken, NodeRecord } from './store.js';
import { checkId, checkInt, checkOptions, checkRecord, toInt, toOptionalInt } from './values.js';

/** Ed25519 public keys are 32 bytes (RFC 8032 §5.1.5). */
const ED25519_PUBLIC_KEY_BYTES = 32;
/** Longest token accepted on input; issued tokens are 43 characters. */
const MAX_TOKEN_LENGTH = 256;

/**
 * SHA-256 of the token, hex. Tokens carry 256 random bits, so a fast hash is enough: there is
 * nothing to brute-force, and the database never holds a usable token.
 */
export function hashEnrollmentToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

function toInstitution(row: Selectable<InstitutionsTable>): InstitutionRecord {
  const revokedAt = toOptionalInt(row.revoked_at, 'institutions.revoked_at');
  return { id: row.id, name: row.name, createdAt: toInt(row.created_at, 'institutions.created_at'), ...(revokedAt !== undefined ? { revokedAt } : {}) };
}

function toNode(row: Selectable<NodesTable>): NodeRecord {
  const revokedAt = toOptionalInt(row.revoked_at, 'nodes.revoked_at');
  const lastSeenAt = toOptionalInt(row.last_seen_at, 'nodes.last_seen_at');
  return {
    id: row.id,
    institutionId: row.institution_id,
    publicKey: row.public_key,
    createdAt: toInt(row.created_at, 'nodes.created_at'),
    ...(revokedAt !== undefined ? { revokedAt } : {}),
    ...(lastSeenAt !== undefined ? { lastSeenAt } : {}),
  };
}

/** Accept only canonical base64 of exactly 32 bytes, so one key has one spelling (unique index). */
function checkPublicKey(value: unknown): string {
  if (typeof value !== 'string') throw new TypeError(`publicKey must be a base64 string, got ${typeof value}`);
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length !== ED25519_PUBLIC_KEY_BYTES || bytes.toString('base64') !== value) {
    throw new RangeError(`publicKey must be the base64 of a raw ${ED25519_PUBLIC_KEY_BYTES}-byte Ed25519 key`);
  }
  return value;
}

function checkToken(value: unknown): string {
  if (typeof value !== 'string') throw new TypeError(`token must be a string, got ${typeof value}`);
  if (value.length === 0 || value.length > MAX_TOKEN_LENGTH) throw new RangeError(`token must have 1..${MAX_TOKEN_LENGTH} characters`);
  return value;
}

async function loadInstitution(db: Kysely<Database>, id: string): Promise<Selectable<InstitutionsTable>> {
  const row = await db.selectFrom('institutions').selectAll().where('id', '=', id).executeTakeFirst();
  if (row === undefined) throw new StoreError('NOT_FOUND', `institution ${id} does not exist`);
  return row;
}

async function loadNode(db: Kysely<Database>, id: string): Promise<Selectable<NodesTable>> {
  const row = await db.selectFrom('nodes').selectAll().where('id', '=', id).executeTakeFirst();
  if (row === undefined) throw new StoreError('NOT_FOUND', `node ${id} does not exist`);
  return row;
}

/** Create an institution; CONFLICT if the name or id is taken. */
export async function createInstitution(ctx: StoreContext, input: { name: string; id?: string }): Promise<InstitutionRecord> {
  const { name, id } = checkRecord('input', input);
  const row = { id: id === undefined ? randomUUID() : checkId('id', id), name: checkId('name', name), created_at: ctx.now(), revoked_at: null };
  try {
    await ctx.db.insertInto('institutions').values(row).execute();
  } catch (error) {
    if (isUniqueViolation(error)) throw new StoreError('CONFLICT', `institution name or id already exists: ${row.name}`, { cause: error });
    throw error;
  }
  return toInstitution(row);
}

/** Read one institution. */
export async function getInstitution(ctx: StoreContext, id: string): Promise<InstitutionRecord> {
  return toInstitution(await loadInstitution(ctx.db, checkId('id', id)));
}

/** Institutions, oldest first. */
export async function listInstitutions(ctx: StoreContext, filter?: { includeRevoked?: boolean }): Promise<InstitutionRecord[]> {
  const { includeRevoked } = checkOptions('filter', filter);
  const rows = await ctx.db.selectFrom('institutions').selectAll()
    .$if(includeRevoked !== true, (q) => q.where('revoked_at', 'is', null))
    .orderBy('created_at').orderBy('id').execute();
  return rows.map(toInstitution);
}

/** Revoke an institution and all its nodes (idempotent: the first revocation time stays). */
export async function revokeInstitution(ctx: StoreContext, id: string): Promise<InstitutionRecord> {
  checkId('id', id);
  return inTransaction(ctx, async (tx) => {
    await loadInstitution(tx, id);
    const now = ctx.now();
    await tx.updateTable('institutions').set({ revoked_at: now }).where('id', '=', id).where('revoked_at', 'is', null).execute();
    await tx.updateTable('nodes').set({ revoked_at: now }).where('institution_id', '=', id).where('revoked_at', 'is', null).execute();
    return toInstitution(await loadInstitution(tx, id));
  });
}

/** Issue a single-use token for an active institution, valid for `ttlMs`. */
export async function createEnrollmentToken(ctx: StoreContext, input: { institutionId: string; ttlMs: number }): Promise<IssuedToken> {
  const options = checkRecord('input', input);
  const institutionId = checkId('institutionId', options.institutionId);
  const ttlMs = checkInt('ttlMs', options.ttlMs, 1);
  const token = randomBytes(32).toString('base64url');
  const now = ctx.now();
  const expiresAt = now + ttlMs;
  await inTransaction(ctx, async (tx) => {
    const institution = await loadInstitution(tx, institutionId);
    if (institution.revoked_at !== null) throw new StoreError('REVOKED', `institution ${institutionId} is revoked`);
    await tx.insertInto('enrollment_tokens').values({
      token_hash: hashEnrollmentToken(token), institution_id: institutionId, created_at: now, expires_at: expiresAt, used_at: null, used_by_node_id: null,
    }).execute();
  });
  return { token, institutionId, expiresAt };
}

/** Inside a transaction: validate and mark the token used. */
async function consumeInTx(ctx: StoreContext, tx: Kysely<Database>, token: string, nodeId: string | null): Promise<string> {
  const tokenHash = hashEnrollmentToken(token);
  const now = ctx.now();
  const row = await forUpdate(ctx, tx.selectFrom('enrollment_tokens').selectAll().where('token_hash', '=', tokenHash)).executeTakeFirst();
  if (row === undefined) throw new StoreError('TOKEN_INVALID', 'unknown enrollment token');
  if (row.used_at !== null) throw new StoreError('TOKEN_USED', 'enrollment token was already used');
  if (toInt(row.expires_at, 'enrollment_tokens.expires_at') <= now) throw new StoreError('TOKEN_EXPIRED', 'enrollment token has expired');
  const institution = await loadInstitution(tx, row.institution_id);
  if (institution.revoked_at !== null) throw new StoreError('REVOKED', `institution ${row.institution_id} is revoked`);
  // The `used_at is null` guard makes single use hold even if the row lock above were absent.
  const result = await tx.updateTable('enrollment_tokens').set({ used_at: now, used_by_node_id: nodeId })
    .where('token_hash', '=', tokenHash).where('used_at', 'is', null).executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) throw new StoreError('TOKEN_USED', 'enrollment token was already used');
  return row.institution_id;
}

/** Mark a token used and return its institution. */
export async function consumeEnrollmentToken(ctx: StoreContext, token: string): Promise<{ institutionId: string }> {
  checkToken(token);
  return { institutionId: await inTransaction(ctx, (tx) => consumeInTx(ctx, tx, token, null)) };
}

async function insertNode(ctx: StoreContext, tx: Kysely<Database>, institutionId: string, publicKey: string, id: string): Promise<NodeRecord> {
  const row = { id, institution_id: institutionId, public_key: publicKey, created_at: ctx.now(), revoked_at: null, last_seen_at: null };
  try {
    await tx.insertInto('nodes').values(row).execute();
  } catch (error) {
    if (isUniqueViolation(error)) throw new StoreError('CONFLICT', `node id or public key already registered (node ${id})`, { cause: error });
    throw error;
  }
  return toNode(row);
}

/** Consume a token and register the node, atomically. */
export async function enrollNode(ctx: StoreContext, input: { token: string; publicKey: string; id?: string }): Promise<NodeRecord> {
  const options = checkRecord('input', input);
  const token = checkToken(options.token);
  const publicKey = checkPublicKey(options.publicKey);
  const id = options.id === undefined ? randomUUID() : checkId('id', options.id);
  return inTransaction(ctx, async (tx) => {
    const institutionId = await consumeInTx(ctx, tx, token, id);
    return insertNode(ctx, tx, institutionId, publicKey, id);
  });
}

/** Register a node directly (operator action, no token). */
export async function registerNode(ctx: StoreContext, input: { institutionId: string; publicKey: string; id?: string }): Promise<NodeRecord> {
  const options = checkRecord('input', input);
  const institutionId = checkId('institutionId', options.institutionId);
  const publicKey = checkPublicKey(options.publicKey);
  const id = options.id === undefined ? randomUUID() : checkId('id', options.id);
  return inTransaction(ctx, async (tx) => {
    const institution = await loadInstitution(tx, institutionId);
    if (institution.revoked_at !== null) throw new StoreError('REVOKED', `institution ${institutionId} is revoked`);
    return insertNode(ctx, tx, institutionId, publicKey, id);
  });
}

/** Read one node. */
export async function getNode(ctx: StoreContext, id: string): Promise<NodeRecord> {
  return toNode(await loadNode(ctx.db, checkId('id', id)));
}

/** Nodes, oldest first. */
export async function listNodes(ctx: StoreContext, filter?: { institutionId?: string; includeRevoked?: boolean }): Promise<NodeRecord[]> {
  const { institutionId, includeRevoked } = checkOptions('filter', filter);
  const rows = await ctx.db.selectFrom('nodes').selectAll()
    .$if(institutionId !== undefined, (q) => q.where('institution_id', '=', checkId('filter.institutionId', institutionId)))
    .$if(includeRevoked !== true, (q) => q.where('revoked_at', 'is', null))
    .orderBy('created_at').orderBy('id').execute();
  return rows.map(toNode);
}

/** Revoke a node (idempotent: the first revocation time stays). */
export async function revokeNode(ctx: StoreContext, id: string): Promise<NodeRecord> {
  checkId('id', id);
  return inTransaction(ctx, async (tx) => {
    await loadNode(tx, id);
    await tx.updateTable('nodes').set({ revoked_at: ctx.now() }).where('id', '=', id).where('revoked_at', 'is', null).execute();
    return toNode(await loadNode(tx, id));
  });
}

/** Record when a node was last seen; REVOKED for a revoked node. */
export async function touchNode(ctx: StoreContext, id: string, atMs?: number): Promise<void> {
  checkId('id', id);
  const at = atMs === undefined ? ctx.now() : checkInt('atMs', atMs, 0);
  const result = await ctx.db.updateTable('nodes').set({ last_seen_at: at }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
  if (Number(result.numUpdatedRows) === 1) return;
  await loadNode(ctx.db, id); // throws NOT_FOUND when absent
  throw new StoreError('REVOKED', `node ${id} is revoked`);
}
