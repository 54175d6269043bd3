/**
 * Hyper-parameters of second-order gradient-boosted trees (Chen & Guestrin 2016, "XGBoost",
 * §2.2): how many trees, how deep, the shrinkage, the L2 penalty λ on leaf weights, the minimum
 * hessian per child, the minimum split gain γ and the number of histogram bins per numeric column.
 */

/** Settings of one boosting run; see {@link gbdtParams} for defaults and bounds. */
export interface GbdtParams {
  /** Boosting rounds, one tree each (1 … 500). */
  readonly numTrees: number;
  /** Maximum depth of a tree: levels of splits below the root (1 … 6). */
  readonly maxDepth: number;
  /** Shrinkage η multiplying every leaf weight, in (0, 1]. */
  readonly learningRate: number;
  /** L2 penalty λ on leaf weights (≥ 0): w = −G / (H + λ). */
  readonly l2: number;
  /** Minimum sum of hessians in each child of a split (≥ 0). */
  readonly minChildWeight: number;
  /** Minimum loss reduction γ a split must bring (≥ 0). */
  readonly minSplitGain: number;
  /** Histogram bins per numeric column, missing values not counted (2 … 255). */
  readonly maxBins: number;
}

/** Upper bounds checked by {@link gbdtParams}. */
export const GBDT_LIMITS = Object.freeze({ maxTrees: 500, maxDepth: 6, maxBins: 255 });

/**
 * Defaults chosen a priori (not tuned on any test fold): 200 trees of depth 3 with shrinkage
 * 0.05, λ = 1, min child weight 1 and 32 bins, close to XGBoost's defaults and to R gbm's
 * usual depth-3 settings.
 */
export const GBDT_DEFAULTS: GbdtParams = Object.freeze({
  numTrees: 200,
  maxDepth: 3,
  learningRate: 0.05,
  l2: 1,
  minChildWeight: 1,
  minSplitGain: 0,
  maxBins: 32,
});

/**
 * Complete and validate GBDT settings; throws RangeError/TypeError naming the parameter.
 *
 * @example
 * gbdtParams({ numTrees: 100, maxDepth: 4 }); // other fields from GBDT_DEFAULTS
 */
export function gbdtParams(partial: Partial<GbdtParams> = {}): GbdtParams {
  if (typeof partial !== 'object' || partial === null) throw new TypeError('params: expected an object');
  const p: GbdtParams = { ...GBDT_DEFAULTS, ...partial };
  const int = (name: keyof GbdtParams, min: number, max: number) => {
    const v = p[name];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new RangeError(`${name}: expected an integer from ${min} to ${max}, got ${String(v)}`);
  };
  const nonNegative = (name: keyof GbdtParams) => {
    const v = p[name];
    if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) throw new RangeError(`${name}: expected a finite number ≥ 0, got ${String(v)}`);
  };
  int('numTrees', 1, GBDT_LIMITS.maxTrees);
  int('maxDepth', 1, GBDT_LIMITS.maxDepth);
  int('maxBins', 2, GBDT_LIMITS.maxBins);
  if (typeof p.learningRate !== 'number' || !(p.learningRate > 0 && p.learningRate <= 1)) throw new RangeError(`learningRate: expected a number in (0, 1], got ${String(p.learningRate)}`);
  nonNegative('l2');
  nonNegative('minChildWeight');
  nonNegative('minSplitGain');
  return Object.freeze(p);
}
