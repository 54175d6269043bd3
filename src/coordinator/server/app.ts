/**
 * The coordinator's HTTP service: node-facing API (enroll, long-poll, replies, model), the
 * management API, scoring with the approved model, OpenAPI docs at /docs, Prometheus metrics
 * at /metrics and /healthz, and (with `web`) the dashboard's pages.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import websocket from '@fastify/websocket';
import type { Logger } from 'pino';
import { NonceCache } from '../../auth/index.js';
import type { Store } from '../../store/index.js';
import { NodeHub } from '../../transport/network/hub.js';
import { JobRunner } from '../jobRunner.js';
import { adminRoutes } from './adminRoutes.js';
import { installErrorHandlers } from './errors.js';
import { createCoordinatorMetrics, type CoordinatorMetrics } from './metrics.js';
import { NodeKeyCache } from './nodeAuth.js';
import { nodeRoutes } from './nodeRoutes.js';
import { privacyRoutes } from './privacyRoutes.js';
import { webAuth } from '../../web/plugin.js';
import { scoreRoutes } from '../../web/scoreRoutes.js';
import { dashboardStatic } from '../../web/static.js';
import type { WebAuthOptions } from '../../web/plugin.js';

export interface CoordinatorAppOptions {
  readonly store: Store;
  readonly adminToken: string;
  readonly logger: Logger;
  readonly https?: { key: string | Buffer; cert: string | Buffer };
  /** A node is online this long after its last poll (default 30 s). */
  readonly onlineWindowMs?: number;
  readonly maxPollMs?: number;
  readonly maxReplyBytes?: number;
  readonly startTimeoutMs?: number;
  /**
   * The dashboard's accounts, sessions and roles (src/web). Without it only the admin bearer
   * token is accepted. `secureCookies` defaults to whether `https` is set.
   */
  readonly web?: Omit<WebAuthOptions, 'store' | 'adminToken' | 'logger' | 'runner' | 'secureCookies'> & { readonly secureCookies?: boolean };
}

export interface CoordinatorApp {
  readonly app: FastifyInstance;
  readonly hub: NodeHub;
  readonly runner: JobRunner;
  readonly metrics: CoordinatorMetrics;
}

/** Build (but do not start listening) the coordinator service. */
export async function buildCoordinatorApp(options: CoordinatorAppOptions): Promise<CoordinatorApp> {
  const { store, logger } = options;
  const metrics = createCoordinatorMetrics();
  const keys = new NodeKeyCache(store);
  await keys.load();
  const hub = new NodeHub({
    onlineWindowMs: options.onlineWindowMs ?? 30_000,
    isAllowed: (id) => keys.isAllowed(id),
    onDiscard: (nodeId, reply, reason) => logger.info({ nodeId, jobId: reply.jobId.slice(0, 100), round: reply.round, reason }, 'late or unexpected reply discarded'),
  });
  const runner = new JobRunner({ store, transport: hub, logger: logger.child({ component: 'jobs' }), startTimeoutMs: options.startTimeoutMs });
  runner.on('round', ({ jobId, report }) => {
    metrics.roundsCommitted.inc({ job: jobId });
    metrics.roundDuration.observe(report.durationMs / 1000);
  });

  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: 1_048_576,
    ...(options.https ? { https: options.https } : {}),
  } as Parameters<typeof Fastify>[0]) as unknown as FastifyInstance;
  installErrorHandlers(app);
  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer', bodyLimit: options.maxReplyBytes ?? 64 * 2 ** 20 }, (_req, body, done) => done(null, body));

  await app.register(swagger, {
    openapi: {
      info: { title: 'FedCredit coordinator', version: '0.1.0', description: 'Federated credit-risk modelling: node-facing (signed, pull-based) and management APIs.' },
      tags: [{ name: 'nodes' }, { name: 'jobs' }, { name: 'models' }, { name: 'audit' }, { name: 'operations' }],
      components: { securitySchemes: { admin: { type: 'http', scheme: 'bearer' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(websocket, { options: { maxPayload: (options.maxReplyBytes ?? 64 * 2 ** 20) + 1024 } });

  app.get('/healthz', { logLevel: 'warn', schema: { tags: ['operations'], summary: 'Liveness and store reachability' } }, async (_req, reply) => {
    try {
      await store.getAuditHead();
      return { status: 'ok', nodesOnline: (await hub.nodeIds()).length };
    } catch {
      return reply.code(503).send({ status: 'unavailable', message: 'the store does not answer' });
    }
  });
  app.get('/metrics', { logLevel: 'warn', schema: { tags: ['operations'], summary: 'Prometheus metrics' } }, async (_req, reply) => {
    metrics.nodesOnline.set((await hub.nodeIds()).length);
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  const web = options.web === undefined ? undefined : await webAuth(app, {
    ...options.web, store, adminToken: options.adminToken, logger, runner, secureCookies: options.web.secureCookies ?? options.https !== undefined,
  });
  await app.register(async (scope) => nodeRoutes(scope, {
    store, hub, keys, metrics, nonces: new NonceCache({ ttlMs: 120_000, maxEntries: 200_000 }),
    maxPollMs: options.maxPollMs ?? 30_000, maxReplyBytes: options.maxReplyBytes ?? 64 * 2 ** 20,
  }));
  await app.register(async (scope) => adminRoutes(scope, { store, hub, keys, runner, adminToken: options.adminToken, web }));
  await app.register(async (scope) => privacyRoutes(scope, { store, ...(web ? { authorize: web.authorize } : { adminToken: options.adminToken }) }));
  await app.register(async (scope) => scoreRoutes(scope, { store, ...(web ? { authorize: web.authorize } : { adminToken: options.adminToken }) }));
  // The dashboard's pages last: its catch-all route must not shadow any API route.
  if (web !== undefined) await app.register(async (scope) => dashboardStatic(scope));
  app.addHook('onClose', async () => {
    await runner.stop();
    await hub.close();
  });
  return { app, hub, runner, metrics };
}
