/**
 * The lender workspace in Chromium, served by a node (the real node server with its workspace,
 * in-process, with 60 applications already scored through the machine API): a risk officer
 * scores a new applicant from the form, finds it in the server-paginated list with filters and
 * sort, opens its detail (reasons in words, contribution chart, model version, what would change
 * the decision) and records feedback; an auditor reads without the form; an ML engineer is
 * refused. Screenshots under test-artifacts/browser/workspace-*.png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserRole } from '../../src/store/index.js';
import { hashPassword } from '../../src/web/passwords.js';
import { WORKSPACE_ROUTE_PERMISSIONS, routesForRole } from '../../src/web/permissions.js';
import { landingPath, pagesFor } from '../../web/src/session/access.js';
import { recordOf, trained } from '../scoring/fixture.js';
import { startNodeWorkspace, type NodeWorkspace } from '../node/workspace/harness.js';
import { ensureWebBuilt, openBrowser, PASSWORD, screenshot, signIn, type TestBrowser } from './harness.js';

let ws: NodeWorkspace;
const browsers: TestBrowser[] = [];
const emailOf = (role: UserRole) => `${role.replace('_', '-')}@bank-a.example`;

beforeAll(async () => {
  await ensureWebBuilt();
  ws = await startNodeWorkspace();
  await ws.listen();
  for (const role of ['risk_officer', 'auditor', 'ml_engineer'] as const) {
    await ws.stores.store.createUser({ email: emailOf(role), displayName: `Test ${role.replace('_', ' ')}`, passwordHash: await hashPassword(PASSWORD), role, status: 'active' });
  }
  const table = trained().table;
  const scored = await fetch(`${ws.url}/api/v1/score`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ records: Array.from({ length: 60 }, (_, i) => recordOf(table, 100 + i)) }) });
  expect(scored.status).toBe(200);
}, 180_000);
afterAll(async () => {
  for (const b of browsers) await b.close();
  await ws?.close();
});

async function browserFor(role: UserRole): Promise<TestBrowser> {
  const b = await openBrowser();
  browsers.push(b);
  await signIn(b.page, ws.url, emailOf(role));
  return b;
}

describe('pages per role at a node, from the workspace permissions table', () => {
  it('risk officers and auditors see the applications; ML engineers only their profile', () => {
    const pages = (role: UserRole) => pagesFor(routesForRole(role, WORKSPACE_ROUTE_PERMISSIONS)).map((p) => p.path);
    expect(pages('risk_officer')).toEqual(['/applications', '/applications/new', '/profile', '/settings']);
    expect(pages('auditor')).toEqual(['/applications', '/audit', '/profile', '/settings']);
    expect(pages('ml_engineer')).toEqual(['/profile', '/settings']);
    expect(pages('admin')).toEqual(['/applications', '/applications/new', '/audit', '/users', '/profile', '/settings']);
    expect(landingPath(routesForRole('risk_officer', WORKSPACE_ROUTE_PERMISSIONS))).toBe('/applications');
  });
});

describe('lender workspace in Chromium', () => {
  it('a risk officer scores an applicant, finds it in the list, reads why, and records feedback', async () => {
    const { page, pageErrors, apiCalls } = await browserFor('risk_officer');
    await page.waitForURL((u) => u.pathname === '/applications');
    await expect.poll(() => page.getByText(/^60 applications; page 1 of 2\.$/).count()).toBe(1);
    await screenshot(page, 'workspace-list');

    // score a new applicant from the form (German-credit fields in words)
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Score an applicant' }).click();
    await page.getByLabel('Status of existing checking account', { exact: true }).selectOption({ label: 'checking account < 0 DM' });
    await page.getByLabel('Duration of the credit (months)', { exact: true }).fill('48');
    await page.getByLabel('Credit amount (DM)', { exact: true }).fill('12000');
    await screenshot(page, 'workspace-score-form');
    await page.getByRole('button', { name: 'Score and keep this applicant' }).click();
    await page.waitForURL((u) => /^\/applications\/[0-9a-f-]{36}$/.test(u.pathname));
    const id = new URL(page.url()).pathname.split('/').pop()!;
    const stored = await ws.stores.applications.get(id);
    expect(stored?.record).toMatchObject({ existingchecking: 'A11', duration: 48, creditamount: 12000 });
    expect(stored?.source).toBe('workspace');

    // the detail: numbers, reasons in words, the chart, the model, what would change the decision
    await page.getByRole('heading', { name: /^Application / }).waitFor();
    await expect.poll(() => page.getByText(`${(100 * stored!.probabilityOfDefault).toFixed(1)} %`, { exact: true }).count()).toBeGreaterThan(0);
    expect(await page.locator('.reasons li').first().textContent()).toMatch(/checking account < 0 DM|Duration of the credit: 48 months|Credit amount: 12000 DM/);
    await page.getByText('What moved this applicant’s risk').waitFor();
    await expect.poll(() => page.locator('.recharts-bar-rectangle').count()).toBeGreaterThan(3);
    expect(await page.locator('.facts').textContent()).toContain('job-1/v1');
    const whatIf = page.getByRole('heading', { name: 'What would change the decision' });
    await whatIf.waitFor();
    if (stored!.decision !== 'approve') expect(await page.locator('.suggestions li').count()).toBeGreaterThan(0);
    await screenshot(page, 'workspace-detail');

    // find it in the list: filter by its decision, sort by PD, search its id
    await page.getByRole('link', { name: '← All applications' }).click();
    await page.getByLabel('Decision', { exact: true }).selectOption(stored!.decision);
    await page.getByLabel('Sort by', { exact: true }).selectOption('pd');
    await page.getByLabel('Application id contains', { exact: true }).fill(id.slice(0, 8));
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL((u) => u.searchParams.get('q') === id.slice(0, 8));
    await expect.poll(() => page.locator('.applications-table tbody tr').count()).toBe(1);
    await page.getByRole('link', { name: `Application ${id.slice(0, 8)}…` }).click();
    await page.waitForURL((u) => u.pathname === `/applications/${id}`);

    // feedback, with the keyboard: the outcome radio, the note, then Enter on the button
    await page.getByLabel('Bad: defaulted', { exact: true }).focus();
    await page.keyboard.press('Space');
    await page.getByLabel('Note (optional, stays at this node)', { exact: true }).fill('missed the first three instalments');
    await page.getByRole('button', { name: 'Save feedback' }).focus();
    await page.keyboard.press('Enter');
    await page.getByText('Feedback recorded: Bad: defaulted.').waitFor();
    await page.locator('.feedback-list li').first().waitFor();
    expect(await page.locator('.feedback-list').textContent()).toContain('missed the first three instalments');
    await screenshot(page, 'workspace-feedback');
    const after = await ws.stores.applications.get(id);
    expect(after?.feedback.map((f) => f.outcome)).toEqual(['bad']);
    expect((await ws.stores.applications.labelledFeedback('german-credit', 10)).map((r) => r.applicationId)).toEqual([id]);

    // pagination on the server: page 2 of the unfiltered list
    await page.goto(`${ws.url}/applications?pageSize=25`);
    await page.getByText(/^61 applications; page 1 of 3\.$/).waitFor();
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByText(/page 2 of 3\.$/).waitFor();
    expect(await page.locator('.applications-table tbody tr').count()).toBe(25);

    expect(apiCalls.filter((c) => /^5/.test(c))).toEqual([]);
    expect(apiCalls).toContain('200 GET /api/v1/applications');
    expect(pageErrors).toEqual([]);
  }, 120_000);

  it('an auditor reads the applications without the feedback form; an ML engineer is refused', async () => {
    const auditor = await browserFor('auditor');
    await auditor.page.waitForURL((u) => u.pathname === '/applications');
    await auditor.page.locator('.applications-table tbody tr').first().waitFor();
    expect(await auditor.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Score an applicant' }).count()).toBe(0);
    await auditor.page.locator('.applications-table tbody tr a').first().click();
    await auditor.page.getByRole('heading', { name: 'Feedback' }).waitFor();
    expect(await auditor.page.getByRole('button', { name: 'Save feedback' }).count()).toBe(0);
    await screenshot(auditor.page, 'workspace-auditor-detail');
    expect(auditor.pageErrors).toEqual([]);

    const engineer = await browserFor('ml_engineer');
    await engineer.page.goto(`${ws.url}/applications`);
    await engineer.page.getByText(/not permitted/i).first().waitFor();
    expect(engineer.apiCalls).toContain('403 GET /api/v1/applications');
    await screenshot(engineer.page, 'workspace-engineer-refused');
  }, 90_000);
});
