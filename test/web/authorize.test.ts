/**
 * The authorizer on its own (a bare Fastify app, no sessions): bearer-only mode, refusal of
 * routes missing from the permissions table, routes outside the API, and requireRole.
 */
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createAuthorizer, principalOf, requireRole } from '../../src/web/authorize.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function bareApp(): Promise<FastifyInstance> {
  const instance = Fastify();
  const authorize = createAuthorizer({ adminToken: 'secret-admin-token' });
  instance.addHook('onRequest', authorize);
  instance.addHook('onRequest', authorize); // installed twice (root and scope): checked once
  instance.get('/api/v1/jobs', async (request) => ({ actor: principalOf(request)?.actor }));
  instance.get('/api/v1/not-in-the-table', async () => ({ leaked: true }));
  instance.post('/api/v1/register', async () => ({ public: true }));
  instance.get('/healthz', async () => ({ ok: true }));
  instance.get('/api/v1/users', { preHandler: requireRole('auditor') }, async () => ({ users: [] }));
  await instance.ready();
  return instance;
}

describe('createAuthorizer without sessions', () => {
  it('accepts only the bearer token, as admin', async () => {
    app = await bareApp();
    expect((await app.inject({ url: '/api/v1/jobs' })).statusCode).toBe(401);
    expect((await app.inject({ url: '/api/v1/jobs', headers: { authorization: 'Bearer nope' } })).json()).toEqual({ error: 'unauthorized', message: 'wrong bearer token' });
    expect((await app.inject({ url: '/api/v1/jobs', headers: { cookie: 'fc_session=whatever' } })).statusCode).toBe(401);
    expect((await app.inject({ url: '/api/v1/jobs', headers: { authorization: 'Bearer secret-admin-token' } })).json()).toEqual({ actor: 'admin' });
  });

  it('refuses a route missing from the table even for the admin token, and leaves non-API routes alone', async () => {
    app = await bareApp();
    const missing = await app.inject({ url: '/api/v1/not-in-the-table', headers: { authorization: 'Bearer secret-admin-token' } });
    expect(missing.statusCode).toBe(403);
    expect(missing.json()).toEqual({ error: 'forbidden', message: 'forbidden' });
    expect((await app.inject({ method: 'POST', url: '/api/v1/register' })).json()).toEqual({ public: true });
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/api/v1/nowhere' })).statusCode).toBe(404);
  });

  it('requireRole adds an explicit check on top of the table', async () => {
    app = await bareApp();
    expect((await app.inject({ url: '/api/v1/users', headers: { authorization: 'Bearer secret-admin-token' } })).statusCode).toBe(403);
    expect(() => requireRole()).toThrow(RangeError);
    expect(() => createAuthorizer({ adminToken: '' })).toThrow(TypeError);
  });
});
