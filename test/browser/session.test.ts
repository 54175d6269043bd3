/**
 * The inactivity timeout in a real browser: an administrator sets it to one minute on the
 * Settings page; after 35 s without activity the banner warns, "Stay signed in" extends the
 * session on the server; after a full minute without activity the page signs out by itself
 * and says why. Time is moved, not waited for: the server's clock (shared by app and store)
 * and the page's clock (Playwright's fake timers) jump forward together.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdmin, freshCode, openBrowser, screenshot, see, seeText, signIn, startDashboard } from './harness.js';
import type { Dashboard, TestBrowser } from './harness.js';

let dash: Dashboard;
let browser: TestBrowser;
const EMAIL = 'admin@coordinator.example';
let secret = '';

/** Move the server's and the page's clocks forward together. */
async function elapse(ms: number): Promise<void> {
  dash.advance(ms);
  await browser.page.clock.fastForward(ms);
}

beforeAll(async () => {
  dash = await startDashboard();
  secret = await createAdmin(dash, EMAIL);
  browser = await openBrowser();
});
afterAll(async () => {
  await browser?.close();
  await dash?.close();
});

describe('session expiry', () => {
  it('warns before the timeout, "stay signed in" extends it, and the page signs out at expiry', async () => {
    const { page } = browser;
    const code = freshCode(dash, secret);
    await page.clock.install({ time: dash.now() }); // the page's clock starts at the server's
    await signIn(page, dash.url, EMAIL, { code: () => code });

    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByLabel('Session timeout (minutes without activity)').fill('1');
    // after the change the page re-reads its deadline: now + 60 s, warning from now + 30 s
    const reread = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/session' && r.request().method() === 'GET');
    await page.getByRole('button', { name: 'Save the settings' }).click();
    await seeText(page.getByRole('status').filter({ hasText: 'Saved:' }), 'Saved: sessions end after 1 minute without activity.');
    await reread;
    expect(await page.getByRole('alertdialog').count()).toBe(0);

    await elapse(35_000);
    const banner = page.getByRole('alertdialog', { name: 'Your session is about to end' });
    await see(banner);
    await seeText(banner.locator('.countdown'), /^0:(2\d|1\d)$/);
    await screenshot(page, '20-expiry-warning');

    const kept = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/session/keepalive');
    await banner.getByRole('button', { name: 'Stay signed in' }).click();
    await kept;
    await banner.waitFor({ state: 'hidden' });
    expect(browser.apiCalls).toContain('200 POST /api/v1/session/keepalive');

    // 35 s after the keepalive the session still lives (without it, it would have ended)
    const mark = browser.apiCalls.length;
    await elapse(35_000);
    await see(banner);
    expect(browser.apiCalls.slice(mark).filter((c) => c.startsWith('401'))).toEqual([]);

    await elapse(30_000); // a full minute without activity
    await page.waitForURL(/\/signin$/);
    await see(page.getByText('You were signed out after 1 minute without activity.'));
    expect(browser.apiCalls).toContain('401 GET /api/v1/session');
    await screenshot(page, '21-signed-out-after-timeout');
    // the server agrees: the cookie no longer opens anything
    const after = await page.evaluate(async () => (await fetch('/api/v1/profile')).status);
    expect(after).toBe(401);
    expect(browser.pageErrors).toEqual([]);
  });
});
