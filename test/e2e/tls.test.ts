/**
 * HTTPS with a private CA (scripts/make-certs.sh): the coordinator serves TLS with its
 * certificate, nodes trust the consortium CA from their config, and a job runs end to end.
 * A client that does not trust the CA cannot connect.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFederation, waitForJob, type Federation } from './harness.js';

let fed: Federation;
beforeAll(async () => {
  fed = await startFederation({ numLenders: 2, tls: true });
}, 120_000);
afterAll(async () => {
  await fed?.stop();
});

describe('coordinator over HTTPS with a private CA', () => {
  it('enrolls nodes and completes a job over TLS', async () => {
    expect(fed.url.startsWith('https://')).toBe(true);
    const job = await fed.admin.call<{ id: string }>('POST', '/api/v1/jobs', { datasetKey: 'german-credit', rounds: 5, minNodes: 2, roundTimeoutMs: 10_000 });
    const done = await waitForJob(fed, job.id, () => false);
    expect(done.status, done.error).toBe('completed');
    expect(done.rounds.every((r) => r.participants.length === 2)).toBe(true);
  });

  it('is not reachable by a client that does not trust the CA', async () => {
    await expect(fetch(`${fed.url}/healthz`)).rejects.toThrow();
  });
});
