/**
 * The lender workspace a node serves: node-local dashboard accounts (the same accounts,
 * sessions, TOTP and roles layer as the coordinator's, src/web, on a store in the node's data
 * directory, with a one-time setup token for the first admin), the scored-applications API,
 * and the dashboard pages (web/dist). Applicants' records stay in `<dataDir>/applications.db`.
 */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { installErrorHandlers } from '../../coordinator/server/errors.js';
import { openStore, type Store } from '../../store/index.js';
import { webAuth } from '../../web/plugin.js';
import { WORKSPACE_ROUTE_PERMISSIONS } from '../../web/permissions.js';
import { ensureSetupToken } from '../../web/setup.js';
import { dashboardStatic } from '../../web/static.js';
import { APPLICATIONS_DB_FILE, ApplicationStore } from './applicationStore.js';
import { workspaceRoutes, type WorkspaceRoutesOptions } from './routes.js';

export { ApplicationStore, APPLICATIONS_DB_FILE } from './applicationStore.js';
export { FEEDBACK_OUTCOMES, labelOf } from './applications.js';
export type { Application, ApplicationSummary, FeedbackOutcome, FeedbackRecord, LabelledFeedback } from './applications.js';
export { ApplicationFiler, type ApplicationFilerOptions } from './filer.js';
export { FLAG_NAMES, FLAG_DESCRIPTIONS, inputRangesOf, type InputRanges } from './flags.js';

/** File name of the node's accounts and audit database inside its data directory. */
export const WORKSPACE_DB_FILE = 'workspace.db';

/** The node's workspace databases. */
export interface WorkspaceStores {
  /** Accounts, sessions, settings and the node's audit log (the coordinator's Store schema). */
  readonly store: Store;
  readonly applications: ApplicationStore;
  /** A fresh one-time setup token while the node has no account yet (print it once). */
  readonly setupToken: string | undefined;
  close(): Promise<void>;
}

/** Open (creating) the workspace databases in `dataDir`. */
export async function openWorkspaceStores(dataDir: string, options: { now?: () => number } = {}): Promise<WorkspaceStores> {
  if (typeof dataDir !== 'string' || dataDir === '') throw new TypeError('dataDir: expected a directory');
  const store = await openStore(`sqlite:${join(dataDir, WORKSPACE_DB_FILE)}`, options.now ? { now: options.now } : {});
  const applications = await ApplicationStore.open(join(dataDir, APPLICATIONS_DB_FILE), options);
  const setupToken = await ensureSetupToken(store, dataDir);
  return {
    store, applications, setupToken,
    async close() {
      await applications.close();
      await store.close();
    },
  };
}

/** Options of {@link workspacePlugin}. */
export interface WorkspacePluginOptions extends WorkspaceRoutesOptions {
  /** Holds the web key file (web-secret.key). */
  readonly dataDir: string;
  /** The node owner's bearer token (acts as admin, like the coordinator's CLI token). */
  readonly ownerToken: string;
  readonly logger: Logger;
  readonly secureCookies: boolean;
  /** Built dashboard (default web/dist). */
  readonly distDir?: string;
  readonly now?: () => number;
  readonly authRateLimit?: { readonly max: number; readonly timeWindowMs: number } | false;
}

/**
 * Register the workspace in its own scope of the node server: security headers, sessions and
 * the permissions table guard only the workspace's routes and pages; the machine scoring API,
 * approvals, health and metrics keep their own rules.
 */
export async function workspacePlugin(app: FastifyInstance, options: WorkspacePluginOptions): Promise<void> {
  await app.register(async (scope) => {
    installErrorHandlers(scope);
    await webAuth(scope, {
      store: options.store, dataDir: options.dataDir, adminToken: options.ownerToken, secureCookies: options.secureCookies, logger: options.logger,
      permissions: WORKSPACE_ROUTE_PERMISSIONS, ...(options.now ? { now: options.now } : {}), ...(options.authRateLimit !== undefined ? { authRateLimit: options.authRateLimit } : {}),
    });
    await workspaceRoutes(scope, options);
    await dashboardStatic(scope, options.distDir ? { distDir: options.distDir } : {});
  });
}

