/** Conformance: dashboard accounts, setup token, second factor, lockout, sessions, settings. */
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../../src/store/store.js';
import { errorCode, openFixture } from './harness.js';
import type { Fixture, FreshDatabase } from './harness.js';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const HASH = '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g';

/** Register the account tests against fresh databases from `fresh`. */
export function usersSuite(fresh: FreshDatabase): void {
  describe('users', () => {
    let fx: Fixture;
    let store: Store;
    beforeEach(async () => {
      ({ fx, store } = await openFixture(fresh));
    });
    afterEach(async () => fx.close());

    const member = (email: string, extra: Record<string, unknown> = {}) => store.createUser({ email, displayName: 'Ann Analyst', passwordHash: HASH, ...extra });

    it('creates the first admin once with the single-use setup token, storing only its hash', async () => {
      expect(await store.countUsers()).toBe(0);
      const first = await store.createSetupToken({ ttlMs: 60_000 });
      const second = await store.createSetupToken({ ttlMs: 60_000 });
      expect(second.token).toMatch(/^fcst_[A-Za-z0-9_-]{43}$/);
      const rows = await fx.db.query('select * from setup_tokens');
      expect(rows).toHaveLength(1); // the first, unused token was replaced
      expect(rows[0].token_hash).toBe(sha(second.token));
      expect(JSON.stringify(rows)).not.toContain(second.token);
      const input = { email: ' Root@Example.org ', displayName: 'Root', passwordHash: HASH };
      expect(await errorCode(store.createFirstAdmin({ ...input, setupToken: first.token }))).toBe('TOKEN_INVALID');
      const admin = await store.createFirstAdmin({ ...input, setupToken: second.token });
      expect(admin).toMatchObject({ email: 'root@example.org', role: 'admin', status: 'active', totpEnabled: false, recoveryCodeHashes: [], failedAttempts: 0 });
      expect(await store.countUsers()).toBe(1);
      expect(await errorCode(store.createFirstAdmin({ ...input, email: 'b@example.org', setupToken: second.token }))).toBe('TOKEN_USED');
      expect(await errorCode(store.createSetupToken({ ttlMs: 60_000 }))).toBe('CONFLICT');
    });

    it('refuses an expired setup token and setup once an account exists', async () => {
      const issued = await store.createSetupToken({ ttlMs: 1000 });
      fx.nowMs += 5000;
      expect(await errorCode(store.createFirstAdmin({ setupToken: issued.token, email: 'a@b.c', displayName: 'A', passwordHash: HASH }))).toBe('TOKEN_EXPIRED');
      const fresh2 = await store.createSetupToken({ ttlMs: 60_000 });
      await member('someone@b.c');
      expect(await errorCode(store.createFirstAdmin({ setupToken: fresh2.token, email: 'a@b.c', displayName: 'A', passwordHash: HASH }))).toBe('CONFLICT');
      await expect(store.createSetupToken({ ttlMs: 0 })).rejects.toThrow(RangeError);
    });

    it('creates pending accounts with unique case-insensitive emails and finds them', async () => {
      const inst = await store.createInstitution({ name: 'Bank A' });
      const ann = await member('Ann@Bank.example', { requestedInstitution: 'Bank A' });
      expect(ann).toMatchObject({ email: 'ann@bank.example', status: 'pending', requestedInstitution: 'Bank A', notificationPrefs: {} });
      expect(ann.role).toBeUndefined();
      expect(await store.getUser(ann.id)).toEqual(ann);
      expect(await store.getUserByEmail('ANN@bank.example')).toEqual(ann);
      expect(await errorCode(member('ann@BANK.example'))).toBe('CONFLICT');
      expect(await errorCode(store.getUserByEmail('nobody@bank.example'))).toBe('NOT_FOUND');
      expect(await errorCode(store.getUser('nope'))).toBe('NOT_FOUND');
      expect(await errorCode(member('x@y.z', { institutionId: 'no-such-bank' }))).toBe('NOT_FOUND');
      const bob = await member('bob@bank.example', { role: 'auditor', status: 'active', institutionId: inst.id });
      expect((await store.listUsers()).map((u) => u.id)).toEqual([ann.id, bob.id]);
      expect((await store.listUsers({ status: 'active' })).map((u) => u.id)).toEqual([bob.id]);
      expect((await store.listUsers({ role: 'auditor' })).map((u) => u.id)).toEqual([bob.id]);
      await expect(member('not-an-email')).rejects.toThrow(RangeError);
      await expect(member('c@d.e', { status: 'active' })).rejects.toThrow(/role/);
      await expect(member('c@d.e', { role: 'superuser' })).rejects.toThrow(RangeError);
      await expect(store.createUser({ email: 'c@d.e', displayName: '  ', passwordHash: HASH })).rejects.toThrow(RangeError);
      await expect(store.createUser({ email: 'c@d.e', displayName: 'C', passwordHash: '' })).rejects.toThrow(RangeError);
      await expect(store.listUsers({ status: 'gone' as never })).rejects.toThrow(RangeError);
    });

    it('moves accounts along the lifecycle, revoking sessions on disable and role change', async () => {
      const admin = await member('root@b.c', { role: 'admin', status: 'active' });
      const ann = await member('ann@b.c');
      const inst = await store.createInstitution({ name: 'Bank A' });
      const approved = await store.approveUser(ann.id, { role: 'ml_engineer', institutionId: inst.id });
      expect(approved).toMatchObject({ status: 'active', role: 'ml_engineer', institutionId: inst.id });
      expect(await errorCode(store.approveUser(ann.id, { role: 'auditor' }))).toBe('INVALID_TRANSITION');
      const s1 = await store.createSession({ id: sha('t1'), userId: ann.id, csrfTokenHash: sha('c1'), expiresAt: fx.nowMs + 60_000, client: { ip: '127.0.0.1' } });
      const changed = await store.updateUser(ann.id, { role: 'auditor', displayName: 'Ann B.', notificationPrefs: { jobCompleted: true } });
      expect(changed).toMatchObject({ role: 'auditor', displayName: 'Ann B.', notificationPrefs: { jobCompleted: true } });
      expect((await store.getSession(s1.id)).revokedAt).toBeDefined();
      const s2 = await store.createSession({ id: sha('t2'), userId: ann.id, csrfTokenHash: sha('c2'), expiresAt: fx.nowMs + 60_000, client: {} });
      expect((await store.updateUser(ann.id, { status: 'disabled' })).status).toBe('disabled');
      expect((await store.getSession(s2.id)).revokedAt).toBeDefined();
      expect((await store.updateUser(ann.id, { status: 'active' })).status).toBe('active'); // re-enabled with its role
      expect(await errorCode(store.updateUser(admin.id, { status: 'pending' }))).toBe('INVALID_TRANSITION');
      // the last active admin can neither be disabled nor demoted
      expect(await errorCode(store.updateUser(admin.id, { status: 'disabled' }))).toBe('CONFLICT');
      expect(await errorCode(store.updateUser(admin.id, { role: 'auditor' }))).toBe('CONFLICT');
      await store.updateUser(ann.id, { role: 'admin' });
      expect((await store.updateUser(admin.id, { role: 'auditor' })).role).toBe('auditor');
      expect(await errorCode(store.updateUser('nope', { displayName: 'x' }))).toBe('NOT_FOUND');
      expect(await errorCode(store.updateUser(ann.id, { institutionId: 'no-such-bank' }))).toBe('NOT_FOUND');
      expect((await store.updateUser(ann.id, { institutionId: null })).institutionId).toBeUndefined();
      await expect(store.updateUser(ann.id, { notificationPrefs: [] as never })).rejects.toThrow(TypeError);
    });

    it('keeps second-factor state, accepts each TOTP step once and each recovery code once', async () => {
      const ann = await member('ann@b.c');
      const codes = ['a', 'b', 'c'].map(sha);
      const enabled = await store.updateUserTotp(ann.id, { enabled: true, secret: 'v1.sealed', pendingSecret: null, recoveryCodeHashes: codes });
      expect(enabled).toMatchObject({ totpEnabled: true, totpSecret: 'v1.sealed', recoveryCodeHashes: codes });
      expect(enabled.totpPendingSecret).toBeUndefined();
      expect(await store.claimTotpStep(ann.id, 100)).toBe(true);
      expect(await store.claimTotpStep(ann.id, 100)).toBe(false);
      expect(await store.claimTotpStep(ann.id, 99)).toBe(false);
      expect(await store.claimTotpStep(ann.id, 101)).toBe(true);
      expect((await store.getUser(ann.id)).totpLastStep).toBe(101);
      expect(await store.consumeRecoveryCode(ann.id, codes[1])).toBe(true);
      expect(await store.consumeRecoveryCode(ann.id, codes[1])).toBe(false);
      expect((await store.getUser(ann.id)).recoveryCodeHashes).toEqual([codes[0], codes[2]]);
      const off = await store.updateUserTotp(ann.id, { enabled: false, secret: null, lastStep: null, recoveryCodeHashes: [] });
      expect(off).toMatchObject({ totpEnabled: false, recoveryCodeHashes: [] });
      expect(off.totpSecret).toBeUndefined();
      expect(await errorCode(store.claimTotpStep('nope', 1))).toBe('NOT_FOUND');
      await expect(store.updateUserTotp(ann.id, { recoveryCodeHashes: ['plain-code'] })).rejects.toThrow(RangeError);
      await expect(store.claimTotpStep(ann.id, -1)).rejects.toThrow(RangeError);
    });

    it('never accepts one TOTP step or one recovery code twice under concurrency', async () => {
      const ann = await member('ann@b.c');
      await store.updateUserTotp(ann.id, { recoveryCodeHashes: [sha('only')] });
      const other = await fx.open();
      const steps = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? store : other).claimTotpStep(ann.id, 7)));
      expect(steps.filter(Boolean)).toHaveLength(1);
      const spent = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? store : other).consumeRecoveryCode(ann.id, sha('only'))));
      expect(spent.filter(Boolean)).toHaveLength(1);
    });

    it('locks after the maximum failures in a row and counts afresh after the lock', async () => {
      const ann = await member('ann@b.c');
      const policy = { maxAttempts: 3, lockMs: 10_000 };
      expect(await store.recordSignInFailure(ann.id, { atMs: 1000, ...policy })).toEqual({ failedAttempts: 1 });
      expect(await store.recordSignInFailure(ann.id, { atMs: 1001, ...policy })).toEqual({ failedAttempts: 2 });
      expect(await store.recordSignInFailure(ann.id, { atMs: 1002, ...policy })).toEqual({ failedAttempts: 3, lockedUntil: 11_002 });
      expect((await store.getUser(ann.id)).lockedUntil).toBe(11_002);
      expect((await store.recordSignInFailure(ann.id, { atMs: 5000, ...policy })).lockedUntil).toBe(11_002); // still locked
      expect(await store.recordSignInFailure(ann.id, { atMs: 11_002, ...policy })).toEqual({ failedAttempts: 1 });
      const cleared = await store.clearSignInFailures(ann.id);
      expect(cleared.failedAttempts).toBe(0);
      expect(cleared.lockedUntil).toBeUndefined();
      await expect(store.recordSignInFailure(ann.id, { atMs: 1, maxAttempts: 0, lockMs: 1 })).rejects.toThrow(RangeError);
    });

    it('stores sessions by token hash, slides, revokes, lists and prunes them', async () => {
      const ann = await member('ann@b.c', { role: 'auditor', status: 'active' });
      const t0 = fx.nowMs;
      const s1 = await store.createSession({ id: sha('tok-1'), userId: ann.id, csrfTokenHash: sha('csrf-1'), expiresAt: t0 + 1000, client: { ip: '10.0.0.1', userAgent: 'test' }, atMs: t0 });
      expect(s1).toEqual({ id: sha('tok-1'), userId: ann.id, createdAt: t0, lastSeenAt: t0, expiresAt: t0 + 1000, csrfTokenHash: sha('csrf-1'), client: { ip: '10.0.0.1', userAgent: 'test' } });
      expect(await store.getSession(s1.id)).toEqual(s1);
      await store.touchSession(s1.id, { lastSeenAt: t0 + 500, expiresAt: t0 + 1500 });
      expect(await store.getSession(s1.id)).toMatchObject({ lastSeenAt: t0 + 500, expiresAt: t0 + 1500 });
      const s2 = await store.createSession({ id: sha('tok-2'), userId: ann.id, csrfTokenHash: sha('csrf-2'), expiresAt: t0 + 1000, client: {}, atMs: t0 + 1 });
      await store.createSession({ id: sha('tok-3'), userId: ann.id, csrfTokenHash: sha('csrf-3'), expiresAt: t0 + 10, client: {}, atMs: t0 + 2 });
      expect((await store.listSessions(ann.id, { atMs: t0 + 100 })).map((s) => s.id)).toEqual([s2.id, s1.id]); // s3 expired
      expect(await store.revokeUserSessions(ann.id, { exceptId: s1.id })).toBe(2);
      expect((await store.listSessions(ann.id, { atMs: t0 + 100 })).map((s) => s.id)).toEqual([s1.id]);
      await store.revokeSession(s1.id);
      await store.revokeSession(s1.id); // idempotent
      const revoked = await store.getSession(s1.id);
      expect(revoked.revokedAt).toBeDefined();
      await store.touchSession(s1.id, { lastSeenAt: t0 + 900, expiresAt: t0 + 9999 }); // no-op once revoked
      expect((await store.getSession(s1.id)).expiresAt).toBe(t0 + 1500);
      expect(await store.deleteStaleSessions(fx.nowMs + 1_000_000)).toBe(3);
      expect(await errorCode(store.getSession(s1.id))).toBe('NOT_FOUND');
      expect(await errorCode(store.createSession({ id: sha('x'), userId: 'nobody', csrfTokenHash: sha('y'), expiresAt: 1, client: {} }))).toBe('NOT_FOUND');
      expect(await errorCode(store.revokeSession(sha('unknown')))).toBe('NOT_FOUND');
      await expect(store.createSession({ id: 'plain-token', userId: ann.id, csrfTokenHash: sha('y'), expiresAt: 1, client: {} })).rejects.toThrow(RangeError);
    });

    it('keeps settings as JSON with last write winning', async () => {
      expect(await store.getSetting('sessionTimeoutMinutes')).toBeUndefined();
      await store.putSetting('sessionTimeoutMinutes', 15, 'admin');
      await store.putSetting('sessionTimeoutMinutes', 30, 'user-1');
      await store.putSetting('flags', { a: [1, true] }, 'user-1');
      expect(await store.getSetting('sessionTimeoutMinutes')).toBe(30);
      expect(await store.listSettings()).toEqual({ flags: { a: [1, true] }, sessionTimeoutMinutes: 30 });
      await expect(store.putSetting('x', Number.NaN, 'a')).rejects.toThrow();
      await expect(store.putSetting('', 1, 'a')).rejects.toThrow(RangeError);
    });
  });
}
