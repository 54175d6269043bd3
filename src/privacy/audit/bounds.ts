/**
 * What differential privacy promises about membership inference, to set the measured advantage
 * against. For an (ε, δ)-DP training procedure, any test of "was this record in the training
 * set" has TPR ≤ e^ε·FPR + δ and 1 − FPR ≤ e^ε·(1 − TPR) + δ (the privacy region of Kairouz, Oh
 * & Viswanath, "The Composition Theorem for Differential Privacy", ICML 2015, §2). The
 * largest TPR − FPR inside that region, for a member prior of ½, is
 *
 *   advantage ≤ (e^ε − 1 + 2δ) / (e^ε + 1)
 *
 * (Humphries et al., "Investigating Membership Inference Attacks under Data Dependencies",
 * CSF 2023; arXiv:2010.12112), which for δ = 0 is tanh(ε/2). Yeom et al.'s e^ε − 1 (CSF 2018, Thm. 1) is
 * looser and exceeds 1 for ε > ln 2. The bound is worst case over all records and attacks, so it
 * is far above what attacks on an average record achieve: at ε = 3 it is ≈ 0.905.
 */

/**
 * The DP bound on membership advantage, (e^ε − 1 + 2δ)/(e^ε + 1), capped at 1.
 *
 * @example membershipAdvantageBound(3, 0) // tanh(1.5) ≈ 0.905148
 */
export function membershipAdvantageBound(epsilon: number, delta: number): number {
  if (typeof epsilon !== 'number' || typeof delta !== 'number') throw new TypeError('epsilon, delta: expected numbers');
  if (!(epsilon >= 0)) throw new RangeError(`epsilon: expected a number ≥ 0, got ${epsilon}`);
  if (!(delta >= 0 && delta <= 1)) throw new RangeError(`delta: expected a number in [0, 1], got ${delta}`);
  // Numerator and denominator multiplied by e^−ε, so a large ε cannot overflow to ∞/∞; −expm1(−ε)
  // keeps 1 − e^−ε precise for small ε, where it would cancel.
  const shrink = Math.exp(-epsilon);
  return Math.min(1, (-Math.expm1(-epsilon) + 2 * delta * shrink) / (1 + shrink));
}
