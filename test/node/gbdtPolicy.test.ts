/**
 * The owner's policy in front of the boosting handlers: a GBDT job is admitted by its first data
 * message, the quantile sketch (`gbdt.sketch`), as other jobs are by `stats`; nothing of the job
 * is answered before that, nor while the owner has not approved it.
 */
import { describe, expect, it } from 'vitest';
import { NodeApp } from '../../src/node/app.js';
import type { PolicyConfig } from '../../src/node/config.js';
import { createGbdtHandlers } from '../../src/node/gbdtHandlers.js';
import type { NodeDataset } from '../../src/node/jobContext.js';
import { createApprovals, datasetRowsOf, MODEL_NOT_ANNOUNCED, policyMod } from '../../src/node/policy.js';
import { createMessage, type ConfigValue } from '../../src/protocol/message.js';
import { syntheticTable } from '../model/gbdt/synthetic.js';

const datasets = new Map<string, NodeDataset>([['synthetic', { key: 'synthetic', train: syntheticTable(120, 5), test: syntheticTable(40, 5, 'test') }]]);
const policy: PolicyConfig = { allowedModels: ['logreg', 'mlp'], minRowsPerUpdate: 10, maxRounds: 500, approval: 'manual' };

describe('policy for boosting jobs', () => {
  it('the sketch admits the job (pending until approved); later messages of an unadmitted job are refused', async () => {
    const approvals = createApprovals({ mode: 'manual', now: () => 7 });
    const app = new NodeApp({ nodeId: 'bank-a', handlers: createGbdtHandlers(datasets), mods: [policyMod(policy, approvals, { datasetRows: datasetRowsOf(datasets) })] });
    const send = (type: string, config: Record<string, ConfigValue>, jobId = 'job-1') => app.handle(createMessage({ type, jobId, round: 0, nodeId: 'bank-a', config }));
    const level = { tree: 0, baseMargin: 0, partialTree: JSON.stringify({ nodes: [{ kind: 'leaf', value: 0, count: 0 }] }), openNodes: '[0]' };

    expect((await send('gbdt.level', level, 'job-2')).error?.code).toBe('JOB_UNKNOWN');
    expect((await send('gbdt.sketch', { datasetKey: 'synthetic' })).error?.code).toBe('JOB_PENDING_APPROVAL');
    expect(approvals.list()).toEqual([{ jobId: 'job-1', status: 'pending', summary: { datasetKey: 'synthetic', model: MODEL_NOT_ANNOUNCED }, requestedAt: 7 }]);
    approvals.approve('job-1');
    const sketch = await send('gbdt.sketch', { datasetKey: 'synthetic' });
    expect(sketch.error).toBeUndefined();
    expect(sketch.arrays.sketch[0]).toBe(120);
    // bound to its dataset: the job cannot switch to another one
    expect((await send('gbdt.sketch', { datasetKey: 'other' })).error?.code).toMatch(/DATASET_UNKNOWN|POLICY_DATASET_MISMATCH/);
  });
});
