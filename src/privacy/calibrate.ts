/**
 * Choosing the noise multiplier that meets a privacy budget, the way Opacus'
 * `opacus/accountants/utils.py::get_noise_multiplier` does with its RDP accountant, so the same
 * budget gives the same σ in FedCredit and in Opacus.
 */
import { DEFAULT_ORDERS, epsilonFor } from './rdp.js';

/** σ above which Opacus declares a budget unreachable (its MAX_SIGMA). */
const MAX_NOISE_MULTIPLIER = 1e6;
/** Bisection steps after which the interval is below double precision anyway. */
const MAX_BISECTIONS = 200;

/** Options of {@link noiseMultiplierFor}. */
export interface CalibrationOptions {
  /** The ε the whole run may spend (> 0). */
  readonly targetEpsilon: number;
  /** Poisson sampling rate q in (0, 1]. */
  readonly sampleRate: number;
  /** Number of SGM steps the run will take (integer ≥ 1). */
  readonly steps: number;
  /** Target δ in (0, 1). */
  readonly delta: number;
  /** Stop once the ε of the returned σ is within this much below the target (> 0; default 0.01). */
  readonly tolerance?: number;
  /** Rényi orders; defaults to Opacus' DEFAULT_ALPHAS. */
  readonly orders?: readonly number[];
}

function checkPositive(name: string, value: unknown): number {
  if (typeof value !== 'number') throw new TypeError(`${name}: expected a number, got ${typeof value}`);
  if (!(value > 0) || !Number.isFinite(value)) throw new RangeError(`${name}: expected a finite number > 0, got ${value}`);
  return value;
}

/**
 * The noise multiplier σ for which `steps` steps at `sampleRate` spend at most `targetEpsilon`
 * (for `delta`), found by Opacus' search: double σ from 20 until ε ≤ target, then bisect between
 * 0 and that σ, keeping the upper end, until target − ε ≤ tolerance. The result never overshoots:
 * `epsilonFor({ noiseMultiplier: result, … }).epsilon ≤ targetEpsilon`.
 *
 * Throws RangeError when no σ ≤ 10⁶ reaches the target. That happens for small targets even
 * with lots of noise, because the RDP→(ε, δ) conversion alone costs about
 * min over α of (log(1/δ) − log α)/(α − 1) + log((α − 1)/α) (≈ 0.103 for δ = 1e-5 and the
 * default orders).
 *
 * @example noiseMultiplierFor({ targetEpsilon: 8, sampleRate: 0.04, steps: 2250, delta: 1e-5 }) // ≈ 1.416
 */
export function noiseMultiplierFor(options: CalibrationOptions): number {
  const targetEpsilon = checkPositive('targetEpsilon', options.targetEpsilon);
  const tolerance = checkPositive('tolerance', options.tolerance ?? 0.01);
  const { sampleRate, steps, delta } = options;
  if (typeof sampleRate !== 'number') throw new TypeError(`sampleRate: expected a number, got ${typeof sampleRate}`);
  if (!(sampleRate > 0 && sampleRate <= 1)) throw new RangeError(`sampleRate: expected a number in (0, 1], got ${sampleRate}`);
  if (typeof steps !== 'number') throw new TypeError(`steps: expected a number, got ${typeof steps}`);
  if (!Number.isSafeInteger(steps) || steps < 1) throw new RangeError(`steps: expected an integer ≥ 1, got ${steps}`);
  const orders = options.orders ?? DEFAULT_ORDERS;
  const epsilonAt = (noiseMultiplier: number): number =>
    epsilonFor({ noiseMultiplier, sampleRate, steps, delta, orders }).epsilon;

  let low = 0;
  let high = 10;
  let epsilonHigh = Infinity;
  while (epsilonHigh > targetEpsilon) {
    high *= 2;
    if (high > MAX_NOISE_MULTIPLIER) {
      throw new RangeError(
        `targetEpsilon: ${targetEpsilon} cannot be reached with noise multiplier ≤ ${MAX_NOISE_MULTIPLIER} ` +
          `(sampleRate ${sampleRate}, steps ${steps}, delta ${delta}); ε at σ = ${high / 2} is ${epsilonHigh}`,
      );
    }
    epsilonHigh = epsilonAt(high);
  }
  for (let k = 0; k < MAX_BISECTIONS && targetEpsilon - epsilonHigh > tolerance; k++) {
    const mid = (low + high) / 2;
    if (mid === low || mid === high) break; // interval exhausted; `high` still meets the target
    const epsilonMid = epsilonAt(mid);
    if (epsilonMid < targetEpsilon) {
      high = mid;
      epsilonHigh = epsilonMid;
    } else {
      low = mid;
    }
  }
  return high;
}
