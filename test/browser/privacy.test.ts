/**
 * Browser test of the "Privacy budget spent" panel of the federation dashboard: the real
 * coordinator with two in-process lender nodes whose owners set a privacy budget on
 * german-credit. An ML engineer watches the page while a DP-SGD job runs; without a reload the
 * panel shows each lender's ε for the dataset, and once the job is done the figure equals what
 * the lender's own ledger file composes to. Table captions and headers are there for screen
 * readers; the jobs behind the figures open in a disclosure; an auditor sees the same panel.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { privacyLedgerFile } from '../../src/node/config.js';
import type { NodeConfig } from '../../src/node/config.js';
import { composeEpsilon, type PrivacyCost } from '../../src/privacy/cost.js';
import { asCli, createAccount, eventually, openBrowser, screenshot, see, seeContains, seeCount, signIn, signOut, startDashboard, startLenders } from './harness.js';
import type { Dashboard, Lenders, TestBrowser } from './harness.js';

const ROUNDS = 3;
const BUDGET = { epsilon: 4, delta: 1e-5 };
let dash: Dashboard;
let browser: TestBrowser;
const configs: NodeConfig[] = [];
let lenders: Lenders | undefined;

beforeAll(async () => {
  dash = await startDashboard();
  await createAccount(dash, 'ml_engineer', 'mel@coordinator.example', 'Mel Engineer');
  await createAccount(dash, 'auditor', 'audrey@coordinator.example', 'Audrey Auditor');
  // the owner's budget on the dataset: only DP jobs that fit are admitted
  lenders = await startLenders(dash, { configure: (loaded) => ({ ...loaded, datasets: loaded.datasets.map((d) => ({ ...d, privacy: { budget: BUDGET } })) }) });
  configs.push(...lenders.configs);
  browser = await openBrowser();
});
afterAll(async () => {
  await browser?.close();
  await lenders?.stop();
  await dash?.close();
});

/** ε the lender's own ledger composes to for the dataset, at its budget's δ. */
function ledgerEpsilon(config: NodeConfig): number {
  const ledger = JSON.parse(readFileSync(privacyLedgerFile(config.dataDir), 'utf8')) as { entries: { datasetKey: string; cost: PrivacyCost; epsilon: number; delta: number }[] };
  return composeEpsilon(ledger.entries.filter((e) => e.datasetKey === 'german-credit'), BUDGET.delta);
}

describe('privacy budget spent on the federation dashboard', () => {
  it('shows each lender’s ε for the dataset as a DP job runs (live, no reload), equal to the lender’s ledger once done', async () => {
    const { page } = browser;
    await signIn(page, dash.url, 'mel@coordinator.example');
    await page.waitForURL(/\/federation$/);
    const panel = page.getByTestId('privacy-panel');
    await see(panel.getByRole('heading', { name: 'Privacy budget spent' }));
    await seeContains(panel, 'No differentially private job has run yet');
    await seeContains(panel, 'What ε means.');
    await seeContains(page.getByRole('status').filter({ hasText: 'Live updates' }), 'connected');

    const job = await asCli<{ id: string }>(dash, 'POST', '/api/v1/jobs', {
      datasetKey: 'german-credit', model: 'logreg', strategy: 'fedavg', rounds: ROUNDS, minNodes: 2, seed: 7, roundTimeoutMs: 30_000,
      hyperparameters: { lr: 0.05 }, privacy: { targetEpsilon: 1 },
    });
    // the panel follows the live rounds without a reload
    const table = panel.getByRole('table', { name: /^Privacy spent on dataset german-credit \(1 DP job\)$/ });
    await see(table, 40_000);
    const rows = table.getByRole('row');
    await seeCount(rows, 3);
    expect(await table.getByRole('columnheader').allTextContents()).toEqual(['Lender', 'ε spent', 'δ', 'DP jobs', 'Rounds', 'Budget']);
    await eventually(() => asCli<{ status: string }>(dash, 'GET', `/api/v1/jobs/${job.id}`), (j) => j.status === 'completed', 'the DP job completed', 60_000);
    const roundsCells = () => Promise.all([1, 2].map((i) => rows.nth(i).getByRole('cell').nth(3).textContent()));
    await eventually(roundsCells, (t) => t.every((c) => c === String(ROUNDS)), 'every round counted for both lenders', 10_000);

    const spentAfterFirst = new Map<string, number>();
    // rows in order of institution: Bank A Sparkasse, Credit Union B
    expect(configs.map((c) => c.institution)).toEqual(['Bank A Sparkasse', 'Credit Union B']);
    for (const [i, config] of configs.entries()) {
      const row = rows.nth(i + 1);
      expect(await row.getByRole('rowheader').textContent()).toContain(config.institution);
      const cells = (await row.getByRole('cell').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
      const epsilon = Number(cells[0]);
      expect(epsilon).toBeGreaterThan(0);
      expect(epsilon).toBeLessThanOrEqual(1);
      expect(cells.slice(1, 4)).toEqual(['1e-5', '1', String(ROUNDS)]);
      // the budget the lender reported when the job described the dataset: all of it was left then
      expect(cells[4]).toMatch(/^ε 4\.00 \(δ 1e-5\), 4\.00 left as of /);
      // the lender's own ledger, composed round by round at its budget's δ, says the same
      const own = ledgerEpsilon(config);
      spentAfterFirst.set(config.nodeName, own);
      expect(own).toBeGreaterThan(0);
      expect(cells[0]).toBe(own.toFixed(2));
    }

    // the jobs behind the figures
    await panel.getByText(/^The jobs behind these figures/).click();
    const breakdown = panel.getByRole('table', { name: 'DP jobs on dataset german-credit, per lender' });
    await seeCount(breakdown.getByRole('row'), 3);
    await seeContains(breakdown.getByRole('row').nth(1), 'DP-SGD (each applicant’s record)');
    await seeContains(breakdown.getByRole('row').nth(1), 'completed');

    // a second DP job: the lenders' spends compose (RDP), less than the sum of the two jobs' ε
    const second = await asCli<{ id: string }>(dash, 'POST', '/api/v1/jobs', {
      datasetKey: 'german-credit', model: 'logreg', strategy: 'fedavg', rounds: ROUNDS, minNodes: 2, seed: 8, roundTimeoutMs: 30_000,
      hyperparameters: { lr: 0.05 }, privacy: { targetEpsilon: 1 },
    });
    await eventually(() => asCli<{ status: string }>(dash, 'GET', `/api/v1/jobs/${second.id}`), (j) => j.status === 'completed', 'the second DP job completed', 60_000);
    const both = panel.getByRole('table', { name: /^Privacy spent on dataset german-credit \(2 DP jobs\)$/ });
    await eventually(() => Promise.all([1, 2].map((i) => both.getByRole('row').nth(i).getByRole('cell').nth(3).textContent())), (t) => t.every((c) => c === String(2 * ROUNDS)), 'both jobs counted', 20_000);
    for (const [i, config] of configs.entries()) {
      const cells = await both.getByRole('row').nth(i + 1).getByRole('cell').allTextContents();
      const epsilon = Number(cells[0]);
      expect(cells[0]).toBe(ledgerEpsilon(config).toFixed(2));
      expect(cells[2]).toBe('2');
      expect(epsilon).toBeGreaterThan(1);
      expect(epsilon).toBeLessThan(1.9); // two jobs of ε ≈ 0.99 each: composed, not summed
      // the second job's describe reported what the first had left
      expect(cells[4].replace(/\s+/g, ' ').trim()).toContain(`ε 4.00 (δ 1e-5), ${(4 - spentAfterFirst.get(config.nodeName)!).toFixed(2)} left as of`);
    }
    await seeCount(breakdown.getByRole('row'), 5);
    await panel.scrollIntoViewIfNeeded();
    await screenshot(page, '32-federation-privacy');
    expect(browser.pageErrors).toEqual([]);
    expect(browser.apiCalls.filter((c) => c.endsWith('/api/v1/privacy/spent')).every((c) => c.startsWith('200 '))).toBe(true);
  });

  it('an auditor reads the same panel', async () => {
    const { page } = browser;
    await signOut(page);
    await signIn(page, dash.url, 'audrey@coordinator.example');
    await page.waitForURL(/\/federation$/);
    const table = page.getByTestId('privacy-panel').getByRole('table', { name: /^Privacy spent on dataset german-credit/ });
    await seeCount(table.getByRole('row'), 3);
    expect(browser.pageErrors).toEqual([]);
  });
});
