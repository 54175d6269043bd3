/**
 * Operator authentication for the management API (`Authorization: Bearer <admin token>`).
 * The token is 32 random bytes created at first start in the data directory (mode 0600); its
 * value is never logged. The dashboard's users and roles build on this later.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const ADMIN_TOKEN_FILE = 'admin-token';

/** Read the admin token from `dataDir`, creating it on first start. */
export function loadOrCreateAdminToken(dataDir: string): { token: string; created: boolean; path: string } {
  const path = join(dataDir, ADMIN_TOKEN_FILE);
  if (existsSync(path)) return { token: readFileSync(path, 'utf8').trim(), created: false, path };
  mkdirSync(dataDir, { recursive: true });
  const token = `fcat_${randomBytes(32).toString('base64url')}`;
  writeFileSync(path, `${token}\n`, { mode: 0o600 });
  return { token, created: true, path };
}

/** A pre-handler that requires the admin bearer token. */
export function requireAdmin(token: string) {
  const expected = createHash('sha256').update(token).digest();
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers.authorization;
    const given = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : '';
    const ok = given.length > 0 && timingSafeEqual(createHash('sha256').update(given).digest(), expected);
    if (!ok) {
      request.log.warn({ url: request.url }, 'refused management request: missing or wrong bearer token');
      return reply.code(401).send({ error: 'unauthorized', message: 'this endpoint needs Authorization: Bearer <admin token> (see the coordinator data directory)' });
    }
  };
}
