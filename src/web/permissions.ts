/**
 * Who may call what: one table mapping every `/api/v1` route (method and Fastify URL pattern)
 * to the roles allowed to call it. The authorizer (authorize.ts) consults it on every request,
 * and refuses a route that is missing here, so a new endpoint is closed until someone decides
 * who may use it. The dashboard reads the same table (per role) to decide which pages to show,
 * but the server never relies on the pages being hidden.
 *
 * Roles: admin — users, institutions, nodes, settings and everything else; ml_engineer — jobs,
 * models, nodes, metrics; risk_officer — models, scoring (at the lender nodes, or at the
 * coordinator with the approved model) and feedback; auditor — read-only audit log, chain verification, models and lineage, jobs.
 */
import { USER_ROLES } from '../store/index.js';
import type { UserRole } from '../store/index.js';

/** How a route is protected. */
export type Access =
  /** Anyone: sign-in, registration, first-admin setup. */
  | { readonly kind: 'public' }
  /** Lender nodes, authenticated by their Ed25519 request signatures (coordinator/server/nodeAuth.ts). */
  | { readonly kind: 'node' }
  /**
   * Any signed-in person, whatever the role. `enrolment`: also a session that must enrol TOTP
   * first; `passive`: calling it does not count as activity (the page polls it).
   */
  | { readonly kind: 'user'; readonly enrolment?: boolean; readonly passive?: boolean }
  /** The listed roles (the admin bearer token of the CLI acts as 'admin'). */
  | { readonly kind: 'roles'; readonly roles: readonly UserRole[]; readonly passive?: boolean };

const PUBLIC: Access = { kind: 'public' };
const NODE: Access = { kind: 'node' };
const USER: Access = { kind: 'user' };
const ENROLMENT: Access = { kind: 'user', enrolment: true };
const roles = (...allowed: UserRole[]): Access => ({ kind: 'roles', roles: allowed });
const ADMIN = roles('admin');
const JOBS_READ = roles('admin', 'ml_engineer', 'auditor');
const JOBS_WRITE = roles('admin', 'ml_engineer');
const AUDIT_READ = roles('admin', 'auditor');

/** The table, keyed `"<METHOD> <url pattern>"` exactly as Fastify reports `routeOptions.url`. */
export const ROUTE_PERMISSIONS: Readonly<Record<string, Access>> = Object.freeze({
  // node-facing API (signed requests)
  'POST /api/v1/enroll': NODE,
  'GET /api/v1/node/tasks': NODE,
  'POST /api/v1/node/replies': NODE,
  'GET /api/v1/node/model': NODE,
  'GET /api/v1/node/ws': NODE,
  // accounts and sessions
  'GET /api/v1/setup': PUBLIC,
  'POST /api/v1/setup': PUBLIC,
  'POST /api/v1/register': PUBLIC,
  'POST /api/v1/session': PUBLIC,
  'GET /api/v1/session': { kind: 'user', enrolment: true, passive: true },
  'DELETE /api/v1/session': ENROLMENT,
  'POST /api/v1/session/keepalive': ENROLMENT,
  'POST /api/v1/session/revoke-all': ENROLMENT,
  'GET /api/v1/sessions': USER,
  'POST /api/v1/totp/enrol': ENROLMENT,
  'POST /api/v1/totp/confirm': ENROLMENT,
  'POST /api/v1/totp/disable': USER,
  'POST /api/v1/totp/recovery-codes': USER,
  'GET /api/v1/profile': USER,
  'PUT /api/v1/profile': USER,
  'POST /api/v1/profile/password': USER,
  // administration of people and settings
  'GET /api/v1/users': ADMIN,
  'POST /api/v1/users/:id/approve': ADMIN,
  'POST /api/v1/users/:id/role': ADMIN,
  'POST /api/v1/users/:id/disable': ADMIN,
  'POST /api/v1/users/:id/enable': ADMIN,
  'POST /api/v1/users/:id/unlock': ADMIN,
  'POST /api/v1/users/:id/reset-totp': ADMIN,
  'GET /api/v1/settings': ADMIN,
  'PUT /api/v1/settings': ADMIN,
  // management API (coordinator/server/adminRoutes.ts)
  'POST /api/v1/invitations': ADMIN,
  'GET /api/v1/nodes': roles('admin', 'ml_engineer'),
  'POST /api/v1/nodes/:id/revoke': ADMIN,
  'POST /api/v1/jobs': JOBS_WRITE,
  'POST /api/v1/analytics': JOBS_WRITE,
  'GET /api/v1/jobs': JOBS_READ,
  'GET /api/v1/jobs/:id': JOBS_READ,
  'POST /api/v1/jobs/:id/cancel': JOBS_WRITE,
  'GET /api/v1/models': roles('admin', 'ml_engineer', 'risk_officer', 'auditor'),
  'GET /api/v1/models/:id': roles('admin', 'ml_engineer', 'auditor'),
  'GET /api/v1/models/:id/report': roles('admin', 'ml_engineer', 'auditor'),
  'POST /api/v1/models/:id/approve': ADMIN,
  // privacy spent per dataset and lender (coordinator/server/privacyRoutes.ts)
  'GET /api/v1/privacy/spent': JOBS_READ,
  // scoring with the newest approved model at the coordinator (web/scoreRoutes.ts)
  'GET /api/v1/scoring/datasets': roles('admin', 'risk_officer'),
  'POST /api/v1/score': roles('admin', 'risk_officer'),
  'GET /api/v1/audit': AUDIT_READ,
  'GET /api/v1/audit/verify': AUDIT_READ,
  // live job progress (websocket)
  'GET /api/v1/live': { kind: 'roles', roles: ['admin', 'ml_engineer', 'auditor'], passive: true },
});

/** A permissions table: `"<METHOD> <url pattern>"` → who may call it. */
export type PermissionsTable = Readonly<Record<string, Access>>;

/** Routes of the accounts layer (webAuth without the live websocket), served by coordinator and nodes alike. */
const ACCOUNT_ROUTE_PREFIXES = ['/api/v1/setup', '/api/v1/register', '/api/v1/session', '/api/v1/totp/', '/api/v1/profile', '/api/v1/users', '/api/v1/settings'];
const isAccountRoute = (key: string) => ACCOUNT_ROUTE_PREFIXES.some((prefix) => key.split(' ')[1].startsWith(prefix));

const WORKSPACE_READ = roles('admin', 'risk_officer', 'auditor');
const WORKSPACE_WRITE = roles('admin', 'risk_officer');

/**
 * The table of a lender node's workspace (src/node/workspace): the same accounts, sessions and
 * user administration as the coordinator (node-local accounts), plus the scored applications.
 * Risk officers score and give feedback, auditors read, ML engineers have no business with
 * applicants' records here.
 */
export const WORKSPACE_ROUTE_PERMISSIONS: PermissionsTable = Object.freeze({
  ...Object.fromEntries(Object.entries(ROUTE_PERMISSIONS).filter(([key]) => isAccountRoute(key))),
  'GET /api/v1/workspace': WORKSPACE_READ,
  'GET /api/v1/applications': WORKSPACE_READ,
  'POST /api/v1/applications': WORKSPACE_WRITE,
  'GET /api/v1/applications/:id': WORKSPACE_READ,
  'POST /api/v1/applications/:id/feedback': WORKSPACE_WRITE,
  'GET /api/v1/audit': AUDIT_READ,
  'GET /api/v1/audit/verify': AUDIT_READ,
});

/**
 * The access rule of a route, or undefined when the table has none (the authorizer then
 * refuses). HEAD is looked up as GET, which Fastify answers for it. `table` defaults to the
 * coordinator's.
 */
export function accessFor(method: string, urlPattern: string, table: PermissionsTable = ROUTE_PERMISSIONS): Access | undefined {
  if (typeof method !== 'string' || typeof urlPattern !== 'string') throw new TypeError('method and urlPattern must be strings');
  const verb = method.toUpperCase() === 'HEAD' ? 'GET' : method.toUpperCase();
  return Object.hasOwn(table, `${verb} ${urlPattern}`) ? table[`${verb} ${urlPattern}`] : undefined;
}

/** Whether a person with `role` may call the route (public and user routes: yes; node routes: no). */
export function roleMayCall(role: UserRole, access: Access): boolean {
  if (!USER_ROLES.includes(role)) throw new RangeError(`role must be one of ${USER_ROLES.join(', ')}, got ${String(role)}`);
  if (access.kind === 'roles') return access.roles.includes(role);
  return access.kind !== 'node';
}

/** Every route key a role may call, sorted: what the dashboard uses to show or hide pages. */
export function routesForRole(role: UserRole, table: PermissionsTable = ROUTE_PERMISSIONS): string[] {
  return Object.entries(table).filter(([, access]) => access.kind !== 'public' && roleMayCall(role, access)).map(([key]) => key).sort();
}
