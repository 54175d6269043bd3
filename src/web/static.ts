/**
 * Serves the dashboard (the Vite build in web/dist) from the coordinator, on the same origin
 * as the API, so the session cookie (SameSite=Strict) and the CSP (`script-src 'self'`) work
 * without exceptions.
 *
 * - `/assets/…` (file names carry a content hash): cached for a year, immutable;
 * - other files with an extension (favicon, …): served if present, else the JSON 404;
 * - any other path outside `/api/` (a page route such as `/federation`): index.html, never
 *   cached, and the React router takes over in the browser (SPA fallback);
 * - `/api/…` never falls back to the page: unknown API paths keep their JSON 404.
 *
 * Files are looked up per request (not listed at start), so a rebuilt bundle is served without
 * a restart. Without a build, page routes answer 503 saying how to build it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Where `npm run build:web` writes the bundle: web/dist at the package root. */
export const DEFAULT_DASHBOARD_DIR = fileURLToPath(new URL('../../web/dist', import.meta.url));

/** Options of {@link dashboardStatic}. */
export interface DashboardStaticOptions {
  /** Directory of the built dashboard (default {@link DEFAULT_DASHBOARD_DIR}). */
  readonly distDir?: string;
}

const YEAR_SECONDS = 365 * 24 * 3600;

/**
 * Register the dashboard's static files and the SPA fallback on `app` (a child scope of the
 * coordinator, registered after the API routes so every API route takes precedence).
 */
export async function dashboardStatic(app: FastifyInstance, options: DashboardStaticOptions = {}): Promise<void> {
  const distDir = options.distDir ?? DEFAULT_DASHBOARD_DIR;
  if (typeof distDir !== 'string' || distDir === '') throw new TypeError('options.distDir: expected a directory path');
  // serve: false: only decorate reply.sendFile with the root; the one route below decides.
  await app.register(fastifyStatic, { root: distDir, serve: false, cacheControl: false, index: false, dotfiles: 'deny' });

  app.get('/*', { schema: { hide: true }, logLevel: 'warn' }, async (request, reply) => {
    const path = pathnameOf(request.url);
    if (path === undefined || path.startsWith('/api/') || path === '/api') return reply.callNotFound();
    const lastSegment = path.slice(path.lastIndexOf('/') + 1);
    if (lastSegment.includes('.')) {
      void reply.header('cache-control', path.startsWith('/assets/') ? `public, max-age=${YEAR_SECONDS}, immutable` : 'no-cache');
      return reply.sendFile(path.slice(1));
    }
    if (!existsSync(join(distDir, 'index.html'))) {
      return reply.code(503).type('text/plain; charset=utf-8').send('The dashboard is not built: run `npm run build:web` (or `npm run build`) and reload.\n');
    }
    void reply.header('cache-control', 'no-cache');
    return reply.sendFile('index.html');
  });
}

/** The decoded path of a request URL, or undefined when it could escape the root. */
function pathnameOf(url: string): string | undefined {
  let path: string;
  try {
    path = decodeURIComponent(new URL(url, 'http://localhost').pathname);
  } catch {
    return undefined;
  }
  if (path.includes('\0') || path.split('/').some((segment) => segment === '..' || (segment.startsWith('.') && segment.length > 1))) return undefined;
  return path;
}
