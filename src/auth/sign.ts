/**
 * Signed HTTP requests between nodes and the coordinator (scheme FEDCREDIT-SIG-V1).
 *
 * The signer sends five headers; the verifier rebuilds the canonical string
 *   FEDCREDIT-SIG-V1 \n METHOD \n path?query \n timestampMs \n nonce \n base64(SHA-256(body)) \n nodeId
 * and checks its Ed25519 signature (RFC 8032) with the node's registered public key. The
 * timestamp bounds how long a captured request stays usable, the nonce cache stops replays
 * inside that window, and the digest binds the exact body bytes. Newlines cannot appear in any
 * field (checked on both sides), so the canonical string has exactly one parse.
 */
import { Buffer } from 'node:buffer';
import { createHash, sign, timingSafeEqual, verify, randomBytes, type KeyObject } from 'node:crypto';
import { privateKeyFromPem, publicKeyFromBase64 } from './keys.js';
import type { NonceCache } from './nonceCache.js';

/** Version tag, first line of every canonical string. */
export const SIGNATURE_SCHEME = 'FEDCREDIT-SIG-V1';

/** Lower-case names of the signature headers. */
export const SIGNATURE_HEADERS = Object.freeze({
  node: 'x-fc-node',
  timestamp: 'x-fc-timestamp',
  nonce: 'x-fc-nonce',
  digest: 'x-fc-digest',
  signature: 'x-fc-signature',
} as const);

const METHOD = /^[A-Za-z]{1,20}$/;
/** Visible ASCII only: header-safe, no spaces for proxies to trim, no newlines. */
const NODE_ID = /^[\x21-\x7e]{1,200}$/;
const TIMESTAMP = /^\d{1,16}$/;
const NONCE = /^[A-Za-z0-9_-]{22}$/;
const DIGEST = /^[A-Za-z0-9+/]{43}=$/;
const SIGNATURE = /^[A-Za-z0-9+/]{86}==$/;
const CONTROL_CHARS = /[\x00-\x1f\x7f]/; // eslint-disable-line no-control-regex

/** Fields of the canonical string. */
export interface CanonicalRequest {
  readonly method: string;
  readonly path: string;
  readonly timestampMs: number;
  readonly nonce: string;
  readonly digest: string;
  readonly nodeId: string;
}

/** The exact string that is signed; exported so other implementations can be checked against it. */
export function canonicalRequest(r: CanonicalRequest): string {
  return [SIGNATURE_SCHEME, r.method.toUpperCase(), r.path, String(r.timestampMs), r.nonce, r.digest, r.nodeId].join('\n');
}

/** Base64 SHA-256 of the body bytes (an empty body for GET). */
export function bodyDigest(body: Uint8Array): string {
  return createHash('sha256').update(body).digest('base64');
}

/** Parsed private keys by PEM, so a node signing every request parses its key once. */
const privateKeys = new Map<string, KeyObject>();
const MAX_CACHED_PRIVATE_KEYS = 16;
/** Parsed public keys by base64, so the coordinator does not rebuild DER on every request. */
const publicKeys = new Map<string, KeyObject>();
const MAX_CACHED_PUBLIC_KEYS = 4096;

function cached(cache: Map<string, KeyObject>, max: number, key: string, parse: (key: string) => KeyObject): KeyObject {
  let value = cache.get(key);
  if (value === undefined) {
    value = parse(key);
    if (cache.size >= max) cache.delete(cache.keys().next().value as string);
    cache.set(key, value);
  }
  return value;
}

/** Options of {@link signRequest}. */
export interface SignRequestOptions {
  readonly method: string;
  /** Path including the query string, exactly as sent (e.g. '/v1/jobs/j1/messages?wait=30'). */
  readonly path: string;
  /** Body bytes (strings are UTF-8 encoded); omitted or empty for GET. */
  readonly body?: Uint8Array | string;
  readonly nodeId: string;
  readonly privateKeyPem: string;
  /** Signing time in epoch ms; defaults to Date.now(). */
  readonly now?: number;
  /** base64url of 16 bytes; defaults to fresh OS randomness. Pass one only in tests. */
  readonly nonce?: string;
}

/**
 * Sign a request and return the five `x-fc-*` headers to send with it.
 *
 * @example
 *   const body = encodeReply(reply);
 *   const headers = signRequest({ method: 'POST', path: '/v1/replies', body, nodeId, privateKeyPem });
 *   await fetch(url, { method: 'POST', body, headers: { ...headers, 'content-type': 'application/octet-stream' } });
 */
export function signRequest(options: SignRequestOptions): Record<string, string> {
  const { method, path, nodeId, privateKeyPem } = options;
  if (typeof method !== 'string' || !METHOD.test(method)) throw new TypeError('method: expected an HTTP method name');
  if (typeof path !== 'string' || !path.startsWith('/') || CONTROL_CHARS.test(path)) throw new TypeError('path: expected a path starting with "/" without control characters');
  if (typeof nodeId !== 'string' || !NODE_ID.test(nodeId)) throw new TypeError('nodeId: expected 1 to 200 visible ASCII characters');
  const body = options.body === undefined ? new Uint8Array(0) : typeof options.body === 'string' ? Buffer.from(options.body, 'utf8') : options.body;
  if (!(body instanceof Uint8Array)) throw new TypeError('body: expected a Uint8Array or a string');
  const timestampMs = options.now ?? Date.now();
  if (!Number.isSafeInteger(timestampMs) || timestampMs < 0) throw new RangeError(`now: expected a non-negative integer of epoch ms, got ${timestampMs}`);
  const nonce = options.nonce ?? randomBytes(16).toString('base64url');
  if (typeof nonce !== 'string' || !NONCE.test(nonce) || Buffer.from(nonce, 'base64url').toString('base64url') !== nonce) throw new TypeError('nonce: expected base64url of 16 bytes');
  const key = cached(privateKeys, MAX_CACHED_PRIVATE_KEYS, privateKeyPem, privateKeyFromPem);
  const digest = bodyDigest(body);
  const signature = sign(null, Buffer.from(canonicalRequest({ method, path, timestampMs, nonce, digest, nodeId }), 'utf8'), key);
  return {
    [SIGNATURE_HEADERS.node]: nodeId,
    [SIGNATURE_HEADERS.timestamp]: String(timestampMs),
    [SIGNATURE_HEADERS.nonce]: nonce,
    [SIGNATURE_HEADERS.digest]: digest,
    [SIGNATURE_HEADERS.signature]: signature.toString('base64'),
  };
}

/** Why a request was refused; map UNSIGNED/MALFORMED to 400 or 401, REVOKED to 403, the rest to 401. */
export type VerifyFailureCode = 'UNSIGNED' | 'MALFORMED' | 'UNKNOWN_NODE' | 'REVOKED' | 'STALE' | 'REPLAY' | 'BAD_DIGEST' | 'BAD_SIGNATURE';

/** Outcome of {@link verifyRequest}. */
export type VerifyResult = { ok: true; nodeId: string } | { ok: false; code: VerifyFailureCode; message: string };

/** Options of {@link verifyRequest}. */
export interface VerifyRequestOptions {
  readonly method: string;
  /** Path including the query string, as received (Node's `req.url`). */
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The exact raw body bytes (empty for GET). */
  readonly body: Uint8Array;
  /** The registered key of a node, or undefined if the node is unknown. */
  readonly lookupKey: (nodeId: string) => { publicKey: string; revoked: boolean } | undefined;
  readonly nonces: NonceCache;
  /** Verification time in epoch ms; defaults to Date.now(). */
  readonly now?: number;
  /** Largest accepted clock difference, in ms; the nonce cache's ttl must be ≥ 2 × this. */
  readonly maxSkewMs?: number;
}

function header(headers: VerifyRequestOptions['headers'], name: string): string | string[] | undefined {
  if (Object.hasOwn(headers, name)) return headers[name];
  for (const key of Object.keys(headers)) if (key.toLowerCase() === name) return headers[key];
  return undefined;
}

const refuse = (code: VerifyFailureCode, message: string): VerifyResult => ({ ok: false, code, message });

/**
 * Check a signed request. Never throws for anything the client controls; throws TypeError or
 * RangeError only for bad arguments from the server itself (including a malformed stored key).
 * Order: headers → node known → not revoked → fresh → digest → signature → nonce unseen; the
 * nonce is recorded only after the signature checks out, so forged requests cannot burn nonces.
 */
export function verifyRequest(options: VerifyRequestOptions): VerifyResult {
  const { method, path, headers, body, lookupKey, nonces, now = Date.now(), maxSkewMs = 60_000 } = options;
  if (typeof method !== 'string' || typeof path !== 'string') throw new TypeError('method and path: expected strings');
  if (typeof headers !== 'object' || headers === null) throw new TypeError('headers: expected an object');
  if (!(body instanceof Uint8Array)) throw new TypeError('body: expected a Uint8Array');
  if (typeof lookupKey !== 'function') throw new TypeError('lookupKey: expected a function');
  if (!Number.isFinite(now)) throw new RangeError(`now: expected finite epoch ms, got ${now}`);
  if (!Number.isFinite(maxSkewMs) || maxSkewMs < 0) throw new RangeError(`maxSkewMs: expected a non-negative number, got ${maxSkewMs}`);
  if (typeof nonces?.checkAndAdd !== 'function' || !(nonces.ttlMs >= 2 * maxSkewMs)) throw new RangeError(`nonces: expected a NonceCache with ttlMs ≥ 2 × maxSkewMs (${2 * maxSkewMs})`);

  const values: Partial<Record<keyof typeof SIGNATURE_HEADERS, string>> = {};
  const missing: string[] = [];
  for (const [field, name] of Object.entries(SIGNATURE_HEADERS) as [keyof typeof SIGNATURE_HEADERS, string][]) {
    const value = header(headers, name);
    if (value === undefined) missing.push(name);
    else if (typeof value !== 'string') return refuse('MALFORMED', `${name}: sent more than once`);
    else values[field] = value;
  }
  if (missing.length > 0) return refuse('UNSIGNED', `missing ${missing.join(', ')}`);
  const { node: nodeId, timestamp, nonce, digest, signature } = values as Required<typeof values>;
  if (!NODE_ID.test(nodeId)) return refuse('MALFORMED', `${SIGNATURE_HEADERS.node}: expected 1 to 200 visible ASCII characters`);
  if (!TIMESTAMP.test(timestamp) || !Number.isSafeInteger(Number(timestamp))) return refuse('MALFORMED', `${SIGNATURE_HEADERS.timestamp}: expected epoch milliseconds`);
  if (!NONCE.test(nonce)) return refuse('MALFORMED', `${SIGNATURE_HEADERS.nonce}: expected base64url of 16 bytes`);
  if (!DIGEST.test(digest)) return refuse('MALFORMED', `${SIGNATURE_HEADERS.digest}: expected base64 of a SHA-256 digest`);
  if (!SIGNATURE.test(signature)) return refuse('MALFORMED', `${SIGNATURE_HEADERS.signature}: expected base64 of a 64-byte Ed25519 signature`);
  if (!METHOD.test(method) || CONTROL_CHARS.test(path)) return refuse('MALFORMED', 'request method or path cannot be signed');

  const entry = lookupKey(nodeId);
  if (entry === undefined) return refuse('UNKNOWN_NODE', `node ${JSON.stringify(nodeId)} is not enrolled`);
  if (typeof entry !== 'object' || entry === null || typeof entry.revoked !== 'boolean') throw new TypeError('lookupKey: expected { publicKey, revoked } or undefined');
  if (entry.revoked) return refuse('REVOKED', `node ${JSON.stringify(nodeId)} has been revoked`);

  const timestampMs = Number(timestamp);
  if (Math.abs(now - timestampMs) > maxSkewMs) return refuse('STALE', `timestamp is ${Math.round((timestampMs - now) / 1000)} s from server time (limit ±${maxSkewMs / 1000} s)`);

  if (!timingSafeEqual(Buffer.from(digest, 'base64'), createHash('sha256').update(body).digest())) return refuse('BAD_DIGEST', 'body does not match x-fc-digest');

  const publicKey = cached(publicKeys, MAX_CACHED_PUBLIC_KEYS, entry.publicKey, publicKeyFromBase64);
  const canonical = Buffer.from(canonicalRequest({ method, path, timestampMs, nonce, digest, nodeId }), 'utf8');
  if (!verify(null, canonical, publicKey, Buffer.from(signature, 'base64'))) return refuse('BAD_SIGNATURE', 'signature does not verify with the registered key');

  if (!nonces.checkAndAdd(nodeId, nonce, timestampMs, now)) return refuse('REPLAY', 'nonce already used');
  return { ok: true, nodeId };
}
