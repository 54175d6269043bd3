/**
 * What the API shows of an account: never the password hash, TOTP secrets, recovery-code
 * hashes or the failure counter; notification preferences only to their owner; the lock only
 * to admins.
 */
import type { JsonObject, UserRecord, UserRole, UserStatus } from '../store/index.js';

/** An account as the API returns it. */
export interface PublicUser {
  readonly id: string;
  readonly email: string;
  readonly displayName: string;
  readonly role: UserRole | null;
  readonly status: UserStatus;
  readonly institutionId: string | null;
  readonly requestedInstitution: string | null;
  readonly totpEnabled: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** Only in the owner's own view. */
  readonly notificationPrefs?: JsonObject;
  /** Only in admins' view, while locked. */
  readonly lockedUntil?: number;
}

/** The API view of `user` for its owner (`self`) or for an admin (`admin`). */
export function publicUser(user: UserRecord, audience: 'self' | 'admin'): PublicUser {
  return {
    id: user.id,
    email: user.email,
    displayName: user.displayName,
    role: user.role ?? null,
    status: user.status,
    institutionId: user.institutionId ?? null,
    requestedInstitution: user.requestedInstitution ?? null,
    totpEnabled: user.totpEnabled,
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
    ...(audience === 'self' ? { notificationPrefs: user.notificationPrefs } : {}),
    ...(audience === 'admin' && user.lockedUntil !== undefined ? { lockedUntil: user.lockedUntil } : {}),
  };
}

/** Notification preferences a person can switch on or off (all default off). */
export const NOTIFICATION_KEYS = ['jobFinished', 'jobFailed', 'modelAwaitingApproval', 'registrationPending', 'auditChainBroken', 'privacyBudgetLow'] as const;

/** JSON schema of the notification preferences object (known keys, booleans only). */
export const NOTIFICATION_PREFS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: Object.fromEntries(NOTIFICATION_KEYS.map((k) => [k, { type: 'boolean' }])),
} as const;
