/** Conformance: jobs, their lifecycle, and round commits (ordering, atomicity, idempotency). */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobSpec, Store } from '../../../src/store/store.js';
import { errorCode, openFixture } from './harness.js';
import type { Fixture, FreshDatabase } from './harness.js';

/** A valid job spec; tests override fields. */
export const SPEC: JobSpec = {
  datasetKey: 'credit-default',
  model: 'logistic',
  strategy: 'fedavg',
  hyperparameters: { learningRate: 0.1, localEpochs: 2 },
  rounds: 3,
  minNodes: 2,
  roundTimeoutMs: 30_000,
  seed: 42,
};

/** Little-endian bytes of a Float64Array, as the coordinator would store global parameters. */
export function paramBytes(values: number[]): Uint8Array {
  return new Uint8Array(new Float64Array(values).buffer);
}

/** Register the job lifecycle and round-commit tests against fresh databases from `fresh`. */
export function jobsSuite(fresh: FreshDatabase): void {
  describe('jobs', () => {
    let fx: Fixture;
    let store: Store;
    beforeEach(async () => {
      ({ fx, store } = await openFixture(fresh));
    });
    afterEach(async () => fx.close());

    async function runningJob(spec: JobSpec = SPEC): Promise<string> {
      const job = await store.createJob({ spec, createdBy: 'admin' });
      await store.updateJobStatus(job.id, 'running');
      return job.id;
    }

    describe('jobs', () => {
      it('creates, reads, lists by status and follows the lifecycle', async () => {
        const job = await store.createJob({ spec: { ...SPEC, options: { dp: { epsilon: 3 } } }, createdBy: 'admin', id: 'job-1' });
        expect(job).toMatchObject({ id: 'job-1', status: 'pending', currentRound: 0, createdBy: 'admin' });
        expect(await store.getJob('job-1')).toEqual(job);
        expect(job.spec).toEqual({ ...SPEC, options: { dp: { epsilon: 3 } } });
        const other = await store.createJob({ spec: SPEC, createdBy: 'admin' });
        const running = await store.updateJobStatus('job-1', 'running');
        expect(running.updatedAt).toBeGreaterThan(job.updatedAt);
        expect(await store.updateJobStatus('job-1', 'running')).toEqual(running); // same status: no-op
        expect((await store.listJobs({ status: 'running' })).map((j) => j.id)).toEqual(['job-1']);
        expect((await store.listJobs()).map((j) => j.id)).toEqual(['job-1', other.id]);
        const failed = await store.updateJobStatus('job-1', 'failed', { error: 'node quorum lost' });
        expect(failed).toMatchObject({ status: 'failed', error: 'node quorum lost' });
        expect(await errorCode(store.updateJobStatus('job-1', 'running'))).toBe('INVALID_TRANSITION');
        expect(await errorCode(store.updateJobStatus(other.id, 'completed'))).toBe('INVALID_TRANSITION');
        expect((await store.updateJobStatus(other.id, 'cancelled')).status).toBe('cancelled');
        expect(await errorCode(store.getJob('ghost'))).toBe('NOT_FOUND');
        expect(await errorCode(store.updateJobStatus('ghost', 'running'))).toBe('NOT_FOUND');
        expect(await errorCode(store.createJob({ spec: SPEC, createdBy: 'admin', id: 'job-1' }))).toBe('CONFLICT');
        await expect(store.updateJobStatus('job-1', 'done' as never)).rejects.toThrow(TypeError);
        await expect(store.listJobs({ status: 'paused' as never })).rejects.toThrow(TypeError);
      });

      const hostileSpecs: [string, unknown, ErrorConstructor][] = [
        ['rounds 0', { ...SPEC, rounds: 0 }, RangeError],
        ['rounds NaN', { ...SPEC, rounds: Number.NaN }, TypeError],
        ['rounds as string', { ...SPEC, rounds: '3' }, TypeError],
        ['fractional minNodes', { ...SPEC, minNodes: 1.5 }, TypeError],
        ['negative timeout', { ...SPEC, roundTimeoutMs: -5 }, RangeError],
        ['Infinity in hyperparameters', { ...SPEC, hyperparameters: { lr: Number.POSITIVE_INFINITY } }, TypeError],
        ['hyperparameters array', { ...SPEC, hyperparameters: [1] }, TypeError],
        ['missing datasetKey', { ...SPEC, datasetKey: undefined }, TypeError],
        ['empty model', { ...SPEC, model: '' }, RangeError],
        ['extra field', { ...SPEC, learningRate: 0.1 }, TypeError],
        ['seed NaN', { ...SPEC, seed: Number.NaN }, TypeError],
        ['spec null', null, TypeError],
      ];
      it('rejects hostile job specs, naming the field', async () => {
        for (const [name, spec, errorType] of hostileSpecs) {
          const error = (await store.createJob({ spec: spec as JobSpec, createdBy: 'admin' }).catch((e: unknown) => e)) as Error;
          expect(error, name).toBeInstanceOf(errorType);
          expect(error.message, name).toMatch(/^spec/);
        }
        expect(await store.listJobs()).toEqual([]);
      });
    });

    describe('rounds', () => {
      it('commits rounds in order, advancing the job in the same transaction', async () => {
        const jobId = await runningJob();
        expect(await store.getLastCommittedRound(jobId)).toBeUndefined();
        const started = await store.startRound(jobId, 1);
        expect(started).toMatchObject({ jobId, round: 1, status: 'running', participants: [], metrics: {} });
        expect(started.parameters).toBeUndefined();
        const state = new Uint8Array([9, 8, 7]);
        const first = await store.commitRound(jobId, 1, { parameters: paramBytes([0.5, -1.25, 3e-300]), strategyState: state, metrics: { loss: 0.69, auc: 0.71 }, participants: ['n1', 'n2'] });
        expect(first.created).toBe(true);
        expect(first.round).toMatchObject({ status: 'committed', participants: ['n1', 'n2'], metrics: { auc: 0.71, loss: 0.69 }, startedAt: started.startedAt });
        expect(Array.from(new Float64Array(first.round.parameters!.slice().buffer))).toEqual([0.5, -1.25, 3e-300]);
        expect(first.round.strategyState).toEqual(state);
        expect((await store.getJob(jobId)).currentRound).toBe(1);
        // Round 2 without startRound; round 3 out of order first.
        expect(await errorCode(store.commitRound(jobId, 3, { parameters: paramBytes([1]), metrics: {}, participants: [] }))).toBe('ROUND_OUT_OF_ORDER');
        const second = await store.commitRound(jobId, 2, { parameters: paramBytes([1]), metrics: {}, participants: ['n1'] });
        expect(second.round.strategyState).toBeUndefined();
        expect((await store.getLastCommittedRound(jobId))?.round).toBe(2);
        expect((await store.listRounds(jobId)).map((r) => [r.round, r.status])).toEqual([[1, 'committed'], [2, 'committed']]);
        expect(await store.getRound(jobId, 1)).toEqual(first.round);
        expect(await errorCode(store.getRound(jobId, 3))).toBe('NOT_FOUND');
        expect(await errorCode(store.startRound(jobId, 2))).toBe('ROUND_COMMITTED');
        expect(await errorCode(store.startRound(jobId, 4))).toBe('ROUND_OUT_OF_ORDER');
        await store.commitRound(jobId, 3, { parameters: paramBytes([2]), metrics: {}, participants: [] });
        // Beyond spec.rounds.
        expect(await errorCode(store.commitRound(jobId, 4, { parameters: paramBytes([3]), metrics: {}, participants: [] }))).toBe('ROUND_OUT_OF_ORDER');
      });

      it('is idempotent: committing a round again writes nothing and counts nothing twice', async () => {
        const jobId = await runningJob();
        const commit = { parameters: paramBytes([1, 2]), metrics: { numExamples: 100 }, participants: ['n1'] };
        const first = await store.commitRound(jobId, 1, commit);
        const jobAfterFirst = await store.getJob(jobId);
        const replay = await store.commitRound(jobId, 1, { parameters: paramBytes([5, 5]), metrics: { numExamples: 999 }, participants: ['n9'] });
        expect(replay).toEqual({ round: first.round, created: false }); // first write wins
        expect(await store.getJob(jobId)).toEqual(jobAfterFirst); // current round and updatedAt unchanged
        const rows = await fx.db.query(`select count(*) as n from rounds where job_id = '${jobId}'`);
        expect(Number(rows[0].n)).toBe(1);
        await store.commitRound(jobId, 2, commit);
        expect((await store.getJob(jobId)).currentRound).toBe(2);
        // A replay after the job ended is still a harmless no-op.
        await store.updateJobStatus(jobId, 'completed');
        expect((await store.commitRound(jobId, 2, commit)).created).toBe(false);
      });

      it('lets exactly one of many concurrent commits of a round win', async () => {
        const other = await fx.open();
        const jobId = await runningJob();
        const attempts = Array.from({ length: 6 }, (_, i) =>
          (i % 2 === 0 ? store : other).commitRound(jobId, 1, { parameters: paramBytes([i]), metrics: { attempt: i }, participants: [] }));
        const results = await Promise.all(attempts);
        expect(results.filter((r) => r.created)).toHaveLength(1);
        const winner = results.find((r) => r.created)!.round;
        for (const r of results) expect(r.round).toEqual(winner);
        expect((await store.getJob(jobId)).currentRound).toBe(1);
      });

      it('restarts a started but uncommitted round and refuses rounds of jobs that do not run', async () => {
        const jobId = await runningJob();
        const a = await store.startRound(jobId, 1);
        const b = await store.startRound(jobId, 1); // after a crash mid-round
        expect(b.startedAt).toBeGreaterThan(a.startedAt);
        expect(await store.getLastCommittedRound(jobId)).toBeUndefined();
        const pending = await store.createJob({ spec: SPEC, createdBy: 'admin' });
        expect(await errorCode(store.startRound(pending.id, 1))).toBe('JOB_NOT_RUNNING');
        expect(await errorCode(store.commitRound(pending.id, 1, { parameters: paramBytes([1]), metrics: {}, participants: [] }))).toBe('JOB_NOT_RUNNING');
        expect(await errorCode(store.commitRound('ghost', 1, { parameters: paramBytes([1]), metrics: {}, participants: [] }))).toBe('NOT_FOUND');
        expect(await errorCode(store.getLastCommittedRound('ghost'))).toBe('NOT_FOUND');
        expect(await errorCode(store.listRounds('ghost'))).toBe('NOT_FOUND');
      });

      it('validates commit arguments', async () => {
        const jobId = await runningJob();
        const ok = { parameters: paramBytes([1]), metrics: {}, participants: [] as string[] };
        await expect(store.commitRound(jobId, 0, ok)).rejects.toThrow(RangeError);
        await expect(store.commitRound(jobId, 1.5, ok)).rejects.toThrow(TypeError);
        await expect(store.commitRound(jobId, 1, { ...ok, parameters: [1, 2] as unknown as Uint8Array })).rejects.toThrow(TypeError);
        await expect(store.commitRound(jobId, 1, { ...ok, metrics: { auc: Number.NaN } })).rejects.toThrow(/commit\.metrics\.auc/);
        await expect(store.commitRound(jobId, 1, { ...ok, participants: [''] })).rejects.toThrow(RangeError);
        await expect(store.commitRound(jobId, 1, undefined as never)).rejects.toThrow(TypeError);
        expect((await store.getJob(jobId)).currentRound).toBe(0);
      });
    });
  });
}
