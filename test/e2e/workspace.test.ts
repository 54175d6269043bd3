/**
 * The lender workspace end to end over real processes: a job trains and approves a model; a
 * lender scores an applicant through its machine API; an officer (the node owner's token)
 * finds it in the node's workspace and records the outcome; the next job the node accepts
 * trains on that row, and the new model version's lineage at the coordinator lists the
 * feedback id — and nothing else of it: no record value, no note, leaves the node.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN_FILE } from '../../src/coordinator/server/adminAuth.js';
import { SEED_PAYLOAD, startFederation, waitForJob, type Federation } from './harness.js';

let fed: Federation;
beforeAll(async () => {
  fed = await startFederation({ numLenders: 3 });
}, 120_000);
afterAll(async () => {
  await fed?.stop();
});

const submit = (body: Record<string, unknown>) => fed.admin.call<{ id: string }>('POST', '/api/v1/jobs', { datasetKey: 'german-credit', model: 'logreg', strategy: 'fedavg', seed: 7, options: { approveModel: true }, minNodes: 3, roundTimeoutMs: 20_000, ...body });

interface Lineage { nodes: string[]; rounds: number[]; feedbackIds: string[] }

describe('lender workspace (real processes over loopback)', () => {
  it('score → feedback at the node → next job → the model lineage lists the feedback id', async () => {
    const first = await waitForJob(fed, (await submit({ rounds: 3 })).id, () => false);
    expect(first.status, first.error).toBe('completed');
    expect((first.models[0].lineage as unknown as Lineage).feedbackIds).toEqual([]);

    const lender = fed.lenders[0];
    const node = `http://127.0.0.1:${lender.port}`;
    const dataDir = join(dirname(lender.config), 'state', lender.name);
    // first start: the workspace's one-time setup token sits in a 0600 file, not in the log
    const setupToken = readFileSync(join(dataDir, 'setup-token'), 'utf8').trim();
    expect(setupToken.length).toBeGreaterThan(20);
    expect(fed.log(lender.name)).not.toContain(setupToken);

    // the lender's own system scores an applicant once the approved model is served
    let scored: { results?: { decision: string }[] } = {};
    for (let i = 0; i < 100 && scored.results === undefined; i++) {
      scored = await (await fetch(`${node}/api/v1/score`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ records: SEED_PAYLOAD }) })).json() as typeof scored;
      if (scored.results === undefined) await new Promise((r) => setTimeout(r, 200));
    }
    expect(scored.results).toHaveLength(1);
    // the seed API's bulk scorings are not filed by default (scoring.keepScored: api)
    const legacy = await fetch(`${node}/predictCreditRisk`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(SEED_PAYLOAD) });
    expect(legacy.status).toBe(200);

    // the officer's workspace: not without signing in; with the owner's token (acts as admin)
    expect((await fetch(`${node}/api/v1/applications`)).status).toBe(401);
    const owner = { authorization: `Bearer ${readFileSync(join(dataDir, ADMIN_TOKEN_FILE), 'utf8').trim()}` };
    const page = await (await fetch(`${node}/api/v1/applications?sort=time`, { headers: owner })).json() as { total: number; items: { id: string; decision: string; modelVersion: string }[] };
    expect(page.total).toBe(1);
    expect(page.items[0].decision).toBe(scored.results![0].decision);
    expect(page.items[0].modelVersion).toBe(`${first.id}/v1`);
    const note = 'defaulted-after-3-months-zq7';
    const feedback = await fetch(`${node}/api/v1/applications/${page.items[0].id}/feedback`, { method: 'POST', headers: { ...owner, 'content-type': 'application/json' }, body: JSON.stringify({ outcome: 'bad', note }) });
    expect(feedback.status).toBe(201);
    const { id: feedbackId } = await feedback.json() as { id: string };

    const second = await waitForJob(fed, (await submit({ rounds: 3, seed: 8 })).id, () => false);
    expect(second.status, second.error).toBe('completed');
    const lineage = second.models[0].lineage as unknown as Lineage;
    expect(lineage.feedbackIds).toEqual([feedbackId]);
    expect(lineage.nodes).toHaveLength(3);

    // nothing of the record or the note reached the coordinator: its database and log
    const coordinatorFiles = readdirSync(fed.coordinatorDataDir).filter((f) => f.startsWith('fedcredit.db')).map((f) => readFileSync(join(fed.coordinatorDataDir, f), 'latin1')).join('');
    expect(coordinatorFiles).toContain(feedbackId);
    expect(coordinatorFiles).not.toContain(note);
    expect(fed.log('coordinator')).not.toContain(note);
    expect(existsSync(join(dataDir, 'applications.db'))).toBe(true);
    expect(readFileSync(join(dataDir, 'applications.db'), 'latin1') + (existsSync(join(dataDir, 'applications.db-wal')) ? readFileSync(join(dataDir, 'applications.db-wal'), 'latin1') : '')).toContain(note);
  }, 240_000);
});
