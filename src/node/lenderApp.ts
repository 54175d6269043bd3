/**
 * A lender node's message handling: the credit, boosting and analytics handlers behind the
 * owner's mods (message log, policy and approvals, privacy budget, secure aggregation), with
 * officers' labelled feedback joining local training. One definition for the node runtime and
 * for anything that runs lender nodes in process the same way (benchmarks).
 */
import type { Logger } from 'pino';
import type { PrivacyLedger } from '../privacy/ledger.js';
import { admitAnalyticsAsDescribe, createAnalyticsHandler } from './analytics.js';
import { NodeApp } from './app.js';
import type { JobApprovals } from './approvals.js';
import type { NodeConfig } from './config.js';
import { createCreditHandlers } from './creditHandlers.js';
import { createGbdtHandlers } from './gbdtHandlers.js';
import type { NodeDataset } from './jobContext.js';
import { datasetRowsOf, policyMod } from './policy.js';
import { privacyMod } from './privacyMod.js';
import { secAggMod } from './secaggMod.js';
import type { ApplicationStore } from './workspace/applicationStore.js';
import { feedbackRowsFor } from './workspace/trainingRows.js';

export interface LenderAppOptions {
  readonly nodeId: string;
  readonly config: NodeConfig;
  readonly datasets: ReadonlyMap<string, NodeDataset>;
  readonly logger: Logger;
  readonly approvals: JobApprovals;
  readonly ledger: PrivacyLedger;
  /** The workspace's scored applications, whose labelled feedback joins local training. */
  readonly applications: ApplicationStore;
}

/** The NodeApp a lender node answers the coordinator with. */
export function createLenderApp(options: LenderAppOptions): NodeApp {
  const { config, datasets, applications } = options;
  const data = new Map(datasets);
  return new NodeApp({
    nodeId: options.nodeId,
    handlers: { ...createCreditHandlers(data, { trainingFeedback: (dataset) => feedbackRowsFor(applications, dataset) }), ...createGbdtHandlers(data), analytics: createAnalyticsHandler(data) },
    mods: [auditLogMod(options.logger), admitAnalyticsAsDescribe(policyMod(config.policy, options.approvals, { datasetRows: datasetRowsOf(data) })), privacyMod({ ledger: options.ledger }), secAggMod({ keyLifetime: config.secagg.keyLifetime })],
  });
}

/** Message types a job sends every round: answered ones are logged at debug level, not info. */
const ROUTINE_TYPES = new Set(['train', 'evaluate', 'secagg']);

/**
 * Logs every message a node answers (type, job, round, outcome), never payload values. Refusals
 * and failures, and the once-per-job messages (describe, stats, setup, …), are logged at info;
 * the per-round train/evaluate answers at debug (`FEDCREDIT_LOG_LEVEL=debug`), since a line per
 * message per round costs a synchronous write on the round's critical path and says little.
 */
export function auditLogMod(log: Logger) {
  return async (message: Parameters<NodeApp['handle']>[0], next: (m: Parameters<NodeApp['handle']>[0]) => ReturnType<NodeApp['handle']>) => {
    const reply = await next(message);
    const fields = { type: message.type, jobId: message.jobId, round: message.round, error: reply.error?.code };
    if (reply.error) log.info(fields, 'message refused or failed');
    else if (ROUTINE_TYPES.has(message.type)) log.debug(fields, 'message answered');
    else log.info(fields, 'message answered');
    return reply;
  };
}
