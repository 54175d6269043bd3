/**
 * The dashboard's server key and what is derived from it. One 32-byte master key lives in a
 * file in the coordinator's data directory (mode 0600), never in the database, so a stolen
 * database dump does not reveal TOTP secrets. HKDF-SHA256 (RFC 5869) splits it into
 * independent keys: one for AES-256-GCM sealing of TOTP secrets, one for CSRF tokens.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** File name of the master key inside the data directory. */
export const WEB_KEY_FILE = 'web-secret.key';
const KEY_BYTES = 32;
/** GCM nonce length recommended by NIST SP 800-38D §5.2.1.1. */
const IV_BYTES = 12;
const SEAL_VERSION = 'v1';

/**
 * Read the master key from `dataDir`, creating it (32 random bytes, base64, mode 0600) on the
 * first start. Throws RangeError if the file exists but does not hold 32 bytes.
 */
export function loadOrCreateWebKey(dataDir: string): { key: Uint8Array; created: boolean; path: string } {
  if (typeof dataDir !== 'string' || dataDir === '') throw new TypeError('dataDir must be a non-empty string');
  const path = join(dataDir, WEB_KEY_FILE);
  if (existsSync(path)) {
    const key = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
    if (key.length !== KEY_BYTES) throw new RangeError(`${path} must hold the base64 of ${KEY_BYTES} bytes`);
    return { key: new Uint8Array(key), created: false, path };
  }
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(KEY_BYTES);
  writeFileSync(path, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  return { key: new Uint8Array(key), created: true, path };
}

/** Keys derived from the master key. */
export interface WebKeys {
  /**
   * Encrypt `plain` with AES-256-GCM; `context` (e.g. the user id) is authenticated as
   * associated data, so a sealed value copied to another row does not open there.
   * Output: `v1.<iv>.<ciphertext>.<tag>` in base64url.
   */
  seal(plain: Uint8Array, context: string): string;
  /** Reverse of {@link WebKeys.seal}; throws RangeError if the value was altered or moved. */
  open(sealed: string, context: string): Uint8Array;
  /**
   * The CSRF token of a session: HMAC-SHA256 of the session token under a derived key. The
   * server can recompute it from the cookie (so a reloaded page gets it again), while a
   * cross-site attacker, who can read neither the cookie nor the key, cannot.
   */
  csrfToken(sessionToken: string): string;
}

/** Derive {@link WebKeys} from a 32-byte master key. */
export function deriveWebKeys(masterKey: Uint8Array): WebKeys {
  if (!(masterKey instanceof Uint8Array) || masterKey.length !== KEY_BYTES) throw new RangeError(`masterKey must be ${KEY_BYTES} bytes`);
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', masterKey, new Uint8Array(0), info, KEY_BYTES));
  const sealKey = derive('fedcredit web totp-seal v1');
  const csrfKey = derive('fedcredit web csrf v1');
  return {
    seal(plain, context) {
      if (!(plain instanceof Uint8Array)) throw new TypeError('plain must be a Uint8Array');
      if (typeof context !== 'string') throw new TypeError('context must be a string');
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', sealKey, iv);
      cipher.setAAD(Buffer.from(`${SEAL_VERSION}:${context}`, 'utf8'));
      const body = Buffer.concat([cipher.update(plain), cipher.final()]);
      return [SEAL_VERSION, iv.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
    },
    open(sealed, context) {
      if (typeof sealed !== 'string' || typeof context !== 'string') throw new TypeError('sealed and context must be strings');
      const parts = sealed.split('.');
      if (parts.length !== 4 || parts[0] !== SEAL_VERSION) throw new RangeError('sealed: not a v1 sealed value');
      const [iv, body, tag] = parts.slice(1).map((p) => Buffer.from(p, 'base64url'));
      if (iv.length !== IV_BYTES || tag.length !== 16) throw new RangeError('sealed: bad nonce or tag length');
      const decipher = createDecipheriv('aes-256-gcm', sealKey, iv);
      decipher.setAAD(Buffer.from(`${SEAL_VERSION}:${context}`, 'utf8'));
      decipher.setAuthTag(tag);
      try {
        return new Uint8Array(Buffer.concat([decipher.update(body), decipher.final()]));
      } catch (error) {
        throw new RangeError('sealed: authentication failed (wrong key, altered value, or another context)', { cause: error });
      }
    },
    csrfToken(sessionToken) {
      if (typeof sessionToken !== 'string' || sessionToken === '') throw new TypeError('sessionToken must be a non-empty string');
      return createHmac('sha256', csrfKey).update(sessionToken, 'utf8').digest('base64url');
    },
  };
}
