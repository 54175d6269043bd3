/**
 * A live job in a real browser, on a real (in-process) federation: two lender nodes
 * (NodeRuntime, each with an age band of German credit) enrolled with invitation tokens and
 * connected over the networked task channel. An ML engineer starts a job from the form and
 * watches the rounds arrive over the live websocket (charts, progress, events) without
 * reloading; an administrator approves the model; a risk officer scores an applicant from the
 * codebook form and reads the reasons and what would change the decision, and the numbers equal
 * those of the lender's own scoring API serving the same approved model. The ML engineer opens
 * the model report from the models table (every section rendered; a risk officer is refused it).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeRuntime } from '../../src/node/runtime.js';
import { asCli, createAccount, createAdmin, eventually, freshCode, openBrowser, screenshot, see, seeContains, seeCount, seeText, signIn, signOut, startDashboard, startLenders } from './harness.js';
import type { Dashboard, Lenders, TestBrowser } from './harness.js';

const ROUNDS = 5;
let dash: Dashboard;
let browser: TestBrowser;
let nodes: NodeRuntime[] = [];
let lenders: Lenders | undefined;
let lenderDataDirs: string[] = [];
let adminSecret = '';
let jobId = '';

beforeAll(async () => {
  dash = await startDashboard();
  adminSecret = await createAdmin(dash, 'admin@coordinator.example');
  await createAccount(dash, 'ml_engineer', 'mel@coordinator.example', 'Mel Engineer');
  await createAccount(dash, 'risk_officer', 'rita@bank-a.example', 'Rita Risk');
  lenders = await startLenders(dash);
  nodes = [...lenders.nodes];
  lenderDataDirs = lenders.configs.map((c) => c.dataDir);
  browser = await openBrowser();
});
afterAll(async () => {
  await browser?.close();
  await lenders?.stop();
  await dash?.close();
});

describe('federation dashboard', () => {
  it('an ML engineer starts a job and watches its rounds arrive live', async () => {
    const { page } = browser;
    await signIn(page, dash.url, 'mel@coordinator.example');
    await page.waitForURL(/\/federation$/);
    await seeText(page.getByTestId('nodes-online'), '2');
    await seeContains(page.getByRole('status').filter({ hasText: 'Live updates' }), 'connected');
    await see(page.getByText('No job yet.'));

    await page.getByLabel('Dataset key').fill('german-credit');
    await page.getByLabel('Model', { exact: true }).selectOption('logreg');
    await page.getByLabel('Strategy').selectOption('fedavg');
    await page.getByLabel('Rounds').fill(String(ROUNDS));
    await page.getByLabel('Minimum nodes').fill('2');
    await page.getByRole('button', { name: 'Start the job' }).click();
    await seeContains(page.getByRole('status').filter({ hasText: 'submitted' }), 'submitted');

    // the rounds are announced over the websocket and the page follows without a reload
    const events = page.getByRole('heading', { name: 'Latest events' }).locator('..').getByRole('listitem');
    await eventually(() => events.allTextContents(), (t) => t.some((e) => e.includes(`round ${ROUNDS} committed with 2 nodes, AUC`)), 'the last round announced live', 40_000);
    await seeText(page.getByTestId('round-progress'), `Round ${ROUNDS} of ${ROUNDS}`);
    await eventually(() => events.allTextContents(), (t) => t.some((e) => / is now completed\.$/.test(e)), 'the completion announced live', 20_000);
    const jobs = await asCli<{ id: string }[]>(dash, 'GET', '/api/v1/jobs');
    jobId = jobs[0].id;

    // the charts: one point per round on each line, two institutions' bars per round
    await seeCount(page.locator('.recharts-line-dots').first().locator('circle'), ROUNDS);
    await seeCount(page.locator('.recharts-bar-rectangle'), 2 * ROUNDS);
    const legend = await page.locator('.recharts-legend-item-text').allTextContents();
    expect(legend).toEqual(expect.arrayContaining(['AUC', 'KS', 'training loss', 'test log-loss', 'Bank A Sparkasse', 'Credit Union B']));
    // the numbers behind them are the server's
    const detail = await asCli<{ rounds: { round: number; metrics: { auc: number; ks: number } }[] }>(dash, 'GET', `/api/v1/jobs/${jobId}`);
    await page.getByText('The numbers behind the charts').click();
    const rows = page.getByRole('table', { name: 'Metrics per round' }).getByRole('row');
    await seeCount(rows, ROUNDS + 1);
    for (const r of detail.rounds) {
      const cells = await rows.nth(r.round).getByRole('cell').allTextContents();
      expect(cells.slice(0, 2)).toEqual([r.metrics.auc.toFixed(3), r.metrics.ks.toFixed(3)]);
    }
    expect(detail.rounds.at(-1)!.metrics.auc).toBeGreaterThan(0.6); // the model learned something
    await seeContains(page.getByRole('table', { name: 'Model versions' }), 'candidate');
    // an ML engineer may not approve
    expect(await page.getByRole('button', { name: /^Approve model/ }).count()).toBe(0);
    await screenshot(page, '30-federation-live');
    expect(browser.pageErrors).toEqual([]);
  });

  it('the model report opens from the models table with every section', async () => {
    const { page } = browser;
    const link = page.getByRole('link', { name: /^Report of model .*\/v1/ });
    const [report] = await Promise.all([page.context().waitForEvent('page'), link.click()]);
    await report.waitForLoadState();
    expect(report.url()).toMatch(/\/api\/v1\/models\/[^/]+\/report$/);
    const h2 = await report.locator('h2').allTextContents();
    expect(h2).toEqual(['Federated evaluation of the final model', 'Scorecard', 'Fairness', 'Training, round by round', 'Privacy and aggregation', 'Lineage']);
    for (const chart of ['ROC curve', 'Score distribution', 'Calibration by score band', 'Calibration by group: age band']) await see(report.getByRole('img', { name: new RegExp(`^${chart}`) }));
    await seeContains(report.getByRole('table', { name: 'Attribute points' }), 'checking account < 0 DM');
    // the lenders hold different ages: the summed counts cover every band
    const ages = await report.getByRole('table', { name: 'Fairness by age band' }).locator('tr > th:first-child').allTextContents();
    expect(ages.slice(1).map((t) => t.replace(/ \((reference|few applicants)\)/g, ''))).toEqual(['< 25', '25–39', '40+']);
    await seeContains(report.locator('h3').filter({ hasText: 'Privacy spent' }).locator('xpath=following-sibling::p[1]'), 'No differential privacy');
    const h3 = await report.locator('h3').allTextContents();
    expect(h3).toEqual(expect.arrayContaining([expect.stringMatching(/^sex/), expect.stringMatching(/^foreign worker/), 'Privacy spent']));
    await screenshot(report, '35-model-report');
    await report.close();
  });

  it('an administrator approves the model version', async () => {
    const { page } = browser;
    await signOut(page);
    const code = freshCode(dash, adminSecret);
    await signIn(page, dash.url, 'admin@coordinator.example', { code: () => code });
    await page.waitForURL(/\/federation$/);
    await seeContains(page.getByRole('table', { name: 'Model versions' }), 'candidate');
    await page.getByRole('button', { name: /^Approve model/ }).click();
    await seeContains(page.getByRole('table', { name: 'Model versions' }), 'approved');
    const models = await asCli<{ status: string }[]>(dash, 'GET', '/api/v1/models');
    expect(models.map((m) => m.status)).toEqual(['approved']);
  });

  it('a risk officer scores an applicant and reads the reasons; the lender’s node answers the same', async () => {
    const { page } = browser;
    await signOut(page);
    await signIn(page, dash.url, 'rita@bank-a.example');
    await page.waitForURL(/\/risk$/);
    // the model report is for ML engineers, auditors and administrators
    const models = await asCli<{ id: string }[]>(dash, 'GET', '/api/v1/models');
    expect((await page.request.get(`${dash.url}/api/v1/models/${models[0].id}/report`)).status()).toBe(403);
    // the form speaks the codebook's words, not UCI codes
    const checking = page.getByLabel('Status of existing checking account');
    await see(checking);
    expect(await checking.locator('option').allTextContents()).toEqual([
      'checking account < 0 DM', 'checking account 0–200 DM', 'checking account ≥ 200 DM or salary assigned for at least 1 year', 'no checking account',
    ]);
    await checking.selectOption({ label: 'checking account < 0 DM' });
    await page.getByLabel('Duration of the credit (months)').fill('48');
    await page.getByLabel('Credit amount (DM)').fill('12000');
    await page.getByLabel('Credit history').selectOption({ label: 'delay in paying off in the past' });
    await seeContains(page.locator('#field-age-hint'), 'protected attribute');
    await page.getByRole('button', { name: 'Score this applicant' }).click();

    const version = await seeText(page.getByTestId('model-version'), `${jobId}/v1`);
    const pd = await seeText(page.getByTestId('pd'), /^\d+\.\d %$/);
    const points = await seeText(page.getByTestId('points'), /^\d+$/);
    const decision = await seeText(page.getByTestId('decision'), /^(Approve|Refer for manual review|Decline)$/);
    const reasons = await page.getByTestId('reasons').getByRole('listitem').allTextContents();
    expect(reasons.length).toBeGreaterThan(0);
    expect(reasons.join(' ')).toMatch(/checking account < 0 DM|Duration of the credit: 48 months|Credit amount: 12000 DM|delay in paying off in the past/);
    await see(page.locator('.recharts-bar-rectangle').first());
    await screenshot(page, '40-risk-score');

    // what would change the decision: plain words, only fields the applicant can act on
    const change = page.getByTestId('what-would-change');
    await see(change.getByRole('heading', { name: 'What would change the decision' }));
    await change.scrollIntoViewIfNeeded();
    const changeText = (await change.textContent()) ?? '';
    expect(changeText).not.toMatch(/\bA\d{2,3}\b/); // no UCI codes
    if (decision === 'Approve') expect(changeText).toContain('Approved with room to spare');
    else {
      const suggestions = await change.getByRole('listitem').allTextContents();
      expect(suggestions.length).toBeGreaterThan(0);
      for (const s of suggestions) {
        expect(s).toMatch(/→.* would give (Approve|Refer for manual review)/);
        expect(s).not.toMatch(/Credit history:|Age:|Personal status and sex:|Foreign worker:/); // immutable or protected
      }
      expect(changeText).toContain('Credit history (the past cannot be changed)');
    }
    await screenshot(page, '41-risk-what-would-change');

    // the same applicant at a lender's own scoring API, once it serves the approved model
    const record = {
      existingchecking: 'A11', duration: 48, credithistory: 'A33', purpose: 'A43', creditamount: 12000, savings: 'A65', employmentsince: 'A75', installmentrate: 4,
      statussex: 'A93', otherdebtors: 'A101', residencesince: 4, property: 'A121', age: 67, otherinstallmentplans: 'A143', housing: 'A152', existingcredits: 2,
      job: 'A173', peopleliable: 1, telephone: 'A192', foreignworker: 'A201',
    };
    const atNode = await eventually(async () => {
      const response = await fetch(`http://127.0.0.1:${nodes[0].apiPort}/api/v1/score`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ records: [record] }) });
      return (await response.json()) as { modelVersion?: string; results?: { probabilityOfDefault: number; score: number; decision: string; reasons: { description: string }[] }[] };
    }, (a) => a.modelVersion === version, 'the node serving the approved model', 15_000);
    const expected = atNode.results![0];
    expect(pd).toBe(`${(100 * expected.probabilityOfDefault).toFixed(1)} %`);
    expect(points).toBe(String(expected.score));
    expect(decision).toBe({ approve: 'Approve', review: 'Refer for manual review', decline: 'Decline' }[expected.decision]);
    expect(reasons.map((r) => r.replace(/ \(\+[\d.]+ log-odds\)$/, ''))).toEqual(expected.reasons.map((r) => r.description));
    expect(browser.pageErrors).toEqual([]);
  });

  it('an officer’s feedback at a lender shows in the next model version’s lineage', async () => {
    const { page } = browser;
    // at the lender's own workspace (owner token: acts as its admin), the applicant just scored
    const node = `http://127.0.0.1:${nodes[0].apiPort}`;
    const owner = { authorization: `Bearer ${readFileSync(join(lenderDataDirs[0], 'admin-token'), 'utf8').trim()}` };
    const listed = await (await fetch(`${node}/api/v1/applications?sort=time&order=desc`, { headers: owner })).json() as { items: { id: string }[] };
    expect(listed.items.length).toBeGreaterThan(0);
    const given = await fetch(`${node}/api/v1/applications/${listed.items[0].id}/feedback`, { method: 'POST', headers: { ...owner, 'content-type': 'application/json' }, body: JSON.stringify({ outcome: 'bad' }) });
    expect(given.status).toBe(201);
    const { id: feedbackId } = await given.json() as { id: string };

    const next = await asCli<{ id: string }>(dash, 'POST', '/api/v1/jobs', { datasetKey: 'german-credit', model: 'logreg', strategy: 'fedavg', rounds: 2, minNodes: 2, seed: 9 });
    await eventually(() => asCli<{ status: string }>(dash, 'GET', `/api/v1/jobs/${next.id}`), (j) => j.status === 'completed', 'the second job completed', 40_000);
    await signOut(page);
    await signIn(page, dash.url, 'mel@coordinator.example');
    await page.waitForURL(/\/federation$/);
    const table = page.getByRole('table', { name: 'Model versions' });
    await seeContains(table, '1 used in training');
    const cell = table.getByRole('cell', { name: '1 used in training' });
    expect(await cell.getAttribute('title')).toBe(feedbackId); // the id only: the note and the record stay at the lender
    await screenshot(page, '36-models-feedback-lineage');
    expect(browser.pageErrors).toEqual([]);
  });
});
