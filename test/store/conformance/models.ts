/** Conformance: model versions with lineage, and the privacy ledger. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ModelLineage, Store } from '../../../src/store/store.js';
import { errorCode, openFixture } from './harness.js';
import type { Fixture, FreshDatabase } from './harness.js';
import { paramBytes, SPEC } from './jobs.js';

const LINEAGE: ModelLineage = { nodes: ['n1', 'n2'], rounds: [1, 2, 3], settings: { strategy: 'fedavg', clippingNorm: 1 }, feedbackIds: [] };

/** Register the model-version and privacy-ledger tests against fresh databases from `fresh`. */
export function modelsSuite(fresh: FreshDatabase): void {
  describe('models and privacy', () => {
    let fx: Fixture;
    let store: Store;
    let jobId: string;
    beforeEach(async () => {
      ({ fx, store } = await openFixture(fresh));
      jobId = (await store.createJob({ spec: SPEC, createdBy: 'admin' })).id;
    });
    afterEach(async () => fx.close());

    describe('model versions', () => {
      it('numbers versions per job and keeps parameters, meta and lineage', async () => {
        const v1 = await store.createModelVersion({ jobId, parameters: paramBytes([0.25, -4]), meta: { auc: 0.74, layout: [{ name: 'w', shape: [2] }] }, lineage: LINEAGE });
        const v2 = await store.createModelVersion({ jobId, parameters: paramBytes([1]), meta: {}, lineage: { ...LINEAGE, feedbackIds: ['fb-1'] }, id: 'model-v2' });
        const otherJob = (await store.createJob({ spec: SPEC, createdBy: 'admin' })).id;
        const o1 = await store.createModelVersion({ jobId: otherJob, parameters: new Uint8Array(0), meta: {}, lineage: LINEAGE });
        expect([v1.version, v2.version, o1.version]).toEqual([1, 2, 1]);
        expect(v1.status).toBe('candidate');
        const read = await store.getModelVersion(v1.id);
        expect(read).toEqual(v1);
        expect(read.lineage).toEqual(LINEAGE);
        expect(read.meta).toEqual({ auc: 0.74, layout: [{ name: 'w', shape: [2] }] });
        expect(Array.from(new Float64Array(read.parameters.slice().buffer))).toEqual([0.25, -4]);
        expect((await store.getModelVersion('model-v2')).lineage.feedbackIds).toEqual(['fb-1']);
        expect((await store.listModelVersions({ jobId })).map((m) => m.version)).toEqual([1, 2]);
        expect(await store.listModelVersions()).toHaveLength(3);
        expect(await errorCode(store.getModelVersion('ghost'))).toBe('NOT_FOUND');
        expect(await errorCode(store.createModelVersion({ jobId: 'ghost', parameters: new Uint8Array(1), meta: {}, lineage: LINEAGE }))).toBe('NOT_FOUND');
        expect(await errorCode(store.createModelVersion({ jobId, parameters: new Uint8Array(1), meta: {}, lineage: LINEAGE, id: 'model-v2' }))).toBe('CONFLICT');
      });

      it('approves, retires and finds the most recently approved version', async () => {
        expect(await store.getLatestApprovedModel()).toBeUndefined();
        const v1 = await store.createModelVersion({ jobId, parameters: paramBytes([1]), meta: {}, lineage: LINEAGE });
        const v2 = await store.createModelVersion({ jobId, parameters: paramBytes([2]), meta: {}, lineage: LINEAGE });
        await store.approveModel(v2.id);
        await store.approveModel(v1.id); // an operator rolls back to v1
        expect((await store.getLatestApprovedModel({ jobId }))?.id).toBe(v1.id);
        expect((await store.approveModel(v1.id)).status).toBe('approved'); // no-op
        await store.retireModel(v1.id);
        expect((await store.getLatestApprovedModel())?.id).toBe(v2.id);
        expect((await store.listModelVersions({ status: 'retired' })).map((m) => m.id)).toEqual([v1.id]);
        expect(await errorCode(store.approveModel(v1.id))).toBe('INVALID_TRANSITION');
        expect(await errorCode(store.retireModel('ghost'))).toBe('NOT_FOUND');
        expect(await store.getLatestApprovedModel({ jobId: 'other-job' })).toBeUndefined();
      });

      it('rejects malformed lineage and metadata', async () => {
        const bad: [string, unknown][] = [
          ['rounds of strings', { ...LINEAGE, rounds: ['1'] }],
          ['missing nodes', { rounds: [], settings: {}, feedbackIds: [] }],
          ['extra field', { ...LINEAGE, owner: 'x' }],
          ['settings array', { ...LINEAGE, settings: [] }],
        ];
        for (const [name, lineage] of bad) {
          await expect(store.createModelVersion({ jobId, parameters: new Uint8Array(1), meta: {}, lineage: lineage as ModelLineage }), name).rejects.toThrow(TypeError);
        }
        await expect(store.createModelVersion({ jobId, parameters: new Uint8Array(1), meta: { x: Number.NaN }, lineage: LINEAGE })).rejects.toThrow(/meta\.x/);
        await expect(store.createModelVersion({ jobId, parameters: 'AAAA' as unknown as Uint8Array, meta: {}, lineage: LINEAGE })).rejects.toThrow(TypeError);
        expect(await store.listModelVersions()).toHaveLength(0);
      });
    });

    describe('privacy ledger', () => {
      it('records spends once per key and sums them per subject', async () => {
        const a = await store.recordPrivacySpend({ key: `${jobId}:1:n1`, subject: 'n1', jobId, round: 1, epsilon: 0.5, delta: 1e-6, details: { mechanism: 'gaussian' } });
        expect(a.created).toBe(true);
        const replay = await store.recordPrivacySpend({ key: `${jobId}:1:n1`, subject: 'n1', jobId, round: 1, epsilon: 0.5, delta: 1e-6 });
        expect(replay).toEqual({ spend: a.spend, created: false });
        await store.recordPrivacySpend({ key: `${jobId}:2:n1`, subject: 'n1', jobId, round: 2, epsilon: 0.25, delta: 1e-6 });
        await store.recordPrivacySpend({ key: 'manual:n1', subject: 'n1', epsilon: 1, delta: 0 });
        await store.recordPrivacySpend({ key: `${jobId}:1:n2`, subject: 'n2', jobId, round: 1, epsilon: 9, delta: 0 });
        const spent = await store.getPrivacySpent('n1');
        expect(spent.epsilon).toBeCloseTo(1.75, 12);
        expect(spent.delta).toBeCloseTo(2e-6, 18);
        expect(spent.entries.map((e) => e.key)).toEqual([`${jobId}:1:n1`, `${jobId}:2:n1`, 'manual:n1']);
        expect(spent.entries[0]).toMatchObject({ subject: 'n1', jobId, round: 1, details: { mechanism: 'gaussian' } });
        expect(spent.entries[2].jobId).toBeUndefined();
        expect((await store.getPrivacySpent('n1', { jobId })).epsilon).toBeCloseTo(0.75, 12);
        expect(await store.getPrivacySpent('nobody')).toEqual({ subject: 'nobody', epsilon: 0, delta: 0, entries: [] });
      });

      it('refuses a reused key with other values, unknown jobs and invalid amounts', async () => {
        await store.recordPrivacySpend({ key: 'k', subject: 'n1', epsilon: 0.5, delta: 0 });
        expect(await errorCode(store.recordPrivacySpend({ key: 'k', subject: 'n1', epsilon: 0.6, delta: 0 }))).toBe('CONFLICT');
        expect(await errorCode(store.recordPrivacySpend({ key: 'k2', subject: 'n1', jobId: 'ghost', epsilon: 0.5, delta: 0 }))).toBe('NOT_FOUND');
        await expect(store.recordPrivacySpend({ key: 'k3', subject: 'n1', epsilon: -1, delta: 0 })).rejects.toThrow(RangeError);
        await expect(store.recordPrivacySpend({ key: 'k3', subject: 'n1', epsilon: Number.NaN, delta: 0 })).rejects.toThrow(TypeError);
        await expect(store.recordPrivacySpend({ key: 'k3', subject: 'n1', epsilon: Number.POSITIVE_INFINITY, delta: 0 })).rejects.toThrow(RangeError);
        await expect(store.recordPrivacySpend({ key: 'k3', subject: 'n1', epsilon: 1, delta: 1.5 })).rejects.toThrow(RangeError);
        await expect(store.recordPrivacySpend({ key: 'k3', subject: 'n1', epsilon: 1, delta: 0, round: 0 })).rejects.toThrow(RangeError);
        expect((await store.getPrivacySpent('n1')).entries).toHaveLength(1);
      });
    });
  });
}
