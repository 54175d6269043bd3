/**
 * The live-updates websocket: session-authorized like any route (roles that may read jobs),
 * same-origin only, forwards the job runner's round and status events, and closes when the
 * session behind it ends.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { LIVE_SESSION_ENDED } from '../../src/web/routes/liveRoute.js';
import { ADMIN_TOKEN, signedInAs, startWeb } from './harness.js';
import type { Browser, WebFixture } from './harness.js';

let fx: WebFixture;
beforeEach(async () => {
  fx = await startWeb();
});
afterEach(async () => fx.close());

interface Live { ws: WebSocket; messages: unknown[]; closed: Promise<number> }

async function connect(headers: Record<string, string>): Promise<Live> {
  const messages: unknown[] = [];
  let onClose!: (code: number) => void;
  const closed = new Promise<number>((resolve) => { onClose = resolve; });
  const ws = await fx.app.injectWS('/api/v1/live', { headers }, {
    onInit(socket) {
      socket.on('message', (data) => messages.push(JSON.parse(String(data))));
      socket.on('close', (code) => onClose(code));
    },
  });
  return { ws, messages, closed };
}
const cookieOf = (browser: Browser) => ({ cookie: `fc_session=${browser.cookie}` });

async function until(predicate: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !predicate(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(predicate()).toBe(true);
}

describe('GET /api/v1/live', () => {
  it('forwards round and status events to an allowed role', async () => {
    const engineer = await signedInAs(fx, 'ml_engineer');
    const live = await connect(cookieOf(engineer));
    await until(() => live.messages.length === 1);
    expect(live.messages[0]).toEqual({ type: 'hello', role: 'ml_engineer' });
    fx.coordinator.runner.emit('status', { jobId: 'job-1', status: 'running' });
    fx.coordinator.runner.emit('round', { jobId: 'job-1', report: { round: 3, participants: ['a', 'b'], dropped: ['c'], failures: [], numExamples: 1200, trainLoss: 0.42, durationMs: 350 } });
    await until(() => live.messages.length === 3);
    expect(live.messages.slice(1)).toEqual([
      { type: 'status', jobId: 'job-1', status: 'running' },
      { type: 'round', jobId: 'job-1', round: 3, trainLoss: 0.42, numExamples: 1200, participants: 2, dropped: 1, durationMs: 350 },
    ]);
    live.ws.terminate();
  });

  it('refuses other roles, nobody, and other origins; accepts the bearer token', async () => {
    const officer = await signedInAs(fx, 'risk_officer');
    await expect(connect(cookieOf(officer))).rejects.toThrow(/403/);
    await expect(connect({})).rejects.toThrow(/401/);
    const auditor = await signedInAs(fx, 'auditor');
    await expect(connect({ ...cookieOf(auditor), origin: 'https://evil.example' })).rejects.toThrow(/403/);
    const cli = await connect({ authorization: `Bearer ${ADMIN_TOKEN}` });
    await until(() => cli.messages.length === 1);
    expect(cli.messages[0]).toEqual({ type: 'hello', role: 'admin' });
    cli.ws.terminate();
  });

  it('closes with 4401 once the session ends', async () => {
    const auditor = await signedInAs(fx, 'auditor');
    const live = await connect(cookieOf(auditor));
    await until(() => live.messages.length === 1);
    expect((await auditor.call('DELETE', '/api/v1/session')).statusCode).toBe(204);
    fx.coordinator.runner.emit('status', { jobId: 'job-2', status: 'completed' });
    expect(await live.closed).toBe(LIVE_SESSION_ENDED);
    expect(live.messages).toHaveLength(1); // nothing delivered after sign-out
  });
});
