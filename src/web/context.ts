/**
 * What the dashboard's route modules share: the store, the derived keys, sessions, settings,
 * the clock, the lockout policy, the per-IP rate limit of the credential endpoints, and the
 * audit helper every state change goes through.
 */
import type { FastifyRequest } from 'fastify';
import type { JsonObject, Store } from '../store/index.js';
import { actorOf } from './authorize.js';
import type { PermissionsTable } from './permissions.js';
import type { WebKeys } from './secretBox.js';
import { clientSummary } from './sessions.js';
import type { SessionManager } from './sessions.js';
import type { SettingsService } from './settings.js';
import type { LockoutPolicy } from './signIn.js';

/** Per-IP limit of the credential endpoints, in @fastify/rate-limit's route config shape. */
export interface RouteRateLimit {
  readonly max: number;
  readonly timeWindow: number;
}

/** Shared state of the dashboard routes. */
export interface WebContext {
  readonly store: Store;
  readonly keys: WebKeys;
  readonly sessions: SessionManager;
  readonly settings: SettingsService;
  readonly now: () => number;
  readonly lockout: LockoutPolicy;
  /** Route config for credential endpoints (`{}` when rate limiting is off). */
  readonly authRouteConfig: { rateLimit?: RouteRateLimit };
  /** Issuer shown in authenticator apps. */
  readonly issuer: string;
  /** The permissions table of this server (the coordinator's, or a node workspace's). */
  readonly permissions: PermissionsTable;
}

/**
 * Append to the audit log with the request's actor (user id, 'admin' for the CLI token, or
 * 'anonymous') and where the request came from. Awaited by callers: a change is acknowledged
 * only once its audit entry is written.
 */
export async function audit(ctx: WebContext, request: FastifyRequest, entry: { action: string; subject: string; details?: JsonObject; actor?: string }): Promise<void> {
  const client = clientSummary(request);
  await ctx.store.appendAudit({
    actor: entry.actor ?? actorOf(request),
    action: entry.action,
    subject: entry.subject,
    details: { ...(entry.details ?? {}), ip: client.ip, userAgent: client.userAgent },
  });
}
