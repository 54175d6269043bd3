/**
 * Chi-square goodness-of-fit helpers for the uniformity checks of masks and shares. The inputs
 * come from the OS CSPRNG (cannot be seeded), so each check uses a false-alarm rate of 1e-6.
 */

/**
 * Upper 1e-6 quantile of the chi-square distribution with 255 degrees of freedom (256 cells):
 * 377.078, from scipy.stats.chi2.isf(1e-6, 255); the Wilson–Hilferty approximation gives 377.2.
 */
export const CHI2_255_P1E6 = 377.08;

/** Pearson's statistic Σ (observed − expected)² / expected against equal cell probabilities. */
export function chiSquareUniform(counts: readonly number[]): number {
  const total = counts.reduce((a, b) => a + b, 0);
  const expected = total / counts.length;
  return counts.reduce((acc, c) => acc + ((c - expected) * (c - expected)) / expected, 0);
}
