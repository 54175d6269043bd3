/**
 * Signing in and out: POST /session checks the credentials (signIn.ts) and sets the cookie;
 * GET /session tells the page who is signed in and when the session will end (without
 * counting as activity, so the page may poll it); keepalive extends it; DELETE ends it on the
 * server; revoke-all ends every session of the person ("sign out everywhere").
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { refuse, sessionOf } from '../authorize.js';
import { audit } from '../context.js';
import type { WebContext } from '../context.js';
import { MAX_PASSWORD_LENGTH } from '../passwords.js';
import { routesForRole } from '../permissions.js';
import type { SessionPrincipal } from '../sessions.js';
import { signIn } from '../signIn.js';
import { publicUser } from '../views.js';

/** How often sign-ins prune sessions that ended more than a week ago. */
const PRUNE_EVERY_MS = 3_600_000;
const PRUNE_AFTER_MS = 7 * 86_400_000;

/** The body of a session description (sign-in and GET /session). */
async function describe(ctx: WebContext, principal: SessionPrincipal) {
  return {
    user: publicUser(principal.user, 'self'),
    role: principal.role,
    csrfToken: ctx.sessions.csrfToken(principal),
    totpEnrolmentRequired: principal.restricted,
    ...(await ctx.sessions.view(principal.expiresAt)),
    permissions: principal.restricted ? [] : routesForRole(principal.role, ctx.permissions),
  };
}

/** Register the session routes. */
export async function sessionRoutes(app: FastifyInstance, ctx: WebContext): Promise<void> {
  let lastPruneMs = -Infinity;

  app.post('/api/v1/session', {
    config: ctx.authRouteConfig,
    schema: {
      tags: ['accounts'], summary: 'Sign in with email, password and (when enrolled) a TOTP or recovery code; sets the fc_session cookie',
      body: {
        type: 'object', required: ['email', 'password'], additionalProperties: false,
        properties: { email: { type: 'string', minLength: 1, maxLength: 320 }, password: { type: 'string', minLength: 1, maxLength: MAX_PASSWORD_LENGTH }, totp: { type: 'string', minLength: 1, maxLength: 20 }, recoveryCode: { type: 'string', minLength: 1, maxLength: 40 } },
      },
    },
  }, async (request, reply) => {
    const body = request.body as { email: string; password: string; totp?: string; recoveryCode?: string };
    const outcome = await signIn(ctx, body);
    if (!outcome.ok) {
      const subject = outcome.userId ?? 'unknown-account';
      if (outcome.reason !== 'totp_missing') {
        await audit(ctx, request, { actor: outcome.userId ?? 'anonymous', action: 'auth.signin_failed', subject, details: { reason: outcome.reason } });
      }
      if (outcome.lockedNow === true) await audit(ctx, request, { actor: subject, action: 'auth.locked', subject, details: { lockMinutes: ctx.lockout.lockMs / 60_000 } });
      if (outcome.retryAfterSeconds !== undefined) void reply.header('retry-after', String(outcome.retryAfterSeconds));
      return refuse(reply, outcome.status, outcome.error, outcome.message);
    }
    const { token, session } = await ctx.sessions.open(outcome.user, request);
    ctx.sessions.setCookie(reply, token);
    await audit(ctx, request, { actor: outcome.user.id, action: 'auth.signin', subject: outcome.user.id, details: { factor: outcome.factor } });
    if (outcome.factor === 'recovery_code') await audit(ctx, request, { actor: outcome.user.id, action: 'totp.recovery_code_used', subject: outcome.user.id, details: { remaining: outcome.user.recoveryCodeHashes.length } });
    const now = ctx.now();
    if (now - lastPruneMs > PRUNE_EVERY_MS) {
      lastPruneMs = now;
      await ctx.store.deleteStaleSessions(now - PRUNE_AFTER_MS);
    }
    const restricted = (await ctx.sessions.totpRequired(outcome.user)) && !outcome.user.totpEnabled;
    const principal: SessionPrincipal = { kind: 'session', actor: outcome.user.id, role: outcome.user.role!, user: outcome.user, session, token, restricted, expiresAt: session.expiresAt };
    return describe(ctx, principal);
  });

  app.get('/api/v1/session', { schema: { tags: ['accounts'], summary: 'Who is signed in, the CSRF token, and when the session ends (does not extend it)' } }, async (request) => describe(ctx, sessionOf(request)));

  app.post('/api/v1/session/keepalive', { schema: { tags: ['accounts'], summary: 'Extend the session (the "stay signed in" button of the expiry warning)' } }, async (request) => {
    const principal = sessionOf(request);
    return ctx.sessions.view(principal.expiresAt);
  });

  const signOut = async (request: FastifyRequest, reply: FastifyReply, everywhere: boolean) => {
    const principal = sessionOf(request);
    let count = 1;
    if (everywhere) count = await ctx.store.revokeUserSessions(principal.actor);
    else await ctx.store.revokeSession(principal.session.id);
    ctx.sessions.clearCookie(reply);
    await audit(ctx, request, { action: everywhere ? 'auth.signout_everywhere' : 'auth.signout', subject: principal.actor, details: { sessions: count } });
    return everywhere ? reply.send({ revoked: count }) : reply.code(204).send();
  };
  app.delete('/api/v1/session', { schema: { tags: ['accounts'], summary: 'Sign out: end this session on the server and clear the cookie' } }, (request, reply) => signOut(request, reply, false));
  app.post('/api/v1/session/revoke-all', { schema: { tags: ['accounts'], summary: 'Sign out everywhere: end every session of the signed-in person' } }, (request, reply) => signOut(request, reply, true));

  app.get('/api/v1/sessions', { schema: { tags: ['accounts'], summary: 'The signed-in person’s live sessions' } }, async (request) => {
    const principal = sessionOf(request);
    const list = await ctx.store.listSessions(principal.actor, { atMs: ctx.now() });
    return list.map((s) => ({ id: s.id.slice(0, 16), createdAt: s.createdAt, lastSeenAt: s.lastSeenAt, expiresAt: s.expiresAt, client: s.client, current: s.id === principal.session.id }));
  });
}
