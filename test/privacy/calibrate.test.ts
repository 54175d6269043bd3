import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { noiseMultiplierFor } from '../../src/privacy/calibrate.js';
import { epsilonFor } from '../../src/privacy/rdp.js';

interface CalibrationVector {
  targetEpsilon: number;
  delta: number;
  sampleRate: number;
  steps: number;
  tolerance: number;
  noiseMultiplier: number;
  absTolerance: number;
}
const vectors = JSON.parse(readFileSync(new URL('../vectors/rdp.json', import.meta.url), 'utf8')) as {
  published: { noiseMultiplier: CalibrationVector[] };
};

describe('noiseMultiplierFor', () => {
  it.each(vectors.published.noiseMultiplier)(
    "reproduces Opacus' get_noise_multiplier: ε = $targetEpsilon, q = $sampleRate, $steps steps → σ = $noiseMultiplier",
    ({ noiseMultiplier, absTolerance, ...options }) => {
      const sigma = noiseMultiplierFor(options);
      expect(Math.abs(sigma - noiseMultiplier)).toBeLessThan(absTolerance);
      const spent = epsilonFor({ ...options, noiseMultiplier: sigma }).epsilon;
      expect(spent).toBeLessThanOrEqual(options.targetEpsilon);
      expect(options.targetEpsilon - spent).toBeLessThanOrEqual(options.tolerance);
    },
  );

  it('never overshoots the target ε and lands within the tolerance (property, as in Opacus test_get_noise_multiplier_overshoot)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1, max: 10, noNaN: true }),
        fc.integer({ min: 10, max: 100 }),
        fc.constantFrom(1e-4, 1e-3, 1e-2, 5e-2, 1e-1),
        fc.constantFrom(1e-4, 1e-5, 1e-6),
        (targetEpsilon, epochs, sampleRate, delta) => {
          const steps = Math.floor(epochs / sampleRate); // as Opacus derives steps from epochs
          const sigma = noiseMultiplierFor({ targetEpsilon, sampleRate, steps, delta });
          const spent = epsilonFor({ noiseMultiplier: sigma, sampleRate, steps, delta }).epsilon;
          expect(spent).toBeLessThanOrEqual(targetEpsilon);
          expect(targetEpsilon - spent).toBeLessThanOrEqual(0.01);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('meets a tighter tolerance when asked', () => {
    const options = { targetEpsilon: 3, sampleRate: 0.01, steps: 1000, delta: 1e-5, tolerance: 1e-6 };
    const sigma = noiseMultiplierFor(options);
    const spent = epsilonFor({ ...options, noiseMultiplier: sigma }).epsilon;
    expect(spent).toBeLessThanOrEqual(3);
    expect(3 - spent).toBeLessThanOrEqual(1e-6);
  });

  it('throws RangeError for a target below what any noise can reach', () => {
    // With δ = 1e-5 and the default orders, the RDP→(ε, δ) conversion alone costs ≈ 0.103.
    expect(() => noiseMultiplierFor({ targetEpsilon: 0.05, sampleRate: 0.04, steps: 2000, delta: 1e-5 })).toThrow(RangeError);
    expect(() => noiseMultiplierFor({ targetEpsilon: 0.05, sampleRate: 0.04, steps: 2000, delta: 1e-5 })).toThrow(/targetEpsilon/);
  });

  it.each([
    ['targetEpsilon 0', { targetEpsilon: 0 }, RangeError],
    ['targetEpsilon NaN', { targetEpsilon: NaN }, RangeError],
    ['targetEpsilon string', { targetEpsilon: '8' }, TypeError],
    ['sampleRate 0', { sampleRate: 0 }, RangeError],
    ['sampleRate > 1', { sampleRate: 2 }, RangeError],
    ['steps 0', { steps: 0 }, RangeError],
    ['steps fractional', { steps: 2.5 }, RangeError],
    ['delta 0', { delta: 0 }, RangeError],
    ['tolerance negative', { tolerance: -1 }, RangeError],
  ])('rejects %s', (_name, patch, error) => {
    const base = { targetEpsilon: 8, sampleRate: 0.04, steps: 100, delta: 1e-5 };
    expect(() => noiseMultiplierFor({ ...base, ...patch } as never)).toThrow(error);
  });
});
