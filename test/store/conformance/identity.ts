/** Conformance: institutions, enrollment tokens, nodes. */
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../../src/store/store.js';
import { errorCode, openFixture, publicKey } from './harness.js';
import type { Fixture, FreshDatabase } from './harness.js';

/** Register the institution, token and node tests against fresh databases from `fresh`. */
export function identitySuite(fresh: FreshDatabase): void {
  describe('identity', () => {
    let fx: Fixture;
    let store: Store;
    beforeEach(async () => {
      ({ fx, store } = await openFixture(fresh));
    });
    afterEach(async () => fx.close());

    describe('institutions', () => {
      it('creates, reads, lists and revokes, revoking the nodes too', async () => {
        const a = await store.createInstitution({ name: 'Bank A' });
        const b = await store.createInstitution({ name: 'Bank B', id: 'bank-b' });
        expect(b.id).toBe('bank-b');
        expect(await store.getInstitution(a.id)).toEqual(a);
        const node = await store.registerNode({ institutionId: a.id, publicKey: publicKey(1) });
        const revoked = await store.revokeInstitution(a.id);
        expect(revoked.revokedAt).toBeGreaterThan(a.createdAt);
        expect((await store.revokeInstitution(a.id)).revokedAt).toBe(revoked.revokedAt); // idempotent
        expect((await store.getNode(node.id)).revokedAt).toBe(revoked.revokedAt);
        expect((await store.listInstitutions()).map((i) => i.id)).toEqual(['bank-b']);
        expect((await store.listInstitutions({ includeRevoked: true })).map((i) => i.id)).toEqual([a.id, 'bank-b']);
        expect(await errorCode(store.registerNode({ institutionId: a.id, publicKey: publicKey(2) }))).toBe('REVOKED');
      });

      it('rejects duplicate names and ids, unknown ids and bad arguments', async () => {
        await store.createInstitution({ name: 'Bank A', id: 'a' });
        expect(await errorCode(store.createInstitution({ name: 'Bank A' }))).toBe('CONFLICT');
        expect(await errorCode(store.createInstitution({ name: 'Other', id: 'a' }))).toBe('CONFLICT');
        expect(await errorCode(store.getInstitution('nope'))).toBe('NOT_FOUND');
        expect(await errorCode(store.revokeInstitution('nope'))).toBe('NOT_FOUND');
        await expect(store.createInstitution({ name: '' })).rejects.toThrow(RangeError);
        await expect(store.createInstitution({ name: 'x'.repeat(201) })).rejects.toThrow(/name/);
        await expect(store.createInstitution({ name: 42 as unknown as string })).rejects.toThrow(TypeError);
        await expect(store.createInstitution(null as unknown as { name: string })).rejects.toThrow(TypeError);
      });
    });

    describe('enrollment tokens', () => {
      it('stores only the SHA-256 of the token and is single use', async () => {
        const inst = await store.createInstitution({ name: 'Bank A' });
        const issued = await store.createEnrollmentToken({ institutionId: inst.id, ttlMs: 60_000 });
        expect(issued.token).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 bits, base64url
        const rows = await fx.db.query('select * from enrollment_tokens');
        expect(rows).toHaveLength(1);
        expect(JSON.stringify(rows)).not.toContain(issued.token);
        expect(rows[0].token_hash).toBe(createHash('sha256').update(issued.token).digest('hex'));
        expect(await store.consumeEnrollmentToken(issued.token)).toEqual({ institutionId: inst.id });
        expect(await errorCode(store.consumeEnrollmentToken(issued.token))).toBe('TOKEN_USED');
        expect(await errorCode(store.consumeEnrollmentToken('not-a-token'))).toBe('TOKEN_INVALID');
        await expect(store.consumeEnrollmentToken('')).rejects.toThrow(RangeError);
      });

      it('expires exactly at expiresAt', async () => {
        const inst = await store.createInstitution({ name: 'Bank A' });
        const early = await store.createEnrollmentToken({ institutionId: inst.id, ttlMs: 1000 });
        const late = await store.createEnrollmentToken({ institutionId: inst.id, ttlMs: 1000 });
        fx.nowMs = early.expiresAt - 2; // the next clock reading is expiresAt - 1
        expect(await store.consumeEnrollmentToken(early.token)).toEqual({ institutionId: inst.id });
        fx.nowMs = late.expiresAt - 1; // next reading is expiresAt
        expect(await errorCode(store.consumeEnrollmentToken(late.token))).toBe('TOKEN_EXPIRED');
        await expect(store.createEnrollmentToken({ institutionId: inst.id, ttlMs: 0 })).rejects.toThrow(RangeError);
        await expect(store.createEnrollmentToken({ institutionId: inst.id, ttlMs: 1.5 })).rejects.toThrow(TypeError);
        expect(await errorCode(store.createEnrollmentToken({ institutionId: 'nope', ttlMs: 1 }))).toBe('NOT_FOUND');
      });

      it('rejects tokens of a revoked institution', async () => {
        const inst = await store.createInstitution({ name: 'Bank A' });
        const issued = await store.createEnrollmentToken({ institutionId: inst.id, ttlMs: 60_000 });
        await store.revokeInstitution(inst.id);
        expect(await errorCode(store.consumeEnrollmentToken(issued.token))).toBe('REVOKED');
        expect(await errorCode(store.createEnrollmentToken({ institutionId: inst.id, ttlMs: 1 }))).toBe('REVOKED');
      });

      it('enrolls a node atomically: a failed registration leaves the token usable', async () => {
        const inst = await store.createInstitution({ name: 'Bank A' });
        await store.registerNode({ institutionId: inst.id, publicKey: publicKey(1) });
        const issued = await store.createEnrollmentToken({ institutionId: inst.id, ttlMs: 60_000 });
        expect(await errorCode(store.enrollNode({ token: issued.token, publicKey: publicKey(1) }))).toBe('CONFLICT');
        const node = await store.enrollNode({ token: issued.token, publicKey: publicKey(2), id: 'node-2' });
        expect(node).toMatchObject({ id: 'node-2', institutionId: inst.id, publicKey: publicKey(2) });
        const rows = await fx.db.query('select used_by_node_id from enrollment_tokens');
        expect(rows[0].used_by_node_id).toBe('node-2');
        expect(await errorCode(store.enrollNode({ token: issued.token, publicKey: publicKey(3) }))).toBe('TOKEN_USED');
      });

      it('lets exactly one of many concurrent enrollments with one token succeed', async () => {
        const other = await fx.open(); // a second connection/pool on the same database
        const inst = await store.createInstitution({ name: 'Bank A' });
        const issued = await store.createEnrollmentToken({ institutionId: inst.id, ttlMs: 60_000 });
        const attempts = Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? store : other).enrollNode({ token: issued.token, publicKey: publicKey(10 + i) }));
        const results = await Promise.allSettled(attempts);
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        for (const r of results) if (r.status === 'rejected') expect((r.reason as { code: string }).code).toBe('TOKEN_USED');
        expect(await store.listNodes({ institutionId: inst.id })).toHaveLength(1);
      });
    });

    describe('nodes', () => {
      it('registers, reads, lists, touches and revokes', async () => {
        const a = await store.createInstitution({ name: 'Bank A' });
        const b = await store.createInstitution({ name: 'Bank B' });
        const n1 = await store.registerNode({ institutionId: a.id, publicKey: publicKey(1), id: 'n1' });
        const n2 = await store.registerNode({ institutionId: b.id, publicKey: publicKey(2) });
        expect(n1.lastSeenAt).toBeUndefined();
        await store.touchNode('n1', 123_456);
        expect((await store.getNode('n1')).lastSeenAt).toBe(123_456);
        await store.touchNode('n1');
        expect((await store.getNode('n1')).lastSeenAt).toBeGreaterThan(n1.createdAt);
        expect((await store.listNodes()).map((n) => n.id)).toEqual(['n1', n2.id]);
        expect((await store.listNodes({ institutionId: b.id })).map((n) => n.id)).toEqual([n2.id]);
        const revoked = await store.revokeNode('n1');
        expect(revoked.revokedAt).toBeDefined();
        expect((await store.revokeNode('n1')).revokedAt).toBe(revoked.revokedAt);
        expect((await store.listNodes()).map((n) => n.id)).toEqual([n2.id]);
        expect((await store.listNodes({ includeRevoked: true })).map((n) => n.id)).toEqual(['n1', n2.id]);
        expect(await errorCode(store.touchNode('n1'))).toBe('REVOKED');
        expect(await errorCode(store.touchNode('ghost'))).toBe('NOT_FOUND');
        expect(await errorCode(store.getNode('ghost'))).toBe('NOT_FOUND');
      });

      it('rejects duplicate keys and malformed keys', async () => {
        const a = await store.createInstitution({ name: 'Bank A' });
        await store.registerNode({ institutionId: a.id, publicKey: publicKey(1) });
        expect(await errorCode(store.registerNode({ institutionId: a.id, publicKey: publicKey(1) }))).toBe('CONFLICT');
        expect(await errorCode(store.registerNode({ institutionId: 'ghost', publicKey: publicKey(3) }))).toBe('NOT_FOUND');
        const bad: [string, unknown][] = [
          ['31 bytes', Buffer.alloc(31).toString('base64')],
          ['33 bytes', Buffer.alloc(33).toString('base64')],
          ['non-canonical base64 (no padding)', publicKey(4).replace(/=+$/, '')],
          ['base64url alphabet', Buffer.alloc(32, 0xff).toString('base64url') + '='],
        ];
        for (const [name, key] of bad) {
          await expect(store.registerNode({ institutionId: a.id, publicKey: key as string }), name).rejects.toThrow(RangeError);
        }
        await expect(store.registerNode({ institutionId: a.id, publicKey: 7 as unknown as string })).rejects.toThrow(TypeError);
        await expect(store.touchNode(publicKey(1), -1)).rejects.toThrow(RangeError);
      });
    });
  });
}
