/**
 * The regularisation terms every model adds to its data loss: L2 on weights (never on biases,
 * so the intercept can track the base default rate) and the FedProx proximal term
 * μ/2·‖θ − θ_global‖² over all parameters (Li et al., "Federated Optimization in Heterogeneous
 * Networks", MLSys 2020, eq. 2), which keeps a node's local solution near the global model.
 */
import type { Penalty } from './model.js';
import { checkAllFinite, checkFloat64Array, checkNumber } from './check.js';

/** A contiguous run of the flat parameter vector: [offset, length]. */
export type ParameterRange = readonly [offset: number, length: number];

/** A penalty with defaults filled in and arguments checked. */
export interface ResolvedPenalty {
  readonly l2: number;
  readonly proximalMu: number;
  /** Present exactly when proximalMu > 0. */
  readonly anchor: Float64Array | undefined;
}

/**
 * Check a caller's {@link Penalty} against a model with `numParameters` parameters: l2 and
 * proximalMu finite and ≥ 0, and a finite anchor of the right length when proximalMu > 0
 * (the anchor is ignored when μ = 0, so callers may pass it unconditionally).
 */
export function resolvePenalty(penalty: Penalty | undefined, numParameters: number): ResolvedPenalty {
  if (penalty === undefined) return { l2: 0, proximalMu: 0, anchor: undefined };
  if (typeof penalty !== 'object' || penalty === null) throw new TypeError('penalty: expected an object');
  const l2 = penalty.l2 === undefined ? 0 : checkNumber('penalty.l2', penalty.l2, 0);
  const proximalMu = penalty.proximalMu === undefined ? 0 : checkNumber('penalty.proximalMu', penalty.proximalMu, 0);
  if (proximalMu === 0) return { l2, proximalMu, anchor: undefined };
  if (penalty.anchor === undefined) throw new TypeError('penalty.anchor: required when proximalMu > 0');
  const anchor = checkFloat64Array('penalty.anchor', penalty.anchor, numParameters);
  checkAllFinite('penalty.anchor', anchor);
  return { l2, proximalMu, anchor };
}

/**
 * Add the penalty's gradient to `grad` and return its value: l2/2·Σ_{weights} θ² plus
 * μ/2·‖θ − anchor‖². `weightRanges` lists the parts of θ that are weights (L2 applies there only).
 */
export function addPenalty(
  params: Float64Array,
  grad: Float64Array,
  penalty: ResolvedPenalty,
  weightRanges: readonly ParameterRange[],
): number {
  let value = 0;
  const { l2, proximalMu, anchor } = penalty;
  if (l2 > 0) {
    let sumSquares = 0;
    for (const [offset, length] of weightRanges) {
      for (let i = offset; i < offset + length; i++) {
        sumSquares += params[i] * params[i];
        grad[i] += l2 * params[i];
      }
    }
    value += 0.5 * l2 * sumSquares;
  }
  if (proximalMu > 0 && anchor !== undefined) {
    let sumSquares = 0;
    for (let i = 0; i < params.length; i++) {
      const d = params[i] - anchor[i];
      sumSquares += d * d;
      grad[i] += proximalMu * d;
    }
    value += 0.5 * proximalMu * sumSquares;
  }
  return value;
}
