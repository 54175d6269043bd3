/**
 * Accounts in a real browser: the first administrator from the setup token, TOTP enrolment
 * (QR code, recovery codes shown once), the dashboard; a refused TOTP code; registration,
 * approval with a role by the administrator, the first sign-in; the lockout and rate-limit
 * messages; and "sign out everywhere" ending the person's other sessions on the server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeAt, freshCode, openBrowser, PASSWORD, screenshot, see, seeContains, seeCount, seeText, seeTexts, signIn, signOut, startDashboard } from './harness.js';
import type { Dashboard, TestBrowser } from './harness.js';

let dash: Dashboard;
let admin: TestBrowser;
let applicant: TestBrowser;
const ADMIN_EMAIL = 'root@coordinator.example';
let secret = '';

beforeAll(async () => {
  dash = await startDashboard();
  admin = await openBrowser();
  applicant = await openBrowser();
});
afterAll(async () => {
  await admin?.close();
  await applicant?.close();
  await dash?.close();
});

describe('first administrator', () => {
  it('setup token → administrator → TOTP enrolment with QR code and recovery codes → dashboard', async () => {
    const { page } = admin;
    const token = await dash.setupToken();
    await page.goto(dash.url);
    await seeText(page.getByRole('heading', { level: 1 }), /one credit-risk model/);
    await see(page.getByText('Records stay home.'));
    await screenshot(page, '01-home-first-start');
    await page.getByRole('link', { name: 'Create the first administrator' }).click();
    await page.getByLabel('Setup token').fill(token);
    await page.getByLabel('Your name').fill('Root Admin');
    await page.getByLabel('Email').fill(ADMIN_EMAIL);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create the administrator' }).click();
    await see(page.getByRole('heading', { name: 'Administrator created' }));

    await page.getByRole('link', { name: 'Sign in' }).first().click();
    await page.getByLabel('Email', { exact: true }).fill(ADMIN_EMAIL);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // an administrator without a second factor can only enrol
    await page.waitForURL(/\/enrol$/);
    const qr = page.getByRole('img', { name: /QR code/ });
    await see(qr);
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    expect(await qr.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(50); // the PNG decodes
    await seeCount(page.getByRole('navigation', { name: 'Main' }).getByRole('link'), 0);
    secret = (await page.getByLabel('Authenticator key').textContent())!.replace(/\s+/g, '');
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    await screenshot(page, '02-totp-enrolment');

    await page.getByLabel('Authentication code').fill(codeAt(dash, secret));
    await page.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
    const codes = page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem');
    await seeCount(codes, 10);
    expect(await codes.first().textContent()).toMatch(/^[a-z0-9]{4}(-[a-z0-9]{4}){3}$/i);
    await screenshot(page, '03-recovery-codes');
    await page.getByRole('button', { name: /I have saved them/ }).click();

    await page.waitForURL(/\/federation$/);
    await see(page.getByRole('heading', { name: 'Federation', level: 1 }));
    await seeTexts(page.getByRole('navigation', { name: 'Main' }).getByRole('link'), ['Federation', 'Risk workspace', 'Audit log', 'Users', 'Profile', 'Settings']);
    await seeContains(page.getByRole('banner'), 'Administrator');
    expect(admin.pageErrors).toEqual([]);
  });

  it('refuses a wrong TOTP code, then accepts the right one', async () => {
    const { page } = admin;
    await signOut(page);
    await see(page.getByText('You are signed out.'));
    await page.getByLabel('Email', { exact: true }).fill(ADMIN_EMAIL);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await see(page.getByText('Enter the 6-digit code from your authenticator app.'));
    const right = freshCode(dash, secret);
    const wrong = String((Number(right) + 500_000) % 1_000_000).padStart(6, '0');
    await page.getByLabel('Authentication code').fill(wrong);
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    await seeText(page.getByRole('alert'), 'Wrong email, password or code.');
    await screenshot(page, '04-wrong-totp');
    expect(admin.apiCalls).toContain('401 POST /api/v1/session');
    await page.getByLabel('Authentication code').fill(right);
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    await page.waitForURL(/\/federation$/);
  });
});

describe('registration', () => {
  const email = 'rita@bank-a.example';

  it('a request, approval with a role by the administrator, and the first sign-in', async () => {
    const page = applicant.page;
    await page.goto(`${dash.url}/register`);
    await page.getByLabel('Your name').fill('Rita Risk');
    await page.getByLabel('Work email').fill(email);
    await page.getByLabel('Institution').fill('Bank A Sparkasse');
    await page.getByLabel('Password', { exact: true }).fill('password1234');
    await page.getByLabel('Repeat the password').fill('password1234');
    await page.getByRole('button', { name: 'Send the request' }).click();
    await seeText(page.getByRole('alert'), 'Choose a stronger password: it is on the list of common passwords.');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Repeat the password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Send the request' }).click();
    await see(page.getByRole('heading', { name: 'Request sent' }));
    await screenshot(page, '05-registration-sent');

    // not approved yet
    await page.goto(`${dash.url}/signin`);
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await seeText(page.getByRole('alert'), 'Your account is waiting for an administrator’s approval.');

    const adminPage = admin.page;
    await adminPage.getByRole('link', { name: 'Users' }).click();
    const pending = adminPage.getByRole('list').filter({ hasText: 'Rita Risk' });
    await seeContains(pending, 'Bank A Sparkasse');
    await adminPage.getByLabel('Role for Rita Risk').selectOption('risk_officer');
    await screenshot(adminPage, '06-users-pending');
    await adminPage.getByRole('button', { name: 'Approve Rita Risk' }).click();
    await see(adminPage.getByRole('status').filter({ hasText: 'approved as Risk officer' }));
    await see(adminPage.getByText('No request is waiting.'));

    await signIn(page, dash.url, email);
    await page.waitForURL(/\/risk$/);
    await seeTexts(page.getByRole('navigation', { name: 'Main' }).getByRole('link'), ['Risk workspace', 'Profile', 'Settings']);
    await seeContains(page.getByRole('banner'), 'Risk officer');
  });

  it('"sign out everywhere" ends the other sessions too', async () => {
    const page = applicant.page;
    // a second session of the same person, e.g. another computer
    const other = await fetch(`${dash.url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }) });
    expect(other.status).toBe(200);
    const cookie = other.headers.getSetCookie().find((c) => c.startsWith('fc_session='))!.split(';')[0];
    await page.getByRole('link', { name: 'Profile' }).click();
    await seeContains(page.getByRole('table'), '(this browser)');
    await seeCount(page.getByRole('table').getByRole('row'), 3); // header + two sessions
    await screenshot(page, '07-profile-sessions');
    await page.getByRole('button', { name: 'Sign out everywhere' }).click();
    await page.waitForURL(/\/signin$/);
    await see(page.getByText('You are signed out everywhere (2 sessions ended).'));
    expect((await fetch(`${dash.url}/api/v1/session`, { headers: { cookie } })).status).toBe(401);
  });

  it('five wrong passwords lock the account, and the page says for how long', async () => {
    const page = applicant.page;
    await page.goto(`${dash.url}/signin`);
    await page.getByLabel('Email', { exact: true }).fill(email);
    for (let i = 0; i < 5; i++) {
      await page.getByLabel('Password', { exact: true }).fill(`wrong password number ${i}`);
      const answered = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/session' && r.request().method() === 'POST');
      await page.getByRole('button', { name: 'Sign in' }).click();
      expect((await answered).status()).toBe(401); // the fifth failure locks the account
    }
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD); // even the right one
    await page.getByRole('button', { name: 'Sign in' }).click();
    await seeText(page.getByRole('alert'), 'Too many failed attempts: this account is locked. Try again in 15 minutes, or ask an administrator to unlock it.');
    expect(applicant.apiCalls.at(-1)).toBe('429 POST /api/v1/session');
    await screenshot(page, '08-locked');
    expect(applicant.pageErrors).toEqual([]);
  });
});

describe('rate limit', () => {
  it('too many sign-in attempts from one address get a wait message', async () => {
    const limited = await startDashboard({ authRateLimit: { max: 2, timeWindowMs: 60_000 } });
    const browser = await openBrowser();
    try {
      const { page } = browser;
      await page.goto(`${limited.url}/signin`);
      await page.getByLabel('Email', { exact: true }).fill('nobody@bank.example');
      await page.getByLabel('Password', { exact: true }).fill('not the password at all');
      for (let i = 0; i < 3; i++) await page.getByRole('button', { name: 'Sign in' }).click();
      await seeText(page.getByRole('alert'), /^Too many attempts from this address\. Wait \d+ (seconds|minute)/);
    } finally {
      await browser.close();
      await limited.close();
    }
  });
});
