/**
 * Seeded synthetic classification problems for the model tests: a linearly separable one
 * (with a margin, so a perfect linear rule exists) and an XOR-like one (no linear rule beats
 * chance).
 */
import type { Matrix } from '../../src/math/linalg.js';
import type { Random } from '../../src/math/random.js';

export interface Dataset {
  readonly x: Matrix;
  readonly y: Float64Array;
}

/**
 * Rows with standard normal features labelled by the sign of w·x + 0.3 for a random unit w;
 * rows within `margin` of the boundary are redrawn so the classes are separated.
 */
export function linearlySeparable(rng: Random, numRows: number, numFeatures: number, margin = 0.1): Dataset {
  const w = Array.from({ length: numFeatures }, () => rng.normal());
  const norm = Math.hypot(...w);
  const x = new Float64Array(numRows * numFeatures);
  const y = new Float64Array(numRows);
  for (let i = 0; i < numRows; i++) {
    let s: number;
    do {
      s = 0.3;
      for (let j = 0; j < numFeatures; j++) {
        const v = rng.normal();
        x[i * numFeatures + j] = v;
        s += (w[j] / norm) * v;
      }
    } while (Math.abs(s) < margin);
    y[i] = s > 0 ? 1 : 0;
  }
  return { x: { data: x, rows: numRows, cols: numFeatures }, y };
}

/** Two uniform features in [−1, 1]; label 1 when they have the same sign (XOR of the signs). */
export function xorLike(rng: Random, numRows: number): Dataset {
  const x = new Float64Array(numRows * 2);
  const y = new Float64Array(numRows);
  for (let i = 0; i < numRows; i++) {
    const a = 2 * rng.next() - 1;
    const b = 2 * rng.next() - 1;
    x[2 * i] = a;
    x[2 * i + 1] = b;
    y[i] = a * b > 0 ? 1 : 0;
  }
  return { x: { data: x, rows: numRows, cols: 2 }, y };
}

/** Fraction of rows where P(bad) > 0.5 matches the label. */
export function accuracy(proba: Float64Array, y: Float64Array): number {
  let correct = 0;
  for (let i = 0; i < y.length; i++) if (proba[i] > 0.5 === (y[i] === 1)) correct++;
  return correct / y.length;
}
