/**
 * Sign-out (one session and everywhere), password change and disable ending sessions, and the
 * CSRF/Origin rules, on the real app.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, Browser, PASSWORD, setupAdmin, signedInAs, startWeb } from './harness.js';
import type { WebFixture } from './harness.js';

let fx: WebFixture;
beforeEach(async () => {
  fx = await startWeb();
});
afterEach(async () => fx.close());

describe('sign-out', () => {
  it('revokes the session on the server: the old cookie no longer works', async () => {
    const browser = await signedInAs(fx, 'ml_engineer');
    const oldCookie = browser.cookie;
    const out = await browser.call('DELETE', '/api/v1/session');
    expect(out.statusCode).toBe(204);
    expect(out.cookies.find((c) => c.name === 'fc_session')).toMatchObject({ value: '' });
    browser.cookie = oldCookie;
    expect((await browser.call('GET', '/api/v1/jobs')).statusCode).toBe(401);
    expect((await fx.store.listAudit({ action: 'auth.signout' }))).toHaveLength(1);
  });

  it('signs out everywhere, ends other sessions on a password change, and on disable', async () => {
    const admin = await setupAdmin(fx);
    const laptop = await signedInAs(fx, 'ml_engineer', 'ml@bank.example');
    const phone = new Browser(fx);
    await phone.signIn('ml@bank.example', PASSWORD);
    const tablet = new Browser(fx);
    await tablet.signIn('ml@bank.example', PASSWORD);
    expect(((await laptop.call('GET', '/api/v1/sessions')).json() as unknown[]).length).toBe(3);

    const wrong = await laptop.call('POST', '/api/v1/profile/password', { currentPassword: 'not it', newPassword: 'another long passphrase here' });
    expect(wrong.json()).toMatchObject({ error: 'wrong_password' });
    const weak = await laptop.call('POST', '/api/v1/profile/password', { currentPassword: PASSWORD, newPassword: 'ml@bank.example' });
    expect(weak.json()).toMatchObject({ error: 'weak_password' });
    const changed = await laptop.call('POST', '/api/v1/profile/password', { currentPassword: PASSWORD, newPassword: 'another long passphrase here' });
    expect(changed.json()).toEqual({ changed: true, otherSessionsEnded: 2 });
    expect((await phone.call('GET', '/api/v1/jobs')).statusCode).toBe(401);
    expect((await laptop.call('GET', '/api/v1/jobs')).statusCode).toBe(200);
    expect((await new Browser(fx).signIn('ml@bank.example', PASSWORD)).statusCode).toBe(401);
    await phone.signIn('ml@bank.example', 'another long passphrase here');

    const all = await laptop.call('POST', '/api/v1/session/revoke-all');
    expect(all.json()).toEqual({ revoked: 2 });
    expect((await laptop.call('GET', '/api/v1/jobs')).statusCode).toBe(401);
    expect((await phone.call('GET', '/api/v1/jobs')).statusCode).toBe(401);

    await laptop.signIn('ml@bank.example', 'another long passphrase here');
    const user = await fx.store.getUserByEmail('ml@bank.example');
    expect((await admin.browser.call('POST', `/api/v1/users/${user.id}/disable`)).json()).toMatchObject({ status: 'disabled' });
    expect((await laptop.call('GET', '/api/v1/jobs')).statusCode).toBe(401);
    expect((await new Browser(fx).signIn('ml@bank.example', 'another long passphrase here')).json()).toMatchObject({ error: 'account_disabled' });
    expect((await admin.browser.call('POST', `/api/v1/users/${user.id}/enable`)).json()).toMatchObject({ status: 'active' });
    // the last admin can neither disable nor demote themselves
    expect((await admin.browser.call('POST', `/api/v1/users/${admin.userId}/disable`)).statusCode).toBe(409);
    expect((await admin.browser.call('POST', `/api/v1/users/${admin.userId}/role`, { role: 'auditor' })).statusCode).toBe(409);
  });
});

describe('CSRF and origin', () => {
  it('needs the session’s x-csrf-token on every state change, but not for the bearer token', async () => {
    const browser = await signedInAs(fx, 'ml_engineer');
    const csrf = browser.csrf!;
    browser.csrf = undefined;
    const missing = await browser.call('POST', '/api/v1/session/keepalive');
    expect(missing.statusCode).toBe(403);
    expect(missing.json()).toEqual({ error: 'csrf_invalid', message: 'missing or wrong x-csrf-token header' });
    expect((await browser.call('POST', '/api/v1/jobs/x/cancel', undefined, { 'x-csrf-token': 'guess' })).statusCode).toBe(403);
    expect((await browser.call('PUT', '/api/v1/profile', { displayName: 'Mallory' }, { 'x-csrf-token': csrf.slice(1) })).statusCode).toBe(403);
    expect((await browser.call('DELETE', '/api/v1/session')).statusCode).toBe(403);
    expect((await browser.call('GET', '/api/v1/jobs')).statusCode).toBe(200); // reads need none
    // a reloaded page gets the same token back from GET /session
    expect((await browser.call('GET', '/api/v1/session')).json()).toMatchObject({ csrfToken: csrf });
    expect((await browser.call('PUT', '/api/v1/profile', { displayName: 'Ann' })).statusCode).toBe(200);
    // another session's token does not fit this one
    const other = await signedInAs(fx, 'auditor');
    expect((await browser.call('PUT', '/api/v1/profile', { displayName: 'Ann' }, { 'x-csrf-token': other.csrf! })).statusCode).toBe(403);
    // the CLI's bearer token is not a browser credential: exempt
    const cli = await fx.app.inject({ method: 'POST', url: '/api/v1/invitations', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, payload: { institution: 'Bank Z' } });
    expect(cli.statusCode).toBe(200);
  });

  it('refuses state changes from another origin, even with the token', async () => {
    const browser = await signedInAs(fx, 'ml_engineer');
    const cross = await browser.call('PUT', '/api/v1/profile', { displayName: 'X' }, { origin: 'https://evil.example' });
    expect(cross.statusCode).toBe(403);
    expect((await browser.call('POST', '/api/v1/session', { email: 'a@b.c', password: 'x' }, { origin: 'https://evil.example' })).statusCode).toBe(403);
    expect((await browser.call('PUT', '/api/v1/profile', { displayName: 'Y' }, { origin: 'http://localhost:80', host: 'localhost:80' })).statusCode).toBe(200);
  });
});
