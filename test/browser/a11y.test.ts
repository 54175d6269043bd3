/**
 * Accessibility and delivery checks in a real browser: no inline script and a CSP that allows
 * only same-origin scripts; a keyboard-only sign-in (skip link, tab order, Enter submits);
 * every form control of every page labelled; and routes split into chunks, so the charting
 * library is not loaded until a page with charts is opened.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, createAdmin, freshCode, openBrowser, PASSWORD, see, seeTexts, signIn, startDashboard } from './harness.js';
import type { Dashboard, TestBrowser } from './harness.js';

let dash: Dashboard;
let browser: TestBrowser;
let adminSecret = '';
const scripts: string[] = [];

beforeAll(async () => {
  dash = await startDashboard();
  adminSecret = await createAdmin(dash, 'admin@coordinator.example');
  await createAccount(dash, 'risk_officer', 'kim@bank-b.example', 'Kim Keys');
  browser = await openBrowser();
  browser.page.on('response', (r) => {
    const path = new URL(r.url()).pathname;
    if (path.startsWith('/assets/') && path.endsWith('.js')) scripts.push(path);
  });
});
afterAll(async () => {
  await browser?.close();
  await dash?.close();
});

describe('delivery', () => {
  it('the page has no inline script and is served with a same-origin-only script policy', async () => {
    const html = readFileSync(fileURLToPath(new URL('../../web/dist/index.html', import.meta.url)), 'utf8');
    expect(html.match(/<script\b[^>]*>/g)!.every((tag) => / src="\/assets\/[^"]+\.js"/.test(tag))).toBe(true);
    expect(html).not.toMatch(/<script\b[^>]*>[^<\s]/); // no script with a body
    const response = await browser.page.goto(dash.url);
    expect(response!.headers()['content-security-policy']).toContain("script-src 'self'");
    expect(response!.headers()['x-content-type-options']).toBe('nosniff');
  });

  it('loads the charting library only with a page that draws charts', async () => {
    const { page } = browser;
    scripts.length = 0;
    await page.goto(`${dash.url}/signin`);
    await see(page.getByRole('heading', { name: 'Sign in' }));
    const chartChunk = (list: string[]) => list.some((s) => /\/(BarChart|JobCharts|ContributionChart)-/.test(s));
    expect(chartChunk(scripts)).toBe(false);
    expect(scripts.some((s) => /\/SignIn-/.test(s))).toBe(true); // the page's own chunk
    expect(scripts.some((s) => /\/Audit-|\/Federation-|\/Users-/.test(s))).toBe(false);
  });
});

describe('keyboard', () => {
  it('signs in with the keyboard alone: skip link, fields in order, Enter submits', async () => {
    const { page } = browser;
    await page.goto('about:blank'); // a fresh document: Tab starts at the top, not where a reload left off
    await page.goto(`${dash.url}/signin`);
    await see(page.getByRole('heading', { name: 'Sign in' }));
    await page.waitForLoadState('networkidle'); // the session check is answered; nothing re-renders under the keys
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate('document.activeElement?.id')).toBe('main');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.id')).toBe('signin-email');
    await page.keyboard.type('kim@bank-b.example');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.id')).toBe('signin-password');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/risk$/);
    await see(page.getByText('No model has been approved for scoring yet.', { exact: false }));
    await page.waitForLoadState('networkidle');
    // the navigation is reachable by Tab too, and Enter follows a link
    await page.getByRole('link', { name: 'FedCredit' }).focus();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Profile');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/profile$/);
    // the profile page is a lazy chunk: wait until it has rendered (and the layout settled)
    // before focusing the banner's button, or the Enter can land on a node being replaced
    await see(page.getByRole('heading', { name: 'Profile', level: 1 }));
    await page.waitForLoadState('networkidle');
    await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).press('Enter');
    await page.waitForURL(/\/signin$/);
  });
});

describe('labels', () => {
  it('every input, select and textarea of every page has a label', async () => {
    const { page } = browser;
    const code = freshCode(dash, adminSecret);
    await signIn(page, dash.url, 'admin@coordinator.example', { code: () => code });
    await seeTexts(page.getByRole('navigation', { name: 'Main' }).getByRole('link'), ['Federation', 'Risk workspace', 'Audit log', 'Users', 'Profile', 'Settings']);
    const unlabelled: string[] = [];
    for (const path of ['/federation', '/risk', '/audit', '/users', '/profile', '/settings', '/signin', '/register', '/setup', '/']) {
      await page.goto(`${dash.url}${path}`);
      await see(page.getByRole('heading', { level: 1 }));
      await page.waitForLoadState('networkidle');
      // evaluated in the page (a string: the test's own TypeScript has no DOM types)
      const missing = await page.evaluate<string[]>(`[...document.querySelectorAll('input, select, textarea')]
        .filter((el) => el.labels.length === 0 && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
        .map((el) => el.outerHTML.slice(0, 80))`);
      unlabelled.push(...missing.map((m) => `${path}: ${m}`));
    }
    expect(unlabelled).toEqual([]);
    expect(browser.pageErrors).toEqual([]);
  });
});
