/**
 * First-order optimizers that update a flat parameter vector in place from its gradient.
 * State (momentum, Adam moments) is sized on the first step and cleared by `reset()`; a node
 * builds a fresh optimizer each round, so no state leaks from one global model to the next.
 */
import { checkAllFinite, checkFloat64Array, checkNumber } from './check.js';

/** Updates parameters in place from a gradient. */
export interface Optimizer {
  /** θ ← update(θ, ∇); `params` and `grad` must have the same length on every call. */
  step(params: Float64Array, grad: Float64Array): void;
  /** Forget accumulated state (momentum, moments, step count). */
  reset(): void;
}

/** Options of {@link Sgd}. */
export interface SgdOptions {
  /** Learning rate, > 0. */
  readonly lr: number;
  /** Heavy-ball momentum in [0, 1). Default 0. */
  readonly momentum?: number;
}

/** Options of {@link Adam}. */
export interface AdamOptions {
  /** Learning rate (step size α), > 0. */
  readonly lr: number;
  /** Exponential decay of the first moment, in [0, 1). Default 0.9. */
  readonly beta1?: number;
  /** Exponential decay of the second moment, in [0, 1). Default 0.999. */
  readonly beta2?: number;
  /** Denominator guard ε, > 0. Default 1e-8. */
  readonly eps?: number;
}

function checkUnitInterval(name: string, value: number): number {
  checkNumber(name, value, 0);
  if (value >= 1) throw new RangeError(`${name}: expected a number in [0, 1), got ${value}`);
  return value;
}

function checkStep(params: Float64Array, grad: Float64Array, stateLength: number | undefined): void {
  checkFloat64Array('params', params);
  checkFloat64Array('grad', grad, params.length);
  if (stateLength !== undefined && stateLength !== params.length) {
    throw new RangeError(`params: length ${params.length} differs from the optimizer state (${stateLength}); call reset() first`);
  }
  // A NaN gradient would poison the moments for every later step; fail where it appears.
  checkAllFinite('grad', grad);
}

/**
 * Stochastic gradient descent with optional heavy-ball momentum, in the PyTorch form
 * v ← m·v + ∇, θ ← θ − lr·v (with m = 0 this is plain θ ← θ − lr·∇).
 *
 * @example
 * const sgd = new Sgd({ lr: 0.1, momentum: 0.9 });
 * sgd.step(params, grad);
 */
export class Sgd implements Optimizer {
  readonly lr: number;
  readonly momentum: number;
  private velocity: Float64Array | undefined;

  constructor(options: SgdOptions) {
    if (typeof options !== 'object' || options === null) throw new TypeError('options: expected an object');
    this.lr = checkNumber('lr', options.lr, 0, true);
    this.momentum = checkUnitInterval('momentum', options.momentum ?? 0);
  }

  step(params: Float64Array, grad: Float64Array): void {
    checkStep(params, grad, this.velocity?.length);
    const lr = this.lr;
    if (this.momentum === 0) {
      for (let i = 0; i < params.length; i++) params[i] -= lr * grad[i];
      return;
    }
    const v = (this.velocity ??= new Float64Array(params.length));
    const m = this.momentum;
    for (let i = 0; i < params.length; i++) {
      v[i] = m * v[i] + grad[i];
      params[i] -= lr * v[i];
    }
  }

  reset(): void {
    this.velocity = undefined;
  }
}

/**
 * Adam (Kingma & Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015, Algorithm 1):
 * m ← β1·m + (1−β1)·∇, v ← β2·v + (1−β2)·∇², θ ← θ − lr·m̂/(√v̂ + ε) with the bias-corrected
 * m̂ = m/(1−β1ᵗ), v̂ = v/(1−β2ᵗ).
 *
 * @example
 * const adam = new Adam({ lr: 0.01 });
 * adam.step(params, grad);
 */
export class Adam implements Optimizer {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  private m: Float64Array | undefined;
  private v: Float64Array | undefined;
  private t = 0;

  constructor(options: AdamOptions) {
    if (typeof options !== 'object' || options === null) throw new TypeError('options: expected an object');
    this.lr = checkNumber('lr', options.lr, 0, true);
    this.beta1 = checkUnitInterval('beta1', options.beta1 ?? 0.9);
    this.beta2 = checkUnitInterval('beta2', options.beta2 ?? 0.999);
    this.eps = checkNumber('eps', options.eps ?? 1e-8, 0, true);
  }

  step(params: Float64Array, grad: Float64Array): void {
    checkStep(params, grad, this.m?.length);
    const m = (this.m ??= new Float64Array(params.length));
    const v = (this.v ??= new Float64Array(params.length));
    this.t++;
    const { beta1, beta2, eps, lr } = this;
    const correction1 = 1 - Math.pow(beta1, this.t);
    const correction2 = 1 - Math.pow(beta2, this.t);
    for (let i = 0; i < params.length; i++) {
      const g = grad[i];
      m[i] = beta1 * m[i] + (1 - beta1) * g;
      v[i] = beta2 * v[i] + (1 - beta2) * g * g;
      params[i] -= (lr * (m[i] / correction1)) / (Math.sqrt(v[i] / correction2) + eps);
    }
  }

  reset(): void {
    this.m = undefined;
    this.v = undefined;
    this.t = 0;
  }
}
