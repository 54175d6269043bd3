/**
 * Error codes of the coordinator (docs/web-api.md §5) in words a person can act on. Pure (no
 * DOM), so it is unit-tested in node.
 */

/** What the page needs from an error to describe it. */
export interface ErrorLike {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  readonly retryAfterSeconds?: number;
  readonly issues?: readonly { field?: string; code?: string; message?: string; expected?: string; index?: number }[];
}

/** "3 minutes", "1 minute", "45 seconds": a wait in words, rounded up. */
export function waitInWords(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds <= 0) return 'a moment';
  if (seconds < 60) {
    const s = Math.ceil(seconds);
    return `${s} second${s === 1 ? '' : 's'}`;
  }
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

const WEAK_PASSWORD: Readonly<Record<string, string>> = {
  too_short: 'use at least 12 characters',
  too_long: 'use fewer characters',
  common: 'it is on the list of common passwords',
  matches_email: 'it must not be your email address',
  one_character: 'it must not repeat one character',
};

/** One sentence describing `error` for the person who caused it. */
export function describeError(error: ErrorLike): string {
  switch (error.code) {
    case 'invalid_credentials':
      return 'Wrong email, password or code.';
    case 'locked':
      return `Too many failed attempts: this account is locked. Try again in ${waitInWords(error.retryAfterSeconds ?? 900)}, or ask an administrator to unlock it.`;
    case 'rate_limited':
      return `Too many attempts from this address. Wait ${waitInWords(error.retryAfterSeconds ?? 60)} and try again.`;
    case 'account_pending':
      return 'Your account is waiting for an administrator’s approval.';
    case 'account_disabled':
      return 'This account is disabled. Ask an administrator.';
    case 'totp_required':
      return 'Enter the 6-digit code from your authenticator app.';
    case 'invalid_code':
      return 'That code is not right (or was already used). Wait for the next code and try again.';
    case 'weak_password': {
      const reasons = (error.issues ?? []).map((i) => WEAK_PASSWORD[i.code ?? ''] ?? i.message).filter(Boolean);
      return `Choose a stronger password${reasons.length > 0 ? `: ${reasons.join('; ')}` : ''}.`;
    }
    case 'wrong_password':
      return 'The current password is wrong.';
    case 'setup_token_invalid':
      return 'The setup token is wrong or has expired. Restart the coordinator to print a new one.';
    case 'setup_closed':
      return 'The federation already has an administrator. Sign in instead.';
    case 'forbidden':
      return 'Your role is not permitted to do this.';
    case 'session_expired':
      return 'Your session ended after inactivity. Sign in again.';
    case 'unauthorized':
      return 'You are not signed in (or your session was ended). Sign in again.';
    case 'csrf_invalid':
      return 'The request was refused as a possible cross-site forgery. Reload the page and try again.';
    case 'totp_enrolment_required':
      return 'Set up two-factor authentication first.';
    case 'network':
      return error.message;
    default:
      return error.message || `The coordinator answered ${error.status}.`;
  }
}
