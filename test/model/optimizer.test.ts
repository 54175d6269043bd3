import { describe, expect, it } from 'vitest';
import { Adam, Sgd, type Optimizer } from '../../src/model/optimizer.js';
import { closeTo, vectors } from './vectors.js';

function build(v: (typeof vectors.optimizers)[number]): Optimizer {
  return v.optimizer === 'adam' ? new Adam({ lr: v.lr }) : new Sgd({ lr: v.lr, momentum: v.momentum });
}

describe('optimizers', () => {
  for (const v of vectors.optimizers) {
    it(`follow the known trajectory: ${v.name} (${v.source})`, () => {
      const optimizer = build(v);
      const params = Float64Array.from(v.initial);
      v.gradients.forEach((g, t) => {
        optimizer.step(params, Float64Array.from(g));
        expect(closeTo(params, v.after[t]), `step ${t + 1}`).toBe(true);
      });
    });

    it(`restart from scratch after reset(): ${v.name}`, () => {
      const optimizer = build(v);
      const params = Float64Array.from(v.initial);
      for (const g of v.gradients) optimizer.step(params, Float64Array.from(g));
      optimizer.reset();
      params.set(v.initial);
      optimizer.step(params, Float64Array.from(v.gradients[0]));
      expect(closeTo(params, v.after[0])).toBe(true);
    });
  }

  it('Adam moves each coordinate by about lr on its first step (m̂/√v̂ = sign g)', () => {
    // Kingma & Ba §2.1: the effective first step is bounded by α; with ε ≪ |g| it equals α·sign(g).
    const params = Float64Array.of(0, 0, 0);
    new Adam({ lr: 0.01 }).step(params, Float64Array.of(1e-3, -50, 0));
    expect(params[0]).toBeCloseTo(-0.01, 6);
    expect(params[1]).toBeCloseTo(0.01 * (50 / (50 + 1e-8)), 15);
    expect(params[2]).toBe(0);
  });

  it('refuse a parameter vector of a different length until reset', () => {
    for (const optimizer of [new Sgd({ lr: 0.1, momentum: 0.5 }), new Adam({ lr: 0.1 })]) {
      optimizer.step(new Float64Array(3), new Float64Array(3));
      expect(() => optimizer.step(new Float64Array(4), new Float64Array(4))).toThrow(/reset/);
      optimizer.reset();
      expect(() => optimizer.step(new Float64Array(4), new Float64Array(4))).not.toThrow();
    }
  });

  const hostile: [string, () => unknown, ErrorConstructor, RegExp][] = [
    ['Sgd NaN lr', () => new Sgd({ lr: NaN }), RangeError, /lr/],
    ['Sgd lr 0', () => new Sgd({ lr: 0 }), RangeError, /lr/],
    ['Sgd negative lr', () => new Sgd({ lr: -0.1 }), RangeError, /lr/],
    ['Sgd string lr', () => new Sgd({ lr: '0.1' as unknown as number }), TypeError, /lr/],
    ['Sgd momentum 1', () => new Sgd({ lr: 0.1, momentum: 1 }), RangeError, /momentum/],
    ['Sgd momentum NaN', () => new Sgd({ lr: 0.1, momentum: NaN }), RangeError, /momentum/],
    ['Sgd no options', () => new Sgd(undefined as unknown as { lr: number }), TypeError, /options/],
    ['Adam Infinity lr', () => new Adam({ lr: Infinity }), RangeError, /lr/],
    ['Adam beta1 1', () => new Adam({ lr: 0.1, beta1: 1 }), RangeError, /beta1/],
    ['Adam beta2 -0.1', () => new Adam({ lr: 0.1, beta2: -0.1 }), RangeError, /beta2/],
    ['Adam eps 0', () => new Adam({ lr: 0.1, eps: 0 }), RangeError, /eps/],
    ['step NaN gradient', () => new Adam({ lr: 0.1 }).step(new Float64Array(2), Float64Array.of(0, NaN)), RangeError, /grad/],
    ['step length mismatch', () => new Sgd({ lr: 0.1 }).step(new Float64Array(2), new Float64Array(3)), RangeError, /grad/],
    ['step plain arrays', () => new Sgd({ lr: 0.1 }).step([0] as unknown as Float64Array, new Float64Array(1)), TypeError, /params/],
  ];
  it.each(hostile)('reject %s', (_label, call, type, pattern) => {
    expect(call).toThrow(type);
    expect(call).toThrow(pattern);
  });
});
