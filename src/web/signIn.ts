/**
 * Checking a sign-in: password, lockout, account status, second factor. Wrong passwords and
 * wrong codes get the same 401 text, an unknown email costs the same time as a known one, and
 * a locked account is refused without looking at the password (so guessing cannot go on
 * during the lock). Creating the session, the cookie and the audit entry is the route's job.
 */
import type { Store, UserRecord } from '../store/index.js';
import { verifyAgainstDummy, verifyPassword } from './passwords.js';
import type { WebKeys } from './secretBox.js';
import { checkTotpCode, useRecoveryCode } from './secondFactor.js';

/** How many failures in a row lock an account, and for how long. */
export interface LockoutPolicy {
  readonly maxAttempts: number;
  readonly lockMs: number;
}

/** The policy: 5 failures lock the account for 15 minutes. */
export const DEFAULT_LOCKOUT: LockoutPolicy = Object.freeze({ maxAttempts: 5, lockMs: 15 * 60_000 });

/** What {@link signIn} needs. */
export interface SignInDeps {
  readonly store: Store;
  readonly keys: WebKeys;
  readonly now: () => number;
  readonly lockout: LockoutPolicy;
}

/** A sign-in attempt as parsed from the request. */
export interface SignInInput {
  readonly email: string;
  readonly password: string;
  readonly totp?: string;
  readonly recoveryCode?: string;
}

/** Why an attempt failed, for the audit log (never shown to the client). */
export type SignInFailureReason =
  | 'unknown_email' | 'locked' | 'wrong_password' | 'pending' | 'disabled'
  | 'totp_missing' | 'wrong_totp' | 'replayed_totp' | 'wrong_recovery_code';

/** Outcome of {@link signIn}. */
export type SignInOutcome =
  | { readonly ok: true; readonly user: UserRecord; readonly factor: 'password' | 'totp' | 'recovery_code' }
  | {
    readonly ok: false; readonly status: 401 | 403 | 429; readonly error: string; readonly message: string;
    readonly reason: SignInFailureReason; readonly userId?: string; readonly retryAfterSeconds?: number; readonly lockedNow?: boolean;
  };

const INVALID = { status: 401, error: 'invalid_credentials', message: 'wrong email, password or code' } as const;

function lockedOutcome(userId: string, lockedUntil: number, now: number, lockedNow: boolean): SignInOutcome {
  return {
    ok: false, status: 429, error: 'locked', message: 'too many failed sign-ins; try again later', reason: 'locked', userId,
    retryAfterSeconds: Math.max(1, Math.ceil((lockedUntil - now) / 1000)), lockedNow,
  };
}

/** Count a failure; the returned outcome says whether it locked the account. */
async function fail(deps: SignInDeps, user: UserRecord, reason: SignInFailureReason): Promise<SignInOutcome> {
  const now = deps.now();
  const state = await deps.store.recordSignInFailure(user.id, { atMs: now, ...deps.lockout });
  return { ok: false, ...INVALID, reason, userId: user.id, ...(state.lockedUntil !== undefined ? { lockedNow: true } : {}) };
}

/** Check credentials; see the module comment for the rules. */
export async function signIn(deps: SignInDeps, input: SignInInput): Promise<SignInOutcome> {
  let user: UserRecord;
  try {
    user = await deps.store.getUserByEmail(input.email);
  } catch (error) {
    if ((error as { code?: string }).code !== 'NOT_FOUND' && !(error instanceof RangeError)) throw error;
    await verifyAgainstDummy(input.password);
    return { ok: false, ...INVALID, reason: 'unknown_email' };
  }
  const now = deps.now();
  if (user.lockedUntil !== undefined && user.lockedUntil > now) return lockedOutcome(user.id, user.lockedUntil, now, false);
  if (!(await verifyPassword(input.password, user.passwordHash))) return fail(deps, user, 'wrong_password');
  if (user.status !== 'active') {
    return user.status === 'pending'
      ? { ok: false, status: 403, error: 'account_pending', message: 'your account awaits approval by an administrator', reason: 'pending', userId: user.id }
      : { ok: false, status: 403, error: 'account_disabled', message: 'your account is disabled; ask an administrator', reason: 'disabled', userId: user.id };
  }
  let factor: 'password' | 'totp' | 'recovery_code' = 'password';
  if (user.totpEnabled) {
    if (input.totp !== undefined) {
      const check = await checkTotpCode(deps, user, input.totp);
      if (check !== 'ok') return fail(deps, user, check === 'replayed' ? 'replayed_totp' : 'wrong_totp');
      factor = 'totp';
    } else if (input.recoveryCode !== undefined) {
      if (!(await useRecoveryCode(deps.store, user, input.recoveryCode))) return fail(deps, user, 'wrong_recovery_code');
      factor = 'recovery_code';
    } else {
      // The password was right: say a code is needed (not a failure, the form asks for it next).
      return { ok: false, status: 401, error: 'totp_required', message: 'enter the code from your authenticator app or a recovery code', reason: 'totp_missing', userId: user.id };
    }
  }
  if (user.failedAttempts > 0 || user.lockedUntil !== undefined) user = await deps.store.clearSignInFailures(user.id);
  return { ok: true, user: await deps.store.getUser(user.id), factor };
}
