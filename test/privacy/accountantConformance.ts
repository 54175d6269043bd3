/**
 * Conformance suite every {@link Accountant} implementation must pass: how steps are recorded,
 * that ε only grows, and that persistence round-trips. Run it with a factory and a matching
 * `fromJSON`, e.g. `describeAccountantConformance('rdp', () => new RdpAccountant(), RdpAccountant.fromJSON)`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Accountant, AccountantState } from '../../src/privacy/accountant.js';

export function describeAccountantConformance(
  name: string,
  create: () => Accountant,
  fromJSON: (state: unknown) => Accountant,
): void {
  describe(`Accountant conformance: ${name}`, () => {
    it('starts with no history and ε = 0, and a step makes ε positive', () => {
      const a = create();
      expect(a.history).toEqual([]);
      expect(a.getEpsilon(1e-5)).toBe(0);
      a.step(1.0, 0.01, 10);
      expect(a.getEpsilon(1e-5)).toBeGreaterThan(0);
    });

    it('merges consecutive identical steps and keeps different ones apart', () => {
      const a = create();
      a.step(1.0, 0.01);
      a.step(1.0, 0.01);
      a.step(1.0, 0.01, 3);
      a.step(2.0, 0.01);
      a.step(1.0, 0.01);
      expect(a.history).toEqual([
        { noiseMultiplier: 1.0, sampleRate: 0.01, numSteps: 5 },
        { noiseMultiplier: 2.0, sampleRate: 0.01, numSteps: 1 },
        { noiseMultiplier: 1.0, sampleRate: 0.01, numSteps: 1 },
      ]);
    });

    it('does not let callers change its history', () => {
      const a = create();
      a.step(1.0, 0.01);
      const h = a.history as unknown as { numSteps: number }[];
      try {
        h[0].numSteps = 1000;
      } catch {
        // a frozen snapshot is fine too
      }
      expect(a.history[0].numSteps).toBe(1);
    });

    it('counts n single steps the same as one step of n', () => {
      const one = create();
      const many = create();
      for (let i = 0; i < 50; i++) one.step(1.2, 0.02);
      many.step(1.2, 0.02, 50);
      expect(one.getEpsilon(1e-5)).toBe(many.getEpsilon(1e-5));
    });

    it('never lets ε decrease as steps are added (property)', () => {
      fc.assert(
        fc.property(
          fc.array(
            fc.record({
              noiseMultiplier: fc.double({ min: 0.5, max: 10, noNaN: true }),
              sampleRate: fc.double({ min: 1e-4, max: 0.5, noNaN: true }),
              numSteps: fc.integer({ min: 1, max: 500 }),
            }),
            { minLength: 1, maxLength: 4 },
          ),
          (steps) => {
            const a = create();
            let previous = a.getEpsilon(1e-5);
            for (const s of steps) {
              a.step(s.noiseMultiplier, s.sampleRate, s.numSteps);
              const now = a.getEpsilon(1e-5);
              expect(now).toBeGreaterThanOrEqual(previous - 1e-9 * Math.abs(previous));
              previous = now;
            }
          },
        ),
        { numRuns: 20 },
      );
    });

    it('round-trips through JSON text with the same history and ε', () => {
      const a = create();
      a.step(1.1, 0.01, 100);
      a.step(0.9, 0.05, 7);
      const text = JSON.stringify(a);
      const b = fromJSON(JSON.parse(text));
      expect(b.mechanism).toBe(a.mechanism);
      expect(b.history).toEqual(a.history);
      expect(b.getEpsilon(1e-5)).toBe(a.getEpsilon(1e-5));
      expect(JSON.stringify(b)).toBe(text);
      b.step(1.1, 0.01);
      expect(b.getEpsilon(1e-5)).toBeGreaterThan(a.getEpsilon(1e-5));
    });

    it('rejects malformed persisted state, naming the field', () => {
      const good = (() => {
        const a = create();
        a.step(1, 0.01, 2);
        return JSON.parse(JSON.stringify(a)) as AccountantState;
      })();
      const cases: [unknown, RegExp][] = [
        [null, /state/],
        ['text', /state/],
        [{ ...good, mechanism: 'other' }, /mechanism/],
        [{ ...good, version: 99 }, /version/],
        [{ ...good, history: 'x' }, /history/],
        [{ ...good, history: [null] }, /history\[0\]/],
        [{ ...good, history: [{ noiseMultiplier: -1, sampleRate: 0.1, numSteps: 1 }] }, /history\[0\]\.noiseMultiplier/],
        [{ ...good, history: [{ noiseMultiplier: 1, sampleRate: 2, numSteps: 1 }] }, /history\[0\]\.sampleRate/],
        [{ ...good, history: [{ noiseMultiplier: 1, sampleRate: 0.1, numSteps: 0.5 }] }, /history\[0\]\.numSteps/],
        [{ ...good, history: [{ noiseMultiplier: '1', sampleRate: 0.1, numSteps: 1 }] }, /history\[0\]\.noiseMultiplier/],
      ];
      for (const [state, message] of cases) expect(() => fromJSON(state)).toThrow(message);
    });

    it('rejects bad step arguments, naming the parameter', () => {
      const a = create();
      expect(() => a.step(-1, 0.1)).toThrow(/noiseMultiplier/);
      expect(() => a.step(NaN, 0.1)).toThrow(RangeError);
      expect(() => a.step(1, 1.5)).toThrow(/sampleRate/);
      expect(() => a.step(1, 0.1, 0)).toThrow(/numSteps/);
      expect(() => a.step(1, 0.1, 1.5)).toThrow(RangeError);
      expect(() => a.step('1' as never, 0.1)).toThrow(TypeError);
      expect(() => a.getEpsilon(0)).toThrow(/delta/);
      expect(a.history).toEqual([]);
    });
  });
}
