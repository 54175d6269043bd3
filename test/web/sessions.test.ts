/** Lockout, inactivity expiry, keepalive and the absolute lifetime, on the real app with an injected clock. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_SESSION_AGE_MS } from '../../src/web/sessions.js';
import { Browser, PASSWORD, setupAdmin, signedInAs, startWeb } from './harness.js';
import type { WebFixture } from './harness.js';

let fx: WebFixture;
beforeEach(async () => {
  fx = await startWeb();
});
afterEach(async () => fx.close());

const MINUTE = 60_000;

describe('lockout', () => {
  it('locks after 5 failures for 15 minutes, refusing even the right password, then unlocks', async () => {
    await signedInAs(fx, 'ml_engineer', 'ml@bank.example');
    const browser = new Browser(fx);
    for (let i = 0; i < 5; i++) {
      const wrong = await browser.signIn('ml@bank.example', `wrong password number ${i}`);
      expect(wrong.statusCode).toBe(401);
      expect(wrong.json()).toEqual({ error: 'invalid_credentials', message: 'wrong email, password or code' });
    }
    const locked = await browser.signIn('ml@bank.example', PASSWORD);
    expect(locked.statusCode).toBe(429);
    expect(locked.headers['retry-after']).toBe('900');
    expect(locked.json()).toMatchObject({ error: 'locked' });
    fx.clock.nowMs += 14 * MINUTE;
    expect((await browser.signIn('ml@bank.example', PASSWORD)).statusCode).toBe(429);
    fx.clock.nowMs += MINUTE;
    expect((await browser.signIn('ml@bank.example', PASSWORD)).statusCode).toBe(200);
    expect((await fx.store.getUserByEmail('ml@bank.example')).failedAttempts).toBe(0);
    const audit = await fx.store.listAudit();
    expect(audit.filter((e) => e.action === 'auth.signin_failed')).toHaveLength(7); // 5 wrong + 2 while locked
    expect(audit.filter((e) => e.action === 'auth.locked')).toHaveLength(1);
    expect(JSON.stringify(audit)).not.toContain('wrong password number');
  });

  it('lets an admin lift a lock', async () => {
    const admin = await setupAdmin(fx);
    await signedInAs(fx, 'auditor', 'aud@bank.example');
    for (let i = 0; i < 5; i++) await new Browser(fx).signIn('aud@bank.example', 'not the password');
    expect((await new Browser(fx).signIn('aud@bank.example', PASSWORD)).statusCode).toBe(429);
    const user = await fx.store.getUserByEmail('aud@bank.example');
    const listed = (await admin.browser.call('GET', '/api/v1/users')).json() as { id: string; lockedUntil?: number }[];
    expect(listed.find((u) => u.id === user.id)?.lockedUntil).toBe(user.lockedUntil);
    expect(user.lockedUntil).toBeGreaterThan(fx.clock.nowMs);
    expect((await admin.browser.call('POST', `/api/v1/users/${user.id}/unlock`)).statusCode).toBe(200);
    expect((await new Browser(fx).signIn('aud@bank.example', PASSWORD)).statusCode).toBe(200);
  });
});

describe('inactivity expiry', () => {
  it('ends a session after 15 idle minutes; activity and keepalive slide it, polling does not', async () => {
    const browser = await signedInAs(fx, 'ml_engineer');
    const start = fx.clock.nowMs;
    const session = (await browser.call('GET', '/api/v1/session')).json() as { expiresAt: number; warningAt: number; timeoutMinutes: number };
    expect(session).toMatchObject({ expiresAt: start + 15 * MINUTE, warningAt: start + 13 * MINUTE, timeoutMinutes: 15 });
    fx.clock.nowMs += 14 * MINUTE;
    expect((await browser.call('GET', '/api/v1/jobs')).statusCode).toBe(200); // activity: slides to now + 15
    fx.clock.nowMs += 14 * MINUTE;
    expect((await browser.call('GET', '/api/v1/session')).json()).toMatchObject({ expiresAt: start + 29 * MINUTE }); // polling: no slide
    const kept = await browser.call('POST', '/api/v1/session/keepalive');
    expect(kept.json()).toEqual({ expiresAt: fx.clock.nowMs + 15 * MINUTE, warningAt: fx.clock.nowMs + 13 * MINUTE, timeoutMinutes: 15 });
    fx.clock.nowMs += 15 * MINUTE - 1;
    expect((await browser.call('GET', '/api/v1/session')).statusCode).toBe(200);
    fx.clock.nowMs += 1;
    const expired = await browser.call('GET', '/api/v1/jobs');
    expect(expired.statusCode).toBe(401);
    expect(expired.json()).toMatchObject({ error: 'session_expired' });
    expect(browser.cookie).toBeUndefined(); // the server told the browser to drop the cookie
  });

  it('follows the admin’s timeout setting, at once for live sessions, and validates it', async () => {
    const admin = await setupAdmin(fx);
    const analyst = await signedInAs(fx, 'risk_officer');
    expect((await analyst.call('GET', '/api/v1/settings')).statusCode).toBe(403);
    expect((await analyst.call('PUT', '/api/v1/settings', { sessionTimeoutMinutes: 600 })).statusCode).toBe(403);
    const bad = await admin.browser.call('PUT', '/api/v1/settings', { sessionTimeoutMinutes: 0, totpRequiredForAll: 'yes', colour: 'blue' });
    expect(bad.statusCode).toBe(400);
    expect((bad.json() as { issues: { field: string; code: string }[] }).issues).toEqual([
      { field: 'sessionTimeoutMinutes', code: 'out_of_range', message: 'expected 1..1440 minutes' },
      { field: 'totpRequiredForAll', code: 'wrong_type', message: 'expected true or false' },
      { field: 'colour', code: 'unknown_field', message: 'not a setting' },
    ]);
    for (const value of [1441, 2.5, '5', null]) expect((await admin.browser.call('PUT', '/api/v1/settings', { sessionTimeoutMinutes: value })).statusCode).toBe(400);
    const ok = await admin.browser.call('PUT', '/api/v1/settings', { sessionTimeoutMinutes: 5 });
    expect(ok.json()).toEqual({ sessionTimeoutMinutes: 5, totpRequiredForAll: false });
    expect((await admin.browser.call('GET', '/api/v1/settings')).json()).toEqual({ sessionTimeoutMinutes: 5, totpRequiredForAll: false });
    fx.clock.nowMs += 5 * MINUTE;
    expect((await analyst.call('GET', '/api/v1/models')).json()).toMatchObject({ error: 'session_expired' });
    const entry = (await fx.store.listAudit({ action: 'settings.updated' }))[0];
    expect(entry).toMatchObject({ actor: admin.userId, details: { sessionTimeoutMinutes: { from: 15, to: 5 } } });
  });

  it('ends any session after 12 hours, however active', async () => {
    const browser = await signedInAs(fx, 'auditor');
    for (let t = 10 * MINUTE; t < MAX_SESSION_AGE_MS; t += 10 * MINUTE) {
      fx.clock.nowMs += 10 * MINUTE;
      const kept = await browser.call('POST', '/api/v1/session/keepalive');
      expect(kept.statusCode).toBe(200);
    }
    fx.clock.nowMs += 10 * MINUTE;
    expect((await browser.call('POST', '/api/v1/session/keepalive')).statusCode).toBe(401);
  });
});
