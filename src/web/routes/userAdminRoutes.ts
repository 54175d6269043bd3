/**
 * Administration of people and server settings (admin only, per permissions.ts): list
 * accounts, approve a registration with a role, change a role, disable and re-enable, lift a
 * lockout, reset a lost second factor, and the session timeout. Store rules apply: the last
 * active admin cannot be demoted or disabled (409), and a role change or a disable ends the
 * person's sessions.
 */
import type { FastifyInstance } from 'fastify';
import { USER_ROLES } from '../../store/index.js';
import type { UserRole, UserStatus } from '../../store/index.js';
import { actorOf } from '../authorize.js';
import { audit } from '../context.js';
import type { WebContext } from '../context.js';
import { parseSettingsPatch } from '../settings.js';
import { publicUser } from '../views.js';

const idParam = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 200 } } } as const;
const role = { type: 'string', enum: [...USER_ROLES] } as const;

/** Register the user administration and settings routes. */
export async function userAdminRoutes(app: FastifyInstance, ctx: WebContext): Promise<void> {
  const { store } = ctx;

  app.get('/api/v1/users', {
    schema: { tags: ['users'], summary: 'Accounts (filter by status or role)', querystring: { type: 'object', additionalProperties: false, properties: { status: { type: 'string', enum: ['pending', 'active', 'disabled'] }, role } } },
  }, async (request) => {
    const q = request.query as { status?: UserStatus; role?: UserRole };
    return (await store.listUsers({ ...(q.status ? { status: q.status } : {}), ...(q.role ? { role: q.role } : {}) })).map((u) => publicUser(u, 'admin'));
  });

  app.post('/api/v1/users/:id/approve', {
    schema: {
      tags: ['users'], summary: 'Approve a registration with a role (and optionally the institution it belongs to)', params: idParam,
      body: { type: 'object', required: ['role'], additionalProperties: false, properties: { role, institutionId: { type: 'string', minLength: 1, maxLength: 200 } } },
    },
  }, async (request) => {
    const { id } = request.params as { id: string };
    const body = request.body as { role: UserRole; institutionId?: string };
    const pending = await store.getUser(id);
    // Without an explicit institution, link the one the person named if it exists.
    const named = body.institutionId === undefined && pending.requestedInstitution !== undefined
      ? (await store.listInstitutions()).find((i) => i.name === pending.requestedInstitution)?.id : undefined;
    const institutionId = body.institutionId ?? named;
    const user = await store.approveUser(id, { role: body.role, ...(institutionId !== undefined ? { institutionId } : {}) });
    await audit(ctx, request, { action: 'user.approved', subject: id, details: { role: body.role, institutionId: institutionId ?? null } });
    return publicUser(user, 'admin');
  });

  app.post('/api/v1/users/:id/role', {
    schema: { tags: ['users'], summary: 'Change the role of an account (ends its sessions)', params: idParam, body: { type: 'object', required: ['role'], additionalProperties: false, properties: { role } } },
  }, async (request) => {
    const { id } = request.params as { id: string };
    const { role: to } = request.body as { role: UserRole };
    const before = await store.getUser(id);
    const user = await store.updateUser(id, { role: to });
    await audit(ctx, request, { action: 'user.role_changed', subject: id, details: { from: before.role ?? null, to } });
    return publicUser(user, 'admin');
  });

  app.post('/api/v1/users/:id/disable', { schema: { tags: ['users'], summary: 'Disable an account (ends its sessions)', params: idParam } }, async (request) => {
    const { id } = request.params as { id: string };
    const user = await store.updateUser(id, { status: 'disabled' });
    await audit(ctx, request, { action: 'user.disabled', subject: id });
    return publicUser(user, 'admin');
  });

  app.post('/api/v1/users/:id/enable', { schema: { tags: ['users'], summary: 'Re-enable a disabled account (back to pending if it never had a role)', params: idParam } }, async (request) => {
    const { id } = request.params as { id: string };
    const current = await store.getUser(id);
    const user = await store.updateUser(id, { status: current.role === undefined ? 'pending' : 'active' });
    await audit(ctx, request, { action: 'user.enabled', subject: id, details: { status: user.status } });
    return publicUser(user, 'admin');
  });

  app.post('/api/v1/users/:id/unlock', { schema: { tags: ['users'], summary: 'Lift a sign-in lockout', params: idParam } }, async (request) => {
    const { id } = request.params as { id: string };
    const user = await store.clearSignInFailures(id);
    await audit(ctx, request, { action: 'user.unlocked', subject: id });
    return publicUser(user, 'admin');
  });

  app.post('/api/v1/users/:id/reset-totp', { schema: { tags: ['users'], summary: 'Remove a lost second factor: the person enrols again at the next sign-in (ends their sessions)', params: idParam } }, async (request) => {
    const { id } = request.params as { id: string };
    const user = await store.updateUserTotp(id, { enabled: false, secret: null, pendingSecret: null, recoveryCodeHashes: [] });
    await store.revokeUserSessions(id);
    await audit(ctx, request, { action: 'user.totp_reset', subject: id });
    return publicUser(user, 'admin');
  });

  app.get('/api/v1/settings', { schema: { tags: ['users'], summary: 'Server settings (session timeout, TOTP for all roles)' } }, async () => ctx.settings.get());

  app.put('/api/v1/settings', { schema: { tags: ['users'], summary: 'Change server settings; sessionTimeoutMinutes 1..1440', body: { type: 'object' } } }, async (request, reply) => {
    const parsed = parseSettingsPatch(request.body);
    if (!parsed.ok) return reply.code(400).send({ error: 'invalid_settings', message: `${parsed.issues.length} problem(s) in the settings`, issues: parsed.issues });
    const before = await ctx.settings.get();
    const after = await ctx.settings.update(parsed.patch, actorOf(request));
    const changes = Object.fromEntries(Object.keys(parsed.patch).map((k) => [k, { from: before[k as keyof typeof before], to: after[k as keyof typeof after] }]));
    await audit(ctx, request, { action: 'settings.updated', subject: 'settings', details: changes });
    return after;
  });
}
