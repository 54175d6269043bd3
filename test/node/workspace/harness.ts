/**
 * A lender node's HTTP server with its workspace, in-process: the real buildNodeServer over
 * real SQLite databases in a temp data directory, serving a logistic regression trained on the
 * German file (test/scoring/fixture.ts) as its approved model. No coordinator: scoring,
 * applications and accounts are all node-local.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { germanSchema } from '../../../src/data/builtin/german.js';
import { createApprovals } from '../../../src/node/approvals.js';
import { buildNodeServer } from '../../../src/node/server.js';
import { ApplicationFiler, inputRangesOf, openWorkspaceStores, type WorkspaceStores } from '../../../src/node/workspace/index.js';
import type { CounterfactualFinder } from '../../../src/node/workspace/routes.js';
import { Scorer } from '../../../src/scoring/scorer.js';
import { trained } from '../../scoring/fixture.js';

export const OWNER_TOKEN = 'fcat_node-owner-token-for-tests';

export interface NodeWorkspace {
  readonly app: FastifyInstance;
  readonly stores: WorkspaceStores;
  readonly dataDir: string;
  readonly scorer: Scorer;
  /** Files what the scoring routes answer (undefined with keepScored: false). */
  readonly filer: ApplicationFiler | undefined;
  /** Listening URL, after `listen()`. */
  url: string;
  listen(): Promise<string>;
  close(): Promise<void>;
}

/** Build the node server with its workspace on a fresh data directory. */
export async function startNodeWorkspace(options: { now?: () => number; counterfactuals?: CounterfactualFinder; keepScored?: boolean; auditIntervalMs?: number; dataDir?: string } = {}): Promise<NodeWorkspace> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'fedcredit-workspace-'));
  const fixture = trained();
  const scorer = new Scorer({ schema: germanSchema, encoder: fixture.encoder, model: fixture.logreg, modelVersion: 'job-1/v1', baseline: fixture.baseline, thresholds: { review: 0.3, decline: 0.5 } });
  const stores = await openWorkspaceStores(dataDir, options.now ? { now: options.now } : {});
  const logger = pino({ level: process.env.FEDCREDIT_TEST_LOG ?? 'silent' });
  const filed = { store: stores.store, applications: stores.applications, datasetKey: 'german-credit', ranges: inputRangesOf(fixture.table), modelId: () => 'model-1' };
  const filer = options.keepScored === false ? undefined : await ApplicationFiler.start({ ...filed, auditIntervalMs: options.auditIntervalMs ?? 50 });
  const app = await buildNodeServer({
    logger, getScorer: () => scorer, hasDataset: (d) => d === 'german-credit' || d === 'german',
    approvals: createApprovals({ mode: 'auto', file: join(dataDir, 'approvals.json') }), ownerToken: OWNER_TOKEN, status: () => ({}),
    ...(filer ? { keepScored: filer.keep } : {}),
    workspace: {
      ...filed, dataDir, ownerToken: OWNER_TOKEN, logger, secureCookies: false, getScorer: () => scorer, schema: germanSchema,
      node: () => ({ nodeId: 'node-1', institution: 'Bank A', nodeName: 'bank-a' }), authRateLimit: false,
      ...(options.now ? { now: options.now } : {}), ...(options.counterfactuals ? { counterfactuals: options.counterfactuals } : {}),
    },
  });
  const ws: NodeWorkspace = {
    app, stores, dataDir, scorer, filer, url: '',
    async listen() {
      await app.listen({ host: '127.0.0.1', port: 0 });
      const address = app.server.address();
      ws.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
      return ws.url;
    },
    async close() {
      await app.close();
      await filer?.close();
      await stores.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return ws;
}
