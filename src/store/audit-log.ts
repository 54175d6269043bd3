/**
 * The audit log in the database: serialised appends, filtered reads, and verification of the
 * stored chain with {@link verifyAuditChain}.
 */
import { sql } from 'kysely';
import type { Selectable } from 'kysely';
import { auditHash, GENESIS_HASH, verifyAuditChain } from './audit.js';
import type { AuditEntry, AuditEntryInput, AuditFilter, AuditHead, AuditSource, AuditVerification } from './audit.js';
import { inTransaction } from './context.js';
import type { StoreContext } from './context.js';
import type { AuditLogTable } from './schema.js';
import type { JsonObject } from './store.js';
import { checkId, checkInt, checkOptions, checkRecord, jsonObjectText, parseJsonColumn, toInt } from './values.js';

/** Entries read per query while verifying; bounds memory for long logs. */
const VERIFY_PAGE_SIZE = 1000;
const DEFAULT_LIST_LIMIT = 1000;
const MAX_LIST_LIMIT = 100_000;
const HEX_HASH = /^[0-9a-f]{64}$/;

function toEntry(row: Selectable<AuditLogTable>): AuditEntry {
  return {
    seq: toInt(row.seq, 'audit_log.seq'),
    at: toInt(row.at, 'audit_log.at'),
    actor: row.actor,
    action: row.action,
    subject: row.subject,
    details: parseJsonColumn<JsonObject>(row.details),
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/**
 * A stored row as read for verification: nothing is checked here, so a tampered row (text in
 * a number column, details that are not JSON) reaches the chain check and fails its hash
 * instead of aborting verification.
 */
function toStoredEntry(row: Selectable<AuditLogTable>): AuditEntry {
  let details: JsonObject;
  try {
    details = parseJsonColumn<JsonObject>(row.details);
  } catch {
    details = { unparseable: row.details };
  }
  return { seq: Number(row.seq), at: Number(row.at), actor: row.actor, action: row.action, subject: row.subject, details, prevHash: row.prev_hash, hash: row.hash };
}

/**
 * Append one entry. The read of the current head and the insert run in one transaction that
 * excludes other appenders (SQLite: BEGIN IMMEDIATE; PostgreSQL: a SHARE ROW EXCLUSIVE table
 * lock, which conflicts with itself and with inserts but not with readers), so two concurrent
 * appends can never both extend the same head.
 */
export async function appendAudit(ctx: StoreContext, input: AuditEntryInput): Promise<AuditEntry> {
  const options = checkRecord('entry', input);
  const actor = checkId('entry.actor', options.actor);
  const action = checkId('entry.action', options.action);
  const subject = checkId('entry.subject', options.subject);
  const detailsText = options.details === undefined ? '{}' : jsonObjectText('entry.details', options.details);
  const details = parseJsonColumn<JsonObject>(detailsText);
  return inTransaction(ctx, async (tx) => {
    if (ctx.dialect === 'postgres') await sql`lock table audit_log in share row exclusive mode`.execute(tx);
    const last = await tx.selectFrom('audit_log').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
    const seq = last === undefined ? 1 : toInt(last.seq, 'audit_log.seq') + 1;
    const prevHash = last === undefined ? GENESIS_HASH : last.hash;
    const entry = { seq, at: ctx.now(), actor, action, subject, details };
    const hash = auditHash(prevHash, entry);
    await tx.insertInto('audit_log').values({ seq, at: entry.at, actor, action, subject, details: detailsText, prev_hash: prevHash, hash }).execute();
    return { ...entry, prevHash, hash };
  });
}

/** Entries matching the filter in ascending seq order. */
export async function listAudit(ctx: StoreContext, filter?: AuditFilter): Promise<AuditEntry[]> {
  const { actor, action, subject, fromSeq, limit } = checkOptions('filter', filter);
  const rows = await ctx.db.selectFrom('audit_log').selectAll()
    .$if(actor !== undefined, (q) => q.where('actor', '=', checkId('filter.actor', actor)))
    .$if(action !== undefined, (q) => q.where('action', '=', checkId('filter.action', action)))
    .$if(subject !== undefined, (q) => q.where('subject', '=', checkId('filter.subject', subject)))
    .$if(fromSeq !== undefined, (q) => q.where('seq', '>=', checkInt('filter.fromSeq', fromSeq, 1)))
    .orderBy('seq').limit(limit === undefined ? DEFAULT_LIST_LIMIT : checkInt('filter.limit', limit, 1, MAX_LIST_LIMIT)).execute();
  return rows.map(toEntry);
}

/** The current head, to be anchored outside the database. */
export async function getAuditHead(ctx: StoreContext): Promise<AuditHead> {
  const last = await ctx.db.selectFrom('audit_log').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  return last === undefined ? { seq: 0, hash: GENESIS_HASH } : { seq: toInt(last.seq, 'audit_log.seq'), hash: last.hash };
}

/** Verify the stored chain (see {@link verifyAuditChain}). */
export async function verifyAudit(ctx: StoreContext, options?: { expectedHead?: AuditHead }): Promise<AuditVerification> {
  const { expectedHead } = checkOptions('options', options);
  if (expectedHead !== undefined) {
    const head = checkRecord('options.expectedHead', expectedHead);
    checkInt('options.expectedHead.seq', head.seq, 0);
    if (typeof head.hash !== 'string' || !HEX_HASH.test(head.hash)) throw new TypeError('options.expectedHead.hash must be 64 lowercase hex characters');
  }
  const source: AuditSource = {
    async *pages() {
      let afterSeq = 0;
      while (true) {
        const rows = await ctx.db.selectFrom('audit_log').selectAll().where('seq', '>', afterSeq).orderBy('seq').limit(VERIFY_PAGE_SIZE).execute();
        if (rows.length === 0) return;
        const page = rows.map(toStoredEntry);
        yield page;
        afterSeq = page[page.length - 1].seq;
      }
    },
    async findByHash(hash) {
      const row = await ctx.db.selectFrom('audit_log').selectAll().where('hash', '=', hash).executeTakeFirst();
      return row === undefined ? undefined : toStoredEntry(row);
    },
  };
  return verifyAuditChain(source, expectedHead as AuditHead | undefined);
}
