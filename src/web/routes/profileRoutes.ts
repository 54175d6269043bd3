/**
 * A person's own settings: display name, notification preferences, password. Changing the
 * password needs the current one (failures count toward the lockout) and ends every other
 * session of the person, so a stolen session does not survive the change.
 */
import type { FastifyInstance } from 'fastify';
import type { JsonObject } from '../../store/index.js';
import { refuse, sessionOf } from '../authorize.js';
import { audit } from '../context.js';
import type { WebContext } from '../context.js';
import { hashPassword, MAX_PASSWORD_LENGTH, passwordIssues, verifyPassword } from '../passwords.js';
import { NOTIFICATION_PREFS_SCHEMA, publicUser } from '../views.js';
import { weakPassword } from './accountRoutes.js';

/** Register the profile routes. */
export async function profileRoutes(app: FastifyInstance, ctx: WebContext): Promise<void> {
  app.get('/api/v1/profile', { schema: { tags: ['accounts'], summary: 'The signed-in person’s profile' } }, async (request) => {
    const { user } = sessionOf(request);
    const institution = user.institutionId === undefined ? null : (await ctx.store.getInstitution(user.institutionId)).name;
    return { ...publicUser(user, 'self'), institution };
  });

  app.put('/api/v1/profile', {
    schema: {
      tags: ['accounts'], summary: 'Change display name and notification preferences',
      body: { type: 'object', additionalProperties: false, minProperties: 1, properties: { displayName: { type: 'string', minLength: 1, maxLength: 200 }, notificationPrefs: NOTIFICATION_PREFS_SCHEMA } },
    },
  }, async (request, reply) => {
    const { user } = sessionOf(request);
    const body = request.body as { displayName?: string; notificationPrefs?: JsonObject };
    if (body.displayName !== undefined && body.displayName.trim() === '') return refuse(reply, 400, 'invalid_request', 'displayName must not be blank');
    const updated = await ctx.store.updateUser(user.id, {
      ...(body.displayName !== undefined ? { displayName: body.displayName } : {}),
      ...(body.notificationPrefs !== undefined ? { notificationPrefs: { ...user.notificationPrefs, ...body.notificationPrefs } } : {}),
    });
    await audit(ctx, request, { action: 'user.profile_updated', subject: user.id, details: { fields: Object.keys(body).sort() } });
    return publicUser(updated, 'self');
  });

  app.post('/api/v1/profile/password', {
    config: ctx.authRouteConfig,
    schema: {
      tags: ['accounts'], summary: 'Change the password (needs the current one); ends the person’s other sessions',
      body: { type: 'object', required: ['currentPassword', 'newPassword'], additionalProperties: false, properties: { currentPassword: { type: 'string', minLength: 1, maxLength: MAX_PASSWORD_LENGTH }, newPassword: { type: 'string', minLength: 1, maxLength: MAX_PASSWORD_LENGTH } } },
    },
  }, async (request, reply) => {
    const principal = sessionOf(request);
    const { user } = principal;
    const body = request.body as { currentPassword: string; newPassword: string };
    if (!(await verifyPassword(body.currentPassword, user.passwordHash))) {
      const state = await ctx.store.recordSignInFailure(user.id, { atMs: ctx.now(), ...ctx.lockout });
      await audit(ctx, request, { action: 'user.password_change_refused', subject: user.id });
      if (state.lockedUntil !== undefined) {
        await ctx.store.revokeUserSessions(user.id);
        ctx.sessions.clearCookie(reply);
        await audit(ctx, request, { action: 'auth.locked', subject: user.id, details: { lockMinutes: ctx.lockout.lockMs / 60_000 } });
      }
      return refuse(reply, 400, 'wrong_password', 'the current password is wrong');
    }
    const issues = passwordIssues(body.newPassword, user.email);
    if (issues.length > 0) return reply.code(400).send(weakPassword(issues));
    await ctx.store.updateUser(user.id, { passwordHash: await hashPassword(body.newPassword) });
    const ended = await ctx.store.revokeUserSessions(user.id, { exceptId: principal.session.id });
    await audit(ctx, request, { action: 'user.password_changed', subject: user.id, details: { otherSessionsEnded: ended } });
    return { changed: true, otherSessionsEnded: ended };
  });
}
