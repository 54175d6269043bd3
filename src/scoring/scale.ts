/**
 * Scorecard scaling: turning a model's log-odds into credit-score points, the convention of
 * retail credit scorecards (Siddiqi, "Credit Risk Scorecards", Wiley 2006, ch. 6 "Scaling"):
 *
 *   score = offset + factor · ln(odds of good),  factor = pdo / ln 2,
 *   offset = basePoints − factor · ln(baseOdds),
 *
 * so the score is `basePoints` at good:bad odds `baseOdds` and rises by `pointsToDouble` points
 * each time the odds of good double. With the defaults (600 points at 50:1, 20 points to double
 * the odds) factor = 28.8539 and offset = 487.123, Siddiqi's worked example.
 */

/** Parameters of the points scale. */
export interface ScoreScale {
  /** Points at the base odds (default 600). */
  readonly basePoints: number;
  /** Good:bad odds that score `basePoints` (default 50, i.e. 50:1, P(default) = 1/51). */
  readonly baseOdds: number;
  /** Points that double the odds of good ("PDO", default 20). */
  readonly pointsToDouble: number;
}

/** 600 points at odds 50:1, 20 points to double the odds (Siddiqi 2006, ch. 6). */
export const DEFAULT_SCORE_SCALE: ScoreScale = Object.freeze({ basePoints: 600, baseOdds: 50, pointsToDouble: 20 });

/** Check a scale given at a public boundary; throws TypeError/RangeError naming the field. */
export function checkScoreScale(scale: ScoreScale, name = 'scale'): ScoreScale {
  if (typeof scale !== 'object' || scale === null) throw new TypeError(`${name}: expected { basePoints, baseOdds, pointsToDouble }`);
  const { basePoints, baseOdds, pointsToDouble } = scale;
  if (typeof basePoints !== 'number' || !Number.isFinite(basePoints)) throw new RangeError(`${name}.basePoints: expected a finite number, got ${String(basePoints)}`);
  if (typeof baseOdds !== 'number' || !(baseOdds > 0) || !Number.isFinite(baseOdds)) throw new RangeError(`${name}.baseOdds: expected a finite number > 0, got ${String(baseOdds)}`);
  if (typeof pointsToDouble !== 'number' || !(pointsToDouble > 0) || !Number.isFinite(pointsToDouble)) {
    throw new RangeError(`${name}.pointsToDouble: expected a finite number > 0, got ${String(pointsToDouble)}`);
  }
  return scale;
}

/**
 * Points for a logit of *default* z = ln(p / (1 − p)). The odds of good are e^(−z), so
 * score = basePoints + (pointsToDouble / ln 2) · (−z − ln baseOdds). Working from the logit
 * rather than the probability keeps the score exact where p rounds to 0 or 1.
 *
 * @example pointsFromLogit(-Math.log(50)) // 600; pointsFromLogit(-Math.log(100)) // 620
 */
export function pointsFromLogit(logitOfDefault: number, scale: ScoreScale = DEFAULT_SCORE_SCALE): number {
  const factor = scale.pointsToDouble / Math.LN2;
  return scale.basePoints + factor * (-logitOfDefault - Math.log(scale.baseOdds));
}
