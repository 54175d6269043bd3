/**
 * A lender node as a long-running process: loads its configuration and datasets, enrolls
 * once, then long-polls the coordinator for messages, answers them through the credit handlers
 * wrapped by the owner's policy, serves scoring on its own port, and keeps the newest approved
 * model. It only ever opens outbound connections to the coordinator; it survives coordinator
 * restarts by retrying with back-off.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { parseSchemaJson } from '../data/schemaJson.js';
import { parseEncoderSpec } from '../preprocess/encoder.js';
import { Scorer } from '../scoring/scorer.js';
import { TreeAttributor } from '../scoring/treeAttributor.js';
import { TreeEnsemble } from '../model/gbdt/ensemble.js';
import { loadOrCreateAdminToken } from '../coordinator/server/adminAuth.js';
import { createModelFromParameters } from '../simulation/modelUtil.js';
import type { NodeApp } from './app.js';
import { createLenderApp } from './lenderApp.js';
import { createApprovals } from './approvals.js';
import { loadNodeDatasets, privacyBudgetsOf, privacyLedgerFile, type NodeConfig } from './config.js';
import { CoordinatorClient, type ServedModel } from './coordinatorClient.js';
import { ensureIdentity, type NodeIdentity } from './identity.js';
import type { ModelSpec } from './jobContext.js';
import { PrivacyLedger } from '../privacy/ledger.js';
import { openWsChannel } from './wsChannel.js';
import { buildNodeServer } from './server.js';
import { ApplicationFiler, inputRangesOf, openWorkspaceStores, type WorkspaceStores } from './workspace/index.js';

export interface NodeRuntimeOptions {
  readonly config: NodeConfig;
  readonly coordinator: string;
  readonly logger: Logger;
  readonly token?: string;
  /** Seed of the node's train/test holdout split (default 'holdout'). */
  readonly seed?: number | string;
  readonly pollWaitMs?: number;
  readonly modelRefreshMs?: number;
  /** Override the API port (0 = any free port). */
  readonly apiPort?: number;
  /** Task channel: a WebSocket pushed by the coordinator (default), or long-polling. */
  readonly transport?: 'websocket' | 'long-poll';
}

export class NodeRuntime {
  private readonly options: NodeRuntimeOptions;
  private readonly log: Logger;
  private client: CoordinatorClient | undefined;
  private server: FastifyInstance | undefined;
  private running = false;
  private abort = new AbortController();
  private loops: Promise<void>[] = [];
  private scorer: Scorer | undefined;
  private servedModel: { id: string; version: number; jobId: string } | undefined;
  private workspace: WorkspaceStores | undefined;
  private filer: ApplicationFiler | undefined;
  identity: NodeIdentity | undefined;
  /** A one-time token to create the workspace's first admin (first start only). */
  setupToken: string | undefined;
  /** The port the node API listens on, once started. */
  apiPort = 0;
  messagesHandled = 0;

  constructor(options: NodeRuntimeOptions) {
    this.options = options;
    this.log = options.logger;
  }

  /** Load data, enroll if needed, start the API, the poll loop and model refresh. */
  async start(): Promise<void> {
    const { config } = this.options;
    const datasets = loadNodeDatasets(config, this.options.seed ?? 'holdout');
    for (const [key, d] of datasets) this.log.info({ dataset: key, train: d.train.numRows, test: d.test.numRows }, 'dataset registered');
    const tls = config.tls?.ca ? { ca: readFileSync(config.tls.ca) } : {};
    const { identity, enrolled } = await ensureIdentity({ dataDir: config.dataDir, coordinator: this.options.coordinator, token: this.options.token ?? config.enrollmentToken ?? process.env.FEDCREDIT_ENROLLMENT_TOKEN, name: `${config.institution} / ${config.nodeName}`, http: tls });
    this.identity = identity;
    this.log.info({ nodeId: identity.nodeId, institutionId: identity.institutionId, enrolled }, enrolled ? 'enrolled with the coordinator' : 'identity loaded');
    this.client = new CoordinatorClient(this.options.coordinator, identity, tls);

    const approvals = createApprovals({ mode: config.policy.approval, file: join(config.dataDir, 'approvals.json') });
    // A restart releases every reservation: a job still running is set up again and reserves what is left.
    const ledger = PrivacyLedger.open({ file: privacyLedgerFile(config.dataDir), budgets: privacyBudgetsOf(config), releaseReservations: true });
    const workspace = await openWorkspaceStores(config.dataDir);
    this.workspace = workspace;
    this.setupToken = workspace.setupToken;
    const app = createLenderApp({ nodeId: identity.nodeId, config, datasets, logger: this.log, approvals, ledger, applications: workspace.applications });
    const ownerToken = loadOrCreateAdminToken(config.dataDir).token;
    const scoringDataset = config.scoring.dataset ?? [...datasets.keys()][0];
    const trainTable = scoringDataset === undefined ? undefined : datasets.get(scoringDataset)?.train;
    const filed = {
      store: workspace.store, applications: workspace.applications, datasetKey: scoringDataset ?? 'german',
      ranges: trainTable ? inputRangesOf(trainTable) : undefined, modelId: () => this.servedModel?.id,
    };
    // audits, at start, what a killed predecessor filed but had not audited yet
    this.filer = config.scoring.keepScored !== 'none' ? await ApplicationFiler.start({ ...filed, logger: this.log.child({ component: 'workspace' }) }) : undefined;
    const filer = this.filer;
    const keepScored = filer === undefined ? undefined
      : config.scoring.keepScored === 'all' ? filer.keep
        : (batch: Parameters<ApplicationFiler['keep']>[0]) => (batch.route === '/predictCreditRisk' ? Promise.resolve() : filer.keep(batch));
    this.server = await buildNodeServer({
      logger: this.log.child({ component: 'api' }),
      getScorer: (dataset) => (dataset === undefined || dataset === scoringDataset || dataset === 'german' ? this.scorer : undefined),
      hasDataset: (dataset) => datasets.has(dataset) || dataset === 'german',
      approvals, ownerToken,
      status: () => ({ nodeId: identity.nodeId, model: this.servedModel ?? null, messagesHandled: this.messagesHandled }),
      ...(keepScored ? { keepScored } : {}),
      workspace: {
        ...filed, dataDir: config.dataDir, ownerToken, logger: this.log.child({ component: 'workspace' }), secureCookies: false,
        getScorer: () => this.scorer, schema: trainTable?.schema,
        node: () => ({ nodeId: identity.nodeId, institution: config.institution, nodeName: config.nodeName }),
      },
    });
    await this.server.listen({ host: config.api.host, port: this.options.apiPort ?? config.api.port });
    const address = this.server.server.address();
    this.apiPort = typeof address === 'object' && address ? address.port : 0;
    this.running = true;
    this.loops.push(this.channelLoop(app));
    if (scoringDataset) this.loops.push(this.modelLoop(scoringDataset));
  }

  /** Stop polling and serving. */
  async stop(): Promise<void> {
    this.running = false;
    this.abort.abort();
    await Promise.allSettled(this.loops);
    await this.server?.close();
    await this.filer?.close();
    await this.workspace?.close();
    this.client?.close();
  }

  /** Keep a task channel open: WebSocket first, long-polling if the coordinator or a proxy refuses it. */
  private async channelLoop(app: NodeApp): Promise<void> {
    if ((this.options.transport ?? 'websocket') === 'long-poll') return this.pollLoop(app);
    let backoffMs = 250;
    while (this.running) {
      try {
        const channel = await openWsChannel({
          baseUrl: this.options.coordinator, nodeId: this.identity!.nodeId, privateKeyPem: this.identity!.privateKeyPem, caFile: this.options.config.tls?.ca,
          onMessage: async (message) => {
            const reply = await app.handle(message);
            this.messagesHandled++;
            return reply;
          },
        });
        backoffMs = 250;
        this.log.info('task channel open (WebSocket)');
        const onAbort = () => channel.close();
        this.abort.signal.addEventListener('abort', onAbort, { once: true });
        const code = await channel.closed;
        this.abort.signal.removeEventListener('abort', onAbort);
        if (this.running) this.log.warn({ code }, 'task channel closed; reconnecting');
      } catch (err) {
        if (!this.running) return;
        const status = (err as { status?: number }).status;
        if (status === 404 || status === 400) {
          this.log.warn({ status }, 'the coordinator offers no WebSocket task channel; falling back to long-polling');
          return this.pollLoop(app);
        }
        this.log.warn({ status }, `cannot open the task channel: ${(err as Error).message}; retrying in ${backoffMs} ms`);
        await sleep(backoffMs, this.abort.signal);
        backoffMs = Math.min(backoffMs * 2, 10_000);
      }
    }
  }

  private async pollLoop(app: NodeApp): Promise<void> {
    let backoffMs = 250;
    // A poll is kept open while the node works on the previous batch, so the coordinator's next
    // message (e.g. evaluate right after train) is delivered without waiting for a new request.
    const poll = () => this.client!.pollTasks(this.options.pollWaitMs ?? 25_000, this.abort.signal).then(
      (messages) => ({ messages }),
      (error: unknown) => ({ error }),
    );
    let next = poll();
    while (this.running) {
      const result = await next;
      if ('error' in result) {
        if (!this.running) return;
        const err = result.error as { status?: number; code?: string; message?: string };
        this.log.warn({ code: err.code, status: err.status }, `cannot reach the coordinator: ${err.message}; retrying in ${backoffMs} ms`);
        await sleep(backoffMs, this.abort.signal);
        backoffMs = Math.min(backoffMs * 2, 10_000);
        next = poll();
        continue;
      }
      backoffMs = 250;
      next = poll();
      for (const message of result.messages) {
        const reply = await app.handle(message);
        this.messagesHandled++;
        try {
          const posted = await this.client!.postReply(reply);
          if (!posted.accepted) this.log.info({ jobId: message.jobId, round: message.round, type: message.type, reason: posted.reason }, 'coordinator no longer wanted this reply');
        } catch (err) {
          if (!this.running) return;
          this.log.warn({ jobId: message.jobId, round: message.round, type: message.type }, `cannot deliver a reply: ${(err as Error).message}`);
        }
      }
    }
  }

  private async modelLoop(datasetKey: string): Promise<void> {
    while (this.running) {
      try {
        const model = await this.client!.fetchModel(datasetKey);
        if (model && model.id !== this.servedModel?.id) {
          this.scorer = scorerFor(model, this.options.config.scoring.thresholds);
          this.servedModel = { id: model.id, version: model.version, jobId: model.jobId };
          this.log.info({ modelId: model.id, jobId: model.jobId, version: model.version }, 'serving a new approved model');
        }
      } catch (err) {
        if (!this.running) return;
        this.log.warn(`cannot fetch the approved model: ${(err as Error).message}`);
      }
      await sleep(this.options.modelRefreshMs ?? 5_000, this.abort.signal);
    }
  }
}

/** Build a scorer from a model version served by the coordinator (its meta is checked). */
export function scorerFor(model: ServedModel, thresholds: { review: number; decline: number }): Scorer {
  const meta = model.meta;
  if (meta.kind === 'gbdt') {
    // boosted trees: scored on raw columns, reasons from exact TreeSHAP
    const attributor = new TreeAttributor(TreeEnsemble.fromJSON(meta.ensemble));
    return new Scorer({ schema: parseSchemaJson(meta.schema), encoder: attributor.encoder, attributor, modelVersion: `${model.jobId}/v${model.version}`, thresholds });
  }
  const encoder = parseEncoderSpec(meta.encoder);
  const schema = parseSchemaJson(meta.schema);
  const spec: ModelSpec = { kind: meta.kind === 'mlp' ? 'mlp' : 'logreg', config: (meta.config ?? {}) as ModelSpec['config'] };
  const m = createModelFromParameters(spec, encoder.features.length, model.parameters);
  const baseline = Array.isArray(meta.baseline) && meta.baseline.length === encoder.features.length ? Float64Array.from(meta.baseline as number[]) : undefined;
  return new Scorer({ schema, encoder, model: m, modelVersion: `${model.jobId}/v${model.version}`, thresholds, baseline });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const onAbort = () => { clearTimeout(t); resolve(); };
    const t = setTimeout(() => { signal.removeEventListener('abort', onAbort); resolve(); }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
