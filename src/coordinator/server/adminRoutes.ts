/**
 * The management API: institutions and invitations, nodes, jobs, model versions, audit log.
 * Every route is authorized by src/web/authorize.ts against the permissions table: the admin
 * bearer token of the CLI acts as 'admin'; with the dashboard enabled, browser sessions act
 * with their user's role. Audit entries name the acting user (or 'admin' for the token).
 */
import type { FastifyInstance } from 'fastify';
import type { Store } from '../../store/index.js';
import type { NodeHub } from '../../transport/network/hub.js';
import { parseJobSubmission } from '../jobSpec.js';
import { federatedQuery } from '../analytics.js';
import { renderModelReport } from '../../report/modelReport.js';
import type { AnalyticsQuery } from '../../node/analytics.js';
import type { JobRunner } from '../jobRunner.js';
import { actorOf, createAuthorizer } from '../../web/authorize.js';
import type { WebAuthHandle } from '../../web/plugin.js';
import type { NodeKeyCache } from './nodeAuth.js';

export interface AdminRouteDeps {
  readonly store: Store;
  readonly hub: NodeHub;
  readonly keys: NodeKeyCache;
  readonly runner: JobRunner;
  readonly adminToken: string;
  /** The dashboard layer, when enabled: sessions with roles besides the bearer token. */
  readonly web?: WebAuthHandle;
}

const idParam = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 100 } } } as const;

/** Register the management routes. */
export async function adminRoutes(app: FastifyInstance, deps: AdminRouteDeps): Promise<void> {
  const { store, hub } = deps;
  app.addHook('onRequest', deps.web?.authorize ?? createAuthorizer({ adminToken: deps.adminToken }));

  app.post('/api/v1/invitations', {
    schema: {
      tags: ['nodes'], summary: 'Invite an institution: a one-time enrollment token for its node',
      body: { type: 'object', required: ['institution'], additionalProperties: false, properties: { institution: { type: 'string', minLength: 1, maxLength: 200 }, ttlHours: { type: 'number', minimum: 0.01, maximum: 720 } } },
    },
  }, async (request) => {
    const actor = actorOf(request);
    const { institution, ttlHours } = request.body as { institution: string; ttlHours?: number };
    const existing = (await store.listInstitutions()).find((i) => i.name === institution);
    const inst = existing ?? (await store.createInstitution({ name: institution }));
    const issued = await store.createEnrollmentToken({ institutionId: inst.id, ttlMs: (ttlHours ?? 24) * 3_600_000 });
    await store.appendAudit({ actor, action: 'institution.invited', subject: inst.id, details: { name: inst.name, expiresAt: issued.expiresAt } });
    return { institutionId: inst.id, institution: inst.name, token: issued.token, expiresAt: issued.expiresAt };
  });

  app.get('/api/v1/nodes', { schema: { tags: ['nodes'], summary: 'Enrolled nodes and whether they are online' } }, async () => {
    const online = new Set(await hub.nodeIds());
    const institutions = new Map((await store.listInstitutions({ includeRevoked: true })).map((i) => [i.id, i.name]));
    return (await store.listNodes({ includeRevoked: true })).map((n) => ({ ...n, institution: institutions.get(n.institutionId), online: online.has(n.id) }));
  });

  app.post('/api/v1/nodes/:id/revoke', { schema: { tags: ['nodes'], summary: 'Revoke a node: its requests are refused from now on', params: idParam } }, async (request) => {
    const { id } = request.params as { id: string };
    const actor = actorOf(request);
    const node = await store.revokeNode(id);
    deps.keys.set(node);
    hub.disconnect(id);
    await store.appendAudit({ actor, action: 'node.revoked', subject: id });
    return node;
  });

  app.post('/api/v1/jobs', { schema: { tags: ['jobs'], summary: 'Submit a training job', body: { type: 'object' } } }, async (request, reply) => {
    const parsed = parseJobSubmission(request.body);
    if (!parsed.ok) return reply.code(400).send({ error: 'invalid_job', message: `${parsed.issues.length} problem(s) in the job`, issues: parsed.issues });
    const actor = actorOf(request);
    const job = await store.createJob({ spec: parsed.spec, createdBy: actor });
    await store.appendAudit({ actor, action: 'job.submitted', subject: job.id, details: { datasetKey: parsed.spec.datasetKey, model: parsed.spec.model, strategy: parsed.spec.strategy, rounds: parsed.spec.rounds } });
    deps.runner.poke();
    return reply.code(201).send(job);
  });

  app.post('/api/v1/analytics', {
    schema: {
      tags: ['jobs'], summary: 'DP federated analytics: a noisy count, mean or histogram over a dataset key, charged to each node’s privacy budget',
      body: { type: 'object', required: ['datasetKey', 'query'], additionalProperties: false, properties: { datasetKey: { type: 'string', minLength: 1, maxLength: 200 }, query: { type: 'object' }, queryId: { type: 'string', minLength: 1, maxLength: 100 }, minNodes: { type: 'integer', minimum: 1, maximum: 10_000 } } },
    },
  }, async (request, reply) => {
    const body = request.body as { datasetKey: string; query: Record<string, unknown>; queryId?: string; minNodes?: number };
    const online = await hub.nodeIds();
    if (online.length === 0) return reply.code(409).send({ error: 'no_nodes', message: 'no node is online' });
    const queryId = body.queryId ?? `q-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    const answer = await federatedQuery(hub, online, body.query as unknown as AnalyticsQuery, { jobId: queryId, datasetKey: body.datasetKey, minReplies: body.minNodes ?? 1 });
    await store.appendAudit({ actor: actorOf(request), action: 'analytics.query', subject: queryId, details: { datasetKey: body.datasetKey, kind: String(body.query.kind ?? ''), epsilon: typeof body.query.epsilon === 'number' ? body.query.epsilon : null, nodes: answer.nodes } });
    return { queryId, ...answer };
  });

  app.get('/api/v1/jobs', { schema: { tags: ['jobs'], summary: 'All jobs' } }, async () => (await store.listJobs()).sort((a, b) => b.createdAt - a.createdAt));

  app.get('/api/v1/jobs/:id', { schema: { tags: ['jobs'], summary: 'A job with its rounds and metrics', params: idParam } }, async (request) => {
    const { id } = request.params as { id: string };
    const job = await store.getJob(id);
    const rounds = (await store.listRounds(id)).map(({ parameters: _p, strategyState: _s, metrics, ...r }) => {
      const { encoder: _e, ...rest } = metrics as Record<string, unknown>;
      return { ...r, metrics: rest };
    });
    const models = (await store.listModelVersions({ jobId: id })).map(({ parameters: _p, ...m }) => m);
    return { ...job, rounds, models };
  });

  app.post('/api/v1/jobs/:id/cancel', { schema: { tags: ['jobs'], summary: 'Cancel a pending or running job', params: idParam } }, async (request) => {
    const { id } = request.params as { id: string };
    const job = await store.updateJobStatus(id, 'cancelled');
    await store.appendAudit({ actor: actorOf(request), action: 'job.cancelled', subject: id });
    return job;
  });

  app.get('/api/v1/models', { schema: { tags: ['models'], summary: 'Model versions' } }, async () => (await store.listModelVersions()).map(({ parameters: _p, ...m }) => m));

  app.get('/api/v1/models/:id', { schema: { tags: ['models'], summary: 'A model version with its parameters (base64 of little-endian float64)', params: idParam } }, async (request) => {
    const { id } = request.params as { id: string };
    const model = await store.getModelVersion(id);
    return { ...model, parameters: Buffer.from(model.parameters).toString('base64') };
  });

  app.get('/api/v1/models/:id/report', { schema: { tags: ['models'], summary: 'The model report as a self-contained HTML page (federated ROC/KS/calibration, scorecard, fairness, rounds, privacy spent, lineage)', params: idParam } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const model = await store.getModelVersion(id);
    const html = renderModelReport({ model, job: await store.getJob(model.jobId), rounds: await store.listRounds(model.jobId) });
    return reply.type('text/html; charset=utf-8').send(html);
  });

  app.post('/api/v1/models/:id/approve', { schema: { tags: ['models'], summary: 'Approve a model version for scoring', params: idParam } }, async (request) => {
    const { id } = request.params as { id: string };
    const model = await store.approveModel(id);
    await store.appendAudit({ actor: actorOf(request), action: 'model.approved', subject: id });
    const { parameters: _p, ...rest } = model;
    return rest;
  });

  app.get('/api/v1/audit', { schema: { tags: ['audit'], summary: 'Audit log entries', querystring: { type: 'object', properties: { actor: { type: 'string' }, action: { type: 'string' }, limit: { type: 'integer', minimum: 1, maximum: 10_000 } } } } }, async (request) => {
    const q = request.query as { actor?: string; action?: string; limit?: number };
    const entries = await store.listAudit({ ...(q.actor ? { actor: q.actor } : {}), ...(q.action ? { action: q.action } : {}) });
    return entries.slice(-(q.limit ?? 1000));
  });

  app.get('/api/v1/audit/verify', { schema: { tags: ['audit'], summary: 'Verify the audit hash chain' } }, async () => store.verifyAudit());
}
