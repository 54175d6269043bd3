/**
 * Base32 (RFC 4648 §6, alphabet A–Z 2–7), the encoding authenticator apps expect for TOTP
 * secrets. Decoding is forgiving about what people type or paste (case, spaces, hyphens,
 * padding) and strict about everything else.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * Encode bytes as base32; with `padding` (default true) the output length is a multiple of 8
 * as RFC 4648 requires, without it the `=` are dropped (the otpauth URI convention).
 *
 * @example base32Encode(new TextEncoder().encode('foobar')) === 'MZXW6YTBOI======'
 */
export function base32Encode(bytes: Uint8Array, options: { padding?: boolean } = {}): string {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes must be a Uint8Array');
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1; // keep only the unread bits so the shift never overflows
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  if (options.padding !== false) while (out.length % 8 !== 0) out += '=';
  return out;
}

/**
 * Decode base32, ignoring case, whitespace, hyphens and trailing `=`. Throws RangeError for
 * any other character, an impossible length, or non-zero trailing bits (a typo in the last
 * character would otherwise decode silently to the same bytes as the correct text).
 */
export function base32Decode(text: string): Uint8Array {
  if (typeof text !== 'string') throw new TypeError(`text must be a string, got ${typeof text}`);
  const clean = text.replace(/[\s-]/g, '').toUpperCase().replace(/=+$/, '');
  if ([1, 3, 6].includes(clean.length % 8)) throw new RangeError(`text: ${clean.length} base32 characters cannot encode whole bytes`);
  const out = new Uint8Array(Math.floor((clean.length * 5) / 8));
  let buffer = 0;
  let bits = 0;
  let index = 0;
  for (const char of clean) {
    const value = ALPHABET.indexOf(char);
    if (value < 0) throw new RangeError(`text: '${char}' is not a base32 character`);
    buffer = ((buffer << 5) | value) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out[index++] = (buffer >>> (bits - 8)) & 0xff;
      bits -= 8;
    }
  }
  if ((buffer & ((1 << bits) - 1)) !== 0) throw new RangeError('text: non-zero padding bits in the last character');
  return out;
}
