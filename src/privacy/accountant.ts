/**
 * Privacy accountants: the running record of noisy steps a participant's data went through, and
 * the (ε, δ) they add up to. A node charges its accountant for every noised update it releases
 * and refuses to train once the budget would be exceeded; the state is persisted (`toJSON`) with
 * the privacy ledger so that a restarted process never forgets spent budget.
 */
import { DEFAULT_ORDERS, computeRdp, getPrivacySpent } from './rdp.js';
import type { PrivacySpent } from './rdp.js';

/** A run of `numSteps` identical SGM steps. */
export interface AccountantStep {
  readonly noiseMultiplier: number;
  readonly sampleRate: number;
  readonly numSteps: number;
}

/** Persisted form of an accountant; `mechanism` says which implementation reads it back. */
export interface AccountantState {
  readonly mechanism: string;
  readonly version: number;
  readonly orders: readonly number[];
  readonly history: readonly AccountantStep[];
}

/**
 * What every accountant offers. Implementations must agree on the meaning of `step` (a sampled
 * Gaussian mechanism step with noise std = noiseMultiplier × sensitivity, sampled at
 * sampleRate) so that they can be swapped and pass the same conformance suite.
 */
export interface Accountant {
  /** Name of the accounting method, stored in {@link AccountantState.mechanism}. */
  readonly mechanism: string;
  /** Steps so far; consecutive steps with equal parameters are merged. */
  readonly history: readonly AccountantStep[];
  /** Record `numSteps` (default 1) steps with the given noise multiplier and sampling rate. */
  step(noiseMultiplier: number, sampleRate: number, numSteps?: number): void;
  /** ε spent so far for the given δ in (0, 1); 0 before any step. */
  getEpsilon(delta: number): number;
  /** ε spent so far for δ, with the order or other parameter that attained it (NaN before any step). */
  getPrivacySpent(delta: number): PrivacySpent;
  /** A JSON-serialisable snapshot, read back by the implementation's `fromJSON`. */
  toJSON(): AccountantState;
}

const STATE_VERSION = 1;

function checkStep(where: string, noiseMultiplier: unknown, sampleRate: unknown, numSteps: unknown): AccountantStep {
  if (typeof noiseMultiplier !== 'number') throw new TypeError(`${where}noiseMultiplier: expected a number, got ${typeof noiseMultiplier}`);
  if (!(noiseMultiplier >= 0) || !Number.isFinite(noiseMultiplier)) {
    throw new RangeError(`${where}noiseMultiplier: expected a finite number ≥ 0, got ${noiseMultiplier}`);
  }
  if (typeof sampleRate !== 'number') throw new TypeError(`${where}sampleRate: expected a number, got ${typeof sampleRate}`);
  if (!(sampleRate >= 0 && sampleRate <= 1)) throw new RangeError(`${where}sampleRate: expected a number in [0, 1], got ${sampleRate}`);
  if (typeof numSteps !== 'number') throw new TypeError(`${where}numSteps: expected a number, got ${typeof numSteps}`);
  if (!Number.isSafeInteger(numSteps) || numSteps < 1) throw new RangeError(`${where}numSteps: expected an integer ≥ 1, got ${numSteps}`);
  return { noiseMultiplier, sampleRate, numSteps };
}

/**
 * The RDP accountant of Opacus (`opacus/accountants/rdp.py`): RDP of each run of steps is
 * computed at a fixed set of orders, summed over runs (RDP composes additively, also across
 * different σ and q), and converted to (ε, δ) at the best order.
 *
 * Per-step RDP vectors are cached by (σ, q), so a node that calls `step` every batch and
 * `getEpsilon` every round pays for the RDP series once per distinct setting.
 *
 * @example
 * const acc = new RdpAccountant();
 * acc.step(1.5, 0.04, 2250);
 * acc.getEpsilon(1e-5); // 7.32911117…
 */
export class RdpAccountant implements Accountant {
  readonly mechanism = 'rdp';
  /** The Rényi orders ε is optimised over (Opacus' DEFAULT_ALPHAS unless given). */
  readonly orders: readonly number[];
  private readonly steps: AccountantStep[] = [];
  private readonly perStepRdp = new Map<string, Float64Array>();

  constructor(options: { readonly orders?: readonly number[] } = {}) {
    const orders = options.orders ?? DEFAULT_ORDERS;
    // Validate once now (computeRdp checks orders) rather than on the first getEpsilon.
    computeRdp({ sampleRate: 0, noiseMultiplier: 1, steps: 0, orders });
    this.orders = Object.freeze([...orders]);
  }

  get history(): readonly AccountantStep[] {
    return this.steps.map((s) => ({ ...s }));
  }

  step(noiseMultiplier: number, sampleRate: number, numSteps = 1): void {
    const next = checkStep('', noiseMultiplier, sampleRate, numSteps);
    const last = this.steps[this.steps.length - 1];
    if (last !== undefined && last.noiseMultiplier === next.noiseMultiplier && last.sampleRate === next.sampleRate) {
      this.steps[this.steps.length - 1] = { ...last, numSteps: last.numSteps + next.numSteps };
    } else {
      this.steps.push(next);
    }
  }

  getPrivacySpent(delta: number): PrivacySpent {
    if (this.steps.length === 0) {
      // Nothing released yet: ε is 0, not the looseness of the RDP→(ε, δ) conversion (as Opacus).
      getPrivacySpent({ orders: this.orders, rdp: new Float64Array(this.orders.length), delta }); // checks delta
      return { epsilon: 0, order: NaN };
    }
    const total = new Float64Array(this.orders.length);
    for (const s of this.steps) {
      const perStep = this.rdpOfOneStep(s.noiseMultiplier, s.sampleRate);
      // Same arithmetic as computeRdp({ steps: numSteps }), so ε matches epsilonFor exactly.
      for (let k = 0; k < total.length; k++) total[k] += perStep[k] * s.numSteps;
    }
    return getPrivacySpent({ orders: this.orders, rdp: total, delta });
  }

  getEpsilon(delta: number): number {
    return this.getPrivacySpent(delta).epsilon;
  }

  toJSON(): AccountantState {
    return { mechanism: this.mechanism, version: STATE_VERSION, orders: [...this.orders], history: this.history };
  }

  /**
   * Rebuild an accountant from {@link toJSON} output (e.g. read from the store). The input is
   * checked field by field; anything malformed throws a TypeError/RangeError naming the field.
   */
  static fromJSON(state: unknown): RdpAccountant {
    if (state === null || typeof state !== 'object') throw new TypeError('state: expected an object');
    const s = state as Record<string, unknown>;
    if (s.mechanism !== 'rdp') throw new RangeError(`state.mechanism: expected "rdp", got ${JSON.stringify(s.mechanism)}`);
    if (s.version !== STATE_VERSION) throw new RangeError(`state.version: expected ${STATE_VERSION}, got ${JSON.stringify(s.version)}`);
    if (!Array.isArray(s.orders)) throw new TypeError('state.orders: expected an array of numbers');
    if (!Array.isArray(s.history)) throw new TypeError('state.history: expected an array of steps');
    const accountant = new RdpAccountant({ orders: s.orders as number[] });
    s.history.forEach((entry: unknown, i) => {
      if (entry === null || typeof entry !== 'object') throw new TypeError(`state.history[${i}]: expected an object`);
      const e = entry as Record<string, unknown>;
      const step = checkStep(`state.history[${i}].`, e.noiseMultiplier, e.sampleRate, e.numSteps);
      // Push directly: merging here would change a history that was saved unmerged.
      accountant.steps.push(step);
    });
    return accountant;
  }

  private rdpOfOneStep(noiseMultiplier: number, sampleRate: number): Float64Array {
    const key = `${noiseMultiplier}:${sampleRate}`;
    let rdp = this.perStepRdp.get(key);
    if (rdp === undefined) {
      rdp = computeRdp({ sampleRate, noiseMultiplier, steps: 1, orders: this.orders });
      this.perStepRdp.set(key, rdp);
    }
    return rdp;
  }
}
