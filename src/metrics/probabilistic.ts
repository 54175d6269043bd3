/**
 * Proper scoring rules for predicted probabilities of bad: Brier score and log loss. Unlike
 * ranking metrics they reward calibration, so they are defined with a single class too.
 */
import { checkScoresAndLabels, type Labels, type Scores } from './validate.js';

/**
 * Probabilities are clipped to [LOG_LOSS_EPSILON, 1 − LOG_LOSS_EPSILON] before taking logs, so
 * one confident mistake costs at most −ln(1e-15) ≈ 34.5 instead of Infinity (same default as
 * scikit-learn's `log_loss`).
 */
export const LOG_LOSS_EPSILON = 1e-15;

/** The largest log-loss term one example can contribute, −ln(1e-15) ≈ 34.539. */
export const MAX_LOG_LOSS_TERM = -Math.log(LOG_LOSS_EPSILON);

/** Squared error of one prediction: (p − y)². In [0, 1]. */
export function brierTerm(probability: number, label: number): number {
  const d = probability - label;
  return d * d;
}

/** Negative log-likelihood of one prediction with clipping; in [0, {@link MAX_LOG_LOSS_TERM}]. */
export function logLossTerm(probability: number, label: number): number {
  const p = Math.min(Math.max(probability, LOG_LOSS_EPSILON), 1 - LOG_LOSS_EPSILON);
  return label === 1 ? -Math.log(p) : -Math.log1p(-p);
}

/**
 * Brier score: mean of (p − y)² over examples (Brier 1950). 0 is perfect; 0.25 is what a
 * constant 0.5 earns.
 *
 * @example
 * brier(Float64Array.of(0.1, 0.9, 0.8, 0.3), Uint8Array.of(0, 1, 1, 0)); // 0.0375
 */
export function brier(scores: Scores, labels: Labels): number {
  checkScoresAndLabels(scores, labels, true);
  let sum = 0;
  for (let i = 0; i < scores.length; i++) sum += brierTerm(scores[i], labels[i]);
  return sum / scores.length;
}

/**
 * Log loss (binary cross-entropy, natural log): −mean[y·ln p + (1 − y)·ln(1 − p)], with p
 * clipped to [1e-15, 1 − 1e-15].
 *
 * @example
 * logLoss(Float64Array.of(0.9, 0.1, 0.2, 0.65), Uint8Array.of(1, 0, 0, 1)); // ≈ 0.216162
 */
export function logLoss(scores: Scores, labels: Labels): number {
  checkScoresAndLabels(scores, labels, true);
  let sum = 0;
  for (let i = 0; i < scores.length; i++) sum += logLossTerm(scores[i], labels[i]);
  return sum / scores.length;
}
