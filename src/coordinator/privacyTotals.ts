/**
 * The privacy the federation has spent, per dataset key and lender, across every differentially
 * private job the coordinator ran (completed, failed, cancelled or still running: a committed
 * round was charged at the node whatever became of the job). Each job's spend per lender comes
 * from ../report/privacySpent.ts (the nodes' own accounting, see ../node/privacyMod.ts); the
 * jobs of one lender on one dataset are composed the way the node's ledger composes them
 * (../privacy/cost.ts, composeEpsilon): the Rényi DP curves of all jobs are summed order by
 * order and converted to (ε, δ) once — never a sum of the jobs' ε.
 *
 * δ: the RDP curves do not depend on δ; the sum is converted at the largest δ among the
 * lender's jobs. The node converts at its budget's δ, and it refuses any job asking for a larger
 * δ than its budget's, so the budget's δ is at least that largest δ and the node's ε is at most
 * the figure here (ε only falls as δ rises). When the jobs used different δ, `mixedDelta` says
 * so and the breakdown keeps each job's own (ε, δ).
 *
 * What this cannot see (so the node's ledger, `fedcredit privacy ledger`, stays the authority):
 * rounds a node trained in but answered too late, DP analytics queries, and the budget itself,
 * which each owner sets per dataset in the node's config and the nodes do not report.
 */
import { composeEpsilon, type PrivacySpend } from '../privacy/cost.js';
import { parsePrivacySettings, resolvePrivacy } from '../privacy/plan.js';
import { privacySpent } from '../report/privacySpent.js';
import type { JobRecord, JobStatus, RoundRecord } from '../store/index.js';

/** One job's spend at one lender. */
export interface JobSpendLine {
  readonly jobId: string;
  readonly status: JobStatus;
  readonly createdAt: number;
  readonly mechanism: 'dpsgd' | 'dp-fedavg';
  /** Committed rounds with this lender's update. */
  readonly rounds: number;
  /** Accountant steps charged. */
  readonly steps: number;
  /** ε of this job alone at its own δ. */
  readonly epsilon: number;
  readonly delta: number;
}

/** What one lender has spent on one dataset key, all jobs composed. */
export interface LenderTotal {
  readonly nodeId: string;
  /** ε of every job composed, at `delta`. */
  readonly epsilon: number;
  /** The largest δ among the jobs: the δ of the composed guarantee. */
  readonly delta: number;
  /** Whether the jobs used different δ (see the module doc). */
  readonly mixedDelta: boolean;
  /** DP jobs that charged this lender. */
  readonly jobs: number;
  readonly rounds: number;
  /** The jobs, oldest first. */
  readonly breakdown: readonly JobSpendLine[];
}

/** One dataset key's lenders. */
export interface DatasetTotal {
  readonly datasetKey: string;
  /** DP jobs run on the key that charged at least one lender. */
  readonly jobs: number;
  readonly lenders: readonly LenderTotal[];
}

/** The totals, and the jobs whose stored privacy settings could not be read. */
export interface PrivacyTotals {
  readonly datasets: readonly DatasetTotal[];
  readonly unreadable: readonly { readonly jobId: string; readonly reason: string }[];
}

/** A job with its rounds (only the committed ones count). */
export interface JobWithRounds {
  readonly job: JobRecord;
  readonly rounds: readonly RoundRecord[];
}

/** Whether a job declared differential privacy (a `privacy` section in its options). */
export function isPrivateJob(job: JobRecord): boolean {
  return (job.spec.options as { privacy?: unknown } | undefined)?.privacy !== undefined;
}

/** One private job's spend at each lender it charged, or why its settings cannot be read. */
export type JobSpends =
  | { readonly jobId: string; readonly createdAt: number; readonly datasetKey: string; readonly lenders: readonly { readonly nodeId: string; readonly line: JobSpendLine; readonly spend: PrivacySpend }[] }
  | { readonly jobId: string; readonly createdAt: number; readonly unreadable: string };

/**
 * What one job spent at each lender (undefined for a job without privacy). Depends only on the
 * job's settings, status and committed rounds, so a finished job's answer can be kept.
 */
export function jobSpends(job: JobRecord, rounds: readonly RoundRecord[]): JobSpends | undefined {
  if (!isPrivateJob(job)) return undefined;
  const base = { jobId: job.id, createdAt: job.createdAt };
  const parsed = parsePrivacySettings((job.spec.options as { privacy: unknown }).privacy);
  if (!parsed.ok) return { ...base, unreadable: `stored privacy settings are invalid: ${parsed.issues.map((i) => `${i.field || 'privacy'} ${i.message}`).join('; ')}` };
  let report: ReturnType<typeof privacySpent>;
  let sampleRate: number;
  try {
    report = privacySpent(job, rounds);
    sampleRate = resolvePrivacy(parsed.settings).stepSampleRate;
  } catch (err) {
    return { ...base, unreadable: (err as Error).message };
  }
  if (report === undefined) return undefined;
  const { mechanism, noiseMultiplier } = report;
  return {
    ...base, datasetKey: job.spec.datasetKey,
    lenders: report.nodes.map((n) => ({
      nodeId: n.nodeId,
      line: { jobId: job.id, status: job.status, createdAt: job.createdAt, mechanism, rounds: n.rounds, steps: n.steps, epsilon: n.epsilon, delta: n.delta },
      spend: { cost: { mechanism: 'sgm', noiseMultiplier, sampleRate, steps: n.steps }, epsilon: n.epsilon, delta: n.delta },
    })),
  };
}

/** Compose the spends of many jobs per dataset key and lender (see the module doc). */
export function composeJobSpends(list: readonly JobSpends[]): PrivacyTotals {
  if (!Array.isArray(list)) throw new TypeError('list: expected an array of job spends');
  const unreadable: { jobId: string; reason: string }[] = [];
  // datasetKey → nodeId → [line, spend], jobs oldest first
  const byKey = new Map<string, Map<string, { line: JobSpendLine; spend: PrivacySpend }[]>>();
  const ordered = [...list].sort((a, b) => a.createdAt - b.createdAt || a.jobId.localeCompare(b.jobId));
  for (const job of ordered) {
    if ('unreadable' in job) {
      unreadable.push({ jobId: job.jobId, reason: job.unreadable });
      continue;
    }
    if (job.lenders.length === 0) continue;
    const lenders = byKey.get(job.datasetKey) ?? new Map<string, { line: JobSpendLine; spend: PrivacySpend }[]>();
    byKey.set(job.datasetKey, lenders);
    for (const { nodeId, line, spend } of job.lenders) lenders.set(nodeId, [...(lenders.get(nodeId) ?? []), { line, spend }]);
  }
  const datasets = [...byKey].sort(([a], [b]) => a.localeCompare(b)).map(([datasetKey, lenders]): DatasetTotal => {
    const jobIds = new Set<string>();
    const items = [...lenders].sort(([a], [b]) => a.localeCompare(b)).map(([nodeId, spends]): LenderTotal => {
      for (const i of spends) jobIds.add(i.line.jobId);
      const deltas = new Set(spends.map((i) => i.line.delta));
      const delta = Math.max(...deltas);
      return {
        nodeId, epsilon: composeEpsilon(spends.map((i) => i.spend), delta), delta, mixedDelta: deltas.size > 1,
        jobs: spends.length, rounds: spends.reduce((s, i) => s + i.line.rounds, 0), breakdown: spends.map((i) => i.line),
      };
    });
    return { datasetKey, jobs: jobIds.size, lenders: items };
  });
  return { datasets, unreadable };
}

/**
 * Compose every private job's spend per dataset key and lender (see the module doc). Jobs
 * without privacy are skipped; a job whose stored settings are invalid is listed in
 * `unreadable` rather than guessed at.
 */
export function privacyTotals(jobs: readonly JobWithRounds[]): PrivacyTotals {
  if (!Array.isArray(jobs)) throw new TypeError('jobs: expected an array of { job, rounds }');
  return composeJobSpends(jobs.flatMap(({ job, rounds }) => {
    const spends = jobSpends(job, rounds);
    return spends === undefined ? [] : [spends];
  }));
}
