/**
 * Fixed-point encoding of real vectors into the ring Z_{2^ringBits} (default 2^32), where
 * secure aggregation adds them, and decoding of the sum.
 *
 * Encoding (two's complement, centred): with clipping bound c > 0 and at most n clients,
 *
 *   L     = ⌊(2^(ringBits−1) − 1) / n⌋        integer levels on each side of zero
 *   scale = L / c,  step = c / L               one quantization step in value units
 *   q(x)  = clamp(round(clip(x, −c, c) · scale), −L, L)   stored as q mod 2^ringBits
 *
 * Overflow bound: every |q| ≤ L, so a sum of n codes has |Σq| ≤ n·L ≤ 2^(ringBits−1) − 1, i.e.
 * n·(2c·scale) = 2nL < 2^ringBits. The sum is therefore the unique integer in
 * (−2^(ringBits−1), 2^(ringBits−1)) congruent to the ring sum, recovered by the centred lift
 * s ↦ s − 2^ringBits when s ≥ 2^(ringBits−1): the modular sum decodes to the exact integer sum.
 * With ringBits = 32 and n = 1,000, L = 2,147,483 (step = c / 2.1·10⁶); the largest supported n
 * is 2^(ringBits−1) − 1 (then L = 1).
 *
 * Error bound (|x| ≤ c, so clip(x) = x): let v = x·scale ∈ [−L, L].
 *  - nearest rounding: |round(v) − v| ≤ 1/2; clamping to [−L, L] can only move the code
 *    towards v (v itself lies in [−L, L]), so |q/scale − x| ≤ 1/(2·scale) = step/2;
 *  - stochastic rounding: q ∈ {⌊v⌋, ⌈v⌉}, so |q − v| < 1 and |q/scale − x| < step, with
 *    E[q] = v (unbiased) because P(q = ⌈v⌉) = v − ⌊v⌋.
 * Hence |dequantize(quantize(x)) − x| ≤ one step in both modes (up to the floating-point
 * rounding of the final division, a relative 2^−53). For |x| > c the error is |x| − c plus that.
 */
import type { Random } from '../math/random.js';

/** What both ends of a sum agree on before quantizing. */
export interface QuantizationParams {
  /** Clipping bound c: values are clipped to [−c, c] before encoding. */
  readonly clip: number;
  /** Largest number of vectors that will be added together (n in the overflow bound). */
  readonly maxClients: number;
  /** Ring size exponent: codes live in Z_{2^ringBits}. Default 32. */
  readonly ringBits?: number;
}

/** Derived constants of a {@link QuantizationParams}; see the file comment for the formulas. */
export interface QuantizationScale {
  readonly ringBits: number;
  readonly levelsPerSide: number;
  readonly scale: number;
  readonly step: number;
}

/**
 * Check `params` and derive the levels, scale and step.
 *
 * @example quantizationScale({ clip: 1, maxClients: 100 }).step  // 1 / 21474836
 */
export function quantizationScale(params: QuantizationParams): QuantizationScale {
  if (typeof params !== 'object' || params === null) throw new TypeError('params: expected an object');
  const { clip, maxClients } = params;
  const ringBits = params.ringBits ?? 32;
  if (typeof clip !== 'number' || !(clip > 0) || !Number.isFinite(clip)) {
    throw new RangeError(`params.clip: expected a finite number > 0, got ${String(clip)}`);
  }
  if (!Number.isInteger(ringBits) || ringBits < 2 || ringBits > 32) {
    throw new RangeError(`params.ringBits: expected an integer in [2, 32], got ${String(ringBits)}`);
  }
  const half = 2 ** (ringBits - 1) - 1;
  if (!Number.isInteger(maxClients) || maxClients < 1 || maxClients > half) {
    throw new RangeError(`params.maxClients: expected an integer in [1, ${half}], got ${String(maxClients)}`);
  }
  const levelsPerSide = Math.floor(half / maxClients);
  return { ringBits, levelsPerSide, scale: levelsPerSide / clip, step: clip / levelsPerSide };
}

/**
 * Clip and encode `values` as ring elements. Nearest rounding by default; pass `random` for
 * unbiased stochastic rounding (seeded, so reproducible).
 *
 * @throws RangeError if a value is NaN or ±Infinity (a diverged update should not be clipped
 *   silently into the sum).
 */
export function quantize(values: Float64Array | readonly number[], params: QuantizationParams, options: { random?: Random } = {}): Uint32Array {
  if (!(values instanceof Float64Array) && !Array.isArray(values)) throw new TypeError('values: expected a Float64Array or number[]');
  const { ringBits, levelsPerSide: L, scale } = quantizationScale(params);
  const clip = params.clip;
  const modulus = 2 ** ringBits;
  const random = options.random;
  if (values instanceof Float64Array && random === undefined && ringBits === 32) return quantizeNearest32(values, clip, scale, L);
  const out = new Uint32Array(values.length);
  for (let k = 0; k < values.length; k++) {
    const x = values[k];
    if (typeof x !== 'number' || !Number.isFinite(x)) throw new RangeError(`values[${k}]: expected a finite number, got ${String(x)}`);
    const v = (x > clip ? clip : x < -clip ? -clip : x) * scale;
    let q: number;
    if (random) {
      const f = Math.floor(v);
      q = random.next() < v - f ? f + 1 : f;
    } else {
      // Math.round (nearest, ties towards +∞) by floor: v − ⌊v⌋ is exact for |v| ≥ 1 (Sterbenz)
      // and on (−1, 1) rounds the right way around 1/2; twice as fast as Math.round in V8
      const f = Math.floor(v);
      q = v - f >= 0.5 ? f + 1 : f;
    }
    if (q > L) q = L;
    else if (q < -L) q = -L;
    out[k] = q < 0 ? q + modulus : q;
  }
  return out;
}

/**
 * {@link quantize} for the common case (a Float64Array, nearest rounding, the 2^32 ring) in one
 * branch-free loop: the rounding decision of a model update is a coin flip per value, so a
 * branch on it is mispredicted half the time (4 × slower here). Codes are written as int32,
 * whose bytes are the two's-complement residues mod 2^32, so the Uint32Array view of the same
 * buffer holds the ring elements.
 */
function quantizeNearest32(values: Float64Array, clip: number, scale: number, L: number): Uint32Array {
  const words = new Uint32Array(values.length);
  const out = new Int32Array(words.buffer);
  for (let k = 0; k < values.length; k++) {
    const x = values[k];
    // x − x is 0 for every finite x and NaN for NaN and ±Infinity
    if (x - x !== 0) throw new RangeError(`values[${k}]: expected a finite number, got ${String(x)}`);
    const v = Math.min(clip, Math.max(-clip, x)) * scale;
    const f = Math.floor(v);
    // Math.round (ties towards +∞) as ⌊v⌋ + [v − ⌊v⌋ ≥ 1/2], exact as in quantize
    out[k] = Math.min(L, Math.max(-L, f + +(v - f >= 0.5)));
  }
  return words;
}

/**
 * Decode a ring sum of `numClients` quantized vectors back to the real sum (each term within
 * one step of its clipped input, see the file comment).
 *
 * @throws RangeError if `numClients` exceeds `params.maxClients` (the lift would be ambiguous) or
 *   an element is not a ring element.
 */
export function dequantizeSum(sum: Uint32Array, numClients: number, params: QuantizationParams): Float64Array {
  if (!(sum instanceof Uint32Array)) throw new TypeError('sum: expected a Uint32Array');
  const { ringBits, scale } = quantizationScale(params);
  if (!Number.isInteger(numClients) || numClients < 0 || numClients > params.maxClients) {
    throw new RangeError(`numClients: expected an integer in [0, ${params.maxClients}], got ${numClients}`);
  }
  const modulus = 2 ** ringBits;
  const halfModulus = modulus / 2;
  const out = new Float64Array(sum.length);
  for (let k = 0; k < sum.length; k++) {
    const s = sum[k];
    if (s >= modulus) throw new RangeError(`sum[${k}]: ${s} is not an element of Z_2^${ringBits}`);
    out[k] = (s >= halfModulus ? s - modulus : s) / scale;
  }
  return out;
}

/** Add ring vectors element-wise mod 2^ringBits (the plain, unmasked aggregation). */
export function addRing(acc: Uint32Array, term: Uint32Array, ringBits = 32): void {
  if (!(acc instanceof Uint32Array) || !(term instanceof Uint32Array)) throw new TypeError('acc, term: expected Uint32Arrays');
  if (acc.length !== term.length) throw new RangeError(`term: expected length ${acc.length}, got ${term.length}`);
  if (!Number.isInteger(ringBits) || ringBits < 1 || ringBits > 32) throw new RangeError(`ringBits: expected an integer in [1, 32], got ${ringBits}`);
  if (ringBits === 32) {
    for (let k = 0; k < acc.length; k++) acc[k] += term[k];
  } else {
    const m = 2 ** ringBits - 1;
    for (let k = 0; k < acc.length; k++) acc[k] = (acc[k] + term[k]) & m;
  }
}
