/**
 * The first admin. While the server has no account at all, each start issues a fresh one-time
 * setup token (earlier ones stop working) for the operator to paste into the dashboard's
 * setup page. The coordinator CLI prints it once to stdout; it never goes to the structured
 * log, and the store keeps only its hash.
 */
import type { Store } from '../store/index.js';
import { loadOrCreateWebKey } from './secretBox.js';

/** How long a printed setup token stays valid. */
export const SETUP_TOKEN_TTL_MS = 24 * 3_600_000;

/**
 * Return a new setup token if no account exists yet, else undefined. Also creates the server
 * key file in `dataDir` if missing, so every secret of a new coordinator exists from its first
 * start.
 *
 * @example
 * const token = await ensureSetupToken(store, dataDir);
 * if (token) process.stdout.write(`First start: create the admin at /setup with token ${token}\n`);
 */
export async function ensureSetupToken(store: Store, dataDir: string): Promise<string | undefined> {
  loadOrCreateWebKey(dataDir);
  if ((await store.countUsers()) > 0) return undefined;
  return (await store.createSetupToken({ ttlMs: SETUP_TOKEN_TTL_MS })).token;
}
