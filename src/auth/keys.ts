/**
 * Node identity keys. Every node holds an Ed25519 key pair; the coordinator stores only the
 * public key, as base64 of its raw 32 bytes (RFC 8032 §5.1.5 encoding), which is short enough to
 * paste into a config file or a dashboard form. Private keys stay in PKCS#8 PEM, the format
 * node:crypto and OpenSSL read directly.
 */
import { Buffer } from 'node:buffer';
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';

/** DER header of an Ed25519 SubjectPublicKeyInfo; the raw 32-byte key follows (RFC 8410 §4). */
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
/** DER header of an Ed25519 PKCS#8 OneAsymmetricKey; the 32-byte seed follows (RFC 8410 §7). */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
/** Canonical base64 of 32 bytes: 43 characters and one '=' of padding. */
const BASE64_32_BYTES = /^[A-Za-z0-9+/]{43}=$/;

/** A node's key pair: the public half as base64 of the raw key, the private half as PKCS#8 PEM. */
export interface NodeKeyPair {
  readonly publicKey: string;
  readonly privateKeyPem: string;
}

/**
 * Generate a fresh Ed25519 key pair from the OS random source.
 *
 * @example
 *   const { publicKey, privateKeyPem } = generateNodeKeyPair();
 *   // register `publicKey` with the coordinator; keep `privateKeyPem` on the node (mode 0600)
 */
export function generateNodeKeyPair(): NodeKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return { publicKey: publicKeyToBase64(publicKey), privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString() };
}

/** The base64 raw 32-byte form of an Ed25519 public (or private, whose public half is taken) key. */
export function publicKeyToBase64(key: KeyObject): string {
  if (!key || typeof key !== 'object' || key.asymmetricKeyType !== 'ed25519') throw new TypeError('key: expected an Ed25519 KeyObject');
  const spki = (key.type === 'private' ? createPublicKey(key) : key).export({ format: 'der', type: 'spki' });
  return spki.subarray(SPKI_ED25519_PREFIX.length).toString('base64');
}

/**
 * Parse a public key given as base64 of its raw 32 bytes. Only canonical base64 of exactly 32
 * bytes is accepted, so one key has one spelling (no whitespace, URL alphabet or missing padding).
 */
export function publicKeyFromBase64(b64: string): KeyObject {
  if (typeof b64 !== 'string' || !BASE64_32_BYTES.test(b64)) throw new TypeError('b64: expected canonical base64 of a 32-byte Ed25519 public key');
  const raw = Buffer.from(b64, 'base64');
  if (raw.length !== 32 || raw.toString('base64') !== b64) throw new TypeError('b64: expected canonical base64 of a 32-byte Ed25519 public key');
  return createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: 'der', type: 'spki' });
}

/** Parse a PKCS#8 PEM private key, checking that it is an Ed25519 key. */
export function privateKeyFromPem(privateKeyPem: string): KeyObject {
  if (typeof privateKeyPem !== 'string' || !privateKeyPem.includes('-----BEGIN PRIVATE KEY-----')) throw new TypeError('privateKeyPem: expected a PKCS#8 PEM private key');
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: privateKeyPem, format: 'pem' });
  } catch {
    throw new TypeError('privateKeyPem: not a readable PKCS#8 PEM private key');
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new TypeError(`privateKeyPem: expected an Ed25519 key, got ${key.asymmetricKeyType}`);
  return key;
}

/**
 * Build a private key from its raw 32-byte seed (the RFC 8032 "secret key"). Meant for
 * known-answer tests and deterministic fixtures; real nodes use {@link generateNodeKeyPair}.
 */
export function privateKeyFromSeed(seed: Uint8Array): KeyObject {
  if (!(seed instanceof Uint8Array) || seed.length !== 32) throw new TypeError('seed: expected 32 bytes');
  const der = Buffer.concat([PKCS8_ED25519_PREFIX, seed]);
  try {
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } finally {
    der.fill(0); // the DER copy holds the secret seed
  }
}
