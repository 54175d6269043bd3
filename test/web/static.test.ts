/**
 * Serving the dashboard bundle (src/web/static.ts) on a bare Fastify app with the
 * coordinator's error handlers: hashed assets cached for good, page routes fall back to
 * index.html, API paths and missing files keep the JSON 404, nothing outside the bundle is
 * reachable, and without a build the pages say how to build it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installErrorHandlers } from '../../src/coordinator/server/errors.js';
import { dashboardStatic } from '../../src/web/static.js';

let root: string;
let app: FastifyInstance;
let bare: FastifyInstance;

async function serve(distDir: string): Promise<FastifyInstance> {
  const server = Fastify();
  installErrorHandlers(server);
  server.get('/api/v1/known', async () => ({ ok: true }));
  await server.register(async (scope) => dashboardStatic(scope, { distDir }));
  await server.ready();
  return server;
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'fedcredit-static-'));
  const dist = join(root, 'dist');
  mkdirSync(join(dist, 'assets'), { recursive: true });
  writeFileSync(join(dist, 'index.html'), '<!doctype html><title>FedCredit</title><div id="root"></div>');
  writeFileSync(join(dist, 'assets', 'index-AbC123.js'), 'console.log(1);');
  writeFileSync(join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(join(root, 'secret.txt'), 'outside the bundle');
  app = await serve(dist);
  bare = await serve(join(root, 'not-built'));
});
afterAll(async () => {
  await app?.close();
  await bare?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('dashboardStatic', () => {
  it('serves index.html for the root and every page route, never cached', async () => {
    for (const url of ['/', '/federation', '/risk?x=1', '/users/deep/link']) {
      const response = await app.inject({ method: 'GET', url });
      expect([url, response.statusCode, response.headers['content-type']]).toEqual([url, 200, 'text/html; charset=utf-8']);
      expect(response.headers['cache-control']).toBe('no-cache');
      expect(response.body).toContain('<div id="root">');
    }
    expect((await app.inject({ method: 'HEAD', url: '/audit' })).statusCode).toBe(200);
  });

  it('serves hashed assets as immutable and other files uncached', async () => {
    const js = await app.inject({ method: 'GET', url: '/assets/index-AbC123.js' });
    expect([js.statusCode, js.headers['cache-control']]).toEqual([200, 'public, max-age=31536000, immutable']);
    expect(js.headers['content-type']).toMatch(/^(text|application)\/javascript/);
    const icon = await app.inject({ method: 'GET', url: '/favicon.svg' });
    expect([icon.statusCode, icon.headers['cache-control']]).toEqual([200, 'no-cache']);
  });

  it('keeps the JSON 404 for API paths and missing files, and routes take precedence', async () => {
    for (const url of ['/api/v1/unknown', '/api', '/api/', '/assets/missing-123.js', '/missing.png']) {
      const response = await app.inject({ method: 'GET', url });
      expect([url, response.statusCode, (response.json() as { error: string }).error]).toEqual([url, 404, 'not_found']);
    }
    expect((await app.inject({ method: 'GET', url: '/api/v1/known' })).json()).toEqual({ ok: true });
    expect((await app.inject({ method: 'POST', url: '/federation' })).statusCode).toBe(404);
  });

  it('never reaches outside the bundle', async () => {
    for (const url of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/%2e%2e/%2e%2e/secret.txt', '/..%2fsecret.txt', '/.env', '/%00index.html', '/%zz']) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.body, url).not.toContain('outside the bundle');
      expect([200, 400, 404], url).toContain(response.statusCode);
      if (response.statusCode === 200) expect(response.body).toContain('<div id="root">'); // normalised to a page route
    }
  });

  it('without a build, pages answer 503 saying how to build', async () => {
    const page = await bare.inject({ method: 'GET', url: '/federation' });
    expect(page.statusCode).toBe(503);
    expect(page.body).toContain('npm run build:web');
    expect((await bare.inject({ method: 'GET', url: '/assets/index-AbC123.js' })).statusCode).toBe(404);
  });

  it('checks its options', async () => {
    await expect(dashboardStatic(Fastify(), { distDir: '' })).rejects.toThrow(TypeError);
  });
});
