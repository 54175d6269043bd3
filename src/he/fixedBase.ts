/**
 * Fixed-base modular exponentiation with a precomputed table (HAC §14.6.3, the fixed-base
 * windowing idea of Brickell–Gordon–McCurley–Wilson in its simplest, table-only form).
 *
 * For a base used many times, store `base^(j · 2^(w·i)) mod m` for every window position `i`
 * and digit `j ∈ [1, 2^w)`. Then `base^e` for an exponent of `k` bits is the product of one
 * table entry per non-zero `w`-bit digit of `e`: at most `⌈k / w⌉` modular multiplications and
 * no squarings, against about `k + k/(w+1)` for {@link modPow}. The table holds
 * `⌈k / w⌉ · (2^w − 1)` residues; with a 4096-bit modulus, `k = 1024` and `w = 6` that is
 * 10,773 entries, about 5.5 MB, built with as many multiplications.
 */
import { mod } from './bigint.js';

/** Options of {@link FixedBaseTable}. */
export interface FixedBaseOptions {
  /** Largest exponent bit length the table serves. */
  readonly maxExponentBits: number;
  /** Digit width `w` in bits (1–12, default 6): wider is faster per call, bigger and slower to build. */
  readonly windowBits?: number;
}

/**
 * Precomputed powers of one base modulo one modulus; `pow(e)` returns `base^e mod modulus` for
 * `0 ≤ e < 2^maxExponentBits`. Example: `new FixedBaseTable(3n, 1000n, { maxExponentBits: 16
 * }).pow(5n) === 243n`.
 */
export class FixedBaseTable {
  readonly modulus: bigint;
  readonly maxExponentBits: number;
  readonly windowBits: number;
  /** `rows[i][j − 1] = base^(j · 2^(w·i)) mod modulus`. */
  private readonly rows: bigint[][];

  constructor(base: bigint, modulus: bigint, options: FixedBaseOptions) {
    if (typeof base !== 'bigint') throw new TypeError(`base: expected a bigint, got ${typeof base}`);
    if (typeof modulus !== 'bigint') throw new TypeError(`modulus: expected a bigint, got ${typeof modulus}`);
    if (modulus < 2n) throw new RangeError(`modulus: expected ≥ 2, got ${modulus}`);
    const { maxExponentBits } = options;
    const windowBits = options.windowBits ?? 6;
    if (!Number.isInteger(maxExponentBits) || maxExponentBits < 1) {
      throw new RangeError(`maxExponentBits: expected a positive integer, got ${maxExponentBits}`);
    }
    if (!Number.isInteger(windowBits) || windowBits < 1 || windowBits > 12) {
      throw new RangeError(`windowBits: expected an integer in [1, 12], got ${windowBits}`);
    }
    this.modulus = modulus;
    this.maxExponentBits = maxExponentBits;
    this.windowBits = windowBits;
    const numWindows = Math.ceil(maxExponentBits / windowBits);
    const digitsPerWindow = (1 << windowBits) - 1;
    this.rows = [];
    let windowBase = mod(base, modulus); // base^(2^(w·i))
    for (let i = 0; i < numWindows; i++) {
      const row: bigint[] = [windowBase];
      for (let j = 1; j < digitsPerWindow; j++) row.push((row[j - 1] * windowBase) % modulus);
      this.rows.push(row);
      // base^(2^(w·(i+1))) = (base^((2^w − 1)·2^(w·i))) · base^(2^(w·i)).
      windowBase = (row[digitsPerWindow - 1] * windowBase) % modulus;
    }
  }

  /** `base^exponent mod modulus`; RangeError unless `0 ≤ exponent < 2^maxExponentBits`. */
  pow(exponent: bigint): bigint {
    if (typeof exponent !== 'bigint') throw new TypeError(`exponent: expected a bigint, got ${typeof exponent}`);
    if (exponent < 0n || exponent >> BigInt(this.maxExponentBits) !== 0n) {
      throw new RangeError(`exponent: expected in [0, 2^${this.maxExponentBits})`);
    }
    const bits = exponent.toString(2);
    const w = this.windowBits;
    let result: bigint | undefined;
    // Window i covers bits [w·i, w·(i+1)) counted from the least significant end.
    for (let end = bits.length, i = 0; end > 0; end -= w, i++) {
      const digit = parseInt(bits.slice(Math.max(0, end - w), end), 2);
      if (digit === 0) continue;
      const entry = this.rows[i][digit - 1];
      result = result === undefined ? entry : (result * entry) % this.modulus;
    }
    return result ?? 1n % this.modulus;
  }
}
