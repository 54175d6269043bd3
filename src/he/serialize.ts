/**
 * JSON forms of Paillier keys and encrypted vectors (numbers as lower-case hex strings), and
 * parsers for them. Parsers treat their input as untrusted network data: they never throw on bad
 * input but return `{ ok: false, issues }` with one coded issue per problem found.
 *
 * Formats (version 1):
 * - public key:  `{ kind: 'paillier-public-key', version: 1, n }`
 * - private key: `{ kind: 'paillier-private-key', version: 1, p, q }` (n, λ, … are derived)
 * - encrypted vector: `{ kind: 'paillier-vector', version: 1, keyId, numValues, numParties,
 *   clip, scaleBits, maxParties, ciphertexts: [hex, …] }` (the slot layout is recomputed).
 */
import { bigintToHex, bitLength, hexToBigint } from './bigint.js';
import { MAX_GENERATED_KEY_BITS, PaillierPrivateKey, PaillierPublicKey } from './keys.js';
import { packingLayout, type EncryptedVector } from './packing.js';
import { isProbablePrime } from './prime.js';

/** One problem found by a parser: a stable code, the offending field and a message. */
export interface ParseIssue {
  readonly code: string;
  readonly path: string;
  readonly message: string;
}

/** Outcome of parsing untrusted input. */
export type ParseResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly issues: readonly ParseIssue[] };

/** JSON form of a public key. */
export interface PublicKeyJson {
  readonly kind: 'paillier-public-key';
  readonly version: 1;
  readonly n: string;
}

/** JSON form of a private key: keep it where the key holder keeps its secrets. */
export interface PrivateKeyJson {
  readonly kind: 'paillier-private-key';
  readonly version: 1;
  readonly p: string;
  readonly q: string;
}

/** JSON form of an {@link EncryptedVector}. */
export interface EncryptedVectorJson {
  readonly kind: 'paillier-vector';
  readonly version: 1;
  readonly keyId: string;
  readonly numValues: number;
  readonly numParties: number;
  readonly clip: number;
  readonly scaleBits: number;
  readonly maxParties: number;
  readonly ciphertexts: readonly string[];
}

/** Serialise a public key. */
export function publicKeyToJson(publicKey: PaillierPublicKey): PublicKeyJson {
  return { kind: 'paillier-public-key', version: 1, n: bigintToHex(publicKey.n) };
}

/** Serialise a private key (its primes). */
export function privateKeyToJson(privateKey: PaillierPrivateKey): PrivateKeyJson {
  return { kind: 'paillier-private-key', version: 1, p: bigintToHex(privateKey.p), q: bigintToHex(privateKey.q) };
}

/** Serialise an encrypted vector; ciphertexts are zero-padded to the byte length of n². */
export function encryptedVectorToJson(publicKey: PaillierPublicKey, vector: EncryptedVector): EncryptedVectorJson {
  const width = 2 * Math.ceil(bitLength(publicKey.nSquared) / 8);
  const { clip, scaleBits, maxParties } = vector.layout;
  return {
    kind: 'paillier-vector',
    version: 1,
    keyId: vector.keyId,
    numValues: vector.numValues,
    numParties: vector.numParties,
    clip,
    scaleBits,
    maxParties,
    ciphertexts: vector.ciphertexts.map((c) => bigintToHex(c, width)),
  };
}

type Issues = ParseIssue[];

/** Hex digits only, and short enough that parsing cannot be used to exhaust memory or time. */
function isValidHex(s: string, maxDigits: number): boolean {
  return s.length > 0 && s.length <= maxDigits && /^[0-9a-fA-F]+$/.test(s);
}

/** Hex digits of the largest key accepted (8192-bit n). */
const MAX_KEY_HEX_DIGITS = MAX_GENERATED_KEY_BITS / 4;

function header(json: unknown, kind: string, issues: Issues): json is Record<string, unknown> {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    issues.push({ code: 'NOT_OBJECT', path: '', message: 'expected a JSON object' });
    return false;
  }
  const o = json as Record<string, unknown>;
  if (o.kind !== kind) issues.push({ code: 'WRONG_KIND', path: 'kind', message: `expected '${kind}'` });
  if (o.version !== 1) issues.push({ code: 'UNSUPPORTED_VERSION', path: 'version', message: 'expected version 1' });
  return true;
}

function hexField(o: Record<string, unknown>, path: string, issues: Issues): bigint | undefined {
  const v = o[path];
  if (typeof v !== 'string' || !isValidHex(v, MAX_KEY_HEX_DIGITS)) {
    issues.push({ code: 'INVALID_HEX', path, message: 'expected a string of hexadecimal digits' });
    return undefined;
  }
  return hexToBigint(v);
}

/** Options of {@link parsePublicKey} and {@link parsePrivateKey}. */
export interface KeyParseOptions {
  /** Reject moduli shorter than this many bits (default 2048; tests may lower it). */
  readonly minBits?: number;
}

/** Parse an untrusted public key, rejecting even, malformed or too-short moduli. */
export function parsePublicKey(json: unknown, options: KeyParseOptions = {}): ParseResult<PaillierPublicKey> {
  const minBits = options.minBits ?? 2048;
  const issues: Issues = [];
  if (!header(json, 'paillier-public-key', issues)) return { ok: false, issues };
  const n = hexField(json, 'n', issues);
  if (n !== undefined && (n % 2n === 0n || bitLength(n) < minBits)) {
    issues.push({ code: 'WEAK_MODULUS', path: 'n', message: `expected an odd modulus of at least ${minBits} bits` });
  }
  if (issues.length > 0 || n === undefined) return { ok: false, issues };
  return { ok: true, value: new PaillierPublicKey(n) };
}

/** Parse an untrusted private key: both primes are tested (Miller–Rabin) and must be distinct. */
export function parsePrivateKey(json: unknown, options: KeyParseOptions = {}): ParseResult<PaillierPrivateKey> {
  const minBits = options.minBits ?? 2048;
  const issues: Issues = [];
  if (!header(json, 'paillier-private-key', issues)) return { ok: false, issues };
  const p = hexField(json, 'p', issues);
  const q = hexField(json, 'q', issues);
  for (const [path, v] of [['p', p], ['q', q]] as const) {
    if (v !== undefined && !isProbablePrime(v)) issues.push({ code: 'NOT_PRIME', path, message: 'expected a prime' });
  }
  if (p !== undefined && q !== undefined && bitLength(p * q) < minBits) {
    issues.push({ code: 'WEAK_MODULUS', path: 'q', message: `expected p·q of at least ${minBits} bits` });
  }
  if (issues.length > 0 || p === undefined || q === undefined) return { ok: false, issues };
  try {
    return { ok: true, value: PaillierPrivateKey.fromPrimes(p, q) };
  } catch (error) {
    return { ok: false, issues: [{ code: 'INVALID_KEY', path: 'q', message: (error as Error).message }] };
  }
}

function integerField(o: Record<string, unknown>, path: string, min: number, issues: Issues): number {
  const v = o[path];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    issues.push({ code: 'INVALID_INTEGER', path, message: `expected an integer ≥ ${min}` });
    return min;
  }
  return v;
}

/** Parse an untrusted encrypted vector for `publicKey`: key id, layout, count and every ciphertext range. */
export function parseEncryptedVector(publicKey: PaillierPublicKey, json: unknown): ParseResult<EncryptedVector> {
  const issues: Issues = [];
  if (!header(json, 'paillier-vector', issues)) return { ok: false, issues };
  if (json.keyId !== publicKey.keyId) issues.push({ code: 'WRONG_KEY', path: 'keyId', message: 'encrypted under a different key' });
  const numValues = integerField(json, 'numValues', 0, issues);
  const numParties = integerField(json, 'numParties', 1, issues);
  let layout;
  try {
    layout = packingLayout(publicKey, { clip: json.clip as number, scaleBits: json.scaleBits as number, maxParties: json.maxParties as number });
  } catch (error) {
    issues.push({ code: 'INVALID_LAYOUT', path: 'clip', message: (error as Error).message });
  }
  if (layout !== undefined && numParties > layout.maxParties) {
    issues.push({ code: 'TOO_MANY_PARTIES', path: 'numParties', message: 'numParties exceeds maxParties' });
  }
  const raw = json.ciphertexts;
  const ciphertexts: bigint[] = [];
  const maxDigits = 2 * Math.ceil(bitLength(publicKey.nSquared) / 8);
  if (!Array.isArray(raw)) {
    issues.push({ code: 'INVALID_ARRAY', path: 'ciphertexts', message: 'expected an array of hex strings' });
  } else if (layout !== undefined && raw.length !== Math.ceil(numValues / layout.slotsPerCiphertext)) {
    // Checked before the elements so that a huge array costs nothing to reject.
    issues.push({ code: 'WRONG_LENGTH', path: 'ciphertexts', message: 'ciphertext count does not match numValues' });
  } else if (layout !== undefined) {
    raw.forEach((s: unknown, i) => {
      const c = typeof s === 'string' && isValidHex(s, maxDigits) ? hexToBigint(s) : -1n;
      if (c <= 0n || c >= publicKey.nSquared) {
        issues.push({ code: 'INVALID_CIPHERTEXT', path: `ciphertexts.${i}`, message: 'expected hex in [1, n²)' });
      }
      ciphertexts.push(c);
    });
  }
  if (issues.length > 0 || layout === undefined) return { ok: false, issues };
  return { ok: true, value: { keyId: publicKey.keyId, numValues, numParties, layout, ciphertexts } };
}
