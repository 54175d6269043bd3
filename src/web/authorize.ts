/**
 * The authorization layer: one `onRequest` hook that, for every `/api/v1` route, finds who is
 * calling (the CLI's admin bearer token, or a browser session), checks CSRF and Origin on
 * state changes, and consults the permissions table. Refusals say as little as possible: 401
 * when nobody is signed in, 403 `forbidden` when the role may not call the route. A route
 * missing from the table is refused for everyone, so a forgotten entry fails closed. It runs
 * before the body is parsed or validated, so a caller without the right learns nothing from
 * validation errors and cannot make the server parse large bodies.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { UserRole } from '../store/index.js';
import { accessFor } from './permissions.js';
import type { Access, PermissionsTable } from './permissions.js';
import type { Principal, SessionManager, SessionPrincipal } from './sessions.js';

const principals = new WeakMap<FastifyRequest, Principal>();
const settled = new WeakSet<FastifyRequest>();
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Who the request acts for, once the authorizer let it through (undefined on public routes). */
export function principalOf(request: FastifyRequest): Principal | undefined {
  return principals.get(request);
}

/** The signed-in session of the request; throws if the route let anything else through (a table error). */
export function sessionOf(request: FastifyRequest): SessionPrincipal {
  const principal = principals.get(request);
  if (principal?.kind !== 'session') throw new Error(`route ${request.routeOptions.url ?? ''} needs a session principal; check its permissions entry`);
  return principal;
}

/** The audit-log actor of a request: the user id, 'admin' for the bearer token, else 'anonymous'. */
export function actorOf(request: FastifyRequest): string {
  return principals.get(request)?.actor ?? 'anonymous';
}

/** An async Fastify hook (usable as onRequest or preHandler). */
export type AuthHook = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined>;

/** Answer with a JSON error body `{ error, message }`. */
export function refuse(reply: FastifyReply, status: number, error: string, message: string): FastifyReply {
  return reply.code(status).send({ error, message });
}

/** Options of {@link createAuthorizer}. */
export interface AuthorizerOptions {
  /** The CLI's admin bearer token (acts as the 'admin' role). */
  readonly adminToken: string;
  /** Browser sessions; without them only the bearer token is accepted. */
  readonly sessions?: SessionManager;
  /**
   * Origins (scheme://host[:port]) allowed to send state-changing requests besides the
   * server's own, e.g. the public address of a reverse proxy.
   */
  readonly allowedOrigins?: readonly string[];
  /** Who may call what (default the coordinator's table, ROUTE_PERMISSIONS). */
  readonly permissions?: PermissionsTable;
}

function bearerOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  return typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
}

/** Same-origin check of browsers' Origin header (absent for non-browser clients: allowed). */
function originAllowed(request: FastifyRequest, extra: readonly string[]): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  return origin === `${request.protocol}://${request.host}` || extra.includes(origin);
}

/**
 * Build the hook (install it as `onRequest`). It is idempotent per request (a request passing
 * through two scopes that both install it is checked once), so it can guard a plugin's routes
 * and the whole server at the same time.
 */
export function createAuthorizer(options: AuthorizerOptions): AuthHook {
  if (typeof options.adminToken !== 'string' || options.adminToken === '') throw new TypeError('options.adminToken must be a non-empty string');
  const expected = createHash('sha256').update(options.adminToken).digest();
  const extraOrigins = options.allowedOrigins ?? [];
  const { sessions, permissions } = options;

  const bearerMatches = (given: string) => given.length > 0 && timingSafeEqual(createHash('sha256').update(given).digest(), expected);

  async function check(request: FastifyRequest, reply: FastifyReply, access: Access): Promise<FastifyReply | undefined> {
    if (access.kind === 'node') return undefined; // nodeRoutes verify signatures themselves
    const unsafe = !SAFE_METHODS.has(request.method);
    // A websocket upgrade is a GET, but browsers send cookies with it cross-site-origin alike
    // (cross-site websocket hijacking), so it gets the same Origin check as a state change.
    const upgrade = String(request.headers.upgrade ?? '').toLowerCase() === 'websocket';
    if ((unsafe || upgrade) && sessions !== undefined && !originAllowed(request, extraOrigins)) {
      request.log.warn({ url: request.url }, 'refused cross-origin state change');
      return refuse(reply, 403, 'csrf_invalid', 'cross-origin request refused');
    }
    if (access.kind === 'public') return undefined;
    const bearer = bearerOf(request);
    if (bearer !== undefined) {
      if (!bearerMatches(bearer)) {
        request.log.warn({ url: request.url }, 'refused management request: wrong bearer token');
        return refuse(reply, 401, 'unauthorized', 'wrong bearer token');
      }
      if (access.kind !== 'roles') return refuse(reply, 403, 'forbidden', 'forbidden');
      principals.set(request, { kind: 'token', actor: 'admin', role: 'admin', restricted: false });
      return undefined;
    }
    if (sessions === undefined) {
      request.log.warn({ url: request.url }, 'refused management request: missing or wrong bearer token');
      return refuse(reply, 401, 'unauthorized', 'this endpoint needs Authorization: Bearer <admin token> (see the coordinator data directory)');
    }
    const resolved = await sessions.resolve(request);
    if (!resolved.ok) {
      if (resolved.hadCookie) sessions.clearCookie(reply);
      return resolved.code === 'session_expired'
        ? refuse(reply, 401, 'session_expired', 'the session ended after inactivity; sign in again')
        : refuse(reply, 401, 'unauthorized', 'sign in first');
    }
    const principal = resolved.principal;
    if (unsafe && !sessions.csrfValid(principal, request.headers['x-csrf-token'])) {
      request.log.warn({ url: request.url, userId: principal.actor }, 'refused state change: missing or wrong CSRF token');
      return refuse(reply, 403, 'csrf_invalid', 'missing or wrong x-csrf-token header');
    }
    const enrolmentRoute = access.kind === 'user' && access.enrolment === true;
    if (principal.restricted && !enrolmentRoute) return refuse(reply, 403, 'totp_enrolment_required', 'enrol a second factor first (POST /api/v1/totp/enrol)');
    if (access.kind === 'roles' && !access.roles.includes(principal.role)) {
      request.log.info({ url: request.routeOptions.url, method: request.method, userId: principal.actor, role: principal.role }, 'forbidden by role');
      return refuse(reply, 403, 'forbidden', 'forbidden');
    }
    if (access.passive !== true) await sessions.touch(principal);
    principals.set(request, principal);
    return undefined;
  }

  return async function authorize(request: FastifyRequest, reply: FastifyReply) {
    if (settled.has(request)) return undefined;
    settled.add(request);
    const url = request.routeOptions.url;
    if (url === undefined) return undefined; // no route matched: the not-found handler answers
    if (!url.startsWith('/api/')) return undefined; // docs, health and metrics are outside the API's rules
    const access = accessFor(request.method, url, permissions);
    if (access === undefined) {
      request.log.error({ method: request.method, url }, 'route has no entry in src/web/permissions.ts; refused');
      return refuse(reply, 403, 'forbidden', 'forbidden');
    }
    return check(request, reply, access);
  };
}

/**
 * An extra, explicit role check for a route's own `preHandler` (the central hook has already
 * applied the permissions table; this states the rule next to the code as well).
 *
 * @example app.post('/api/v1/x', { preHandler: requireRole('admin') }, handler)
 */
export function requireRole(...roles: UserRole[]): AuthHook {
  if (roles.length === 0) throw new RangeError('requireRole needs at least one role');
  return async (request, reply) => {
    const principal = principals.get(request);
    if (principal === undefined) return refuse(reply, 401, 'unauthorized', 'sign in first');
    if (principal.restricted || !roles.includes(principal.role)) return refuse(reply, 403, 'forbidden', 'forbidden');
    return undefined;
  };
}
