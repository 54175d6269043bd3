/**
 * The lender node's own HTTP API (default 127.0.0.1:8049): seed-compatible
 * `POST /predictCreditRisk`, `POST /api/v1/score`, job approvals for the data owner, health
 * and Prometheus metrics, and the lender workspace (./workspace: sign-in, scored applications,
 * feedback, the dashboard pages). Record values are never logged.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Logger } from 'pino';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { scoringRoutes } from '../scoring/routes.js';
import type { Scorer } from '../scoring/scorer.js';
import { germanSchema } from '../data/builtin/german.js';
import type { JobApprovals } from './approvals.js';
import { requireAdmin } from '../coordinator/server/adminAuth.js';
import type { ScoredBatch } from '../scoring/routes.js';
import { workspacePlugin, type WorkspacePluginOptions } from './workspace/index.js';

export interface NodeServerOptions {
  readonly logger: Logger;
  readonly getScorer: (dataset?: string) => Scorer | undefined;
  readonly hasDataset: (dataset: string) => boolean;
  readonly approvals: JobApprovals;
  readonly ownerToken: string;
  readonly status: () => Record<string, unknown>;
  readonly https?: { key: string | Buffer; cert: string | Buffer };
  /** Store every batch the scoring routes score (the workspace's keeper); absent: nothing is kept. */
  readonly keepScored?: (batch: ScoredBatch) => Promise<void>;
  /** The lender workspace (accounts, scored applications, pages); absent: not served. */
  readonly workspace?: WorkspacePluginOptions;
}

/** How long a closing node API waits for its connections before closing them. */
const CLOSE_GRACE_MS = 2000;

/** Build the node API (not listening yet). */
export async function buildNodeServer(options: NodeServerOptions): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: options.logger, ...(options.https ? { https: options.https } : {}) } as Parameters<typeof Fastify>[0]) as unknown as FastifyInstance;
  // Closing waits for requests in flight, then ends idle keep-alive connections; a connection a
  // browser opened ahead of time and never used counts as neither, and would hold the close
  // forever: after a grace period every remaining connection is closed.
  app.addHook('preClose', (done) => {
    setTimeout(() => app.server.closeAllConnections(), CLOSE_GRACE_MS).unref();
    done();
  });
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'fedcredit_node_' });
  const scored = new Counter({ name: 'fedcredit_records_scored_total', help: 'Records scored, by route', labelNames: ['route'], registers: [registry] });
  const latency = new Histogram({ name: 'fedcredit_scoring_latency_seconds', help: 'Validation plus scoring time per batch', labelNames: ['route'], buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1], registers: [registry] });

  await app.register(swagger, { openapi: { info: { title: 'FedCredit lender node', version: '0.1.0', description: 'Scoring (seed-compatible /predictCreditRisk and /api/v1/score) and the data owner’s job approvals.' } } });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(scoringRoutes, {
    getScorer: options.getScorer, hasDataset: options.hasDataset, legacySchema: germanSchema,
    ...(options.keepScored ? { onResults: options.keepScored } : {}),
    onScored: (info) => {
      scored.inc({ route: info.route }, info.numRecords);
      latency.observe({ route: info.route }, info.durationMs / 1000);
    },
  });
  app.get('/healthz', { logLevel: 'warn' }, async () => ({ status: 'ok', ...options.status() }));
  app.get('/metrics', { logLevel: 'warn' }, async (_req, reply) => reply.type(registry.contentType).send(await registry.metrics()));
  await app.register(async (owner) => {
    owner.addHook('preHandler', requireAdmin(options.ownerToken));
    owner.get('/api/v1/approvals', async () => options.approvals.list());
    owner.post('/api/v1/approvals/:jobId/approve', async (request) => {
      const { jobId } = request.params as { jobId: string };
      options.approvals.approve(jobId);
      return { jobId, status: options.approvals.status(jobId) };
    });
    owner.post('/api/v1/approvals/:jobId/reject', async (request) => {
      const { jobId } = request.params as { jobId: string };
      options.approvals.reject(jobId);
      return { jobId, status: options.approvals.status(jobId) };
    });
  });
  // last: its page catch-all must not shadow the routes above
  if (options.workspace) await workspacePlugin(app, options.workspace);
  return app;
}
