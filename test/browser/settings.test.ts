/**
 * Settings and administration in a real browser: a person changes the display name, stores
 * notification preferences, sets up a second factor from Settings and renews the recovery
 * codes, changes the password (a wrong current one is refused); an administrator changes the
 * person's role, which ends the person's open session at once, and invites an institution.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeAt, createAccount, createAdmin, freshCode, openBrowser, PASSWORD, screenshot, see, seeContains, seeCount, seeText, signIn, startDashboard } from './harness.js';
import type { Dashboard, TestBrowser } from './harness.js';

let dash: Dashboard;
let person: TestBrowser;
let admin: TestBrowser;
let adminSecret = '';
const EMAIL = 'mel@coordinator.example';

beforeAll(async () => {
  dash = await startDashboard();
  adminSecret = await createAdmin(dash, 'admin@coordinator.example');
  await createAccount(dash, 'ml_engineer', EMAIL, 'Mel Engineer');
  person = await openBrowser();
  admin = await openBrowser();
});
afterAll(async () => {
  await person?.close();
  await admin?.close();
  await dash?.close();
});

describe('settings', () => {
  it('display name and notification preferences are saved', async () => {
    const { page } = person;
    await signIn(page, dash.url, EMAIL);
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByLabel('Display name').fill('Mel M. Engineer');
    await page.getByRole('button', { name: 'Save the name' }).click();
    await seeText(page.getByRole('status').filter({ hasText: 'saved' }), 'Name saved.');
    await page.getByLabel('A training job finished').check();
    await page.getByLabel('A model waits for approval').check();
    await page.getByRole('button', { name: 'Save the preferences' }).click();
    await seeText(page.getByRole('status').filter({ hasText: 'saved' }), 'Notification preferences saved.');
    await page.reload();
    await see(page.getByLabel('A training job finished'));
    expect(await page.getByLabel('A training job finished').isChecked()).toBe(true);
    expect(await page.getByLabel('A training job failed').isChecked()).toBe(false);
    expect(await page.getByLabel('Display name').inputValue()).toBe('Mel M. Engineer');
    const stored = await dash.store.getUserByEmail(EMAIL);
    expect(stored.notificationPrefs).toMatchObject({ jobFinished: true, modelAwaitingApproval: true });
  });

  it('sets up a second factor from Settings and renews the recovery codes', async () => {
    const { page } = person;
    await page.getByRole('link', { name: 'Set up two-factor authentication' }).click();
    const secret = (await page.getByLabel('Authenticator key').textContent())!.replace(/\s+/g, '');
    await page.getByLabel('Authentication code').fill(codeAt(dash, secret));
    await page.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
    await seeCount(page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem'), 10);
    const first = (await page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem').first().textContent())!.trim();
    await page.getByRole('button', { name: /I have saved them/ }).click();
    await page.waitForURL(/\/federation$/);

    await page.getByRole('link', { name: 'Settings' }).click();
    await see(page.getByText('On. To change it, confirm with a current code'));
    await page.getByLabel('Code from your app, or a recovery code').fill('000000');
    await page.getByRole('button', { name: 'Get new recovery codes' }).click();
    await see(page.getByText('That code is not right (or was already used).', { exact: false }));
    await page.getByLabel('Code from your app, or a recovery code').fill(freshCode(dash, secret));
    await page.getByRole('button', { name: 'Get new recovery codes' }).click();
    const renewed = page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem');
    await seeCount(renewed, 10);
    expect(await renewed.allTextContents()).not.toContain(first);
    await screenshot(page, '70-settings-2fa');
  });

  it('changes the password only with the right current one', async () => {
    const { page } = person;
    await page.getByLabel('Current password').fill('not my password at all');
    await page.getByLabel('New password', { exact: true }).fill('a much longer passphrase 2');
    await page.getByLabel('Repeat the new password').fill('a much longer passphrase 2');
    await page.getByRole('button', { name: 'Change the password' }).click();
    await seeText(page.getByRole('alert'), 'The current password is wrong.');
    await page.getByLabel('Current password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Change the password' }).click();
    await seeText(page.getByRole('status').filter({ hasText: 'Password changed' }), 'Password changed; 0 other sessions ended.');
  });
});

describe('administration', () => {
  it('a role change ends the person’s open session, and the page says so', async () => {
    const code = freshCode(dash, adminSecret);
    await signIn(admin.page, dash.url, 'admin@coordinator.example', { code: () => code });
    await admin.page.getByRole('link', { name: 'Users' }).click();
    await admin.page.getByLabel('Role of Mel M. Engineer').selectOption('auditor');
    await seeContains(admin.page.getByRole('status').filter({ hasText: 'is now' }), 'Mel M. Engineer is now Auditor; their sessions were ended.');
    await screenshot(admin.page, '71-users');

    // the person's next request is refused and the page signs out with a reason; that request is
    // a click on Profile, or the page's own session poll if it comes first (then the link is gone)
    const profile = person.page.getByRole('link', { name: 'Profile' });
    if (!/\/signin$/.test(person.page.url())) await profile.click({ timeout: 5_000 }).catch(() => undefined);
    await person.page.waitForURL(/\/signin$/);
    await see(person.page.getByText('Your session was ended (signed out elsewhere, or your account was changed). Sign in again.'));
    expect((await dash.store.getUserByEmail(EMAIL)).role).toBe('auditor');
  });

  it('an administrator invites an institution and sees its one-time enrollment token', async () => {
    const { page } = admin;
    await page.getByRole('link', { name: 'Federation' }).click();
    await page.getByLabel('Invite an institution').fill('Fintech C');
    await page.getByRole('button', { name: 'Create token' }).click();
    const token = await seeText(page.locator('code.token'), /^\S{20,}$/);
    const institutions = await dash.store.listInstitutions();
    expect(institutions.map((i) => i.name)).toContain('Fintech C');
    expect(token.length).toBeGreaterThan(20);
    expect(admin.pageErrors).toEqual([]);
    expect(person.pageErrors).toEqual([]);
  });
});
