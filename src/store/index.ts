/**
 * The coordinator's persistence layer: {@link openStore} returns a {@link Store} backed by
 * SQLite (default, a file in the data directory) or PostgreSQL (`postgres://…`).
 */
export { openStore, parseStoreUrl, resolveStoreUrl, DEFAULT_DATA_DIR, SQLITE_FILE_NAME } from './open.js';
export type { OpenStoreOptions } from './open.js';
export type * from './store.js';
export type * from './account-types.js';
export { USER_ROLES } from './account-types.js';
export { StoreError } from './errors.js';
export type { StoreErrorCode } from './errors.js';
export { auditHash, verifyAuditChain, GENESIS_HASH } from './audit.js';
export type { AuditEntry, AuditEntryInput, AuditFilter, AuditHead, AuditSource, AuditVerification } from './audit.js';
export { canonicalJson } from './canonical-json.js';
export { hashEnrollmentToken } from './identity.js';
export { migrateToLatest, migrationProvider } from './migrations.js';
export type { Dialect } from './migrations.js';
export type { Database } from './schema.js';
