/**
 * Signed frames for the WebSocket task channel. The connection itself is authenticated at the
 * upgrade by an ordinary signed request (see sign.ts); after that every frame a node sends is
 * signed too, over the connection's random nonce, a strictly increasing sequence number and
 * the frame body, so a frame cannot be forged, replayed on this or another connection, or
 * reordered, even without TLS.
 *
 * Frame layout: 64-byte Ed25519 signature ‖ u32 little-endian sequence ‖ body.
 */
import { sign, verify, type KeyObject } from 'node:crypto';

const LABEL = Buffer.from('FEDCREDIT-WS-V1\n');
const SIGNATURE_BYTES = 64;
const HEADER_BYTES = SIGNATURE_BYTES + 4;

function signedData(connectionNonce: Uint8Array, seq: number, body: Uint8Array): Buffer {
  const seqBytes = Buffer.alloc(4);
  seqBytes.writeUInt32LE(seq, 0);
  return Buffer.concat([LABEL, connectionNonce, seqBytes, body]);
}

/** Sign `body` as frame number `seq` of the connection with `connectionNonce`. */
export function signFrame(privateKey: KeyObject, connectionNonce: Uint8Array, seq: number, body: Uint8Array): Uint8Array {
  if (!Number.isInteger(seq) || seq < 0 || seq > 0xffffffff) throw new RangeError(`seq: expected a 32-bit unsigned integer, got ${seq}`);
  const signature = sign(null, signedData(connectionNonce, seq, body), privateKey);
  const out = new Uint8Array(HEADER_BYTES + body.length);
  out.set(signature, 0);
  new DataView(out.buffer).setUint32(SIGNATURE_BYTES, seq, true);
  out.set(body, HEADER_BYTES);
  return out;
}

/**
 * Check a node's frame: returns the body if the signature is valid and the sequence number is
 * the one expected, otherwise a coded failure.
 */
export function verifyFrame(publicKey: KeyObject, connectionNonce: Uint8Array, expectedSeq: number, frame: Uint8Array): { ok: true; body: Uint8Array } | { ok: false; code: 'FRAME_TRUNCATED' | 'FRAME_OUT_OF_ORDER' | 'FRAME_BAD_SIGNATURE' } {
  if (frame.length < HEADER_BYTES) return { ok: false, code: 'FRAME_TRUNCATED' };
  const seq = new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(SIGNATURE_BYTES, true);
  if (seq !== expectedSeq) return { ok: false, code: 'FRAME_OUT_OF_ORDER' };
  const body = frame.subarray(HEADER_BYTES);
  const valid = verify(null, signedData(connectionNonce, seq, body), publicKey, frame.subarray(0, SIGNATURE_BYTES));
  return valid ? { ok: true, body } : { ok: false, code: 'FRAME_BAD_SIGNATURE' };
}
