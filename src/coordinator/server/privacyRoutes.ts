/**
 * `GET /api/v1/privacy/spent`: the privacy budget spent per dataset key and lender across
 * every differentially private job the coordinator ran, composed as the nodes' ledgers compose
 * it (../privacyTotals.ts), with each lender's institution and the per-job breakdown. The
 * budgets are set by each owner in the node's config; a node reports its budget and what is
 * left at every job's describe (audit action `privacy.budget.reported`), and each lender's
 * newest report is shown next to what it spent (null: no report yet).
 * Who may read it: src/web/permissions.ts (admin, ML engineer, auditor).
 */
import type { FastifyInstance } from 'fastify';
import type { Store } from '../../store/index.js';
import { createAuthorizer } from '../../web/authorize.js';
import type { AuthHook } from '../../web/authorize.js';
import { composeJobSpends, isPrivateJob, jobSpends, type DatasetTotal, type JobSpends, type LenderTotal, type PrivacyTotals } from '../privacyTotals.js';

export interface PrivacyRoutesOptions {
  readonly store: Store;
  /** The dashboard's authorizer; without it, only the admin bearer token. */
  readonly authorize?: AuthHook;
  /** Needed when `authorize` is absent. */
  readonly adminToken?: string;
}

/** Where the budgets come from. */
export const BUDGET_SOURCE = {
  reportedByNodes: true,
  note: 'Each data owner sets the budget (ε, δ) per dataset in the node’s configuration (datasets[].privacy.budget); a node reports it, with what is left, whenever a job describes the dataset (kept in the audit log as privacy.budget.reported). The node’s ledger is the authority on budget, spent and remaining.',
  command: 'fedcredit privacy ledger',
} as const;

/** A node's newest budget report for a dataset. */
export interface ReportedBudget {
  readonly epsilon: number;
  readonly delta: number;
  readonly remainingEpsilon: number;
  /** When the node reported it (epoch ms). */
  readonly reportedAt: number;
}

/** The answer of GET /api/v1/privacy/spent. */
export interface PrivacySpentAnswer {
  readonly generatedAt: number;
  readonly budget: typeof BUDGET_SOURCE;
  readonly datasets: readonly (Omit<DatasetTotal, 'lenders'> & { readonly lenders: readonly (LenderTotal & { readonly institution: string | null; readonly budget: ReportedBudget | null })[] })[];
  readonly unreadable: PrivacyTotals['unreadable'];
}

/** Register the route. */
export async function privacyRoutes(app: FastifyInstance, options: PrivacyRoutesOptions): Promise<void> {
  const { store } = options;
  if (options.authorize === undefined && (typeof options.adminToken !== 'string' || options.adminToken === '')) throw new TypeError('options.adminToken: required without options.authorize');
  app.addHook('onRequest', options.authorize ?? createAuthorizer({ adminToken: options.adminToken! }));

  // Each job's spends, kept until the job changes (status, committed rounds): a finished job's
  // rounds are not read again, nor its σ calibrated again (resolvePrivacy's memo holds 200).
  const cache = new Map<string, { stamp: string; spends: JobSpends | undefined }>();

  app.get('/api/v1/privacy/spent', {
    schema: { tags: ['jobs'], summary: 'Privacy spent per dataset key and lender across every DP job (RDP composed; per-job breakdown); budgets are set and kept at the nodes' },
  }, async (request, reply): Promise<PrivacySpentAnswer | undefined> => {
    const unknown = Object.keys((request.query ?? {}) as Record<string, unknown>);
    if (unknown.length > 0) {
      const issues = unknown.slice(0, 20).map((field) => ({ field: field.slice(0, 100), code: 'unknown_field', expected: 'no query parameters', got: JSON.stringify((request.query as Record<string, unknown>)[field]).slice(0, 100) }));
      return reply.code(400).send({ error: 'invalid_request', message: `${unknown.length} problem(s) in the query`, issues });
    }
    const spends: JobSpends[] = [];
    for (const job of await store.listJobs()) {
      if (!isPrivateJob(job)) continue;
      const stamp = `${job.status}|${job.currentRound}|${job.updatedAt}`;
      let known = cache.get(job.id);
      if (known?.stamp !== stamp) {
        // jobs that committed no round spent nothing; skip reading their (empty) rounds
        known = { stamp, spends: jobSpends(job, job.currentRound > 0 ? await store.listRounds(job.id) : []) };
        cache.set(job.id, known);
      }
      if (known.spends) spends.push(known.spends);
    }
    const totals = composeJobSpends(spends);
    const institutions = new Map((await store.listInstitutions({ includeRevoked: true })).map((i) => [i.id, i.name]));
    const nodeInstitution = new Map((await store.listNodes({ includeRevoked: true })).map((n) => [n.id, institutions.get(n.institutionId) ?? null]));
    // the newest report per (node, dataset key); entries come oldest first
    const budgets = new Map<string, ReportedBudget>();
    for (const e of await store.listAudit({ action: 'privacy.budget.reported' })) {
      const d = e.details as { datasetKey?: unknown; epsilon?: unknown; delta?: unknown; remainingEpsilon?: unknown };
      if (typeof d.datasetKey !== 'string' || typeof d.epsilon !== 'number' || typeof d.delta !== 'number' || typeof d.remainingEpsilon !== 'number') continue;
      budgets.set(`${e.subject}\n${d.datasetKey}`, { epsilon: d.epsilon, delta: d.delta, remainingEpsilon: d.remainingEpsilon, reportedAt: e.at });
    }
    return {
      generatedAt: Date.now(),
      budget: BUDGET_SOURCE,
      datasets: totals.datasets.map((d) => ({
        ...d,
        lenders: d.lenders.map((l) => ({ ...l, institution: nodeInstitution.get(l.nodeId) ?? null, budget: budgets.get(`${l.nodeId}\n${d.datasetKey}`) ?? null })),
      })),
      unreadable: totals.unreadable,
    };
  });
}
