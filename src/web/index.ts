/**
 * The dashboard's server side: accounts with roles, argon2id passwords, TOTP second factor,
 * sessions with inactivity expiry, CSRF protection, security headers and the per-route
 * permissions table. {@link webAuth} registers it on the coordinator's Fastify server.
 */
export { webAuth, CONTENT_SECURITY_POLICY } from './plugin.js';
export type { WebAuthHandle, WebAuthOptions } from './plugin.js';
export { ensureSetupToken, SETUP_TOKEN_TTL_MS } from './setup.js';
export { createAuthorizer, requireRole, principalOf, actorOf } from './authorize.js';
export type { AuthHook, AuthorizerOptions } from './authorize.js';
export { ROUTE_PERMISSIONS, WORKSPACE_ROUTE_PERMISSIONS, accessFor, roleMayCall, routesForRole } from './permissions.js';
export type { Access, PermissionsTable } from './permissions.js';
export { SESSION_COOKIE, MAX_SESSION_AGE_MS } from './sessions.js';
export type { Principal, SessionPrincipal, TokenPrincipal } from './sessions.js';
export { DEFAULT_WEB_SETTINGS } from './settings.js';
export type { WebSettings } from './settings.js';
