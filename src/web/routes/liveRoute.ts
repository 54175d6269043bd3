/**
 * `GET /api/v1/live`: a websocket that forwards the job runner's progress ('round' and
 * 'status' events) to the dashboard as JSON messages. Authorized like any route (session
 * cookie or bearer token, roles that may read jobs); the socket is closed with code 4401 when
 * the session behind it ends (sign-out, expiry, disable), checked on every event and every
 * {@link LIVE_RECHECK_MS}.
 */
import type { EventEmitter } from 'node:events';
import type { FastifyInstance } from 'fastify';
import type { RoundReport } from '../../coordinator/roundLoop.js';
import { principalOf } from '../authorize.js';
import type { WebContext } from '../context.js';
import { MAX_SESSION_AGE_MS } from '../sessions.js';

/** How often an idle live socket re-checks its session. */
export const LIVE_RECHECK_MS = 30_000;
/** Close code sent when the session ended (4000–4999 are free for applications, RFC 6455 §7.4.2). */
export const LIVE_SESSION_ENDED = 4401;

/** A message on the live socket. */
export type LiveMessage =
  | { type: 'hello'; role: string }
  | { type: 'round'; jobId: string; round: number; trainLoss: number; numExamples: number; participants: number; dropped: number; durationMs: number; metrics?: unknown }
  | { type: 'status'; jobId: string; status: string; error?: string; modelVersion?: string };

/** Register the live-updates websocket (needs @fastify/websocket registered on the server). */
export async function liveRoute(app: FastifyInstance, ctx: WebContext, runner: EventEmitter): Promise<void> {
  app.get('/api/v1/live', { websocket: true, schema: { tags: ['jobs'], summary: 'Websocket of job progress: round and status events as JSON' } }, (socket, request) => {
    const principal = principalOf(request)!;
    const sessionId = principal.kind === 'session' ? principal.session.id : undefined;

    /** True while the session behind the socket is live (always for the bearer token). */
    const stillValid = async (): Promise<boolean> => {
      if (sessionId === undefined || principal.kind !== 'session') return true;
      try {
        const session = await ctx.store.getSession(sessionId);
        const timeoutMs = await ctx.settings.sessionTimeoutMs();
        const deadline = Math.min(session.expiresAt, session.lastSeenAt + timeoutMs, session.createdAt + MAX_SESSION_AGE_MS);
        const user = await ctx.store.getUser(principal.actor);
        return session.revokedAt === undefined && ctx.now() < deadline && user.status === 'active' && user.role === principal.role;
      } catch {
        return false;
      }
    };
    const send = async (message: LiveMessage) => {
      if (!(await stillValid())) {
        socket.close(LIVE_SESSION_ENDED, 'session ended');
        return;
      }
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
    };
    const onRound = ({ jobId, report }: { jobId: string; report: RoundReport }) => void send({
      type: 'round', jobId, round: report.round, trainLoss: report.trainLoss, numExamples: report.numExamples,
      participants: report.participants.length, dropped: report.dropped.length, durationMs: report.durationMs, ...(report.metrics !== undefined ? { metrics: report.metrics } : {}),
    });
    const onStatus = (event: { jobId: string; status: string; error?: string; modelVersion?: string }) => void send({ type: 'status', ...event });
    runner.on('round', onRound);
    runner.on('status', onStatus);
    const timer = setInterval(() => {
      void stillValid().then((ok) => {
        if (!ok) socket.close(LIVE_SESSION_ENDED, 'session ended');
      });
    }, LIVE_RECHECK_MS);
    timer.unref();
    socket.on('close', () => {
      clearInterval(timer);
      runner.off('round', onRound);
      runner.off('status', onStatus);
    });
    socket.on('message', () => undefined); // the channel is one-way; client messages are ignored
    void send({ type: 'hello', role: principal.role });
  });
}
