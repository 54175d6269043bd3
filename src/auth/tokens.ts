/**
 * One-time enrollment tokens. An operator creates a token for a new node and hands it over out
 * of band; the node presents it once together with its public key. The coordinator stores only
 * the SHA-256 of the token, so a leaked database does not let anyone enroll, and compares
 * hashes in constant time so response timing reveals nothing about stored hashes.
 */
import { Buffer } from 'node:buffer';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Token prefix, so a leaked token is recognisable by secret scanners and in logs. */
export const ENROLLMENT_TOKEN_PREFIX = 'fcet_';
const TOKEN_PATTERN = /^fcet_[A-Za-z0-9_-]{43}$/;
const SHA256_HEX = /^[0-9a-fA-F]{64}$/;

/** A new token (give to the node) and its hash (store on the coordinator). */
export interface EnrollmentToken {
  readonly token: string;
  readonly tokenHash: string;
}

/**
 * Create a token of 256 random bits: 'fcet_' followed by base64url of 32 bytes from the OS.
 *
 * @example
 *   const { token, tokenHash } = createEnrollmentToken();
 *   store.saveToken({ tokenHash, expiresAt }); // print `token` once, never store it
 */
export function createEnrollmentToken(): EnrollmentToken {
  const secret = randomBytes(32);
  const token = ENROLLMENT_TOKEN_PREFIX + secret.toString('base64url');
  secret.fill(0);
  return { token, tokenHash: hashToken(token) };
}

/** Lower-case hex SHA-256 of the token's UTF-8 bytes: the form in which tokens are stored. */
export function hashToken(token: string): string {
  if (typeof token !== 'string') throw new TypeError('token: expected a string');
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Whether `token` has the shape of an enrollment token; check before hashing untrusted input. */
export function isEnrollmentToken(token: unknown): token is string {
  return typeof token === 'string' && TOKEN_PATTERN.test(token);
}

/**
 * Constant-time equality of two hex SHA-256 hashes (case-insensitive). Anything that is not
 * 64 hex digits compares unequal instead of throwing, so callers can pass untrusted values.
 */
export function tokensEqual(aHex: string, bHex: string): boolean {
  if (typeof aHex !== 'string' || typeof bHex !== 'string') throw new TypeError('tokensEqual: aHex and bHex must be strings');
  if (!SHA256_HEX.test(aHex) || !SHA256_HEX.test(bHex)) return false;
  return timingSafeEqual(Buffer.from(aHex, 'hex'), Buffer.from(bHex, 'hex'));
}
