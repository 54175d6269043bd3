import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { privacyMod } from '../../src/node/privacyMod.js';
import { resolvePrivacy } from '../../src/privacy/plan.js';
import { dpsgd, privateNode } from './privacyFixture.js';

const dir = mkdtempSync(join(tmpdir(), 'fedcredit-privacy-mod-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const budget = { epsilon: 3, delta: 1e-5 };

describe('privacyMod', () => {
  it('refuses an over-budget job at setup with the remaining budget, before any computation', async () => {
    const n = privateNode({ budget });
    const privacy = dpsgd({ targetEpsilon: 5 });
    const setup = await n.setup(privacy);
    expect(setup.error?.code).toBe('PRIVACY_BUDGET_EXCEEDED');
    expect(setup.error?.message).toMatch(/^dataset german-credit: job needs ε=4\.\d\d, δ=1e-5; remaining ε=3\.00 of 3\.00$/);
    const train = await n.train(1, privacy);
    expect(train.error?.code).toBe('JOB_UNKNOWN');
    expect(n.calls).toEqual([]); // neither setup nor train handler ever ran
    expect(n.ledger.list()).toEqual([]);
    expect(n.ledger.reservation('job-1')).toBeUndefined();
  });

  it('tells the coordinator the budget and what is left of it when it describes a dataset with a budget', async () => {
    const n = privateNode({ budget });
    const privacy = dpsgd({ targetEpsilon: 1 });
    const before = await n.send('describe', { privacy });
    expect(JSON.parse(String(before.config.privacyBudget))).toEqual({ epsilon: 3, delta: 1e-5, remainingEpsilon: 3 });
    expect((await n.setup(privacy)).error).toBeUndefined(); // reserves the plan
    const after = await n.send('describe', { privacy }, { jobId: 'job-2' });
    const reported = JSON.parse(String(after.config.privacyBudget)) as { remainingEpsilon: number };
    expect(reported.remainingEpsilon).toBeCloseTo(n.ledger.remaining('german-credit')!, 12);
    expect(reported.remainingEpsilon).toBeLessThan(3);
    // a dataset without a budget says nothing about one
    const open = privateNode({});
    expect((await open.send('describe')).config.privacyBudget).toBeUndefined();
  });

  it('answers its refusals as replies, so outer mods (audit logging) see them', async () => {
    const seen: (string | undefined)[] = [];
    const n = privateNode({ budget, mods: [async (m, next) => { const reply = await next(m); seen.push(reply.error?.code); return reply; }] });
    await n.setup(dpsgd({ targetEpsilon: 5 }));
    await n.setup(undefined, 'job-2');
    expect(seen).toEqual(['PRIVACY_BUDGET_EXCEEDED', 'PRIVACY_REQUIRED']);
  });

  it('refuses at describe and stats already, so an over-budget job fails before preprocessing', async () => {
    const n = privateNode({ budget });
    const privacy = dpsgd({ targetEpsilon: 4 });
    expect((await n.send('describe', { privacy })).error?.code).toBe('PRIVACY_BUDGET_EXCEEDED');
    expect((await n.send('stats')).error?.code).toBe('PRIVACY_BUDGET_EXCEEDED'); // the job declared its plan at describe
    expect(n.calls).toEqual([]);
    // describe without a plan is just a schema question, and still answered
    expect((await n.send('describe', {}, { jobId: 'browse' })).error).toBeUndefined();
  });

  it('accepts only private jobs on a dataset with a budget (PRIVACY_REQUIRED)', async () => {
    const n = privateNode({ budget });
    for (const reply of [await n.send('stats'), await n.setup(), await n.train(1)]) {
      expect(reply.error?.code).toBe('PRIVACY_REQUIRED');
      expect(reply.error?.message).toMatch(/german-credit has a privacy budget/);
    }
    expect(n.calls).toEqual([]);
  });

  it('runs a job within budget: reserves at setup, charges each round after training, releases the reservation at the end', async () => {
    const file = join(dir, 'run.json');
    const n = privateNode({ budget, file });
    const privacy = dpsgd({ targetEpsilon: 1, rounds: 3 });
    const planned = resolvePrivacy(JSON.parse(privacy));
    expect((await n.send('describe', { privacy })).error).toBeUndefined();
    expect((await n.send('stats')).error).toBeUndefined();
    expect((await n.setup(privacy)).error).toBeUndefined();
    expect(n.ledger.reservation('job-1')?.cost).toEqual(planned.plannedCost);
    for (let round = 1; round <= 3; round++) {
      const reply = await n.train(round, privacy);
      expect(reply.error).toBeUndefined();
      expect(reply.config.numExamples).toBe(200);
      expect(reply.config.loss).toBeUndefined(); // the local loss is not private: it stays at the node
      expect(n.ledger.list()).toHaveLength(round);
    }
    expect(n.ledger.reservation('job-1')).toBeUndefined();
    expect(n.ledger.spent('german-credit')).toBeCloseTo(planned.plannedEpsilon, 10);
    const onDisk = JSON.parse(readFileSync(file, 'utf8'));
    expect(onDisk.entries.map((e: { key: string }) => e.key)).toEqual(['job-1:1', 'job-1:2', 'job-1:3']);
    expect(n.calls).toEqual(['describe', 'stats', 'setup', 'train', 'train', 'train']);
  });

  it('answers a replayed round with the very same reply and charges it once; after a restart it refuses to release it again', async () => {
    const file = join(dir, 'replay.json');
    const n = privateNode({ budget, file });
    const privacy = dpsgd({ targetEpsilon: 1, rounds: 3 });
    await n.setup(privacy);
    const first = await n.train(1, privacy);
    const replay = await n.train(1, privacy);
    expect(replay.error).toBeUndefined();
    expect(replay.replyTo).not.toBe(first.replyTo);
    expect(Array.from(replay.arrays.parameters)).toEqual(Array.from(first.arrays.parameters));
    expect(n.ledger.list()).toHaveLength(1);
    expect(n.calls.filter((c) => c === 'train')).toHaveLength(1);

    // restart: a new process over the same ledger file
    const restarted = privateNode({ budget, file });
    expect(restarted.ledger.reservation('job-1')).toBeUndefined(); // released on restart
    expect((await restarted.train(1, privacy)).error?.code).toBe('PRIVACY_ALREADY_RELEASED');
    expect((await restarted.train(2, privacy)).error?.code).toBe('JOB_UNKNOWN'); // the handler lost the job: the coordinator sets it up again
    expect((await restarted.setup(privacy)).error).toBeUndefined();
    expect(restarted.ledger.reservation('job-1')).toBeDefined();
    expect((await restarted.train(2, privacy)).error).toBeUndefined();
    expect(restarted.ledger.list().map((e) => e.key)).toEqual(['job-1:1', 'job-1:2']);
  });

  it('refuses a round that would take the dataset over its budget, before training', async () => {
    const n = privateNode({ budget });
    const privacy = dpsgd({ targetEpsilon: 2.9, rounds: 2 });
    await n.setup(privacy);
    for (const round of [1, 2]) expect((await n.train(round, privacy)).error).toBeUndefined();
    const over = await n.train(3, privacy);
    expect(over.error?.code).toBe('PRIVACY_BUDGET_EXCEEDED');
    expect(n.calls.filter((c) => c === 'train')).toHaveLength(2);
  });

  it('refuses a change of privacy settings within a job', async () => {
    const n = privateNode({ budget });
    await n.setup(dpsgd({ targetEpsilon: 1 }));
    const changed = await n.train(1, dpsgd({ targetEpsilon: 1.5 }));
    expect(changed.error?.code).toBe('PRIVACY_SETTINGS_CHANGED');
  });

  it('charges DP-FedAvg every round of the job since the last charge (node sampling), within the plan', async () => {
    const n = privateNode({ budget });
    const privacy = JSON.stringify({ mechanism: 'dp-fedavg', noiseMultiplier: 2, clipNorm: 0.5, nodeSampleRate: 0.5, numNodes: 3, delta: 1e-5, rounds: 4 });
    await n.setup(privacy);
    const reply = await n.train(2, privacy);
    expect(reply.error).toBeUndefined();
    expect(reply.config.numExamples).toBe(1);
    expect(n.ledger.list()[0].cost).toEqual({ mechanism: 'sgm', noiseMultiplier: 2, sampleRate: 0.5, steps: 2 });
    expect((await n.train(3, privacy)).error).toBeUndefined();
    expect(n.ledger.list()[1].cost).toMatchObject({ steps: 1 });
    const past = await n.train(6, privacy); // 3 more rounds, but the plan has 1 left
    expect(past.error?.code).toBe('PRIVACY_PLAN_EXCEEDED');
  });

  it('leaves non-private jobs on datasets without a budget exactly as they were', async () => {
    const withMod = privateNode({});
    const without = privateNode({ withoutPrivacyMod: true });
    for (const n of [withMod, without]) await n.setup();
    const a = await withMod.train(1);
    const b = await without.train(1);
    expect(a.error).toBeUndefined();
    expect({ ...a, replyTo: '' }).toEqual({ ...b, replyTo: '' });
    expect(withMod.ledger.list()).toEqual([]);
  });

  it('records private jobs on datasets without a budget (nothing to refuse)', async () => {
    const n = privateNode({});
    const privacy = dpsgd({ targetEpsilon: 50 });
    await n.setup(privacy);
    expect((await n.train(1, privacy)).error).toBeUndefined();
    expect(n.ledger.list()).toHaveLength(1);
  });

  it('rejects a malformed privacy section as a bad message', async () => {
    const n = privateNode({ budget });
    const bad = await n.setup(JSON.stringify({ mechanism: 'dpsgd', targetEpsilon: 1 }));
    expect(bad.error?.code).toBe('BAD_MESSAGE');
    expect(bad.error?.message).toMatch(/maxGradNorm: required/);
    expect(() => privacyMod({} as never)).toThrow(/ledger/);
  });
});
