/**
 * Each role visiting each page in a real browser, by typing the address (not only through the
 * navigation, which hides what a role may not use): allowed pages render without a refusal;
 * forbidden ones get 403 from the server and show "Not permitted" and none of the page's data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserRole } from '../../src/store/index.js';
import { createAccount, createAdmin, freshCode, openBrowser, screenshot, see, seeContains, seeTexts, signIn, signOut, startDashboard } from './harness.js';
import type { Dashboard, TestBrowser } from './harness.js';

/** Page → the API call that loads it, and a piece of the page that only shows with its data. */
const PAGES: Record<string, { api: string; dataMarker: string }> = {
  '/federation': { api: 'GET /api/v1/jobs', dataMarker: 'Training jobs' },
  '/risk': { api: 'GET /api/v1/scoring/datasets', dataMarker: 'No model has been approved for scoring yet' },
  '/audit': { api: 'GET /api/v1/audit', dataMarker: 'Integrity of the log' },
  '/users': { api: 'GET /api/v1/users', dataMarker: 'Waiting for approval' },
  '/profile': { api: 'GET /api/v1/profile', dataMarker: 'Where you are signed in' },
  '/settings': { api: 'GET /api/v1/profile', dataMarker: 'Two-factor authentication' },
};

/** What each role may see (the roles; the server's table decides). */
const ALLOWED: Record<UserRole, string[]> = {
  admin: ['/federation', '/risk', '/audit', '/users', '/profile', '/settings'],
  ml_engineer: ['/federation', '/profile', '/settings'],
  risk_officer: ['/risk', '/profile', '/settings'],
  auditor: ['/federation', '/audit', '/profile', '/settings'],
};
const NAV_LABELS: Record<string, string> = { '/federation': 'Federation', '/risk': 'Risk workspace', '/audit': 'Audit log', '/users': 'Users', '/profile': 'Profile', '/settings': 'Settings' };

let dash: Dashboard;
let browser: TestBrowser;
let adminSecret = '';

beforeAll(async () => {
  dash = await startDashboard();
  adminSecret = await createAdmin(dash, 'admin@coordinator.example');
  for (const role of ['ml_engineer', 'risk_officer', 'auditor'] as const) await createAccount(dash, role);
  browser = await openBrowser();
});
afterAll(async () => {
  await browser?.close();
  await dash?.close();
});

describe('roles × pages', () => {
  for (const role of ['admin', 'ml_engineer', 'risk_officer', 'auditor'] as const) {
    it(`${role}: allowed pages render, forbidden ones say "Not permitted" after the server's 403`, async () => {
      const { page } = browser;
      if (role === 'admin') {
        const code = freshCode(dash, adminSecret);
        await signIn(page, dash.url, 'admin@coordinator.example', { code: () => code });
      } else {
        await signIn(page, dash.url, `${role.replace('_', '-')}@bank.example`);
      }
      await seeTexts(page.getByRole('navigation', { name: 'Main' }).getByRole('link'), ALLOWED[role].map((p) => NAV_LABELS[p]));

      const problems: string[] = [];
      for (const [path, { api, dataMarker }] of Object.entries(PAGES)) {
        const mark = browser.apiCalls.length;
        const expected = `${ALLOWED[role].includes(path) ? 200 : 403} ${api}`;
        const answered = page.waitForResponse((r) => `${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}` === expected);
        await page.goto(`${dash.url}${path}`);
        await answered;
        const notPermitted = page.getByRole('heading', { name: 'Not permitted' });
        if (ALLOWED[role].includes(path)) {
          await see(page.getByText(dataMarker).first());
          if ((await notPermitted.count()) > 0) problems.push(`${path}: shows "Not permitted"`);
          const refused = browser.apiCalls.slice(mark).filter((c) => c.startsWith('403'));
          if (refused.length > 0) problems.push(`${path}: refused calls ${refused.join(', ')}`);
        } else {
          await see(notPermitted);
          await seeContains(page.locator('.not-permitted'), 'The coordinator refused the request.');
          if ((await page.getByText(dataMarker).count()) > 0) problems.push(`${path}: shows its data (${dataMarker})`);
          if ((await page.getByRole('table').count()) > 0) problems.push(`${path}: shows a table`);
          if (role === 'risk_officer' && path === '/audit') await screenshot(page, '50-not-permitted');
        }
      }
      expect(problems).toEqual([]);
      expect(browser.pageErrors).toEqual([]);
      await signOut(page);
    });
  }
});
