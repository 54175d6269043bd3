/**
 * The privacy audit behind `fedcredit audit privacy`: train the same federation without DP and
 * with record-level DP-SGD at several ε, attack each released model with the loss-threshold and
 * shadow-model membership-inference attacks, and report model AUC, attack AUC and advantage per
 * setting. A small dataset gives noisy estimates, so every setting is repeated over several
 * data splits (the same splits for every setting: the comparison is paired) and reported as
 * mean ± standard deviation, next to the DP bound on the advantage (bounds.ts).
 *
 * The target "advantage ≤ 0.02 at ε ≤ 3" is checked on the honest advantages (threshold not
 * chosen on the evaluation rows; attackMetrics.ts) averaged over repeats; `conclusive` says
 * whether it also holds for the upper end of a 95% interval of that mean.
 */
import type { TrainSettings } from '../../coordinator/roundLoop.js';
import { loadBuiltin, type BuiltinName } from '../../data/builtin/index.js';
import type { Table } from '../../data/schema.js';
import { deriveRandom } from '../../math/random.js';
import { auc } from '../../metrics/ranking.js';
import type { ModelSpec } from '../../node/jobContext.js';
import { defaultTrainSettings } from '../../simulation/options.js';
import { resolvePrivacy } from '../plan.js';
import { membershipAdvantageBound } from './bounds.js';
import { runFederation, type AuditPrivacy } from './federated.js';
import { lossThresholdAttack, shadowModelAttack, type LossAttackResult, type MembershipObservation, type ShadowAttackResult } from './membership.js';
import { runTransportCheck, type TransportCheckResult } from './transportCheck.js';
import { dealWorld, observeMembership, splitTargetAndAuxiliary } from './worlds.js';

/**
 * DP-SGD settings of the private settings. σ is calibrated per ε; learning rate, optimizer,
 * L2 and local epochs are the non-private setting's, so only DP differs. The defaults are
 * `simulate --dp-epsilon`'s.
 */
export interface AuditDpSettings {
  /** Poisson sampling rate q of each step (default 0.1). */
  readonly sampleRate: number;
  /** Per-example clipping norm C (default 1). */
  readonly maxGradNorm: number;
}

/** Options of {@link runPrivacyAudit}; see {@link privacyAuditOptions} for the defaults. */
export interface PrivacyAuditOptions {
  readonly dataset: BuiltinName;
  readonly numNodes: number;
  /** The private settings; the non-private one is always included. */
  readonly epsilons: readonly number[];
  readonly delta: number;
  readonly repeats: number;
  readonly seed: number;
  readonly rounds: number;
  readonly numShadows: number;
  readonly model: ModelSpec;
  /** Local training of the non-private setting. */
  readonly train: TrainSettings;
  readonly dp: AuditDpSettings;
  /** Share of the data given to the attacker (the rest is the target's). */
  readonly auxiliaryFraction: number;
  /** Share of each node's rows it trains on. */
  readonly memberFraction: number;
  /** The advantage target and the ε up to which it applies. */
  readonly targetAdvantage: number;
  readonly targetMaxEpsilon: number;
}

/** Defaults: German credit, 5 IID nodes, ε ∈ {8, 3, 1} at δ = 1e-5, 5 repeats, 30 rounds of logistic regression, 4 shadows. */
export function privacyAuditOptions(partial: Partial<PrivacyAuditOptions> = {}): PrivacyAuditOptions {
  const model = partial.model ?? { kind: 'logreg', config: {} };
  const o: PrivacyAuditOptions = {
    dataset: 'german', numNodes: 5, epsilons: [8, 3, 1], delta: 1e-5, repeats: 5, seed: 42, rounds: 30, numShadows: 4,
    dp: { sampleRate: 0.1, maxGradNorm: 1 },
    auxiliaryFraction: 0.5, memberFraction: 0.5, targetAdvantage: 0.02, targetMaxEpsilon: 3,
    ...partial,
    model,
    train: { ...defaultTrainSettings(model.kind), ...partial.train },
  };
  const int = (name: string, v: number, min: number, max: number) => {
    if (!Number.isInteger(v) || v < min || v > max) throw new RangeError(`${name}: expected an integer from ${min} to ${max}, got ${v}`);
  };
  int('numNodes', o.numNodes, 1, 100);
  int('repeats', o.repeats, 2, 1000);
  int('rounds', o.rounds, 1, 10_000);
  int('numShadows', o.numShadows, 1, 100);
  if (!Number.isSafeInteger(o.seed)) throw new RangeError(`seed: expected an integer, got ${o.seed}`);
  if (!Array.isArray(o.epsilons) || o.epsilons.some((e) => typeof e !== 'number' || !(e > 0 && e <= 1000))) throw new RangeError(`epsilons: expected numbers in (0, 1000], got ${String(o.epsilons)}`);
  if (!(o.delta > 0 && o.delta < 0.1)) throw new RangeError(`delta: expected a number in (0, 0.1), got ${o.delta}`);
  return o;
}

/** Mean and sample standard deviation over repeats. */
export interface MeanStd {
  readonly mean: number;
  readonly std: number;
}

/** One setting in one repeat. */
export interface RepeatResult {
  readonly repeat: number;
  readonly modelAuc: number;
  readonly trainAuc: number;
  readonly loss: LossAttackResult;
  readonly shadow: ShadowAttackResult;
}

/** One setting (non-private or one ε) over all repeats. */
export interface SettingReport {
  readonly setting: string;
  /** null for the non-private setting (JSON has no Infinity). */
  readonly epsilon: number | null;
  readonly noiseMultiplier: number | null;
  /** DP bound on any attack's advantage (bounds.ts); null without DP. */
  readonly advantageBound: number | null;
  /** Model AUC on the held-out rows (the target's test set) and on its training rows. */
  readonly modelAuc: MeanStd;
  readonly trainAuc: MeanStd;
  readonly lossAttack: { readonly auc: MeanStd; readonly calibratedAdvantage: MeanStd; readonly bestAdvantage: MeanStd; readonly nullBestAdvantage: MeanStd };
  readonly shadowAttack: { readonly auc: MeanStd; readonly advantage: MeanStd; readonly bestAdvantage: MeanStd };
  readonly perRepeat: readonly RepeatResult[];
}

/** Whether the advantage target holds for one private setting. */
export interface TargetCheck {
  readonly setting: string;
  /** The larger of the two attacks' mean honest advantages. */
  readonly advantage: number;
  /** Mean + 1.96 · std/√repeats of that attack. */
  readonly upper95: number;
  readonly met: boolean;
  readonly conclusive: boolean;
}

/** The whole audit: per-setting results, the target check, and the configuration that produced them (the `--json` output). */
export interface PrivacyAuditReport {
  readonly config: Record<string, unknown>;
  readonly settings: readonly SettingReport[];
  readonly target: { readonly statement: string; readonly checks: readonly TargetCheck[]; readonly met: boolean };
  readonly numMembers: number;
  readonly numNonMembers: number;
  readonly wallMs: number;
}

/** Progress events for a progress line. */
export interface AuditProgress {
  readonly repeat: number;
  readonly repeats: number;
  readonly setting: string;
}

interface Setting {
  readonly name: string;
  readonly epsilon?: number;
  readonly train: TrainSettings;
  readonly privacy?: AuditPrivacy;
}

function settingsOf(o: PrivacyAuditOptions): Setting[] {
  const out: Setting[] = [{ name: 'non-private', train: o.train }];
  for (const epsilon of o.epsilons) {
    const base = { mechanism: 'dpsgd' as const, maxGradNorm: o.dp.maxGradNorm, sampleRate: o.dp.sampleRate, delta: o.delta, rounds: o.rounds, epochs: o.train.epochs };
    const { noiseMultiplier } = resolvePrivacy({ ...base, targetEpsilon: epsilon });
    out.push({ name: `ε=${epsilon}`, epsilon, train: o.train, privacy: { ...base, noiseMultiplier } });
  }
  return out;
}

/** An integer job seed for one federation, derived from the audit seed and its role. */
function jobSeed(seed: number, ...path: (string | number)[]): number {
  return deriveRandom(seed, 'audit-job', ...path).nextUint32();
}

async function federate(table: Table, o: PrivacyAuditOptions, setting: Setting, path: (string | number)[]): Promise<MembershipObservation> {
  const nodes = dealWorld(table, { numNodes: o.numNodes, memberFraction: o.memberFraction, datasetKey: o.dataset, seed: [o.seed, ...path] });
  const { model, encoder } = await runFederation({ nodes, model: o.model, rounds: o.rounds, train: setting.train, privacy: setting.privacy, seed: jobSeed(o.seed, ...path), jobId: `audit-${path.join('-')}` });
  return observeMembership(model, encoder, nodes);
}

async function runRepeat(data: Table, o: PrivacyAuditOptions, setting: Setting, repeat: number): Promise<RepeatResult> {
  const { target, auxiliary } = splitTargetAndAuxiliary(data, o.auxiliaryFraction, deriveRandom(o.seed, 'audit-split', repeat));
  const observed = await federate(target, o, setting, ['repeat', repeat, 'target']);
  const shadows: MembershipObservation[] = [];
  for (let k = 0; k < o.numShadows; k++) shadows.push(await federate(auxiliary, o, setting, ['repeat', repeat, 'shadow', k]));
  return {
    repeat,
    modelAuc: auc(observed.nonMembers.proba, Uint8Array.from(observed.nonMembers.labels)),
    trainAuc: auc(observed.members.proba, Uint8Array.from(observed.members.labels)),
    loss: lossThresholdAttack(observed, { rng: deriveRandom(o.seed, 'audit-loss', setting.name, repeat) }),
    shadow: shadowModelAttack({ shadows, target: observed, rng: deriveRandom(o.seed, 'audit-shadow', setting.name, repeat) }),
  };
}

function meanStd(values: readonly number[]): MeanStd {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / Math.max(1, values.length - 1);
  return { mean, std: Math.sqrt(variance) };
}

function summarize(setting: Setting, delta: number, results: RepeatResult[]): SettingReport {
  const of = (f: (r: RepeatResult) => number) => meanStd(results.map(f));
  return {
    setting: setting.name,
    epsilon: setting.epsilon ?? null,
    noiseMultiplier: setting.privacy?.noiseMultiplier ?? null,
    advantageBound: setting.epsilon === undefined ? null : membershipAdvantageBound(setting.epsilon, delta),
    modelAuc: of((r) => r.modelAuc),
    trainAuc: of((r) => r.trainAuc),
    lossAttack: { auc: of((r) => r.loss.auc), calibratedAdvantage: of((r) => r.loss.calibratedAdvantage), bestAdvantage: of((r) => r.loss.bestAdvantage), nullBestAdvantage: of((r) => r.loss.nullBestAdvantage) },
    shadowAttack: { auc: of((r) => r.shadow.auc), advantage: of((r) => r.shadow.advantage), bestAdvantage: of((r) => r.shadow.bestAdvantage) },
    perRepeat: results,
  };
}

/** Check the advantage target on the settings it applies to (ε ≤ targetMaxEpsilon). */
export function checkTarget(settings: readonly SettingReport[], targetAdvantage: number, targetMaxEpsilon: number, repeats: number): TargetCheck[] {
  return settings.filter((s) => s.epsilon !== null && s.epsilon <= targetMaxEpsilon).map((s) => {
    const attacks = [s.lossAttack.calibratedAdvantage, s.shadowAttack.advantage];
    const worst = attacks.reduce((a, b) => (b.mean > a.mean ? b : a));
    const upper95 = Math.max(...attacks.map((a) => a.mean + (1.96 * a.std) / Math.sqrt(repeats)));
    return { setting: s.setting, advantage: worst.mean, upper95, met: worst.mean <= targetAdvantage, conclusive: upper95 <= targetAdvantage };
  });
}

/**
 * Run the audit. Deterministic for `options.seed` (DP noise comes from seeded streams here).
 *
 * @example const report = await runPrivacyAudit(privacyAuditOptions({ repeats: 5, epsilons: [8, 3, 1] }));
 */
export async function runPrivacyAudit(options: PrivacyAuditOptions, onProgress?: (event: AuditProgress) => void): Promise<PrivacyAuditReport> {
  const started = performance.now();
  const o = privacyAuditOptions(options);
  const data = loadBuiltin(o.dataset);
  const settings = settingsOf(o);
  const reports: SettingReport[] = [];
  for (const setting of settings) {
    const results: RepeatResult[] = [];
    for (let r = 0; r < o.repeats; r++) {
      onProgress?.({ repeat: r + 1, repeats: o.repeats, setting: setting.name });
      results.push(await runRepeat(data, o, setting, r));
    }
    reports.push(summarize(setting, o.delta, results));
  }
  const checks = checkTarget(reports, o.targetAdvantage, o.targetMaxEpsilon, o.repeats);
  const first = reports[0].perRepeat[0];
  return {
    config: {
      dataset: o.dataset, nodes: o.numNodes, partition: 'iid', epsilons: o.epsilons, delta: o.delta, repeats: o.repeats, seed: o.seed,
      rounds: o.rounds, shadows: o.numShadows, model: o.model, train: o.train, dp: o.dp,
      auxiliaryFraction: o.auxiliaryFraction, memberFraction: o.memberFraction,
    },
    settings: reports,
    target: {
      statement: `target (not a guarantee): membership advantage ≤ ${o.targetAdvantage} at ε ≤ ${o.targetMaxEpsilon}, on the honest advantages (loss attack with a calibrated threshold, shadow attack at its own decision), mean over ${o.repeats} repeats`,
      checks,
      met: checks.every((c) => c.met),
    },
    numMembers: first.loss.numMembers,
    numNonMembers: first.loss.numNonMembers,
    wallMs: performance.now() - started,
  };
}

/**
 * The transport check for the audit's configuration: the whole dataset dealt to the nodes with
 * simulate's 80/20 split, one full job without DP and one at the smallest ε (if any), every
 * reply scanned for record values (transportCheck.ts).
 */
export async function runAuditTransportChecks(options: PrivacyAuditOptions): Promise<{ setting: string; result: TransportCheckResult }[]> {
  const o = privacyAuditOptions(options);
  const nodes = dealWorld(loadBuiltin(o.dataset), { numNodes: o.numNodes, memberFraction: 0.8, datasetKey: o.dataset, seed: [o.seed, 'transport-check'] });
  const settings = settingsOf({ ...o, epsilons: o.epsilons.length > 0 ? [Math.min(...o.epsilons)] : [] });
  const out: { setting: string; result: TransportCheckResult }[] = [];
  for (const setting of settings) {
    const result = await runTransportCheck({ nodes, model: o.model, rounds: o.rounds, train: setting.train, privacy: setting.privacy, seed: o.seed, jobId: `transport-check-${setting.name}` });
    out.push({ setting: setting.name, result });
  }
  return out;
}
