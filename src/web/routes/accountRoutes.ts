/**
 * Getting an account: the first admin through the one-time setup token, everyone else by a
 * registration request that an admin approves. Registration answers the same whether or not
 * the email already has an account, so it cannot be used to find out who has one.
 */
import type { FastifyInstance } from 'fastify';
import { StoreError } from '../../store/index.js';
import { refuse } from '../authorize.js';
import { audit } from '../context.js';
import type { WebContext } from '../context.js';
import { hashPassword, MAX_PASSWORD_LENGTH, PASSWORD_ISSUE_TEXT, passwordIssues } from '../passwords.js';
import type { PasswordIssue } from '../passwords.js';
import { publicUser } from '../views.js';

const email = { type: 'string', minLength: 3, maxLength: 254 } as const;
const password = { type: 'string', minLength: 1, maxLength: MAX_PASSWORD_LENGTH } as const;
const displayName = { type: 'string', minLength: 1, maxLength: 200 } as const;

/** The 400 body of a refused password. */
export function weakPassword(issues: PasswordIssue[]): { error: string; message: string; issues: { field: string; code: PasswordIssue; message: string }[] } {
  return {
    error: 'weak_password',
    message: issues.map((i) => PASSWORD_ISSUE_TEXT[i]).join('; '),
    issues: issues.map((code) => ({ field: 'password', code, message: PASSWORD_ISSUE_TEXT[code] })),
  };
}

/** Register setup and registration routes. */
export async function accountRoutes(app: FastifyInstance, ctx: WebContext): Promise<void> {
  app.get('/api/v1/setup', { schema: { tags: ['accounts'], summary: 'Whether the server still needs its first admin' } }, async () => ({ setupRequired: (await ctx.store.countUsers()) === 0 }));

  app.post('/api/v1/setup', {
    config: ctx.authRouteConfig,
    schema: {
      tags: ['accounts'], summary: 'Create the first admin with the one-time setup token printed at first start',
      body: { type: 'object', required: ['setupToken', 'email', 'password', 'displayName'], additionalProperties: false, properties: { setupToken: { type: 'string', minLength: 1, maxLength: 200 }, email, password, displayName } },
    },
  }, async (request, reply) => {
    const body = request.body as { setupToken: string; email: string; password: string; displayName: string };
    const issues = passwordIssues(body.password, body.email);
    if (issues.length > 0) return reply.code(400).send(weakPassword(issues));
    let user;
    try {
      user = await ctx.store.createFirstAdmin({ setupToken: body.setupToken, email: body.email, displayName: body.displayName, passwordHash: await hashPassword(body.password) });
    } catch (error) {
      if (error instanceof RangeError) return refuse(reply, 400, 'invalid_request', error.message);
      if (error instanceof StoreError && error.code === 'CONFLICT') return refuse(reply, 409, 'setup_closed', 'the first admin already exists');
      if (error instanceof StoreError && error.code.startsWith('TOKEN_')) {
        await audit(ctx, request, { action: 'auth.setup_refused', subject: 'setup', details: { reason: error.code.toLowerCase() } });
        return refuse(reply, 401, 'setup_token_invalid', 'wrong, used or expired setup token');
      }
      throw error;
    }
    await audit(ctx, request, { actor: user.id, action: 'auth.setup', subject: user.id, details: { role: 'admin' } });
    return reply.code(201).send({ user: publicUser(user, 'self'), next: 'sign in at POST /api/v1/session; admins enrol TOTP at their first sign-in' });
  });

  app.post('/api/v1/register', {
    config: ctx.authRouteConfig,
    schema: {
      tags: ['accounts'], summary: 'Request an account for an institution; an admin approves it and assigns a role',
      body: { type: 'object', required: ['email', 'password', 'displayName', 'institution'], additionalProperties: false, properties: { email, password, displayName, institution: { type: 'string', minLength: 1, maxLength: 200 } } },
    },
  }, async (request, reply) => {
    const body = request.body as { email: string; password: string; displayName: string; institution: string };
    const issues = passwordIssues(body.password, body.email);
    if (issues.length > 0) return reply.code(400).send(weakPassword(issues));
    const passwordHash = await hashPassword(body.password); // hashed even for a taken email: same time either way
    try {
      const user = await ctx.store.createUser({ email: body.email, displayName: body.displayName, passwordHash, requestedInstitution: body.institution.trim() || body.institution });
      await audit(ctx, request, { actor: user.id, action: 'user.registered', subject: user.id, details: { institution: user.requestedInstitution ?? null } });
    } catch (error) {
      if (error instanceof RangeError) return refuse(reply, 400, 'invalid_request', error.message);
      if (!(error instanceof StoreError && error.code === 'CONFLICT')) throw error;
      await audit(ctx, request, { action: 'user.registration_duplicate', subject: 'registration' });
    }
    return reply.code(202).send({ status: 'pending', message: 'your request waits for approval by an administrator' });
  });
}
