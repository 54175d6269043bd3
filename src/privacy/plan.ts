/**
 * Planning a private job: the privacy settings a job carries to every node (JSON in the
 * `privacy` config value of describe, setup and train messages), the noise multiplier that meets
 * a target ε, and the ε the whole job will spend — computed by every node for itself, so that a
 * node can refuse a job *before* touching its data when the plan does not fit its budget.
 *
 * Two mechanisms:
 * - `dpsgd`: record-level DP-SGD inside each node (Abadi et al., "Deep Learning with Differential
 *   Privacy", CCS 2016): per round `epochs × round(1/sampleRate)` Poisson-sampled steps with
 *   per-example clipping to `maxGradNorm` and noise multiplier σ. The guarantee is about each
 *   lender's own customers, whatever the other nodes or the coordinator do.
 * - `dp-fedavg`: client-level DP (McMahan et al., "Learning Differentially Private Recurrent
 *   Language Models", ICLR 2018): one SGM step per round at the node sampling rate.
 */
import { noiseMultiplierFor } from './calibrate.js';
import type { PrivacyCost } from './cost.js';
import { epsilonFor, type PrivacySpent } from './rdp.js';

/** Record-level DP-SGD settings, as sent to nodes. Exactly one of noiseMultiplier and targetEpsilon. */
export interface DpSgdSettings {
  readonly mechanism: 'dpsgd';
  readonly noiseMultiplier?: number;
  readonly targetEpsilon?: number;
  /** Per-example L2 clipping norm C. */
  readonly maxGradNorm: number;
  /** Poisson sampling rate q of each step. */
  readonly sampleRate: number;
  readonly delta: number;
  readonly rounds: number;
  /** Local epochs per round; an epoch is round(1/q) steps. */
  readonly epochs: number;
}

/** Client-level DP-FedAvg settings, as sent to nodes. Exactly one of noiseMultiplier and targetEpsilon. */
export interface DpFedAvgSettings {
  readonly mechanism: 'dp-fedavg';
  readonly noiseMultiplier?: number;
  readonly targetEpsilon?: number;
  /** L2 clipping norm S of a node's update θ_local − θ_global. */
  readonly clipNorm: number;
  /** Fraction of nodes sampled per round (the accountant's sampling rate). */
  readonly nodeSampleRate: number;
  /** Nodes that share out the noise: each adds N(0, z²S²/numNodes) (1 = each adds it all). */
  readonly numNodes: number;
  readonly delta: number;
  readonly rounds: number;
}

export type PrivacySettings = DpSgdSettings | DpFedAvgSettings;

/** Settings with σ fixed (calibrated when a target ε was given) and the plan worked out. */
export type ResolvedPrivacy = (
  | (DpSgdSettings & { readonly mechanism: 'dpsgd' })
  | (DpFedAvgSettings & { readonly mechanism: 'dp-fedavg' })
) & {
  readonly noiseMultiplier: number;
  /** Accountant steps one round costs (dpsgd: epochs × round(1/q); dp-fedavg: 1). */
  readonly stepsPerRound: number;
  /** Sampling rate of those steps. */
  readonly stepSampleRate: number;
  /** The whole job's cost and its ε at the job's δ. */
  readonly plannedCost: Extract<PrivacyCost, { mechanism: 'sgm' }>;
  readonly plannedEpsilon: number;
};

/** One problem with privacy settings. */
export interface PrivacySettingsIssue {
  readonly field: string;
  readonly message: string;
}

/** Steps in one DP-SGD epoch at sampling rate q: round(1/q), at least 1 (Opacus' convention). */
export function stepsPerEpoch(sampleRate: number): number {
  if (typeof sampleRate !== 'number' || !(sampleRate > 0 && sampleRate <= 1)) throw new RangeError(`sampleRate: expected a number in (0, 1], got ${sampleRate}`);
  return Math.max(1, Math.round(1 / sampleRate));
}

/**
 * Check untrusted privacy settings (a parsed JSON object). Returns every problem with its field
 * rather than throwing, so job submission can report them all and a node can quote them.
 */
export function parsePrivacySettings(value: unknown): { ok: true; settings: PrivacySettings } | { ok: false; issues: PrivacySettingsIssue[] } {
  const issues: PrivacySettingsIssue[] = [];
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false, issues: [{ field: '', message: 'expected an object' }] };
  const v = value as Record<string, unknown>;
  const mechanism = v.mechanism;
  if (mechanism !== 'dpsgd' && mechanism !== 'dp-fedavg') return { ok: false, issues: [{ field: 'mechanism', message: `expected "dpsgd" or "dp-fedavg", got ${JSON.stringify(mechanism)}` }] };
  const fields = mechanism === 'dpsgd'
    ? ['mechanism', 'noiseMultiplier', 'targetEpsilon', 'maxGradNorm', 'sampleRate', 'delta', 'rounds', 'epochs']
    : ['mechanism', 'noiseMultiplier', 'targetEpsilon', 'clipNorm', 'nodeSampleRate', 'numNodes', 'delta', 'rounds'];
  for (const key of Object.keys(v)) if (!fields.includes(key)) issues.push({ field: key, message: `unknown field for ${mechanism}; expected one of ${fields.join(', ')}` });
  const num = (field: string, min: number, max: number, o: { exclusiveMin?: boolean; integer?: boolean; optional?: boolean } = {}): number | undefined => {
    const x = v[field];
    if (x === undefined && o.optional) return undefined;
    if (typeof x !== 'number' || !Number.isFinite(x)) {
      issues.push({ field, message: x === undefined ? 'required' : `expected a number, got ${JSON.stringify(x)}` });
      return undefined;
    }
    const low = o.exclusiveMin ? x <= min : x < min;
    if (low || x > max || (o.integer && !Number.isInteger(x))) {
      issues.push({ field, message: `expected ${o.integer ? 'an integer' : 'a number'} ${o.exclusiveMin ? 'above' : 'from'} ${min} ${o.exclusiveMin ? 'up ' : ''}to ${max}, got ${x}` });
      return undefined;
    }
    return x;
  };
  const noiseMultiplier = num('noiseMultiplier', 0, 1e6, { exclusiveMin: true, optional: true });
  const targetEpsilon = num('targetEpsilon', 0, 1000, { exclusiveMin: true, optional: true });
  if ((v.noiseMultiplier === undefined) === (v.targetEpsilon === undefined)) issues.push({ field: 'noiseMultiplier', message: 'give exactly one of noiseMultiplier and targetEpsilon' });
  const delta = num('delta', 0, 0.1, { exclusiveMin: true });
  const rounds = num('rounds', 1, 1_000_000, { integer: true });
  const noise = { ...(noiseMultiplier !== undefined ? { noiseMultiplier } : {}), ...(targetEpsilon !== undefined ? { targetEpsilon } : {}) };
  if (mechanism === 'dpsgd') {
    const maxGradNorm = num('maxGradNorm', 0, 1e6, { exclusiveMin: true });
    const sampleRate = num('sampleRate', 0, 1, { exclusiveMin: true });
    const epochs = num('epochs', 1, 1000, { integer: true });
    if (issues.length > 0) return { ok: false, issues };
    return { ok: true, settings: { mechanism, ...noise, maxGradNorm: maxGradNorm!, sampleRate: sampleRate!, delta: delta!, rounds: rounds!, epochs: epochs! } };
  }
  const clipNorm = num('clipNorm', 0, 1e6, { exclusiveMin: true });
  const nodeSampleRate = num('nodeSampleRate', 0, 1, { exclusiveMin: true });
  const numNodes = num('numNodes', 1, 10_000, { integer: true });
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, settings: { mechanism, ...noise, clipNorm: clipNorm!, nodeSampleRate: nodeSampleRate!, numNodes: numNodes!, delta: delta!, rounds: rounds! } };
}

/**
 * ε that `rounds` rounds of `stepsPerRound` SGM steps each spend at δ, by the RDP accountant
 * (RDP composes additively, so this is epsilonFor over rounds × stepsPerRound steps).
 *
 * @example plannedEpsilon({ noiseMultiplier: 1.5, sampleRate: 0.04, stepsPerRound: 25, rounds: 90, delta: 1e-5 }) // ε ≈ 7.3291 (Opacus' vector)
 */
export function plannedEpsilon(options: { noiseMultiplier: number; sampleRate: number; stepsPerRound: number; rounds: number; delta: number }): PrivacySpent {
  const { stepsPerRound, rounds } = options;
  if (!Number.isSafeInteger(stepsPerRound) || stepsPerRound < 1) throw new RangeError(`stepsPerRound: expected an integer ≥ 1, got ${stepsPerRound}`);
  if (!Number.isSafeInteger(rounds) || rounds < 1) throw new RangeError(`rounds: expected an integer ≥ 1, got ${rounds}`);
  return epsilonFor({ noiseMultiplier: options.noiseMultiplier, sampleRate: options.sampleRate, steps: stepsPerRound * rounds, delta: options.delta });
}

/**
 * The noise multiplier for which `steps` SGM steps at `sampleRate` spend at most `targetEpsilon`
 * at δ (Opacus' search; never overshoots). Throws RangeError when the target is unreachable.
 *
 * @example calibrateForBudget({ targetEpsilon: 3, delta: 1e-5, sampleRate: 0.1, steps: 300 })
 */
export function calibrateForBudget(options: { targetEpsilon: number; delta: number; sampleRate: number; steps: number }): number {
  return noiseMultiplierFor({ targetEpsilon: options.targetEpsilon, delta: options.delta, sampleRate: options.sampleRate, steps: options.steps });
}

const resolved = new Map<string, ResolvedPrivacy>();
const RESOLVED_LIMIT = 200;

/**
 * Fix σ and work out the plan. Deterministic, so every node that receives the same settings
 * calibrates the same σ; memoised, because calibration costs tens of milliseconds and every
 * train message carries the settings.
 */
export function resolvePrivacy(settings: PrivacySettings): ResolvedPrivacy {
  const key = JSON.stringify(settings);
  const hit = resolved.get(key);
  if (hit) return hit;
  const check = parsePrivacySettings(settings);
  if (!check.ok) throw new RangeError(`settings: ${check.issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`);
  const s = check.settings;
  const stepsPerRound = s.mechanism === 'dpsgd' ? s.epochs * stepsPerEpoch(s.sampleRate) : 1;
  const stepSampleRate = s.mechanism === 'dpsgd' ? s.sampleRate : s.nodeSampleRate;
  const steps = stepsPerRound * s.rounds;
  const noiseMultiplier = s.noiseMultiplier ?? calibrateForBudget({ targetEpsilon: s.targetEpsilon!, delta: s.delta, sampleRate: stepSampleRate, steps });
  const plannedCost = { mechanism: 'sgm' as const, noiseMultiplier, sampleRate: stepSampleRate, steps };
  const out = {
    ...s, noiseMultiplier, stepsPerRound, stepSampleRate, plannedCost,
    plannedEpsilon: epsilonFor({ noiseMultiplier, sampleRate: stepSampleRate, steps, delta: s.delta }).epsilon,
  } as ResolvedPrivacy;
  if (resolved.size >= RESOLVED_LIMIT) resolved.clear();
  resolved.set(key, out);
  return out;
}
