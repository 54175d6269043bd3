/**
 * People who use the dashboard: accounts with roles, their second factor, their sessions, the
 * one-time setup token that creates the first admin, and server settings. Part of {@link Store}
 * (see store.ts); implemented for SQLite and PostgreSQL in users.ts and sessions.ts.
 *
 * The store keeps only what cannot be used as a credential if the database leaks: argon2id
 * password hashes, TOTP secrets as AES-256-GCM ciphertext under a key kept outside the
 * database (the web layer seals and opens them), SHA-256 of session tokens, CSRF tokens,
 * recovery codes and setup tokens.
 */
import type { JsonObject, JsonValue } from './store.js';

/** What a person may do; `undefined` on a record while the account awaits approval. */
export type UserRole = 'admin' | 'risk_officer' | 'ml_engineer' | 'auditor';

/** Every role, in the order the dashboard lists them. */
export const USER_ROLES: readonly UserRole[] = Object.freeze(['admin', 'risk_officer', 'ml_engineer', 'auditor']);

/** Account lifecycle: pending → active ⇄ disabled (a pending request may also be disabled). */
export type UserStatus = 'pending' | 'active' | 'disabled';

/** One account. Credential material is hashed or sealed; never send this record to a client as is. */
export interface UserRecord {
  readonly id: string;
  /** Trimmed and lower-cased; unique. */
  readonly email: string;
  readonly displayName: string;
  /** The lender the person works for, once an admin has linked it. */
  readonly institutionId?: string;
  /** The institution name the person typed when registering. */
  readonly requestedInstitution?: string;
  readonly role?: UserRole;
  readonly status: UserStatus;
  /** PHC-encoded argon2id hash. */
  readonly passwordHash: string;
  readonly totpEnabled: boolean;
  /** Sealed TOTP secret in use (ciphertext, opaque to the store). */
  readonly totpSecret?: string;
  /** Sealed TOTP secret being enrolled, until the first code confirms it. */
  readonly totpPendingSecret?: string;
  /** Last TOTP time step accepted: a code of this step or an earlier one is a replay. */
  readonly totpLastStep?: number;
  /** SHA-256 (hex) of the unused one-time recovery codes. */
  readonly recoveryCodeHashes: readonly string[];
  /** Failed sign-ins since the last success or lockout. */
  readonly failedAttempts: number;
  /** Sign-in is refused until this time (epoch ms). */
  readonly lockedUntil?: number;
  readonly notificationPrefs: JsonObject;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** What {@link AccountStore.createUser} writes. */
export interface NewUserInput {
  readonly email: string;
  readonly displayName: string;
  readonly passwordHash: string;
  readonly institutionId?: string;
  readonly requestedInstitution?: string;
  /** Default: none (a pending registration). */
  readonly role?: UserRole;
  /** Default 'pending'; 'active' needs a role. */
  readonly status?: UserStatus;
  readonly id?: string;
}

/** Fields {@link AccountStore.updateUser} may change; `null` clears an optional field. */
export interface UserPatch {
  readonly displayName?: string;
  readonly notificationPrefs?: JsonObject;
  readonly passwordHash?: string;
  readonly role?: UserRole;
  readonly status?: UserStatus;
  readonly institutionId?: string | null;
}

/** Second-factor fields {@link AccountStore.updateUserTotp} may change; `null` clears. */
export interface TotpPatch {
  readonly enabled?: boolean;
  readonly secret?: string | null;
  readonly pendingSecret?: string | null;
  readonly lastStep?: number | null;
  readonly recoveryCodeHashes?: readonly string[];
}

/** State after {@link AccountStore.recordSignInFailure}. */
export interface SignInFailureState {
  readonly failedAttempts: number;
  /** Set when this failure (or an earlier one) locked the account. */
  readonly lockedUntil?: number;
}

/** A browser session; `id` is the SHA-256 (hex) of the token in the cookie. */
export interface SessionRecord {
  readonly id: string;
  readonly userId: string;
  readonly createdAt: number;
  readonly lastSeenAt: number;
  /** Inactivity deadline (epoch ms); moved forward by each authenticated request. */
  readonly expiresAt: number;
  /** SHA-256 (hex) of the session's CSRF token. */
  readonly csrfTokenHash: string;
  /** Where the session was opened from (IP and a user-agent summary), for the user's own list. */
  readonly client: JsonObject;
  readonly revokedAt?: number;
}

/** What {@link AccountStore.createSession} writes. */
export interface NewSessionInput {
  readonly id: string;
  readonly userId: string;
  readonly csrfTokenHash: string;
  readonly expiresAt: number;
  readonly client: JsonObject;
  /** Creation and last-seen time (default the store clock). */
  readonly atMs?: number;
}

/** Accounts, sessions, setup token and settings; a part of the Store interface. */
export interface AccountStore {
  /** Number of accounts in any status (0 means the server still needs its first admin). */
  countUsers(): Promise<number>;
  /**
   * Issue the one-time setup token valid for `ttlMs` (only its SHA-256 is kept); earlier unused
   * tokens stop working. CONFLICT once any account exists.
   */
  createSetupToken(input: { ttlMs: number }): Promise<{ token: string; expiresAt: number }>;
  /**
   * Consume the setup token and create the first account as an active admin, in one
   * transaction. TOKEN_INVALID / TOKEN_USED / TOKEN_EXPIRED; CONFLICT if an account exists.
   */
  createFirstAdmin(input: { setupToken: string; email: string; displayName: string; passwordHash: string; id?: string }): Promise<UserRecord>;
  /** Create an account; CONFLICT if the email (case-insensitive) or id is taken. */
  createUser(input: NewUserInput): Promise<UserRecord>;
  getUser(id: string): Promise<UserRecord>;
  /** Look up by email, case-insensitively; NOT_FOUND if there is none. */
  getUserByEmail(email: string): Promise<UserRecord>;
  /** Accounts, oldest first. */
  listUsers(filter?: { status?: UserStatus; role?: UserRole }): Promise<UserRecord[]>;
  /**
   * Change profile, password hash, role, status or institution. Status moves along the
   * lifecycle (INVALID_TRANSITION otherwise; 'active' needs a role). Disabling the account or
   * changing its role revokes its sessions in the same transaction; CONFLICT if the change
   * would leave no active admin.
   */
  updateUser(id: string, patch: UserPatch): Promise<UserRecord>;
  /** pending → active with a role (INVALID_TRANSITION from any other status). */
  approveUser(id: string, input: { role: UserRole; institutionId?: string }): Promise<UserRecord>;
  /** Change second-factor fields. */
  updateUserTotp(id: string, patch: TotpPatch): Promise<UserRecord>;
  /**
   * Accept TOTP time step `step` once: true and recorded if it is later than the last accepted
   * step, false (a replay) otherwise. Atomic, so two concurrent sign-ins with one code cannot
   * both pass.
   */
  claimTotpStep(id: string, step: number): Promise<boolean>;
  /** Remove a recovery code by its hash; true if it was there (each code works once). */
  consumeRecoveryCode(id: string, codeHash: string): Promise<boolean>;
  /**
   * Count a failed sign-in at `atMs`. The `maxAttempts`-th failure in a row locks the account
   * until `atMs + lockMs` and restarts the count; a failure after an expired lock counts from 1.
   */
  recordSignInFailure(id: string, input: { atMs: number; maxAttempts: number; lockMs: number }): Promise<SignInFailureState>;
  /** Forget failures and any lock (after a successful sign-in or an admin's unlock). */
  clearSignInFailures(id: string): Promise<UserRecord>;

  createSession(input: NewSessionInput): Promise<SessionRecord>;
  /** A session by id (revoked and expired ones included; the caller decides). */
  getSession(id: string): Promise<SessionRecord>;
  /** Record activity: new last-seen time and inactivity deadline (no-op on revoked sessions). */
  touchSession(id: string, input: { lastSeenAt: number; expiresAt: number }): Promise<void>;
  /** End one session (idempotent). */
  revokeSession(id: string): Promise<void>;
  /** End every live session of a user except `exceptId`; returns how many were ended. */
  revokeUserSessions(userId: string, options?: { exceptId?: string }): Promise<number>;
  /** Live (not revoked, not expired at `atMs`) sessions of a user, newest first. */
  listSessions(userId: string, options?: { atMs?: number }): Promise<SessionRecord[]>;
  /** Delete sessions that expired or were revoked before `beforeMs`; returns how many. */
  deleteStaleSessions(beforeMs: number): Promise<number>;

  /** A setting's JSON value, or undefined when never set. */
  getSetting(key: string): Promise<JsonValue | undefined>;
  /** Every stored setting. */
  listSettings(): Promise<Record<string, JsonValue>>;
  /** Store a setting (last write wins) with who changed it. */
  putSetting(key: string, value: JsonValue, updatedBy: string): Promise<void>;
}
