/**
 * Passwords: argon2id hashes in the PHC string format (hash-wasm), with the OWASP Password
 * Storage Cheat Sheet's minimum parameters (m = 19 MiB, t = 2, p = 1, 16-byte random salt), a
 * policy check, and a verification path for unknown accounts that costs the same as a real
 * one, so response time does not reveal which emails have accounts.
 */
import { randomBytes } from 'node:crypto';
import { argon2id, argon2Verify } from 'hash-wasm';
import { COMMON_PASSWORDS } from './commonPasswords.js';

/** argon2id cost parameters. */
export interface Argon2Params {
  readonly memoryKiB: number;
  readonly iterations: number;
  readonly parallelism: number;
}

/** OWASP's first recommended argon2id configuration (m = 19456 KiB, t = 2, p = 1). */
export const OWASP_ARGON2ID: Argon2Params = Object.freeze({ memoryKiB: 19_456, iterations: 2, parallelism: 1 });

/** Shortest password accepted (NIST SP 800-63B allows more; the issue asks for 12). */
export const MIN_PASSWORD_LENGTH = 12;
/** Longest password accepted: argon2 takes any length, this only bounds request work. */
export const MAX_PASSWORD_LENGTH = 1024;
const SALT_BYTES = 16;
const TAG_BYTES = 32;

/**
 * Passwords are hashed after Unicode NFKC normalisation (NIST SP 800-63B §5.1.1.2), so the
 * same password typed on two keyboards that compose characters differently still matches.
 */
function normalize(password: string): string {
  return password.normalize('NFKC');
}

function checkPassword(name: string, value: unknown): string {
  if (typeof value !== 'string') throw new TypeError(`${name} must be a string, got ${typeof value}`);
  if (value.length > MAX_PASSWORD_LENGTH) throw new RangeError(`${name} must have at most ${MAX_PASSWORD_LENGTH} characters`);
  return value;
}

/**
 * Hash a password with argon2id and a fresh 16-byte salt; returns the PHC string
 * (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<tag>`) that {@link verifyPassword} reads back.
 */
export async function hashPassword(password: string, params: Argon2Params = OWASP_ARGON2ID): Promise<string> {
  checkPassword('password', password);
  return argon2id({
    password: normalize(password), salt: randomBytes(SALT_BYTES), iterations: params.iterations,
    parallelism: params.parallelism, memorySize: params.memoryKiB, hashLength: TAG_BYTES, outputType: 'encoded',
  });
}

/** True when `password` matches the PHC-encoded argon2 `hash`; false for a malformed hash. */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  checkPassword('password', password);
  if (typeof hash !== 'string' || !hash.startsWith('$argon2')) return false;
  try {
    return await argon2Verify({ password: normalize(password), hash });
  } catch {
    return false; // a corrupt stored hash must refuse sign-in, not crash the request
  }
}

let dummyHash: Promise<string> | undefined;

/**
 * Spend the time of one verification against a throw-away hash with the production
 * parameters, then return false: what sign-in does for an unknown email (OWASP
 * Authentication Cheat Sheet, "authentication responses").
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
  await verifyPassword(password, await dummyHash);
  return false;
}

/** One reason a password is refused. */
export type PasswordIssue = 'too_short' | 'too_long' | 'common' | 'matches_email' | 'one_character';

/**
 * Check a new password against the policy: at least {@link MIN_PASSWORD_LENGTH} characters
 * (counted as code points), not one of the best-known leaked passwords, not the email or its
 * local part, not a single repeated character. Returns every issue found (empty = accepted).
 *
 * @example passwordIssues('password1234', 'ann@bank.example') // ['common']
 */
export function passwordIssues(password: string, email?: string): PasswordIssue[] {
  if (typeof password !== 'string') throw new TypeError(`password must be a string, got ${typeof password}`);
  const issues: PasswordIssue[] = [];
  const text = normalize(password);
  const length = [...text].length;
  if (length < MIN_PASSWORD_LENGTH) issues.push('too_short');
  if (text.length > MAX_PASSWORD_LENGTH) issues.push('too_long');
  const lower = text.toLowerCase();
  if (COMMON_PASSWORDS.has(lower)) issues.push('common');
  if (email !== undefined) {
    const address = email.trim().toLowerCase();
    const local = address.split('@')[0];
    if (lower === address || (local.length > 0 && lower === local)) issues.push('matches_email');
  }
  if (length > 0 && new Set(text).size === 1) issues.push('one_character');
  return issues;
}

/** Human-readable text of each {@link PasswordIssue}, for API error messages. */
export const PASSWORD_ISSUE_TEXT: Readonly<Record<PasswordIssue, string>> = Object.freeze({
  too_short: `use at least ${MIN_PASSWORD_LENGTH} characters`,
  too_long: `use at most ${MAX_PASSWORD_LENGTH} characters`,
  common: 'this password is on the list of the most common passwords',
  matches_email: 'the password must not be your email address',
  one_character: 'the password must not be a single repeated character',
});
