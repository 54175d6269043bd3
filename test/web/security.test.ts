/**
 * Transport-level protections of the dashboard API: cookie flags, security headers and CSP,
 * no caching of API answers, the per-IP rate limit of credential endpoints, identical answers
 * for unknown emails and wrong passwords, and no credential of any kind in the logs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ensureSetupToken } from '../../src/web/setup.js';
import { ADMIN_TOKEN, Browser, codeAt, PASSWORD, setupAdmin, signedInAs, startWeb } from './harness.js';
import type { WebFixture } from './harness.js';

let fx: WebFixture | undefined;
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

describe('cookies and headers', () => {
  it('sets an HttpOnly, SameSite=Strict, Path=/ session cookie, Secure only when asked', async () => {
    fx = await startWeb();
    const browser = await signedInAs(fx, 'auditor');
    const response = await browser.signIn('auditor@bank.example', PASSWORD);
    const header = String(response.headers['set-cookie']);
    expect(header).toMatch(/^fc_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict$/);
    await fx.close();
    fx = await startWeb({ secureCookies: true });
    const secure = await signedInAs(fx, 'auditor');
    const secureHeader = String((await secure.signIn('auditor@bank.example', PASSWORD)).headers['set-cookie']);
    expect(secureHeader).toMatch(/; Secure/);
    expect(secureHeader).toMatch(/HttpOnly/);
    expect((await secure.call('GET', '/api/v1/session')).headers['strict-transport-security']).toMatch(/max-age=15552000/);
  });

  it('sends the CSP and the usual security headers, and no-store on the API', async () => {
    fx = await startWeb();
    const response = await new Browser(fx).call('GET', '/api/v1/setup');
    expect(response.headers['content-security-policy']).toBe("default-src 'self';img-src 'self' data:;style-src 'self' 'unsafe-inline';script-src 'self';connect-src 'self' ws: wss:;frame-ancestors 'none';object-src 'none';base-uri 'self';form-action 'self'");
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(response.headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(response.headers['strict-transport-security']).toBeUndefined(); // plain HTTP
    expect(response.headers['cache-control']).toBe('no-store');
    const refused = await new Browser(fx).call('GET', '/api/v1/jobs');
    expect(refused.statusCode).toBe(401);
    expect(refused.headers['content-security-policy']).toBeDefined();
    // the OpenAPI page still loads (its scripts are same-origin files)
    const docs = await fx.app.inject({ method: 'GET', url: '/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.body).not.toMatch(/<script>(?!\s*<\/script>)/);
  });
});

describe('credential endpoints', () => {
  it('answer an unknown email exactly like a wrong password', async () => {
    fx = await startWeb();
    await signedInAs(fx, 'ml_engineer', 'ml@bank.example');
    const unknown = await new Browser(fx).signIn('nobody@bank.example', PASSWORD);
    const wrong = await new Browser(fx).signIn('ml@bank.example', 'not the right one');
    expect(unknown.statusCode).toBe(401);
    expect(unknown.body).toBe(wrong.body);
    const malformed = await new Browser(fx).signIn('not an email', PASSWORD);
    expect(malformed.body).toBe(wrong.body);
  });

  it('are rate limited per IP', async () => {
    fx = await startWeb({ authRateLimit: { max: 3, timeWindowMs: 60_000 } });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await new Browser(fx).signIn('x@bank.example', 'whatever it is')).statusCode);
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    const limited = await new Browser(fx).signIn('x@bank.example', 'whatever it is');
    expect(limited.json()).toMatchObject({ error: 'rate_limited', message: expect.stringMatching(/^too many attempts from this address; retry in /) });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    const other = await fx.app.inject({ method: 'POST', url: '/api/v1/session', remoteAddress: '10.9.8.7', headers: { 'content-type': 'application/json' }, payload: { email: 'x@bank.example', password: 'whatever it is' } });
    expect(other.statusCode).toBe(401);
    expect((await new Browser(fx).call('GET', '/api/v1/setup')).statusCode).toBe(200); // reads are not limited
  });
});

describe('logs', () => {
  it('contain no password, setup token, TOTP secret or code, recovery code, session or CSRF token', async () => {
    fx = await startWeb();
    const secrets: string[] = [PASSWORD, ADMIN_TOKEN];
    const setupToken = (await ensureSetupToken(fx.store, fx.dataDir))!;
    secrets.push(setupToken);
    const browser = new Browser(fx);
    await browser.call('POST', '/api/v1/setup', { setupToken, email: 'root@c.example', password: PASSWORD, displayName: 'Root' });
    await browser.call('POST', '/api/v1/setup', { setupToken: 'fcst_a-guessed-setup-token-value', email: 'x@c.example', password: PASSWORD, displayName: 'X' });
    secrets.push('fcst_a-guessed-setup-token-value');
    await browser.signIn('root@c.example', PASSWORD);
    secrets.push(browser.cookie!, browser.csrf!);
    const enrol = (await browser.call('POST', '/api/v1/totp/enrol')).json() as { secret: string };
    secrets.push(enrol.secret);
    const code = codeAt(fx, enrol.secret);
    const { recoveryCodes } = (await browser.call('POST', '/api/v1/totp/confirm', { code })).json() as { recoveryCodes: string[] };
    secrets.push(...recoveryCodes);
    await new Browser(fx).signIn('root@c.example', 'a wrong password guess', { totp: '123456' });
    secrets.push('a wrong password guess');
    await new Browser(fx).signIn('root@c.example', PASSWORD, { recoveryCode: recoveryCodes[0] });
    await browser.call('POST', '/api/v1/profile/password', { currentPassword: PASSWORD, newPassword: 'the brand new passphrase' });
    secrets.push('the brand new passphrase');
    await browser.call('GET', '/api/v1/jobs', undefined, { authorization: `Bearer ${ADMIN_TOKEN}` });
    await browser.call('GET', '/api/v1/jobs', undefined, { authorization: 'Bearer fcat_wrong-token-value' });
    secrets.push('fcat_wrong-token-value');
    const sealed = (await fx.store.getUserByEmail('root@c.example')).totpSecret!;
    secrets.push(sealed);

    const log = fx.logs.join('');
    expect(fx.logs.length).toBeGreaterThan(20); // requests were logged
    expect(log).toMatch(/refused management request: wrong bearer token/);
    for (const secret of secrets) expect(log).not.toContain(secret);
    expect(log).not.toMatch(/"(password|newPassword|currentPassword|setupToken|totp|recoveryCode|cookie|x-csrf-token)"/i);
    // nor in the audit log
    const audit = JSON.stringify(await fx.store.listAudit());
    for (const secret of secrets) expect(audit).not.toContain(secret);
  });
});

describe('TOTP for every role (setting)', () => {
  it('restricts non-admins without TOTP once the admin requires it', async () => {
    fx = await startWeb();
    const admin = await setupAdmin(fx);
    const analyst = await signedInAs(fx, 'risk_officer');
    expect((await admin.browser.call('PUT', '/api/v1/settings', { totpRequiredForAll: true })).statusCode).toBe(200);
    const blocked = await analyst.call('GET', '/api/v1/models');
    expect(blocked.json()).toMatchObject({ error: 'totp_enrolment_required' });
    expect((await analyst.call('GET', '/api/v1/session')).json()).toMatchObject({ totpEnrolmentRequired: true, permissions: [] });
    const { secret } = (await analyst.call('POST', '/api/v1/totp/enrol')).json() as { secret: string };
    expect((await analyst.call('POST', '/api/v1/totp/confirm', { code: codeAt(fx, secret) })).statusCode).toBe(200);
    expect((await analyst.call('GET', '/api/v1/models')).statusCode).toBe(200);
  });
});
