/**
 * Population stability index: how far a current population has drifted from the reference
 * (development) population over the same bins (Siddiqi, "Credit Risk Scorecards", Wiley 2006,
 * ch. 9 "System stability report"; Yurdakul, "Statistical Properties of the Population
 * Stability Index", Western Michigan University, 2018):
 *
 *   PSI = Σ_i (c_i − r_i) · ln(c_i / r_i),
 *
 * where r_i and c_i are the shares of the reference and current populations in bin i. Every
 * term is ≥ 0, and PSI is the symmetrised Kullback–Leibler divergence KL(c‖r) + KL(r‖c).
 * Reading (the industry rule of thumb both sources quote): < 0.1 stable, 0.1–0.25 watch,
 * > 0.25 warning — the population has shifted enough to re-examine the model.
 *
 * ε-smoothing: a bin empty in one population and not the other would make the term infinite,
 * so a zero share is replaced by ε (default 1e-4, i.e. "less than one in ten thousand") before
 * the term is taken; shares are not renormalised, which changes the result by O(ε). Bins empty
 * in both populations contribute nothing. Non-empty bins are never adjusted, so hand-computed
 * values are reproduced exactly.
 */

/** PSI at or above this (and up to {@link PSI_WARNING}) means "watch". */
export const PSI_WATCH = 0.1;
/** PSI above this means "warning": the population has shifted. */
export const PSI_WARNING = 0.25;
/** Share used in place of an empty bin's 0 (see the module doc). */
export const DEFAULT_PSI_EPSILON = 1e-4;

/** How to read a PSI value. */
export type PsiStatus = 'stable' | 'watch' | 'warning';

/** stable (< 0.1), watch (0.1 to 0.25) or warning (> 0.25). */
export function psiStatus(psi: number): PsiStatus {
  if (typeof psi !== 'number' || !(psi >= 0) || psi === Infinity) throw new RangeError(`psi: expected a finite number ≥ 0, got ${String(psi)}`);
  return psi > PSI_WARNING ? 'warning' : psi >= PSI_WATCH ? 'watch' : 'stable';
}

function checkHistogram(name: string, counts: ArrayLike<number>): number {
  if (counts === null || typeof counts !== 'object' || typeof counts.length !== 'number') throw new TypeError(`${name}: expected an array of counts`);
  let total = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i];
    if (typeof c !== 'number' || !Number.isFinite(c) || c < 0) throw new RangeError(`${name}[${i}]: expected a finite count ≥ 0, got ${String(c)}`);
    total += c;
  }
  if (!(total > 0)) throw new RangeError(`${name}: empty histogram (all counts are 0)`);
  return total;
}

/**
 * PSI between two histograms over the same bins (counts or shares; see the module doc).
 *
 * @example populationStabilityIndex([25, 25, 25, 25], [10, 20, 30, 40]) // ≈ 0.2282
 */
export function populationStabilityIndex(reference: ArrayLike<number>, current: ArrayLike<number>, options: { readonly epsilon?: number } = {}): number {
  const epsilon = options.epsilon ?? DEFAULT_PSI_EPSILON;
  if (typeof epsilon !== 'number' || !(epsilon > 0 && epsilon < 1)) throw new RangeError(`options.epsilon: expected a number in (0, 1), got ${String(epsilon)}`);
  const totalReference = checkHistogram('reference', reference);
  const totalCurrent = checkHistogram('current', current);
  if (reference.length !== current.length) throw new RangeError(`current: ${current.length} bins, reference has ${reference.length}`);
  let psi = 0;
  for (let i = 0; i < reference.length; i++) {
    if (reference[i] === 0 && current[i] === 0) continue;
    const r = reference[i] === 0 ? epsilon : reference[i] / totalReference;
    const c = current[i] === 0 ? epsilon : current[i] / totalCurrent;
    psi += (c - r) * Math.log(c / r);
  }
  return psi;
}

/**
 * Start indices of at most `numGroups` groups of consecutive bins holding about equal shares
 * of the reference histogram (bins are never split, so a heavy bin may swallow several
 * quantiles). Used to turn a fine score histogram into reference deciles.
 *
 * @example quantileGroups([5, 5, 5, 5, 0, 0], 2) // [0, 2]
 */
export function quantileGroups(reference: ArrayLike<number>, numGroups: number): number[] {
  if (!Number.isInteger(numGroups) || numGroups < 1 || numGroups > 10_000) throw new RangeError(`numGroups: expected an integer from 1 to 10000, got ${String(numGroups)}`);
  const total = checkHistogram('reference', reference);
  const starts = [0];
  let cumulative = 0;
  let closed = 0;
  for (let i = 0; i < reference.length - 1; i++) {
    cumulative += reference[i];
    // A group closes after an occupied bin that reaches the next quantile, unless nothing is left
    // for the groups after it (a trailing group of empty reference bins would only hold ε).
    if (reference[i] > 0 && cumulative >= ((closed + 1) * total) / numGroups && cumulative < total && starts.length < numGroups) {
      starts.push(i + 1);
      closed = Math.floor((cumulative * numGroups) / total);
    }
  }
  return starts;
}

/** Sum `counts` over the groups starting at `starts` (as given by {@link quantileGroups}). */
export function regroup(counts: ArrayLike<number>, starts: readonly number[]): Float64Array {
  if (!Array.isArray(starts) || starts.length === 0 || starts[0] !== 0) throw new RangeError('starts: expected ascending group starts beginning at 0');
  const out = new Float64Array(starts.length);
  let g = 0;
  for (let i = 0; i < counts.length; i++) {
    while (g + 1 < starts.length && i >= starts[g + 1]) g++;
    out[g] += counts[i];
  }
  return out;
}

/** z of the standard normal 95 % quantile. */
const Z_95 = 1.6448536269514722;

/** Options of {@link psiNoDriftQuantile}. */
export interface NoDriftOptions {
  /** Bins occupied in either population (B). */
  readonly numBins: number;
  /** Applicants in the reference (N) and current (M) samples. */
  readonly numReference: number;
  readonly numCurrent: number;
  /** Standard-normal quantile of the level wanted (default 1.6449: the 95 % quantile). */
  readonly z?: number;
}

/**
 * The PSI that two samples of sizes N and M drawn from the *same* population stay below with
 * 95 % probability (or the level of `z`): sampling noise alone. PSI is the Jeffreys divergence,
 * whose second-order expansion is Σ (ĉ_i − r̂_i)² / π_i; for two independent multinomial samples
 * that sum divided by (1/N + 1/M) is asymptotically χ² with B − 1 degrees of freedom (the
 * two-sample homogeneity test; Yurdakul 2018 derives the PSI form). The χ² quantile uses the
 * Wilson–Hilferty approximation (PNAS 17:684, 1931), within 0.1 % of the exact quantile at 9
 * degrees of freedom. A node with 40 applicants against a reference of 800 over deciles reaches
 * about 0.44 by chance alone, so its rule-of-thumb "warning" says little.
 *
 * @example psiNoDriftQuantile({ numBins: 10, numReference: 800, numCurrent: 200 }) // ≈ 0.106
 */
export function psiNoDriftQuantile(options: NoDriftOptions): number {
  if (typeof options !== 'object' || options === null) throw new TypeError('options: expected { numBins, numReference, numCurrent }');
  const { numBins, numReference, numCurrent } = options;
  const z = options.z ?? Z_95;
  if (!Number.isInteger(numBins) || numBins < 1) throw new RangeError(`options.numBins: expected an integer ≥ 1, got ${String(numBins)}`);
  if (!(numReference > 0) || !Number.isFinite(numReference)) throw new RangeError(`options.numReference: expected a count > 0, got ${String(numReference)}`);
  if (!(numCurrent > 0) || !Number.isFinite(numCurrent)) throw new RangeError(`options.numCurrent: expected a count > 0, got ${String(numCurrent)}`);
  if (typeof z !== 'number' || !Number.isFinite(z)) throw new RangeError(`options.z: expected a finite number, got ${String(z)}`);
  const k = numBins - 1;
  if (k === 0) return 0; // one bin: both shares are 1, PSI is 0
  const a = 2 / (9 * k);
  const chiSquare = k * Math.max(0, 1 - a + z * Math.sqrt(a)) ** 3;
  return chiSquare * (1 / numReference + 1 / numCurrent);
}
