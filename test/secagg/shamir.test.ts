import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { combineShares, shareX, splitSecret } from '../../src/secagg/shamir.js';
import { CHI2_255_P1E6, chiSquareUniform } from './stats.js';

function subsets<T>(items: readonly T[], size: number): T[][] {
  if (size === 0) return [[]];
  if (items.length < size) return [];
  const [first, ...rest] = items;
  return [...subsets(rest, size - 1).map((s) => [first, ...s]), ...subsets(rest, size)];
}

describe('Shamir secret sharing', () => {
  it('every t-subset recovers the secret; every (t−1)-subset yields something else', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.integer({ min: 2, max: 7 }).chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 2, max: n }))),
        async (secret, [n, t]) => {
          const shares = await splitSecret(secret, n, t);
          expect(shares).toHaveLength(n);
          expect(new Set(shares.map(shareX)).size).toBe(n);
          for (const subset of subsets(shares, t)) expect(await combineShares(subset)).toEqual(secret);
          // With t−1 ≥ 2 points the interpolation is a uniformly random polynomial's value at 0:
          // equal to a 32-byte secret with probability 2^−256.
          if (t - 1 >= 2) for (const subset of subsets(shares, t - 1)) expect(await combineShares(subset)).not.toEqual(secret);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('shares are the audited package\'s format: x = 1..n in the last byte, combined by the package for SecAgg sizes', async () => {
    for (const [n, t] of [[17, 9], [21, 11], [100, 51], [255, 128]]) {
      const secret = new Uint8Array(32).map((_, k) => (k * 37 + n) & 0xff);
      const shares = await splitSecret(secret, n, t);
      expect(shares.map(shareX)).toEqual(Array.from({ length: n }, (_, k) => k + 1));
      // the t shares with the largest x, and t shares picked in a scattered order
      expect(await combineShares(shares.slice(n - t))).toEqual(secret);
      const scattered = Array.from({ length: t }, (_, k) => shares[(k * 7) % n]);
      if (new Set(scattered).size === t) expect(await combineShares(scattered)).toEqual(secret);
    }
  });

  it('more than t shares also recover the secret (same polynomial)', async () => {
    const secret = new Uint8Array(32).map((_, k) => k * 7);
    const shares = await splitSecret(secret, 9, 4);
    expect(await combineShares(shares)).toEqual(secret);
  });

  it('a share byte is uniform whatever the secret (chi-square over 25,600 splits, p = 1e-6)', async () => {
    for (const secretByte of [0x00, 0xa5]) {
      const counts = new Array<number>(256).fill(0);
      for (let i = 0; i < 25_600; i++) {
        const shares = await splitSecret(Uint8Array.of(secretByte), 3, 3);
        counts[shares[0][0]]++;
      }
      expect(chiSquareUniform(counts)).toBeLessThan(CHI2_255_P1E6);
    }
    // Control: the statistic does flag a skewed distribution of the same size.
    const skewed = new Array<number>(256).fill(100);
    skewed[0] += 250;
    skewed[1] -= 90;
    skewed[2] -= 80;
    skewed[3] -= 80;
    expect(chiSquareUniform(skewed)).toBeGreaterThan(CHI2_255_P1E6);
  });

  it('accepts Buffers by copying them to plain Uint8Arrays', async () => {
    const secret = Buffer.from('0123456789abcdef0123456789abcdef');
    const shares = await splitSecret(secret, 3, 2);
    expect(await combineShares([Buffer.from(shares[0]), shares[2]])).toEqual(new Uint8Array(secret));
  });

  it.each([
    ['threshold 1', () => splitSecret(new Uint8Array(4), 3, 1)],
    ['threshold above share count', () => splitSecret(new Uint8Array(4), 3, 4)],
    ['256 shares', () => splitSecret(new Uint8Array(4), 256, 2)],
    ['fractional share count', () => splitSecret(new Uint8Array(4), 2.5, 2)],
    ['empty secret', () => splitSecret(new Uint8Array(0), 3, 2)],
  ])('split refuses %s with RangeError', async (_name, f) => {
    await expect(f()).rejects.toThrow(RangeError);
  });

  it('split refuses a non-byte secret with TypeError', async () => {
    await expect(splitSecret([1, 2] as unknown as Uint8Array, 3, 2)).rejects.toThrow(TypeError);
  });

  it('combine refuses hostile share sets with coded errors', async () => {
    const shares = await splitSecret(new Uint8Array(32).fill(1), 4, 2);
    const zeroX = shares[1].slice();
    zeroX[32] = 0;
    const cases: [string, Uint8Array[] | unknown, string][] = [
      ['one share', [shares[0]], 'SECAGG_TOO_FEW_SHARES'],
      ['duplicate x', [shares[0], shares[0].slice()], 'SECAGG_DUPLICATE'],
      ['length mismatch', [shares[0], shares[1].subarray(0, 20)], 'SECAGG_WRONG_LENGTH'],
      ['x = 0', [shares[0], zeroX], 'SECAGG_OUT_OF_RANGE'],
      ['not bytes', [shares[0], 'share'], 'SECAGG_MALFORMED'],
    ];
    for (const [, set, code] of cases) {
      await expect(combineShares(set as Uint8Array[])).rejects.toMatchObject({ code });
    }
    await expect(combineShares([shares[0], shares[1]], 31)).rejects.toMatchObject({ code: 'SECAGG_WRONG_LENGTH' });
  });
});
