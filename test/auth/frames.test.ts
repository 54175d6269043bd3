import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { deriveFrameKey, frameKeyExchange, isFrameExchangeKey, macFrame, signFrame, verifyFrame, verifyMacFrame } from '../../src/auth/frames.js';

/** Both ends of one connection's V2 key exchange. */
function connection(nodeId = 'node-1') {
  const node = frameKeyExchange();
  const coordinator = frameKeyExchange();
  const nonce = new Uint8Array(randomBytes(32));
  return {
    nonce,
    nodeKey: deriveFrameKey(node.privateKey, coordinator.publicKey, nonce, nodeId),
    coordinatorKey: deriveFrameKey(coordinator.privateKey, node.publicKey, nonce, nodeId),
    node, coordinator,
  };
}

describe('task-channel frames, V2 (per-connection MAC key)', () => {
  it('node and coordinator derive the same key, and frames verify in sequence', () => {
    const c = connection();
    expect(Buffer.from(c.nodeKey).equals(Buffer.from(c.coordinatorKey))).toBe(true);
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2000 }), fc.nat(0xffffffff), (body, seq) => {
      const checked = verifyMacFrame(c.coordinatorKey, seq, macFrame(c.nodeKey, seq, body));
      expect(checked.ok).toBe(true);
      if (checked.ok) expect(Array.from(checked.body)).toEqual(Array.from(body));
    }));
  });

  it('refuses a changed body, a changed or replayed sequence number, and a truncated frame', () => {
    const c = connection();
    const frame = macFrame(c.nodeKey, 5, new Uint8Array([1, 2, 3, 4]));
    for (let i = 0; i < frame.length; i++) {
      const bad = frame.slice();
      bad[i] ^= 1;
      expect(verifyMacFrame(c.coordinatorKey, 5, bad).ok).toBe(false);
    }
    expect(verifyMacFrame(c.coordinatorKey, 6, frame)).toEqual({ ok: false, code: 'FRAME_OUT_OF_ORDER' });
    expect(verifyMacFrame(c.coordinatorKey, 5, frame.subarray(0, 35))).toEqual({ ok: false, code: 'FRAME_TRUNCATED' });
    const zeroed = frame.slice();
    zeroed.fill(0, 0, 32);
    expect(verifyMacFrame(c.coordinatorKey, 5, zeroed)).toEqual({ ok: false, code: 'FRAME_BAD_SIGNATURE' });
  });

  it('keys differ per connection nonce and per node, so a frame cannot move to another connection', () => {
    const c = connection('node-1');
    const otherNonce = new Uint8Array(randomBytes(32));
    const frame = macFrame(c.nodeKey, 0, new Uint8Array([9]));
    expect(verifyMacFrame(deriveFrameKey(c.coordinator.privateKey, c.node.publicKey, otherNonce, 'node-1'), 0, frame).ok).toBe(false);
    expect(verifyMacFrame(deriveFrameKey(c.coordinator.privateKey, c.node.publicKey, c.nonce, 'node-2'), 0, frame).ok).toBe(false);
  });

  it('a man in the middle who swaps the hello key shares a key with the node, not one the coordinator accepts', () => {
    const node = frameKeyExchange();
    const coordinator = frameKeyExchange();
    const attacker = frameKeyExchange();
    const nonce = new Uint8Array(randomBytes(32));
    const nodeKey = deriveFrameKey(node.privateKey, attacker.publicKey, nonce, 'n'); // the node got the attacker's hello
    const coordinatorKey = deriveFrameKey(coordinator.privateKey, node.publicKey, nonce, 'n');
    const attackerKey = deriveFrameKey(attacker.privateKey, coordinator.publicKey, nonce, 'n'); // best the attacker can do
    const relayed = macFrame(nodeKey, 0, new Uint8Array([1]));
    const forged = macFrame(attackerKey, 0, new Uint8Array([1]));
    expect(verifyMacFrame(coordinatorKey, 0, relayed).ok).toBe(false);
    expect(verifyMacFrame(coordinatorKey, 0, forged).ok).toBe(false);
  });

  it('refuses low-order and malformed exchange keys (RFC 7748 §6.1)', () => {
    expect(isFrameExchangeKey(new Uint8Array(32))).toBe(false); // the point 0
    const one = new Uint8Array(32);
    one[0] = 1;
    expect(isFrameExchangeKey(one)).toBe(false);
    expect(isFrameExchangeKey(new Uint8Array(31))).toBe(false);
    expect(isFrameExchangeKey(frameKeyExchange().publicKey)).toBe(true);
    expect(() => deriveFrameKey(frameKeyExchange().privateKey, new Uint8Array(32), new Uint8Array(32), 'n')).toThrow();
  });
});

describe('task-channel frames, V1 (Ed25519-signed)', () => {
  it('verifies a signed frame and refuses tampering, reordering and another connection', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const nonce = new Uint8Array(randomBytes(32));
    const frame = signFrame(privateKey, nonce, 3, new Uint8Array([1, 2, 3]));
    const checked = verifyFrame(publicKey, nonce, 3, frame);
    expect(checked.ok && Array.from(checked.body)).toEqual([1, 2, 3]);
    const bad = frame.slice();
    bad[bad.length - 1] ^= 1;
    expect(verifyFrame(publicKey, nonce, 3, bad)).toEqual({ ok: false, code: 'FRAME_BAD_SIGNATURE' });
    expect(verifyFrame(publicKey, nonce, 4, frame)).toEqual({ ok: false, code: 'FRAME_OUT_OF_ORDER' });
    expect(verifyFrame(publicKey, new Uint8Array(randomBytes(32)), 3, frame)).toEqual({ ok: false, code: 'FRAME_BAD_SIGNATURE' });
  });
});
