/**
 * A node's privacy budget ledger: for each dataset the owner gave a budget (ε, δ), every release
 * made from it (DP-SGD rounds, DP-FedAvg rounds, noisy analytics answers) and the reservations of
 * running jobs. A job is admitted only if everything already spent, everything reserved by other
 * jobs and the job's whole plan compose to at most the budget; it then charges round by round
 * against its reservation. Spends compose by {@link composeEpsilon} at the budget's δ (Rényi DP
 * for the sampled-Gaussian steps, basic composition where that is smaller), never by adding ε.
 *
 * The ledger is a JSON file in the node's data folder, rewritten atomically before every change
 * takes effect: a crash never loses a charge, and a corrupt file is an error, never a fresh
 * budget. Entries have idempotency keys (`jobId:round`, `analytics:jobId:queryId`), so replaying
 * a release charges nothing twice. Reservations are released when a job's plan is fully charged,
 * on {@link PrivacyLedger.release}, and when the node restarts (a job still running is set up
 * again by the coordinator and reserves what is left of its plan).
 */
import { FedCreditError } from '../errors.js';
import { checkPrivacyCost, composeEpsilon, epsilonOfCost, type PrivacyCost, type PrivacySpend } from './cost.js';
import { SPEND_KINDS, checkSpendNumber, checkText, readLedgerFile, writeLedgerFile, type LedgerEntry, type Reservation, type SpendKind } from './ledgerFile.js';

export type { LedgerEntry, Reservation, SpendKind } from './ledgerFile.js';

/** The (ε, δ) an owner allows a dataset to spend in total. */
export interface PrivacyBudget {
  readonly epsilon: number;
  readonly delta: number;
}

/** Per-dataset view for the owner (CLI, web). */
export interface DatasetLedgerSummary {
  readonly datasetKey: string;
  readonly budget?: PrivacyBudget;
  /** ε spent by the charged entries, at the budget's δ (or the entries' largest δ). */
  readonly spentEpsilon: number;
  /** ε of spent plus reserved, composed. */
  readonly committedEpsilon: number;
  readonly remainingEpsilon?: number;
  readonly jobs: { jobId: string; kind: SpendKind; charges: number; epsilon: number; reserved: boolean }[];
}

/** A refusal or misuse of the budget, with a stable code. */
export class PrivacyBudgetError extends FedCreditError {}

const KINDS = SPEND_KINDS;
/** Slack for rounding when comparing composed ε with the budget. */
const TOLERANCE = 1e-9;

/** ε with two decimals, as owners read it. */
export const formatEpsilon = (epsilon: number): string => (Number.isFinite(epsilon) ? epsilon.toFixed(2) : '∞');
/** δ in short scientific notation, e.g. 1e-5. */
export const formatDelta = (delta: number): string => Number(delta.toPrecision(3)).toExponential();

/** The node-local ledger; see the module comment. Build with {@link PrivacyLedger.open}. */
export class PrivacyLedger {
  private readonly file: string | undefined;
  private readonly budgets: ReadonlyMap<string, PrivacyBudget>;
  private readonly now: () => number;
  private readonly entries = new Map<string, LedgerEntry>();
  private readonly reservations = new Map<string, Reservation>();

  private constructor(file: string | undefined, budgets: ReadonlyMap<string, PrivacyBudget>, now: () => number) {
    this.file = file;
    this.budgets = budgets;
    this.now = now;
  }

  /**
   * Open (or start) the ledger in `file` (in memory when absent) with the owner's budgets by
   * dataset key. `releaseReservations` (what a restarting node does) drops every reservation.
   *
   * @example PrivacyLedger.open({ file: join(dataDir, 'privacy-ledger.json'), budgets: { 'german-credit': { epsilon: 3, delta: 1e-5 } }, releaseReservations: true })
   */
  static open(options: { file?: string; budgets?: Readonly<Record<string, PrivacyBudget>>; releaseReservations?: boolean; now?: () => number } = {}): PrivacyLedger {
    if (options.file !== undefined && (typeof options.file !== 'string' || options.file === '')) throw new TypeError('options.file: expected a non-empty path');
    const budgets = new Map<string, PrivacyBudget>();
    for (const [key, b] of Object.entries(options.budgets ?? {})) budgets.set(key, checkBudget(`options.budgets.${key}`, b));
    const ledger = new PrivacyLedger(options.file, budgets, options.now ?? Date.now);
    const saved = options.file ? readLedgerFile(options.file) : { entries: [], reservations: [] };
    for (const e of saved.entries) ledger.entries.set(e.key, e);
    if (!options.releaseReservations) for (const r of saved.reservations) ledger.reservations.set(r.jobId, r);
    else if (saved.reservations.length > 0) ledger.save();
    return ledger;
  }

  /** The owner's budget for a dataset, if any. */
  budget(datasetKey: string): PrivacyBudget | undefined {
    return this.budgets.get(datasetKey);
  }

  /** Charged entries, oldest first (of one dataset when given). */
  list(datasetKey?: string): LedgerEntry[] {
    return [...this.entries.values()].filter((e) => datasetKey === undefined || e.datasetKey === datasetKey);
  }

  /** The job's reservation, if it holds one. */
  reservation(jobId: string): Reservation | undefined {
    return this.reservations.get(jobId);
  }

  /** The entry charged under an idempotency key, if any. */
  entry(key: string): LedgerEntry | undefined {
    return this.entries.get(key);
  }

  /** ε spent (charged entries only) on a dataset, composed at `delta` (default: see {@link DatasetLedgerSummary}). */
  spent(datasetKey: string, delta = this.deltaFor(datasetKey)): number {
    return composeEpsilon(this.list(datasetKey), delta);
  }

  /** ε left of the budget after what is spent and reserved (undefined without a budget). */
  remaining(datasetKey: string): number | undefined {
    const budget = this.budgets.get(datasetKey);
    if (!budget) return undefined;
    return Math.max(0, budget.epsilon - composeEpsilon(this.committed(datasetKey), budget.delta));
  }

  /**
   * Throw PRIVACY_BUDGET_EXCEEDED unless `spend` fits in what is left of the dataset's budget
   * (nothing to check without a budget). `what` names the spender in the message.
   */
  check(datasetKey: string, spend: PrivacySpend, what = 'job', excludeJobId?: string): void {
    const budget = this.budgets.get(datasetKey);
    if (!budget) return;
    if (spend.delta > budget.delta) {
      throw new PrivacyBudgetError('PRIVACY_BUDGET_EXCEEDED', `dataset ${datasetKey}: ${what} needs δ=${formatDelta(spend.delta)}; the owner's budget allows δ=${formatDelta(budget.delta)}`);
    }
    const committed = this.committed(datasetKey, excludeJobId);
    const total = composeEpsilon([...committed, spend], budget.delta);
    if (total <= budget.epsilon + TOLERANCE) return;
    const left = Math.max(0, budget.epsilon - composeEpsilon(committed, budget.delta));
    throw new PrivacyBudgetError(
      'PRIVACY_BUDGET_EXCEEDED',
      `dataset ${datasetKey}: ${what} needs ε=${formatEpsilon(spend.epsilon)}, δ=${formatDelta(spend.delta)}; remaining ε=${formatEpsilon(left)} of ${formatEpsilon(budget.epsilon)}`,
    );
  }

  /**
   * Reserve a job's plan (replacing its earlier reservation): what it has already charged is
   * deducted, the rest must fit. Throws PRIVACY_BUDGET_EXCEEDED with the remaining budget.
   */
  reserve(options: { datasetKey: string; jobId: string; kind: SpendKind; cost: Extract<PrivacyCost, { mechanism: 'sgm' }>; epsilon: number; delta: number }): Reservation {
    const cost = checkPrivacyCost(options.cost, 'options.cost');
    if (cost.mechanism !== 'sgm') throw new RangeError('options.cost: a reservation is a sampled-Gaussian plan');
    checkText('options.jobId', options.jobId);
    checkText('options.datasetKey', options.datasetKey);
    if (!KINDS.includes(options.kind)) throw new RangeError(`options.kind: expected one of ${KINDS.join(', ')}`);
    const reservation: Reservation = { jobId: options.jobId, datasetKey: options.datasetKey, kind: options.kind, cost, epsilon: options.epsilon, delta: options.delta, at: this.now() };
    const open = this.outstanding(reservation);
    if (open) this.check(options.datasetKey, open, 'job', options.jobId);
    if (!open) return reservation; // plan already fully charged: nothing to hold
    this.reservations.set(options.jobId, reservation);
    this.save();
    return reservation;
  }

  /** Drop a job's reservation (the job ended); returns whether it held one. */
  release(jobId: string): boolean {
    const had = this.reservations.delete(jobId);
    if (had) this.save();
    return had;
  }

  /**
   * Record a release. A repeated key with the same values returns the stored entry
   * (`created: false`); with other values it throws PRIVACY_CONFLICT. A job holding a
   * reservation charges against it (PRIVACY_PLAN_EXCEEDED beyond its plan); anything else must
   * fit in the remaining budget (PRIVACY_BUDGET_EXCEEDED). With `dryRun`, only check: run it
   * before computing a release so that a refusal comes before any use of the data.
   */
  charge(
    options: { key: string; datasetKey: string; jobId: string; kind: SpendKind; cost: PrivacyCost; epsilon: number; delta: number; details?: Record<string, string | number | boolean> },
    mode: { dryRun?: boolean } = {},
  ): { entry: LedgerEntry; created: boolean } {
    checkText('options.key', options.key);
    const entry: LedgerEntry = {
      key: options.key, datasetKey: checkText('options.datasetKey', options.datasetKey), jobId: checkText('options.jobId', options.jobId), kind: options.kind,
      cost: checkPrivacyCost(options.cost, 'options.cost'), epsilon: checkSpendNumber('options.epsilon', options.epsilon), delta: checkSpendNumber('options.delta', options.delta),
      at: this.now(), details: { ...(options.details ?? {}) },
    };
    if (!KINDS.includes(entry.kind)) throw new RangeError(`options.kind: expected one of ${KINDS.join(', ')}`);
    const existing = this.entries.get(entry.key);
    if (existing) {
      const same = existing.datasetKey === entry.datasetKey && existing.jobId === entry.jobId && existing.kind === entry.kind && JSON.stringify(existing.cost) === JSON.stringify(entry.cost);
      if (!same) throw new PrivacyBudgetError('PRIVACY_CONFLICT', `privacy charge ${entry.key} was already recorded with different values`);
      return { entry: existing, created: false };
    }
    const reservation = this.reservations.get(entry.jobId);
    if (reservation && reservation.datasetKey === entry.datasetKey) {
      const open = this.outstanding(reservation)?.cost as Reservation['cost'] | undefined;
      const c = entry.cost;
      const fits = open !== undefined && c.mechanism === 'sgm' && c.noiseMultiplier === open.noiseMultiplier && c.sampleRate === open.sampleRate && c.steps <= open.steps;
      if (!fits) throw new PrivacyBudgetError('PRIVACY_PLAN_EXCEEDED', `dataset ${entry.datasetKey}: job ${entry.jobId} spends beyond the plan it reserved (${reservation.cost.steps} steps at σ=${reservation.cost.noiseMultiplier}, q=${reservation.cost.sampleRate})`);
    } else {
      this.check(entry.datasetKey, entry, entry.kind === 'analytics' ? 'query' : 'job');
    }
    if (mode.dryRun) return { entry, created: false };
    this.entries.set(entry.key, entry);
    if (reservation && !this.outstanding(reservation)) this.reservations.delete(entry.jobId);
    this.save();
    return { entry, created: true };
  }

  /** Budget, spend and per-job totals of every dataset with a budget or an entry. */
  summary(): DatasetLedgerSummary[] {
    const keys = [...new Set([...this.budgets.keys(), ...[...this.entries.values()].map((e) => e.datasetKey), ...[...this.reservations.values()].map((r) => r.datasetKey)])].sort();
    return keys.map((datasetKey) => {
      const budget = this.budgets.get(datasetKey);
      const delta = this.deltaFor(datasetKey);
      const entries = this.list(datasetKey);
      const jobIds = [...new Set([...entries.map((e) => e.jobId), ...[...this.reservations.values()].filter((r) => r.datasetKey === datasetKey).map((r) => r.jobId)])];
      const committedEpsilon = composeEpsilon(this.committed(datasetKey), delta);
      return {
        datasetKey, ...(budget ? { budget } : {}), spentEpsilon: composeEpsilon(entries, delta), committedEpsilon,
        ...(budget ? { remainingEpsilon: Math.max(0, budget.epsilon - committedEpsilon) } : {}),
        jobs: jobIds.map((jobId) => {
          const own = entries.filter((e) => e.jobId === jobId);
          return { jobId, kind: own[0]?.kind ?? this.reservations.get(jobId)!.kind, charges: own.length, epsilon: composeEpsilon(own, delta), reserved: this.reservations.has(jobId) };
        }),
      };
    });
  }

  /** Entries plus the outstanding part of every reservation (but `excludeJobId`'s) on a dataset. */
  private committed(datasetKey: string, excludeJobId?: string): PrivacySpend[] {
    const out: PrivacySpend[] = this.list(datasetKey);
    for (const r of this.reservations.values()) {
      if (r.datasetKey !== datasetKey || r.jobId === excludeJobId) continue;
      const open = this.outstanding(r);
      if (open) out.push(open);
    }
    return out;
  }

  /**
   * The part of a job's plan not yet charged: the same σ and q over the planned steps minus the
   * steps the job has charged on the dataset (undefined when nothing is left).
   */
  uncharged(plan: Pick<Reservation, 'jobId' | 'datasetKey' | 'cost' | 'epsilon' | 'delta'>): PrivacySpend | undefined {
    return this.outstanding(plan);
  }

  /** The part of a reservation not yet charged (same σ and q; steps minus steps charged). */
  private outstanding(r: Pick<Reservation, 'jobId' | 'datasetKey' | 'cost' | 'epsilon' | 'delta'>): PrivacySpend | undefined {
    let charged = 0;
    for (const e of this.entries.values()) {
      if (e.jobId === r.jobId && e.datasetKey === r.datasetKey && e.cost.mechanism === 'sgm' && e.cost.noiseMultiplier === r.cost.noiseMultiplier && e.cost.sampleRate === r.cost.sampleRate) charged += e.cost.steps;
    }
    const steps = r.cost.steps - charged;
    if (steps <= 0) return undefined;
    const cost: PrivacyCost = { ...r.cost, steps };
    return { cost, epsilon: steps === r.cost.steps ? r.epsilon : epsilonOfCost(cost, r.delta), delta: r.delta };
  }

  private deltaFor(datasetKey: string): number {
    const budget = this.budgets.get(datasetKey);
    if (budget) return budget.delta;
    const deltas = this.list(datasetKey).map((e) => e.delta).filter((d) => d > 0);
    return deltas.length > 0 ? Math.max(...deltas) : 1e-5;
  }

  private save(): void {
    if (this.file) writeLedgerFile(this.file, [...this.entries.values()], [...this.reservations.values()]);
  }
}

function checkBudget(name: string, value: unknown): PrivacyBudget {
  const b = value as PrivacyBudget;
  if (typeof b !== 'object' || b === null) throw new TypeError(`${name}: expected { epsilon, delta }`);
  if (typeof b.epsilon !== 'number' || !(b.epsilon > 0) || !Number.isFinite(b.epsilon)) throw new RangeError(`${name}.epsilon: expected a finite number > 0, got ${String(b.epsilon)}`);
  if (typeof b.delta !== 'number' || !(b.delta > 0 && b.delta < 1)) throw new RangeError(`${name}.delta: expected a number in (0, 1), got ${String(b.delta)}`);
  return { epsilon: b.epsilon, delta: b.delta };
}
