/**
 * End-to-end account flows over the real coordinator app and SQLite: first-admin setup with
 * the one-time token, admin sign-in forced through TOTP enrolment, recovery codes, registration
 * → approval → first sign-in, wrong and replayed codes, and the audit trail they leave.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureSetupToken } from '../../src/web/setup.js';
import { Browser, codeAt, PASSWORD, setupAdmin, startWeb } from './harness.js';
import type { WebFixture } from './harness.js';

let fx: WebFixture;
beforeEach(async () => {
  fx = await startWeb();
});
afterEach(async () => fx.close());

describe('first admin', () => {
  it('is created once with the setup token, then must enrol TOTP before anything else', async () => {
    expect((await new Browser(fx).call('GET', '/api/v1/setup')).json()).toEqual({ setupRequired: true });
    const token = await ensureSetupToken(fx.store, fx.dataDir);
    expect(token).toMatch(/^fcst_/);
    const browser = new Browser(fx);
    const weak = await browser.call('POST', '/api/v1/setup', { setupToken: token, email: 'root@c.example', password: 'password1234', displayName: 'Root' });
    expect(weak.statusCode).toBe(400);
    expect(weak.json()).toMatchObject({ error: 'weak_password', issues: [{ field: 'password', code: 'common' }] });
    const wrong = await browser.call('POST', '/api/v1/setup', { setupToken: 'fcst_wrong', email: 'root@c.example', password: PASSWORD, displayName: 'Root' });
    expect(wrong.statusCode).toBe(401);
    const created = await browser.call('POST', '/api/v1/setup', { setupToken: token, email: 'root@c.example', password: PASSWORD, displayName: 'Root' });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ user: { email: 'root@c.example', role: 'admin', status: 'active', totpEnabled: false } });
    expect(JSON.stringify(created.json())).not.toMatch(/argon2|passwordHash/);
    const again = await browser.call('POST', '/api/v1/setup', { setupToken: token, email: 'other@c.example', password: PASSWORD, displayName: 'X' });
    expect(again.statusCode).toBe(401);
    expect(await ensureSetupToken(fx.store, fx.dataDir)).toBeUndefined();
    expect((await browser.call('GET', '/api/v1/setup')).json()).toEqual({ setupRequired: false });

    // first sign-in: a restricted session that can only enrol TOTP
    const signIn = await browser.signIn('ROOT@c.example', PASSWORD);
    expect(signIn.statusCode).toBe(200);
    expect(signIn.json()).toMatchObject({ role: 'admin', totpEnrolmentRequired: true, permissions: [] });
    const blocked = await browser.call('GET', '/api/v1/users');
    expect(blocked.statusCode).toBe(403);
    expect(blocked.json()).toMatchObject({ error: 'totp_enrolment_required' });
    expect((await browser.call('GET', '/api/v1/jobs')).statusCode).toBe(403);
    const enrol = await browser.call('POST', '/api/v1/totp/enrol');
    expect(enrol.statusCode).toBe(200);
    const { otpauthUri, qrDataUrl, secret } = enrol.json() as { otpauthUri: string; qrDataUrl: string; secret: string };
    expect(otpauthUri).toBe(`otpauth://totp/FedCredit:root%40c.example?secret=${secret}&issuer=FedCredit&algorithm=SHA1&digits=6&period=30`);
    expect(qrDataUrl).toMatch(/^data:image\/png;base64,[A-Za-z0-9+/]+=*$/);
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const badConfirm = await browser.call('POST', '/api/v1/totp/confirm', { code: codeAt(fx, secret, 5) });
    expect(badConfirm.statusCode).toBe(400);
    const confirm = await browser.call('POST', '/api/v1/totp/confirm', { code: codeAt(fx, secret) });
    expect(confirm.statusCode).toBe(200);
    const { recoveryCodes } = confirm.json() as { recoveryCodes: string[] };
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    for (const code of recoveryCodes) expect(code).toMatch(/^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$/);
    // the same session is no longer restricted
    expect((await browser.call('GET', '/api/v1/users')).statusCode).toBe(200);
    const session = (await browser.call('GET', '/api/v1/session')).json() as { totpEnrolmentRequired: boolean; permissions: string[] };
    expect(session.totpEnrolmentRequired).toBe(false);
    expect(session.permissions).toContain('PUT /api/v1/settings');

    // the admin cannot switch TOTP off
    fx.clock.nowMs += 30_000;
    const disable = await browser.call('POST', '/api/v1/totp/disable', { code: codeAt(fx, secret) });
    expect(disable.json()).toMatchObject({ error: 'totp_required' });

    // next sign-in needs the second factor; a recovery code works exactly once
    expect((await browser.call('DELETE', '/api/v1/session')).statusCode).toBe(204);
    const other = new Browser(fx);
    const noCode = await other.signIn('root@c.example', PASSWORD);
    expect(noCode.statusCode).toBe(401);
    expect(noCode.json()).toMatchObject({ error: 'totp_required' });
    expect(other.cookie).toBeUndefined();
    expect((await other.signIn('root@c.example', PASSWORD, { recoveryCode: recoveryCodes[3].toUpperCase().replaceAll('-', ' ') })).statusCode).toBe(200);
    const reuse = await new Browser(fx).signIn('root@c.example', PASSWORD, { recoveryCode: recoveryCodes[3] });
    expect(reuse.statusCode).toBe(401);
    expect(reuse.json()).toEqual({ error: 'invalid_credentials', message: 'wrong email, password or code' });
    fx.clock.nowMs += 30_000;
    expect((await new Browser(fx).signIn('root@c.example', PASSWORD, { totp: codeAt(fx, secret) })).statusCode).toBe(200);

    const actions = (await fx.store.listAudit()).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['auth.setup', 'auth.signin', 'totp.enabled', 'auth.signout', 'totp.recovery_code_used', 'auth.signin_failed']));
    expect(await fx.store.verifyAudit()).toMatchObject({ ok: true });
  });
});

describe('registration', () => {
  it('goes from request to approval with a role to the first sign-in with optional TOTP', async () => {
    const admin = await setupAdmin(fx);
    await admin.browser.call('POST', '/api/v1/invitations', { institution: 'Bank A' });
    const person = new Browser(fx);
    const request = { email: 'ann@bank-a.example', password: 'a long and unusual passphrase', displayName: 'Ann', institution: 'Bank A' };
    const registered = await person.call('POST', '/api/v1/register', request);
    expect(registered.statusCode).toBe(202);
    // the same request again answers identically (no account enumeration)
    const duplicate = await person.call('POST', '/api/v1/register', { ...request, email: 'ANN@bank-a.example' });
    expect(duplicate.statusCode).toBe(202);
    expect(duplicate.json()).toEqual(registered.json());
    const pendingSignIn = await person.signIn(request.email, request.password);
    expect(pendingSignIn.statusCode).toBe(403);
    expect(pendingSignIn.json()).toMatchObject({ error: 'account_pending' });

    const pending = (await admin.browser.call('GET', '/api/v1/users?status=pending')).json() as { id: string; email: string; requestedInstitution: string }[];
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({ email: 'ann@bank-a.example', requestedInstitution: 'Bank A', role: null });
    const approved = await admin.browser.call('POST', `/api/v1/users/${pending[0].id}/approve`, { role: 'ml_engineer' });
    expect(approved.statusCode).toBe(200);
    const bankA = (await fx.store.listInstitutions()).find((i) => i.name === 'Bank A')!;
    expect(approved.json()).toMatchObject({ role: 'ml_engineer', status: 'active', institutionId: bankA.id });

    const first = await person.signIn(request.email, request.password);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ role: 'ml_engineer', totpEnrolmentRequired: false, user: { displayName: 'Ann', notificationPrefs: {} } });
    expect((await person.call('GET', '/api/v1/jobs')).statusCode).toBe(200);
    expect((await person.call('GET', '/api/v1/profile')).json()).toMatchObject({ institution: 'Bank A' });
    // optional enrolment on first sign-in
    const { secret } = (await person.call('POST', '/api/v1/totp/enrol')).json() as { secret: string };
    expect((await person.call('POST', '/api/v1/totp/confirm', { code: codeAt(fx, secret) })).statusCode).toBe(200);
    fx.clock.nowMs += 30_000;
    const later = new Browser(fx);
    expect((await later.signIn(request.email, request.password)).json()).toMatchObject({ error: 'totp_required' });
    expect((await later.signIn(request.email, request.password, { totp: codeAt(fx, secret) })).statusCode).toBe(200);
    // and, not being an admin, may switch it off again with a current code
    fx.clock.nowMs += 30_000;
    expect((await later.call('POST', '/api/v1/totp/disable', { code: codeAt(fx, secret) })).json()).toEqual({ totpEnabled: false });

    const audit = await fx.store.listAudit();
    expect(audit.find((e) => e.action === 'user.approved')).toMatchObject({ actor: admin.userId, subject: pending[0].id, details: { role: 'ml_engineer' } });
    expect(audit.find((e) => e.action === 'user.registered')).toMatchObject({ subject: pending[0].id });
    expect(audit.some((e) => e.action === 'user.registration_duplicate')).toBe(true);
  });
});

describe('second factor', () => {
  it('refuses a wrong code and a replayed code', async () => {
    const admin = await setupAdmin(fx);
    const wrongCode = String((Number(codeAt(fx, admin.secret)) + 1) % 1_000_000).padStart(6, '0');
    const wrong = await new Browser(fx).signIn('root@coordinator.example', PASSWORD, { totp: wrongCode });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toEqual({ error: 'invalid_credentials', message: 'wrong email, password or code' });
    const code = codeAt(fx, admin.secret);
    expect((await new Browser(fx).signIn('root@coordinator.example', PASSWORD, { totp: code })).statusCode).toBe(200);
    const replay = await new Browser(fx).signIn('root@coordinator.example', PASSWORD, { totp: code });
    expect(replay.statusCode).toBe(401);
    // the previous step's code (inside the ±1 window) is older than the used one: also refused
    expect((await new Browser(fx).signIn('root@coordinator.example', PASSWORD, { totp: codeAt(fx, admin.secret, -1) })).statusCode).toBe(401);
    const reasons = (await fx.store.listAudit({ action: 'auth.signin_failed' })).map((e) => e.details.reason);
    expect(reasons).toEqual(['wrong_totp', 'replayed_totp', 'replayed_totp']);
    // the secret is stored sealed, not as the base32 the app received
    const user = await fx.store.getUserByEmail('root@coordinator.example');
    expect(user.totpSecret).toMatch(/^v1\./);
    expect(JSON.stringify(user)).not.toContain(admin.secret);
  });
});
