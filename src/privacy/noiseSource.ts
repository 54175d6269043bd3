/**
 * Where DP noise comes from. Production noise must be unpredictable, so it is drawn from the
 * operating system (`node:crypto`) and can never be seeded; tests and simulations inject a
 * seeded source explicitly so that a run is reproducible bit for bit.
 */
import { randomFillSync } from 'node:crypto';
import type { Random } from '../math/random.js';

/** A source of uniform and standard normal variates for DP mechanisms. */
export interface NoiseSource {
  /** Uniform double in [0, 1) with 53 random bits. */
  uniform(): number;
  /** Standard normal variate N(0, 1). */
  normal(): number;
}

/** 2⁻⁵³, turning a 53-bit integer into a double in [0, 1). */
const TWO_POW_MINUS_53 = 1 / 9007199254740992;
/** Bytes fetched from the OS per refill: 512 uniforms, so syscalls stay rare. */
const POOL_BYTES = 4096;

/**
 * Standard normal from uniforms by Marsaglia's polar method; returns a pair, both used. Exact in
 * distribution (up to the 53-bit uniforms), unlike inverse-CDF approximations.
 */
function polarPair(uniform: () => number): [number, number] {
  for (;;) {
    const u = 2 * uniform() - 1;
    const v = 2 * uniform() - 1;
    const s = u * u + v * v;
    if (s < 1 && s > 0) {
      const f = Math.sqrt((-2 * Math.log(s)) / s);
      return [u * f, v * f];
    }
  }
}

/**
 * The production noise source: uniforms built from `crypto.randomFillSync` (53 bits each), normals
 * by the polar method. It has no seed and cannot be replayed.
 *
 * Caveat: noise sampled in floating point is not exactly the continuous distribution the DP
 * proof assumes (Mironov, "On significance of the least significant bits for differential
 * privacy", CCS 2012); releasing values with all their low-order bits can leak a little more than
 * the stated ε. Round or snap released values where that matters.
 */
export function cryptoNoiseSource(): NoiseSource {
  // Closures rather than a class, so `source.normal` can be passed around unbound.
  const pool = Buffer.alloc(POOL_BYTES);
  let offset = POOL_BYTES;
  let spare: number | undefined;
  const uniform = (): number => {
    if (offset + 8 > POOL_BYTES) {
      randomFillSync(pool);
      offset = 0;
    }
    const hi = pool.readUInt32LE(offset) >>> 5; // 27 bits
    const lo = pool.readUInt32LE(offset + 4) >>> 6; // 26 bits
    // Wipe what was used: a leaked pool would reveal the noise, and with it the protected value.
    pool.fill(0, offset, offset + 8);
    offset += 8;
    return (hi * 67108864 + lo) * TWO_POW_MINUS_53;
  };
  const normal = (): number => {
    if (spare !== undefined) {
      const z = spare;
      spare = undefined;
      return z;
    }
    const [z, other] = polarPair(uniform);
    spare = other;
    return z;
  };
  return { uniform, normal };
}

/**
 * A reproducible noise source driven by a seeded {@link Random}, for tests and simulations only
 * (anyone who knows the seed can subtract the noise).
 *
 * @example const source = seededNoiseSource(deriveRandom(42, 'node', 'bank-a', 'dp-noise'));
 */
export function seededNoiseSource(random: Random): NoiseSource {
  if (random === null || typeof random !== 'object' || typeof random.next !== 'function' || typeof random.normal !== 'function') {
    throw new TypeError('random: expected a Random (see deriveRandom in src/math/random.ts)');
  }
  return {
    uniform: () => random.next(),
    normal: () => random.normal(),
  };
}
