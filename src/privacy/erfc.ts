/**
 * The complementary error function in double precision, and its logarithm for arguments where
 * erfc itself underflows.
 *
 * The RDP accountant needs log erfc(x) for x up to several hundred (fractional Rényi orders with
 * small sampling rates), where erfc(x) < 1e-308 is no longer representable. We follow W. J. Cody,
 * "Rational Chebyshev approximations for the error function", Math. Comp. 23 (1969) 631–638, as
 * published in Netlib SPECFUN `CALERF`: three rational approximations (|x| ≤ 0.46875, ≤ 4, > 4)
 * with maximal relative error below 1e-16 on each interval. The two erfc intervals approximate
 * the scaled function erfcx(x) = exp(x²)·erfc(x), so log erfc(x) = −x² + log erfcx(x) loses no
 * accuracy however large x is (this is what SciPy's `log_ndtr`, used by Opacus, does too).
 */

/* eslint-disable no-loss-of-precision -- Cody's constants keep their published 18-20 digits so they
   can be checked against the source; parsing rounds each to the nearest double, as intended. */
const INV_SQRT_PI = 5.6418958354775628695e-1;
/** Below this |x|, x² is negligible next to 1 in the first interval (Cody's XSMALL). */
const X_SMALL = 1.11e-16;
/** Above this x, erfc(x) underflows to 0 in double precision (Cody's XBIG). */
const X_BIG = 26.543;

// Cody (1969), Netlib CALERF coefficients. Interval 1: erf(x) ≈ x·R(x²) for |x| ≤ 0.46875.
const A = [3.1611237438705656, 1.13864154151050156e2, 3.77485237685302021e2, 3.20937758913846947e3, 1.85777706184603153e-1];
const B = [2.36012909523441209e1, 2.44024637934444173e2, 1.28261652607737228e3, 2.84423683343917062e3];
// Interval 2: erfcx(x) ≈ R(x) for 0.46875 < x ≤ 4.
const C = [
  5.64188496988670089e-1, 8.88314979438837594, 6.61191906371416295e1, 2.98635138197400131e2, 8.8195222124176909e2,
  1.71204761263407058e3, 2.05107837782607147e3, 1.23033935479799725e3, 2.15311535474403846e-8,
];
const D = [
  1.57449261107098347e1, 1.17693950891312499e2, 5.37181101862009858e2, 1.62138957456669019e3, 3.29079923573345963e3,
  4.36261909014324716e3, 3.43936767414372164e3, 1.23033935480374942e3,
];
// Interval 3: erfcx(x) ≈ (1/√π − R(1/x²)/x²)/x for x > 4.
const P = [3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1, 1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2];
const Q = [2.56852019228982242, 1.87295284992346047, 5.27905102951428412e-1, 6.05183413124413191e-2, 2.33520497626869185e-3];
/* eslint-enable no-loss-of-precision */

/** erf(x) for |x| ≤ 0.46875 (Cody interval 1). */
function erfSmall(x: number): number {
  const y = Math.abs(x);
  const ysq = y > X_SMALL ? y * y : 0;
  let num = A[4] * ysq;
  let den = ysq;
  for (let i = 0; i < 3; i++) {
    num = (num + A[i]) * ysq;
    den = (den + B[i]) * ysq;
  }
  return (x * (num + A[3])) / (den + B[3]);
}

/** erfcx(y) = exp(y²)·erfc(y) for y > 0.46875 (Cody intervals 2 and 3). */
function erfcxLarge(y: number): number {
  if (y <= 4) {
    let num = C[8] * y;
    let den = y;
    for (let i = 0; i < 7; i++) {
      num = (num + C[i]) * y;
      den = (den + D[i]) * y;
    }
    return (num + C[7]) / (den + D[7]);
  }
  const ysq = 1 / (y * y);
  let num = P[5] * ysq;
  let den = ysq;
  for (let i = 0; i < 4; i++) {
    num = (num + P[i]) * ysq;
    den = (den + Q[i]) * ysq;
  }
  const r = (ysq * (num + P[4])) / (den + Q[4]);
  return (INV_SQRT_PI - r) / y;
}

/**
 * exp(−y²) for y > 0 computed as Cody does, splitting y = ysq + (y − ysq) with ysq a multiple of
 * 1/16, so that the rounding error of y² is not amplified by the exponential (a plain
 * `Math.exp(-y * y)` loses up to ~y²·1e-16 relative accuracy).
 */
function expNegSquare(y: number): number {
  const head = Math.trunc(16 * y) / 16;
  const del = (y - head) * (y + head);
  return Math.exp(-head * head) * Math.exp(-del);
}

/**
 * The complementary error function erfc(x) = 1 − erf(x) = (2/√π)∫ₓ^∞ e^(−t²) dt, accurate to
 * a few units in the last place over the whole real line (Cody 1969). Underflows to 0 for
 * x > 26.54; use {@link logErfc} there.
 *
 * @example erfc(1) // 0.15729920705028513
 */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const y = Math.abs(x);
  if (y <= 0.46875) return 1 - erfSmall(x);
  const tail = y >= X_BIG ? 0 : expNegSquare(y) * erfcxLarge(y);
  return x < 0 ? 2 - tail : tail;
}

/**
 * The scaled complementary error function erfcx(x) = exp(x²)·erfc(x), which stays
 * representable (≈ 1/(x√π)) for large positive x where erfc underflows. Overflows to +∞ for
 * x below about −26.6, like every double-precision implementation.
 *
 * @example erfcx(30) // 0.018795888861416751
 */
export function erfcx(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x > 0.46875) return x === Infinity ? 0 : erfcxLarge(x);
  // erfc(x) is in [0.5, 2] here, so the product is as accurate as its factors.
  return Math.exp(x * x) * erfc(x);
}

/**
 * log(erfc(x)) accurate in double precision for every real x, including x ≫ 26 where erfc(x)
 * underflows: there it is −x² + log(erfcx(x)). This is the `_log_erfc` of Opacus' RDP analysis
 * (which calls SciPy's `log_ndtr`); log erfc(+∞) = −∞ and log erfc(−∞) = log 2.
 *
 * @example logErfc(40) // −1604.1321...
 */
export function logErfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x === Infinity) return -Infinity;
  if (x <= 0.46875) return Math.log(erfc(x));
  return -x * x + Math.log(erfcxLarge(x));
}
