/**
 * Weight of evidence and information value (Siddiqi, "Credit Risk Scorecards", Wiley 2006,
 * ch. 6 "Initial Characteristic Analysis"; Thomas, Edelman & Crook, "Credit Scoring and Its
 * Applications", SIAM 2002, §8.7).
 *
 * Sign convention (Siddiqi's): WOE_i = ln(%good_i / %bad_i), where %good_i is the share of all
 * good applicants that fall in bin i and %bad_i the share of all bad ones. A positive WOE marks
 * a bin *safer* than average, a negative one riskier; a bin with the population's bad rate has
 * WOE 0. Since FedCredit's models predict the probability of *bad*, a logistic regression on
 * WOE features ends up with negative coefficients.
 *
 * IV = Σ_i (%good_i − %bad_i) · WOE_i ≥ 0, each term being non-negative. Siddiqi's rule of
 * thumb: < 0.02 unpredictive, 0.02–0.1 weak, 0.1–0.3 medium, ≥ 0.3 strong (and above 0.5
 * suspiciously strong: check for leakage).
 *
 * A bin with no good or no bad applicant would have an infinite WOE; such a bin (in practice a
 * tiny missing-value bin, since coarse bins hold at least 5 % of the rows) gets 0.5 added to both
 * of its counts, the Haldane–Anscombe correction, before its shares are taken. Bins with both
 * counts positive are never adjusted, so hand-computed tables match exactly.
 */

/** Strength of a variable by Siddiqi's IV rule of thumb. */
export type IvStrength = 'unpredictive' | 'weak' | 'medium' | 'strong' | 'suspicious';

/** The correction added to both counts of a bin that lacks good or bad applicants. */
export const ZERO_CELL_CORRECTION = 0.5;

function checkCount(name: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new RangeError(`${name}: expected a finite count ≥ 0, got ${String(value)}`);
}

/** (good, bad) of a bin after the zero-cell correction. */
function corrected(numGood: number, numBad: number): [number, number] {
  return numGood > 0 && numBad > 0 ? [numGood, numBad] : [numGood + ZERO_CELL_CORRECTION, numBad + ZERO_CELL_CORRECTION];
}

/**
 * WOE of a bin holding `numGood` good and `numBad` bad applicants out of `totalGood` good and
 * `totalBad` bad in the population (see the module doc for the sign and the zero-cell rule).
 *
 * @example weightOfEvidence(30, 10, 60, 40) // ln((30/60) / (10/40)) = ln 2
 */
export function weightOfEvidence(numGood: number, numBad: number, totalGood: number, totalBad: number): number {
  checkCount('numGood', numGood);
  checkCount('numBad', numBad);
  if (!(totalGood > 0) || !Number.isFinite(totalGood)) throw new RangeError(`totalGood: expected a finite count > 0, got ${String(totalGood)}`);
  if (!(totalBad > 0) || !Number.isFinite(totalBad)) throw new RangeError(`totalBad: expected a finite count > 0, got ${String(totalBad)}`);
  const [g, b] = corrected(numGood, numBad);
  return Math.log(g / totalGood / (b / totalBad));
}

/** One bin's WOE and its term of the information value. */
export interface WoeTerm {
  readonly woe: number;
  /** (%good − %bad) · WOE, ≥ 0. */
  readonly iv: number;
}

/** WOE and IV term of one bin (same arguments as {@link weightOfEvidence}). */
export function woeTerm(numGood: number, numBad: number, totalGood: number, totalBad: number): WoeTerm {
  const woe = weightOfEvidence(numGood, numBad, totalGood, totalBad);
  const [g, b] = corrected(numGood, numBad);
  return { woe, iv: (g / totalGood - b / totalBad) * woe };
}

/**
 * Information value of bins given as parallel good/bad counts; totals are the column sums.
 * Empty bins (no applicant at all) contribute nothing.
 *
 * @example informationValue([30, 30], [10, 30]) // (0.5 − 0.25)·ln 2 + (0.5 − 0.75)·ln(2/3)
 */
export function informationValue(good: ArrayLike<number>, bad: ArrayLike<number>): number {
  if (good.length !== bad.length || good.length === 0) throw new RangeError(`bad: expected ${good.length} counts like good, got ${bad.length}`);
  let totalGood = 0, totalBad = 0;
  for (let i = 0; i < good.length; i++) {
    checkCount(`good[${i}]`, good[i]);
    checkCount(`bad[${i}]`, bad[i]);
    totalGood += good[i];
    totalBad += bad[i];
  }
  if (totalGood === 0 || totalBad === 0) return 0; // one class only: nothing to separate
  let iv = 0;
  for (let i = 0; i < good.length; i++) if (good[i] + bad[i] > 0) iv += woeTerm(good[i], bad[i], totalGood, totalBad).iv;
  return iv;
}

/** Siddiqi's reading of an information value (see the module doc). */
export function ivStrength(iv: number): IvStrength {
  if (!(iv >= 0)) throw new RangeError(`iv: expected a number ≥ 0, got ${String(iv)}`);
  return iv < 0.02 ? 'unpredictive' : iv < 0.1 ? 'weak' : iv < 0.3 ? 'medium' : iv <= 0.5 ? 'strong' : 'suspicious';
}
