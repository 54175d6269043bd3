/**
 * The small set of dense linear-algebra kernels FedCredit's models and strategies use, on
 * `Float64Array` in row-major layout. Kept in one module so that every model shares (and every
 * optimisation benefits) the same loops.
 */

/** A dense row-major matrix view. */
export interface Matrix {
  readonly data: Float64Array;
  readonly rows: number;
  readonly cols: number;
}

/** Allocate a zero matrix. */
export function zeros(rows: number, cols: number): Matrix {
  return { data: new Float64Array(rows * cols), rows, cols };
}

/** Σ a[i]·b[i] over the first `n` entries (default all), with optional offsets. */
export function dot(a: Float64Array, b: Float64Array, n = a.length, offsetA = 0, offsetB = 0): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[offsetA + i] * b[offsetB + i];
  return s;
}

/** y += alpha·x (in place). */
export function axpy(alpha: number, x: Float64Array, y: Float64Array, n = x.length, offsetX = 0, offsetY = 0): void {
  for (let i = 0; i < n; i++) y[offsetY + i] += alpha * x[offsetX + i];
}

/** x *= alpha (in place). */
export function scale(alpha: number, x: Float64Array): void {
  for (let i = 0; i < x.length; i++) x[i] *= alpha;
}

/** Euclidean norm. */
export function norm2(x: Float64Array): number {
  return Math.sqrt(dot(x, x));
}

/** Squared Euclidean distance between a and b. */
export function squaredDistance(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    s += d * d;
  }
  return s;
}

/** out = a − b. */
export function sub(a: Float64Array, b: Float64Array, out = new Float64Array(a.length)): Float64Array {
  for (let i = 0; i < a.length; i++) out[i] = a[i] - b[i];
  return out;
}

/** out = a + b. */
export function add(a: Float64Array, b: Float64Array, out = new Float64Array(a.length)): Float64Array {
  for (let i = 0; i < a.length; i++) out[i] = a[i] + b[i];
  return out;
}

/** out[r] = Σ_c M[r,c]·x[c] + (bias ? bias[r] : 0), for M rows×cols. */
export function matVec(m: Matrix, x: Float64Array, out = new Float64Array(m.rows), bias?: Float64Array): Float64Array {
  const { data, rows, cols } = m;
  for (let r = 0; r < rows; r++) {
    let s = bias ? bias[r] : 0;
    const o = r * cols;
    for (let c = 0; c < cols; c++) s += data[o + c] * x[c];
    out[r] = s;
  }
  return out;
}

/** Numerically stable logistic function. */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** log(1 + exp(z)) without overflow. */
export function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/** Copy rows `indices` of a row-major matrix into a new matrix. */
export function takeRows(m: Matrix, indices: ArrayLike<number>): Matrix {
  const out = new Float64Array(indices.length * m.cols);
  for (let i = 0; i < indices.length; i++) out.set(m.data.subarray(indices[i] * m.cols, (indices[i] + 1) * m.cols), i * m.cols);
  return { data: out, rows: indices.length, cols: m.cols };
}
