/**
 * The privacy a model version spent, for the model report: per lender and dataset, the (ε, δ)
 * its ledger charged for this job, recomputed at the coordinator from the job's privacy
 * settings and the committed rounds with the nodes' own accounting (../node/privacyMod.ts and
 * the RDP accountant of ../privacy/cost.ts):
 *
 * - DP-SGD charges a node stepsPerRound steps each round it trains in;
 * - DP-FedAvg's amplification by node sampling accounts every round up to the last one the node
 *   trained in, sampled or not.
 *
 * Rounds count where the node's update was aggregated; a node that trained but answered too late
 * was charged too, so the node's own ledger (`fedcredit privacy ledger`) is the authority and
 * these figures are a lower bound for such a node. A job without a privacy section spent nothing
 * and carries no guarantee.
 */
import { epsilonOfCost } from '../privacy/cost.js';
import { parsePrivacySettings, resolvePrivacy } from '../privacy/plan.js';
import type { JobRecord, RoundRecord } from '../store/index.js';

/** What one lender spent on the job's dataset. */
export interface NodeSpend {
  readonly nodeId: string;
  readonly datasetKey: string;
  /** Committed rounds with this node's update. */
  readonly rounds: number;
  /** Accountant steps charged. */
  readonly steps: number;
  readonly epsilon: number;
  readonly delta: number;
}

/** The job's privacy plan and what each node spent. */
export interface PrivacySpentReport {
  readonly mechanism: 'dpsgd' | 'dp-fedavg';
  readonly noiseMultiplier: number;
  readonly delta: number;
  /** ε the whole plan (every round) costs a node that takes part in all of them. */
  readonly plannedEpsilon: number;
  readonly plannedRounds: number;
  readonly nodes: readonly NodeSpend[];
}

/**
 * The spend of a job (see the module doc), or undefined for a job without differential privacy.
 * Throws RangeError when the stored settings are not valid privacy settings.
 */
export function privacySpent(job: JobRecord, rounds: readonly RoundRecord[]): PrivacySpentReport | undefined {
  const stored = (job.spec.options as { privacy?: unknown } | undefined)?.privacy;
  if (stored === undefined) return undefined;
  const parsed = parsePrivacySettings(stored);
  if (!parsed.ok) throw new RangeError(`job ${job.id}: stored privacy settings are invalid: ${parsed.issues.map((i) => `${i.field} ${i.message}`).join('; ')}`);
  const privacy = resolvePrivacy(parsed.settings);
  const byNode = new Map<string, number[]>();
  for (const r of rounds) {
    if (r.status !== 'committed') continue;
    for (const nodeId of r.participants) byNode.set(nodeId, [...(byNode.get(nodeId) ?? []), r.round]);
  }
  const nodes = [...byNode].sort(([a], [b]) => a.localeCompare(b)).map(([nodeId, list]): NodeSpend => {
    const steps = privacy.mechanism === 'dpsgd' ? privacy.stepsPerRound * list.length : Math.max(...list);
    const epsilon = epsilonOfCost({ mechanism: 'sgm', noiseMultiplier: privacy.noiseMultiplier, sampleRate: privacy.stepSampleRate, steps }, privacy.delta);
    return { nodeId, datasetKey: job.spec.datasetKey, rounds: list.length, steps, epsilon, delta: privacy.delta };
  });
  return { mechanism: privacy.mechanism, noiseMultiplier: privacy.noiseMultiplier, delta: privacy.delta, plannedEpsilon: privacy.plannedEpsilon, plannedRounds: privacy.rounds, nodes };
}
