/**
 * Authenticated frames for the WebSocket task channel. The connection itself is authenticated
 * at the upgrade by an ordinary signed request (see sign.ts); after that every frame a node
 * sends carries an authenticator over the connection, a strictly increasing sequence number and
 * the frame body, so a frame cannot be forged, replayed on this or another connection, or
 * reordered, even without TLS.
 *
 * Two schemes, chosen by the node at the upgrade:
 *
 * - **V2 (default): a per-connection MAC key.** The node puts a fresh X25519 public key in the
 *   upgrade's query string (`?kx=…`), which its Ed25519 signature covers; the coordinator's hello
 *   carries the connection nonce and its own fresh X25519 public key. Both sides derive
 *   `HKDF-SHA256(X25519, salt = nonce, info = "FEDCREDIT-WS-V2 frame key\n" ‖ nodeId)` and
 *   frames carry HMAC-SHA256 of (label ‖ seq ‖ body). Only the holder of the node's ephemeral
 *   private key — bound to the node's identity by the signed upgrade, fresh by its nonce — and
 *   the coordinator know the key: a man in the middle who swaps the coordinator's hello key gets
 *   a key shared with the node, not one the coordinator accepts, so it can neither forge nor
 *   relay frames. One HMAC costs ~10–25 µs against ~200 µs for an Ed25519 verification.
 *   Frame layout: 32-byte HMAC ‖ u32 little-endian sequence ‖ body.
 * - **V1: every frame signed with the node's Ed25519 key** over the connection's random nonce,
 *   the sequence and the body (nodes that do not offer a key exchange).
 *   Frame layout: 64-byte Ed25519 signature ‖ u32 little-endian sequence ‖ body.
 */
import { createHmac, sign, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import { generateX25519KeyPair, hkdfSha256, isUsableX25519PublicKey, x25519 } from '../secagg/crypto.js';

const LABEL = Buffer.from('FEDCREDIT-WS-V1\n');
const SIGNATURE_BYTES = 64;
const HEADER_BYTES = SIGNATURE_BYTES + 4;

const LABEL_V2 = Buffer.from('FEDCREDIT-WS-V2\n');
const MAC_BYTES = 32;
const MAC_HEADER_BYTES = MAC_BYTES + 4;
/** Bytes of an X25519 public key (and of the derived frame key). */
export const FRAME_KEY_BYTES = 32;

/** Why a frame was refused. */
export type FrameFailure = 'FRAME_TRUNCATED' | 'FRAME_OUT_OF_ORDER' | 'FRAME_BAD_SIGNATURE';

function signedData(connectionNonce: Uint8Array, seq: number, body: Uint8Array): Buffer {
  const seqBytes = Buffer.alloc(4);
  seqBytes.writeUInt32LE(seq, 0);
  return Buffer.concat([LABEL, connectionNonce, seqBytes, body]);
}

function checkSeq(seq: number): void {
  if (!Number.isInteger(seq) || seq < 0 || seq > 0xffffffff) throw new RangeError(`seq: expected a 32-bit unsigned integer, got ${seq}`);
}

/** Sign `body` as frame number `seq` of the connection with `connectionNonce` (V1). */
export function signFrame(privateKey: KeyObject, connectionNonce: Uint8Array, seq: number, body: Uint8Array): Uint8Array {
  checkSeq(seq);
  const signature = sign(null, signedData(connectionNonce, seq, body), privateKey);
  const out = new Uint8Array(HEADER_BYTES + body.length);
  out.set(signature, 0);
  new DataView(out.buffer).setUint32(SIGNATURE_BYTES, seq, true);
  out.set(body, HEADER_BYTES);
  return out;
}

/**
 * Check a node's V1 frame: returns the body if the signature is valid and the sequence number
 * is the one expected, otherwise a coded failure.
 */
export function verifyFrame(publicKey: KeyObject, connectionNonce: Uint8Array, expectedSeq: number, frame: Uint8Array): { ok: true; body: Uint8Array } | { ok: false; code: FrameFailure } {
  if (frame.length < HEADER_BYTES) return { ok: false, code: 'FRAME_TRUNCATED' };
  const seq = new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(SIGNATURE_BYTES, true);
  if (seq !== expectedSeq) return { ok: false, code: 'FRAME_OUT_OF_ORDER' };
  const body = frame.subarray(HEADER_BYTES);
  const valid = verify(null, signedData(connectionNonce, seq, body), publicKey, frame.subarray(0, SIGNATURE_BYTES));
  return valid ? { ok: true, body } : { ok: false, code: 'FRAME_BAD_SIGNATURE' };
}

/** A fresh X25519 key pair for one connection's key exchange (raw 32-byte keys). */
export function frameKeyExchange(): { publicKey: Uint8Array; privateKey: Uint8Array } {
  return generateX25519KeyPair();
}

/** Whether `publicKey` may be used in a key exchange: 32 bytes, not a low-order point. */
export function isFrameExchangeKey(publicKey: Uint8Array): boolean {
  return isUsableX25519PublicKey(publicKey);
}

/**
 * The V2 frame key of a connection, derived identically by the node (own = its ephemeral
 * private key, peer = the coordinator's hello key) and by the coordinator (the other way round).
 *
 * @throws when `peerPublicKey` is not a usable X25519 key (check {@link isFrameExchangeKey} first).
 */
export function deriveFrameKey(ownPrivateKey: Uint8Array, peerPublicKey: Uint8Array, connectionNonce: Uint8Array, nodeId: string): Uint8Array {
  if (!(connectionNonce instanceof Uint8Array) || connectionNonce.length !== 32) throw new RangeError('connectionNonce: expected 32 bytes');
  if (typeof nodeId !== 'string' || nodeId === '') throw new TypeError('nodeId: expected a non-empty string');
  const shared = x25519(ownPrivateKey, peerPublicKey);
  const key = hkdfSha256(shared, connectionNonce, Buffer.from(`FEDCREDIT-WS-V2 frame key\n${nodeId}`, 'utf8'), FRAME_KEY_BYTES);
  shared.fill(0);
  return key;
}

function frameMac(key: Uint8Array, seqBytes: Uint8Array, body: Uint8Array): Buffer {
  return createHmac('sha256', key).update(LABEL_V2).update(seqBytes).update(body).digest();
}

/** Authenticate `body` as frame number `seq` under the connection's V2 frame key. */
export function macFrame(key: Uint8Array, seq: number, body: Uint8Array): Uint8Array {
  checkSeq(seq);
  if (!(key instanceof Uint8Array) || key.length !== FRAME_KEY_BYTES) throw new RangeError(`key: expected ${FRAME_KEY_BYTES} bytes`);
  const out = new Uint8Array(MAC_HEADER_BYTES + body.length);
  const seqBytes = out.subarray(MAC_BYTES, MAC_HEADER_BYTES);
  new DataView(out.buffer, out.byteOffset).setUint32(MAC_BYTES, seq, true);
  out.set(frameMac(key, seqBytes, body), 0);
  out.set(body, MAC_HEADER_BYTES);
  return out;
}

/** Check a node's V2 frame: the body if the MAC is valid and the sequence is the expected one. */
export function verifyMacFrame(key: Uint8Array, expectedSeq: number, frame: Uint8Array): { ok: true; body: Uint8Array } | { ok: false; code: FrameFailure } {
  if (frame.length < MAC_HEADER_BYTES) return { ok: false, code: 'FRAME_TRUNCATED' };
  const seq = new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(MAC_BYTES, true);
  if (seq !== expectedSeq) return { ok: false, code: 'FRAME_OUT_OF_ORDER' };
  const body = frame.subarray(MAC_HEADER_BYTES);
  const expected = frameMac(key, frame.subarray(MAC_BYTES, MAC_HEADER_BYTES), body);
  return timingSafeEqual(expected, frame.subarray(0, MAC_BYTES)) ? { ok: true, body } : { ok: false, code: 'FRAME_BAD_SIGNATURE' };
}
