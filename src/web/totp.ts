/**
 * One-time passwords for the dashboard's second factor: HOTP (RFC 4226) and TOTP (RFC 6238)
 * on node:crypto's HMAC, verification with a ±1 step window and replay refusal, the otpauth
 * URI authenticator apps scan, and secret generation. The dashboard uses the defaults every
 * authenticator app supports (HMAC-SHA1, 30 s steps, 6 digits); SHA-256/512 and 8 digits are
 * there so the RFC 6238 Appendix B vectors can be checked in full.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { base32Encode } from './base32.js';

/** HMAC hash of an OTP (RFC 6238 §1.2 allows SHA-256 and SHA-512 besides SHA-1). */
export type OtpAlgorithm = 'SHA1' | 'SHA256' | 'SHA512';

/** Code shape shared by HOTP and TOTP. */
export interface OtpOptions {
  /** Digits of the code, 6..10 (RFC 4226 §5.3 needs at least 6); default 6. */
  readonly digits?: number;
  /** Default 'SHA1'. */
  readonly algorithm?: OtpAlgorithm;
}

/** TOTP time parameters (RFC 6238 §4.1). */
export interface TotpOptions extends OtpOptions {
  /** Step length X in seconds; default 30. */
  readonly stepSeconds?: number;
}

/** Bytes of a generated secret: 160 bits, the length RFC 4226 §4 (R6) recommends for SHA-1. */
export const TOTP_SECRET_BYTES = 20;

const HMAC_NAME: Record<OtpAlgorithm, string> = { SHA1: 'sha1', SHA256: 'sha256', SHA512: 'sha512' };

function checkSecret(secret: unknown): Uint8Array {
  if (!(secret instanceof Uint8Array)) throw new TypeError('secret must be a Uint8Array');
  if (secret.length < 10) throw new RangeError(`secret must have at least 10 bytes (80 bits), got ${secret.length}`);
  return secret;
}

function resolve(options: TotpOptions): { digits: number; algorithm: OtpAlgorithm; stepSeconds: number } {
  const digits = options.digits ?? 6;
  const algorithm = options.algorithm ?? 'SHA1';
  const stepSeconds = options.stepSeconds ?? 30;
  if (!Number.isInteger(digits) || digits < 6 || digits > 10) throw new RangeError(`options.digits must be an integer in 6..10, got ${digits}`);
  if (!(algorithm in HMAC_NAME)) throw new RangeError(`options.algorithm must be SHA1, SHA256 or SHA512, got ${String(algorithm)}`);
  if (!Number.isInteger(stepSeconds) || stepSeconds < 1) throw new RangeError(`options.stepSeconds must be a positive integer, got ${stepSeconds}`);
  return { digits, algorithm, stepSeconds };
}

/**
 * HOTP value for `counter` (RFC 4226 §5.3): HMAC over the 8-byte big-endian counter, dynamic
 * truncation to 31 bits, reduced modulo 10^digits and left-padded with zeros.
 *
 * @example hotp(new TextEncoder().encode('12345678901234567890'), 0) === '755224' // RFC 4226 App. D
 */
export function hotp(secret: Uint8Array, counter: number | bigint, options: OtpOptions = {}): string {
  checkSecret(secret);
  const { digits, algorithm } = resolve(options);
  const count = typeof counter === 'bigint' ? counter : Number.isSafeInteger(counter) ? BigInt(counter) : undefined;
  if (count === undefined || count < 0n || count >= 2n ** 64n) throw new RangeError(`counter must be an integer in [0, 2^64), got ${String(counter)}`);
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(count);
  const mac = createHmac(HMAC_NAME[algorithm], secret).update(message).digest();
  const offset = mac[mac.length - 1] & 0x0f; // §5.4: low 4 bits of the last byte
  const binary = ((mac[offset] & 0x7f) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3];
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** The TOTP time step T = floor(unixTime / X) for a time in epoch ms (RFC 6238 §4.2, T0 = 0). */
export function totpStep(timeMs: number, stepSeconds = 30): number {
  if (!Number.isFinite(timeMs) || timeMs < 0) throw new RangeError(`timeMs must be a finite time ≥ 0, got ${timeMs}`);
  if (!Number.isInteger(stepSeconds) || stepSeconds < 1) throw new RangeError(`stepSeconds must be a positive integer, got ${stepSeconds}`);
  return Math.floor(timeMs / 1000 / stepSeconds);
}

/**
 * TOTP value at `timeMs` (RFC 6238 §4.2): HOTP with the time step as counter.
 *
 * @example totp(seed, 59_000, { digits: 8 }) === '94287082' // RFC 6238 App. B, SHA-1
 */
export function totp(secret: Uint8Array, timeMs: number, options: TotpOptions = {}): string {
  const { stepSeconds } = resolve(options);
  return hotp(secret, totpStep(timeMs, stepSeconds), options);
}

/** Outcome of {@link verifyTotp}: the matched step (to record as used), or why not. */
export type TotpVerification =
  | { readonly ok: true; readonly step: number }
  | { readonly ok: false; readonly reason: 'malformed' | 'mismatch' | 'replayed' };

/**
 * Check a code typed at `timeMs` against the steps T−window … T+window (RFC 6238 §5.2
 * recommends at most one step of network delay; default window 1). A code matching a step at
 * or before `lastStep` is refused as a replay (§5.2: the verifier must not accept an OTP
 * twice), which also stops an old code from being used after a newer one. Every candidate is
 * compared in constant time, so timing does not tell which step matched.
 */
export function verifyTotp(secret: Uint8Array, code: string, options: TotpOptions & { timeMs: number; window?: number; lastStep?: number }): TotpVerification {
  checkSecret(secret);
  const { digits, stepSeconds } = resolve(options);
  const window = options.window ?? 1;
  if (!Number.isInteger(window) || window < 0 || window > 10) throw new RangeError(`options.window must be an integer in 0..10, got ${window}`);
  if (typeof code !== 'string') throw new TypeError(`code must be a string, got ${typeof code}`);
  const typed = code.replace(/\s/g, '');
  if (!new RegExp(`^[0-9]{${digits}}$`).test(typed)) return { ok: false, reason: 'malformed' };
  const current = totpStep(options.timeMs, stepSeconds);
  let matched: number | undefined;
  for (let step = current - window; step <= current + window; step++) {
    if (step < 0) continue;
    const expected = hotp(secret, step, options);
    if (timingSafeEqual(Buffer.from(expected), Buffer.from(typed)) && matched === undefined) matched = step;
  }
  if (matched === undefined) return { ok: false, reason: 'mismatch' };
  if (options.lastStep !== undefined && matched <= options.lastStep) return { ok: false, reason: 'replayed' };
  return { ok: true, step: matched };
}

/** A fresh random TOTP secret ({@link TOTP_SECRET_BYTES} bytes from the OS). */
export function generateTotpSecret(): Uint8Array {
  return new Uint8Array(randomBytes(TOTP_SECRET_BYTES));
}

/**
 * The `otpauth://totp/…` URI that authenticator apps read from a QR code (Google
 * Authenticator key URI format): label `issuer:account`, unpadded base32 secret, and the
 * issuer, algorithm, digits and period parameters.
 *
 * @example otpauthUri({ secret, accountName: 'ann@bank.example', issuer: 'FedCredit' })
 */
export function otpauthUri(input: { secret: Uint8Array; accountName: string; issuer: string } & TotpOptions): string {
  checkSecret(input.secret);
  const { digits, algorithm, stepSeconds } = resolve(input);
  for (const key of ['accountName', 'issuer'] as const) {
    const value = input[key];
    if (typeof value !== 'string' || value.length === 0 || value.length > 200) throw new RangeError(`input.${key} must be a string of 1..200 characters`);
    if (value.includes(':')) throw new RangeError(`input.${key} must not contain ':' (it separates issuer and account in the label)`);
  }
  const label = `${encodeURIComponent(input.issuer)}:${encodeURIComponent(input.accountName)}`;
  // encodeURIComponent rather than URLSearchParams: some apps show a '+' for a space literally.
  const query = Object.entries({ secret: base32Encode(input.secret, { padding: false }), issuer: input.issuer, algorithm, digits: String(digits), period: String(stepSeconds) })
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
  return `otpauth://totp/${label}?${query}`;
}
