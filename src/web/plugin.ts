/**
 * The dashboard's server side as one call: security headers, cookies, per-IP rate limits on
 * the credential endpoints, websockets, the authorization hook for every `/api/v1`
 * route of the server, and the account, session, TOTP, profile, user-admin, settings and live
 * routes. Call it on the root Fastify instance before registering other API routes, so its
 * hooks guard them too. See docs/web-api.md for the API.
 */
import type { EventEmitter } from 'node:events';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import websocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Store } from '../store/index.js';
import { createAuthorizer } from './authorize.js';
import type { AuthHook } from './authorize.js';
import type { RouteRateLimit, WebContext } from './context.js';
import { accountRoutes } from './routes/accountRoutes.js';
import { liveRoute } from './routes/liveRoute.js';
import { profileRoutes } from './routes/profileRoutes.js';
import { sessionRoutes } from './routes/sessionRoutes.js';
import { totpRoutes } from './routes/totpRoutes.js';
import { userAdminRoutes } from './routes/userAdminRoutes.js';
import { deriveWebKeys, loadOrCreateWebKey } from './secretBox.js';
import { SessionManager } from './sessions.js';
import { SettingsService } from './settings.js';
import { DEFAULT_LOCKOUT } from './signIn.js';
import type { LockoutPolicy } from './signIn.js';
import { ROUTE_PERMISSIONS } from './permissions.js';
import type { PermissionsTable } from './permissions.js';

/** Options of {@link webAuth}. */
export interface WebAuthOptions {
  readonly store: Store;
  /** Coordinator data directory: holds the server key file (web-secret.key). */
  readonly dataDir: string;
  /** The CLI's admin bearer token, accepted as the 'admin' role. */
  readonly adminToken: string;
  /** Mark cookies Secure (true when serving HTTPS). */
  readonly secureCookies: boolean;
  readonly logger: Logger;
  /** The job runner, whose 'round' and 'status' events the live websocket forwards. */
  readonly runner?: EventEmitter;
  /** Clock in epoch ms (default Date.now); tests inject one to cross expiries. */
  readonly now?: () => number;
  /** Account lockout (default 5 failures → 15 minutes). */
  readonly lockout?: LockoutPolicy;
  /** Per-IP limit of the credential endpoints (default 30 per minute); false switches it off. */
  readonly authRateLimit?: { readonly max: number; readonly timeWindowMs: number } | false;
  /** Origins allowed besides the server's own for state changes (e.g. a reverse proxy's). */
  readonly allowedOrigins?: readonly string[];
  /** Issuer name shown in authenticator apps (default 'FedCredit'). */
  readonly issuer?: string;
  /** Who may call what (default the coordinator's ROUTE_PERMISSIONS; nodes pass WORKSPACE_ROUTE_PERMISSIONS). */
  readonly permissions?: PermissionsTable;
}

/** What other route modules need from the dashboard layer. */
export interface WebAuthHandle {
  /** The authorization hook (idempotent; already installed server-wide as onRequest by webAuth). */
  readonly authorize: AuthHook;
  readonly sessions: SessionManager;
  readonly settings: SettingsService;
}

/**
 * The Content-Security-Policy of every response: only same-origin scripts, styles (inline
 * allowed for the charting library), images (and data: URLs for QR codes), and connections
 * (including the live websocket); the dashboard may not be framed.
 */
export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  styleSrc: ["'self'", "'unsafe-inline'"],
  scriptSrc: ["'self'"],
  connectSrc: ["'self'", 'ws:', 'wss:'],
  frameAncestors: ["'none'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
} as const;

/** Register the dashboard's server side on the root instance `app`. */
export async function webAuth(app: FastifyInstance, options: WebAuthOptions): Promise<WebAuthHandle> {
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') throw new TypeError('options.now must be a function');
  const lockout = options.lockout ?? DEFAULT_LOCKOUT;
  if (!Number.isInteger(lockout.maxAttempts) || lockout.maxAttempts < 1 || !Number.isInteger(lockout.lockMs) || lockout.lockMs < 1) throw new RangeError('options.lockout needs positive integer maxAttempts and lockMs');
  const limit = options.authRateLimit ?? { max: 30, timeWindowMs: 60_000 };
  const keys = deriveWebKeys(loadOrCreateWebKey(options.dataDir).key);
  const settings = new SettingsService(options.store, now);
  const sessions = new SessionManager({ store: options.store, keys, settings, now, secureCookies: options.secureCookies });
  const permissions = options.permissions ?? ROUTE_PERMISSIONS;
  const authorize = createAuthorizer({ adminToken: options.adminToken, sessions, allowedOrigins: options.allowedOrigins, permissions });

  await app.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
    referrerPolicy: { policy: 'no-referrer' },
    hsts: options.secureCookies ? { maxAge: 15_552_000, includeSubDomains: true } : false,
    crossOriginEmbedderPolicy: false,
  });
  await app.register(cookie);
  if (limit !== false) {
    await app.register(rateLimit, {
      global: false,
      // thrown, then answered by the coordinator's error handler as { error: 'rate_limited' }
      errorResponseBuilder: (_request, context) => Object.assign(new Error(`too many attempts from this address; retry in ${context.after}`), { statusCode: 429, code: 'RATE_LIMITED' }),
    });
  }
  // The coordinator may already serve websockets (the node task channel); register once.
  if (!app.hasDecorator('websocketServer')) await app.register(websocket, { options: { maxPayload: 4096 } });
  app.addHook('onRequest', async (request, reply) => {
    if (request.url.startsWith('/api/')) void reply.header('cache-control', 'no-store'); // credentials and records must not sit in caches
  });
  app.addHook('onRequest', authorize);

  const authRouteConfig: { rateLimit?: RouteRateLimit } = limit === false ? {} : { rateLimit: { max: limit.max, timeWindow: limit.timeWindowMs } };
  const ctx: WebContext = { store: options.store, keys, sessions, settings, now, lockout, authRouteConfig, issuer: options.issuer ?? 'FedCredit', permissions };
  await app.register(async (scope) => {
    await accountRoutes(scope, ctx);
    await sessionRoutes(scope, ctx);
    await totpRoutes(scope, ctx);
    await profileRoutes(scope, ctx);
    await userAdminRoutes(scope, ctx);
    if (options.runner !== undefined) await liveRoute(scope, ctx, options.runner);
  });
  options.logger.debug({ secureCookies: options.secureCookies, rateLimit: limit !== false }, 'dashboard accounts and sessions enabled');
  return { authorize, sessions, settings };
}
