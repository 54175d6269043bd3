/**
 * The audit log viewer in a real browser: an auditor filters the entries by actor and action
 * and sees the chain verified; after someone with database access drops the append-only
 * triggers and edits an entry, "Verify again" names and marks the tampered entry.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, createAdmin, eventually, openBrowser, screenshot, see, seeContains, seeText, signIn, startDashboard } from './harness.js';
import type { Dashboard, TestBrowser } from './harness.js';

let dash: Dashboard;
let browser: TestBrowser;
let auditorId = '';

beforeAll(async () => {
  dash = await startDashboard();
  await createAdmin(dash, 'admin@coordinator.example');
  auditorId = (await createAccount(dash, 'auditor', 'audrey@regulator.example', 'Audrey Auditor')).id;
  browser = await openBrowser();
});
afterAll(async () => {
  await browser?.close();
  await dash?.close();
});

const rows = () => browser.page.locator('table.audit-table tbody tr');
const column = async (index: number) => (await rows().locator(`:scope > :nth-child(${index})`).allTextContents()).map((t) => t.trim());

describe('audit log viewer', () => {
  it('lists and filters entries, and shows the chain verified', async () => {
    const { page } = browser;
    await signIn(page, dash.url, 'audrey@regulator.example');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click();
    await page.waitForURL(/\/audit$/);
    await seeText(page.getByTestId('verify-status'), /^Chain verified: all \d+ entries are intact \(head #\d+, hash [0-9a-f]{16}…\)\.$/);
    // the whole log, newest first: setup, the admin's sign-in and TOTP enrolment, the auditor's sign-in
    await see(rows().first());
    const all = await dash.store.listAudit({});
    expect(await column(4)).toEqual(all.map((e) => e.action).reverse());
    expect(all.map((e) => e.action)).toEqual(['auth.setup', 'auth.signin', 'totp.enabled', 'auth.signin']);

    await page.getByLabel('Action').fill('auth.signin');
    const filtered = page.waitForResponse((r) => r.url().includes('action=auth.signin'));
    await page.getByRole('button', { name: 'Filter' }).click();
    await filtered;
    // only the sign-ins: the admin's and the auditor's
    await eventually(() => column(4), (actions) => JSON.stringify(actions) === JSON.stringify(['auth.signin', 'auth.signin']), 'the filtered entries');

    await page.getByLabel('Actor').fill(auditorId);
    const byActor = page.waitForResponse((r) => r.url().includes(`actor=${auditorId}`));
    await page.getByRole('button', { name: 'Filter' }).click();
    await byActor;
    await eventuallyCount(1);
    await page.getByRole('button', { name: 'Clear' }).click();
    await eventuallyCount(all.length);
    await screenshot(page, '60-audit-verified');
  });

  it('marks the entry someone edited in the database behind the triggers', async () => {
    const { page } = browser;
    const db = new Database(join(dash.dataDir, 'fedcredit.db'));
    try {
      db.exec('drop trigger if exists audit_log_no_update');
      const changed = db.prepare('update audit_log set details = ? where seq = 3').run(JSON.stringify({ note: 'nothing happened here' }));
      expect(changed.changes).toBe(1);
    } finally {
      db.close();
    }
    await page.getByRole('button', { name: 'Verify again' }).click();
    await seeText(page.getByTestId('verify-status'), 'Chain broken: entry #3 was edited. Entries from there on cannot be trusted; report this to the coordinator’s operators.');
    const tampered = page.locator('tr.tampered');
    await seeContains(tampered, '⚠ tampered');
    expect(await tampered.getAttribute('data-seq')).toBe('3');
    expect(await page.locator('tr.tampered').count()).toBe(1);
    await screenshot(page, '61-audit-tampered');
    expect(browser.pageErrors).toEqual([]);
  });
});

async function eventuallyCount(n: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await rows().count()) !== n) {
    if (Date.now() > deadline) throw new Error(`expected ${n} audit rows, have ${await rows().count()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
