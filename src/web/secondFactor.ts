/**
 * The second factor as the server uses it: checking a TOTP code of an account (sealed secret,
 * replay refusal recorded in the store, so it holds across restarts and concurrent requests)
 * and one-time recovery codes (80 random bits each, stored as SHA-256).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Store, UserRecord } from '../store/index.js';
import { base32Encode } from './base32.js';
import type { WebKeys } from './secretBox.js';
import { verifyTotp } from './totp.js';

/** Number of recovery codes issued at enrolment (and on regeneration). */
export const RECOVERY_CODE_COUNT = 10;

/** What checking a code needs. */
export interface SecondFactorDeps {
  readonly store: Store;
  readonly keys: WebKeys;
  readonly now: () => number;
}

/** Outcome of {@link checkTotpCode}. */
export type CodeCheck = 'ok' | 'wrong' | 'replayed';

/**
 * Check `code` against the account's TOTP secret (`which`: the enabled one, or the one being
 * enrolled) at the current time with a ±1 step window, and on success record the step as used
 * so the same code cannot be used again.
 */
export async function checkTotpCode(deps: SecondFactorDeps, user: UserRecord, code: string, which: 'enabled' | 'pending' = 'enabled'): Promise<CodeCheck> {
  const sealed = which === 'enabled' ? user.totpSecret : user.totpPendingSecret;
  if (sealed === undefined) return 'wrong';
  const secret = deps.keys.open(sealed, user.id);
  try {
    const result = verifyTotp(secret, code, { timeMs: deps.now(), window: 1, ...(user.totpLastStep !== undefined ? { lastStep: user.totpLastStep } : {}) });
    if (!result.ok) return result.reason === 'replayed' ? 'replayed' : 'wrong';
    return (await deps.store.claimTotpStep(user.id, result.step)) ? 'ok' : 'replayed';
  } finally {
    secret.fill(0);
  }
}

/** Canonical form of a typed recovery code: no spaces or hyphens, upper case. */
export function normalizeRecoveryCode(code: string): string {
  if (typeof code !== 'string') throw new TypeError(`code must be a string, got ${typeof code}`);
  return code.replace(/[\s-]/g, '').toUpperCase();
}

/** SHA-256 (hex) of a recovery code's canonical form: what the store keeps. */
export function hashRecoveryCode(code: string): string {
  return createHash('sha256').update(normalizeRecoveryCode(code), 'utf8').digest('hex');
}

/**
 * Fresh recovery codes: each 10 random bytes in base32, shown as `xxxx-xxxx-xxxx-xxxx`
 * (80 bits: out of reach of guessing even if their unsalted hashes leak), and their hashes.
 */
export function generateRecoveryCodes(count = RECOVERY_CODE_COUNT): { codes: string[]; hashes: string[] } {
  if (!Number.isInteger(count) || count < 1 || count > 100) throw new RangeError(`count must be an integer in 1..100, got ${count}`);
  const codes = Array.from({ length: count }, () => base32Encode(randomBytes(10)).toLowerCase().match(/.{4}/g)!.join('-'));
  return { codes, hashes: codes.map(hashRecoveryCode) };
}

/** Spend a recovery code of the account; true if it was one of its unused codes. */
export async function useRecoveryCode(store: Store, user: UserRecord, code: string): Promise<boolean> {
  const canonical = normalizeRecoveryCode(code);
  if (!/^[A-Z2-7]{16}$/.test(canonical)) return false;
  return store.consumeRecoveryCode(user.id, hashRecoveryCode(canonical));
}
