/**
 * Deterministic tokenization of identifiers and sensitive categorical values under a key shared
 * by the consortium: equal inputs give equal tokens, so lenders can link records (and join
 * pseudonymised exports) without revealing the values. Two modes:
 *
 * - `hmac`: HMAC-SHA-256, one-way. Nobody, not even the key holder, can turn a token back into
 *   the value (other than by guessing candidate values). Recommended for linking.
 * - `siv`: AES-SIV (RFC 5297, 512-bit key), reversible by whoever holds the consortium key, for
 *   when the consortium must be able to re-identify (e.g. a regulator's request).
 *
 * One consortium key serves every column: each (mode, domain) pair gets its own key by HKDF
 * (RFC 5869), so tokens of different columns never collide or correlate. See
 * docs/tokenization.md for the threat model.
 */
import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError, DataError } from '../errors.js';
import { AesSiv, SivAuthenticationError, SIV_BLOCK_BYTES } from './siv.js';

/** Every token starts with this, so tokens are recognisable in exports and logs. */
export const TOKEN_PREFIX = 'tk_';
/** Environment variable read by {@link loadConsortiumKey} when no key file is given. */
export const CONSORTIUM_KEY_ENV = 'FEDCREDIT_CONSORTIUM_KEY';
/** Shortest accepted consortium key (256 bits). */
export const MIN_CONSORTIUM_KEY_BYTES = 32;
/** Longest accepted consortium key; longer input is almost surely the wrong file. */
export const MAX_CONSORTIUM_KEY_BYTES = 64;

/** `hmac`: one-way tokens; `siv`: tokens the key holder can reveal. */
export type TokenMode = 'hmac' | 'siv';

/** Normalisation applied before tokenizing (and therefore what {@link Tokenizer.reveal} returns). */
export interface NormalizeOptions {
  /** Remove leading and trailing white space (`' A93 '` and `'A93'` give one token). */
  readonly trim?: boolean;
  /**
   * Unicode NFKC, then a locale-independent approximation of full case folding (upper then
   * lower case, so `'Straße'`, `'STRASSE'` and `'strasse'` give one token).
   */
  readonly caseFold?: boolean;
}

/** Options of {@link Tokenizer}. */
export interface TokenizerOptions {
  /** The consortium key, 32 to 64 bytes (see {@link generateConsortiumKey}). */
  readonly key: Uint8Array;
  readonly mode: TokenMode;
  /** What the values are, usually the column name; different domains give unrelated tokens. */
  readonly domain: string;
  readonly normalize?: NormalizeOptions;
}

// Versioned labels: changing them changes every token, which breaks linking with old exports.
const HKDF_SALT = new TextEncoder().encode('fedcredit/tokenize/v1');
const SIV_KEY_BYTES = 64; // AES-SIV-CMAC-512: AES-256 for both S2V and CTR
const HMAC_KEY_BYTES = 32;
const encoder = new TextEncoder();
const strictDecoder = new TextDecoder('utf-8', { fatal: true });
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

function checkKey(name: string, key: unknown): asserts key is Uint8Array {
  if (!(key instanceof Uint8Array)) throw new TypeError(`${name}: expected a Uint8Array`);
  if (key.length < MIN_CONSORTIUM_KEY_BYTES || key.length > MAX_CONSORTIUM_KEY_BYTES) {
    throw new RangeError(`${name}: expected ${MIN_CONSORTIUM_KEY_BYTES} to ${MAX_CONSORTIUM_KEY_BYTES} bytes, got ${key.length}`);
  }
}

/**
 * The value that actually gets tokenized. Exported so callers (and docs) can show which raw
 * values will share a token. Rejects strings with lone surrogates: UTF-8 encoding would turn
 * them all into U+FFFD and distinct inputs would collide.
 *
 * @example normalizeValue('  Straße ', { trim: true, caseFold: true }) === 'strasse'
 */
export function normalizeValue(value: string, options: NormalizeOptions = {}): string {
  if (typeof value !== 'string') throw new TypeError('value: expected a string');
  if (LONE_SURROGATE.test(value)) throw new TypeError('value: not well-formed Unicode (lone surrogate)');
  let out = value;
  if (options.trim === true) out = out.trim();
  if (options.caseFold === true) out = out.normalize('NFKC').toUpperCase().toLowerCase();
  return out;
}

/** Pad to a multiple of 16 bytes (ISO/IEC 7816-4: 0x80 then zeros) so SIV tokens leak length only in 16-byte steps. */
function pad(bytes: Uint8Array): Uint8Array {
  const padded = new Uint8Array((Math.floor(bytes.length / SIV_BLOCK_BYTES) + 1) * SIV_BLOCK_BYTES);
  padded.set(bytes);
  padded[bytes.length] = 0x80;
  return padded;
}

function unpad(padded: Uint8Array): Uint8Array | undefined {
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  return end >= 0 && padded[end] === 0x80 ? padded.subarray(0, end) : undefined;
}

/**
 * Turns values of one domain (column) into tokens `tk_<base64url>` under a consortium key.
 * Equal (normalised) values always give equal tokens, across instances, processes and lenders
 * that hold the same key; a different key, domain or mode gives unrelated tokens.
 *
 * @example
 * const t = new Tokenizer({ key, mode: 'hmac', domain: 'statussex' });
 * t.token('A93'); // 'tk_' + 43 base64url characters, same every time
 */
export class Tokenizer {
  readonly mode: TokenMode;
  readonly domain: string;
  readonly #normalize: NormalizeOptions;
  readonly #hmacKey?: Buffer;
  readonly #siv?: AesSiv;
  readonly #associatedData: readonly Uint8Array[];
  #wiped = false;

  constructor(options: TokenizerOptions) {
    if (typeof options !== 'object' || options === null) throw new TypeError('options: expected an object');
    const { key, mode, domain, normalize = {} } = options;
    checkKey('key', key);
    if (mode !== 'hmac' && mode !== 'siv') throw new TypeError(`mode: expected "hmac" or "siv", got ${JSON.stringify(mode)}`);
    if (typeof domain !== 'string' || domain === '') throw new TypeError('domain: expected a non-empty string');
    if (typeof normalize !== 'object' || normalize === null) throw new TypeError('normalize: expected an object');
    this.mode = mode;
    this.domain = domain;
    this.#normalize = { trim: normalize.trim === true, caseFold: normalize.caseFold === true };
    // the mode is part of the HKDF info so an HMAC key and a SIV key are never the same bytes
    const info = encoder.encode(`${mode}\u0000${domain}`);
    const derived = new Uint8Array(hkdfSync('sha256', key, HKDF_SALT, info, mode === 'hmac' ? HMAC_KEY_BYTES : SIV_KEY_BYTES));
    if (mode === 'hmac') this.#hmacKey = Buffer.from(derived);
    else this.#siv = new AesSiv(derived);
    derived.fill(0);
    // the domain is also authenticated, so a token moved to another column fails to reveal
    this.#associatedData = [HKDF_SALT, encoder.encode(domain)];
  }

  /** The token of `value` (after normalisation): `tk_` followed by unpadded base64url. */
  token(value: string): string {
    this.#checkLive();
    const bytes = Buffer.from(normalizeValue(value, this.#normalize), 'utf8');
    const raw = this.#hmacKey !== undefined
      ? createHmac('sha256', this.#hmacKey).update(bytes).digest()
      : this.#siv!.encrypt(pad(bytes), this.#associatedData);
    return TOKEN_PREFIX + Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64url');
  }

  /**
   * The normalised value behind a `siv` token. Throws `ConfigError` (code `TOKEN_ONE_WAY`) in
   * `hmac` mode, and `DataError` (code `TOKEN_INVALID`) when the token is malformed, altered, or
   * was made under another key, domain or mode.
   */
  reveal(token: string): string {
    this.#checkLive();
    if (typeof token !== 'string') throw new TypeError('token: expected a string');
    if (this.#siv === undefined) throw new ConfigError('reveal: hmac tokens are one-way; only siv tokens can be revealed', 'TOKEN_ONE_WAY');
    const body = token.startsWith(TOKEN_PREFIX) ? token.slice(TOKEN_PREFIX.length) : undefined;
    const bytes = body !== undefined && BASE64URL.test(body) ? Buffer.from(body, 'base64url') : undefined;
    // reject non-canonical encodings too, so one ciphertext has exactly one token spelling
    if (bytes === undefined || bytes.toString('base64url') !== body || bytes.length < 2 * SIV_BLOCK_BYTES || bytes.length % SIV_BLOCK_BYTES !== 0) {
      throw new DataError(`${this.domain}: not a siv token (expected ${TOKEN_PREFIX} and base64url of whole 16-byte blocks)`, { column: this.domain, code: 'TOKEN_INVALID' });
    }
    let padded: Uint8Array;
    try {
      padded = this.#siv.decrypt(new Uint8Array(bytes), this.#associatedData);
    } catch (err) {
      if (!(err instanceof SivAuthenticationError)) throw err;
      throw new DataError(`${this.domain}: token does not verify under this key and domain (altered, or made with another key, domain or mode)`, { column: this.domain, code: 'TOKEN_INVALID' });
    }
    const plain = unpad(padded);
    try {
      if (plain === undefined) throw new TypeError('bad padding');
      return strictDecoder.decode(plain);
    } catch {
      // authentic but not produced by token(): only possible with a hand-made ciphertext
      throw new DataError(`${this.domain}: token verifies but does not hold a padded UTF-8 value`, { column: this.domain, code: 'TOKEN_INVALID' });
    } finally {
      padded.fill(0);
    }
  }

  /** Overwrite the derived key material; the tokenizer cannot be used afterwards. */
  wipe(): void {
    this.#hmacKey?.fill(0);
    this.#siv?.wipe();
    this.#wiped = true;
  }

  #checkLive(): void {
    // a wiped HMAC key is all zeros and would still produce (wrong) tokens
    if (this.#wiped) throw new Error(`Tokenizer(${this.domain}): used after wipe()`);
  }
}

/**
 * A fresh random consortium key from the OS CSPRNG (never seeded: it protects real customers).
 *
 * @example writeFileSync(path, formatConsortiumKey(generateConsortiumKey()), { mode: 0o600 })
 */
export function generateConsortiumKey(numBytes = MIN_CONSORTIUM_KEY_BYTES): Uint8Array {
  if (!Number.isSafeInteger(numBytes) || numBytes < MIN_CONSORTIUM_KEY_BYTES || numBytes > MAX_CONSORTIUM_KEY_BYTES) {
    throw new RangeError(`numBytes: expected an integer from ${MIN_CONSORTIUM_KEY_BYTES} to ${MAX_CONSORTIUM_KEY_BYTES}, got ${numBytes}`);
  }
  return new Uint8Array(randomBytes(numBytes));
}

/** The text form of a key file: lowercase hex and a newline. */
export function formatConsortiumKey(key: Uint8Array): string {
  checkKey('key', key);
  return `${Buffer.from(key).toString('hex')}\n`;
}

/**
 * Parse key text: hex (an even number of hex digits) or base64 / base64url, surrounding white
 * space ignored, 32 to 64 bytes. `source` names where the text came from in error messages;
 * the key text itself never appears in a message.
 */
export function parseConsortiumKey(text: string, source: string): Uint8Array {
  if (typeof text !== 'string') throw new TypeError('text: expected a string');
  const s = text.trim();
  let bytes: Buffer | undefined;
  if (/^(?:[0-9a-fA-F]{2})+$/.test(s)) bytes = Buffer.from(s, 'hex');
  else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(s)) {
    const decoded = Buffer.from(s, 'base64');
    // Buffer ignores stray characters; accept only text that is exactly the encoding of its bytes
    const canonical = (b: string) => b.replace(/[+]/g, '-').replace(/[/]/g, '_').replace(/=+$/, '');
    if (canonical(decoded.toString('base64')) === canonical(s)) bytes = decoded;
  }
  if (bytes === undefined) throw new ConfigError(`${source}: the consortium key must be hex or base64 (${s.length} characters that are neither)`, 'KEY_INVALID');
  if (bytes.length < MIN_CONSORTIUM_KEY_BYTES || bytes.length > MAX_CONSORTIUM_KEY_BYTES) {
    bytes.fill(0);
    throw new ConfigError(`${source}: the consortium key must be ${MIN_CONSORTIUM_KEY_BYTES} to ${MAX_CONSORTIUM_KEY_BYTES} bytes, got ${bytes.length}`, 'KEY_INVALID');
  }
  const key = new Uint8Array(bytes);
  bytes.fill(0);
  return key;
}

/**
 * Load the consortium key from `path`, or else from the `FEDCREDIT_CONSORTIUM_KEY` variable of
 * `env`. Throws `ConfigError` (codes `KEY_MISSING`, `KEY_UNREADABLE`, `KEY_INVALID`) whose
 * messages name the file or variable but never contain key material.
 *
 * @example const key = loadConsortiumKey({ path: 'consortium.key' });
 */
export function loadConsortiumKey(options: { path?: string; env?: Readonly<Record<string, string | undefined>> } = {}): Uint8Array {
  const { path, env = process.env } = options;
  if (path !== undefined) {
    if (typeof path !== 'string' || path === '') throw new TypeError('path: expected a non-empty string');
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code ?? 'read error';
      throw new ConfigError(`key file ${path}: cannot read it (${reason})`, 'KEY_UNREADABLE');
    }
    return parseConsortiumKey(text, `key file ${path}`);
  }
  const fromEnv = env[CONSORTIUM_KEY_ENV];
  if (fromEnv === undefined || fromEnv.trim() === '') {
    throw new ConfigError(`no consortium key: give a key file or set ${CONSORTIUM_KEY_ENV}`, 'KEY_MISSING');
  }
  return parseConsortiumKey(fromEnv, CONSORTIUM_KEY_ENV);
}
