// One conformance suite for every Strategy: each name in STRATEGY_NAMES (with its defaults) plus
// a few non-default configurations. A new strategy added to STRATEGY_NAMES is covered here
// automatically.
import { describe, expect, it } from 'vitest';
import { deriveRandom } from '../../src/math/random.js';
import { createStrategy, STRATEGY_NAMES, sumResults } from '../../src/strategy/index.js';
import type { AggregateInput, FitResult, Strategy, StrategyName, StrategyOptions } from '../../src/strategy/index.js';

interface Case {
  readonly label: string;
  readonly name: StrategyName;
  readonly options?: StrategyOptions;
}

const CASES: readonly Case[] = [
  ...STRATEGY_NAMES.map((name) => ({ label: `${name} (defaults)`, name })),
  { label: 'fedprox μ = 0.5', name: 'fedprox', options: { proximalMu: 0.5 } },
  { label: 'fedadam η = 0.05, β₁ = 0.5', name: 'fedadam', options: { serverLr: 0.05, beta1: 0.5, beta2: 0.9, tau: 0.01 } },
  { label: 'fedyogi η = 0.1, τ = 1e-6', name: 'fedyogi', options: { serverLr: 0.1, tau: 1e-6 } },
  { label: 'trimmed β = 0.3', name: 'trimmed', options: { beta: 0.3 } },
  { label: 'multi-krum f = 2, m = 3', name: 'krum', options: { numByzantine: 2, multiKrum: 3 } },
];

/** Server optimizers step towards the mean instead of jumping to it. */
const OPTIMIZERS: ReadonlySet<StrategyName> = new Set(['fedadam', 'fedyogi']);
const NUM_NODES = 7; // > 2f + 2 for f = 2, so every Krum configuration above can run
const DIM = 5;

function randomVector(seedPath: (string | number)[], scale = 1): Float64Array {
  const rng = deriveRandom('strategy-conformance', ...seedPath);
  return Float64Array.from({ length: DIM }, () => scale * rng.normal());
}

function roundResults(round: number, dim = DIM): FitResult[] {
  const rng = deriveRandom('strategy-conformance', 'round', round, 'weights');
  return Array.from({ length: NUM_NODES }, (_, k) => ({
    nodeId: `node-${k}`,
    parameters: randomVector(['round', round, 'node', k]).slice(0, dim),
    numExamples: 1 + rng.int(1000),
  }));
}

/** Every input form the strategy accepts: robust ones only individual updates, the rest both. */
function inputsFor(strategy: Strategy, results: FitResult[]): AggregateInput[] {
  const individual: AggregateInput = { kind: 'individual', results };
  return strategy.needsIndividualUpdates ? [individual] : [individual, sumResults(results)];
}

function snapshot(current: Float64Array, input: AggregateInput): unknown {
  return structuredClone({ current, input });
}

function distance(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s);
}

describe.each(CASES)('Strategy conformance: $label', ({ name, options }) => {
  const make = (): Strategy => createStrategy(name, options);

  it('declares its name, its input needs and a scalar fit config', () => {
    const strategy = make();
    expect(strategy.name).toBe(name);
    expect(typeof strategy.needsIndividualUpdates).toBe('boolean');
    for (const value of Object.values(strategy.fitConfig(1))) expect(['number', 'string', 'boolean']).toContain(typeof value);
  });

  it('returns a finite vector of the input length, for every input form, over several rounds', () => {
    const probe = make();
    for (const formIndex of inputsFor(probe, roundResults(0)).keys()) {
      const strategy = make();
      let current = randomVector(['initial']);
      for (let round = 1; round <= 4; round++) {
        const next = strategy.aggregateFit(current, inputsFor(strategy, roundResults(round))[formIndex], round);
        expect(next).toBeInstanceOf(Float64Array);
        expect(next.length).toBe(DIM);
        expect(next.every(Number.isFinite)).toBe(true);
        current = next;
      }
    }
  });

  it('does not modify its inputs', () => {
    const strategy = make();
    for (const input of inputsFor(strategy, roundResults(1))) {
      const current = randomVector(['initial']);
      const before = snapshot(current, input);
      strategy.aggregateFit(current, input, 1);
      expect(snapshot(current, input)).toEqual(before);
    }
  });

  it('is deterministic: the same rounds give bit-identical models', () => {
    const run = (): Float64Array[] => {
      const strategy = make();
      const models = [randomVector(['initial'])];
      for (let round = 1; round <= 3; round++) {
        const input = inputsFor(strategy, roundResults(round))[0];
        models.push(strategy.aggregateFit(models[models.length - 1], input, round));
      }
      return models;
    };
    expect(run()).toEqual(run());
  });

  it('sum-based and individual inputs agree (within 1e-12) when both are accepted', () => {
    const probe = make();
    if (probe.needsIndividualUpdates) return;
    const results = roundResults(1);
    const [viaIndividual, viaSum] = inputsFor(probe, results).map((input) => make().aggregateFit(randomVector(['initial']), input, 1));
    for (let i = 0; i < DIM; i++) expect(Math.abs(viaIndividual[i] - viaSum[i])).toBeLessThanOrEqual(1e-12);
  });

  it('rejects an empty round with RangeError (TypeError for a sum if it needs individual updates)', () => {
    const strategy = make();
    const current = randomVector(['initial']);
    expect(() => strategy.aggregateFit(current, { kind: 'individual', results: [] }, 1)).toThrow(RangeError);
    const emptySum: AggregateInput = { kind: 'sum', weightedSum: new Float64Array(DIM), totalWeight: 0, numNodes: 0 };
    if (strategy.needsIndividualUpdates) {
      expect(() => strategy.aggregateFit(current, emptySum, 1)).toThrow(TypeError);
      expect(() => strategy.aggregateFit(current, sumResults(roundResults(1)), 1)).toThrow(/secure aggregation/);
    } else {
      expect(() => strategy.aggregateFit(current, emptySum, 1)).toThrow(RangeError);
    }
  });

  it('rejects wrong-length and non-finite vectors with RangeError', () => {
    const strategy = make();
    const current = randomVector(['initial']);
    const longer = roundResults(1);
    longer[3] = { ...longer[3], parameters: new Float64Array(DIM + 1) };
    const poisoned = roundResults(1);
    poisoned[2] = { ...poisoned[2], parameters: Float64Array.of(1, 2, NaN, 4, 5) };
    for (const results of [longer, poisoned]) {
      expect(() => strategy.aggregateFit(current, { kind: 'individual', results }, 1)).toThrow(RangeError);
    }
    // Every node consistent, but with the wrong dimension for the global model.
    for (const input of inputsFor(strategy, roundResults(1, DIM - 1))) {
      expect(() => strategy.aggregateFit(current, input, 1)).toThrow(RangeError);
    }
  });

  it('rejects a bad round number with RangeError', () => {
    const strategy = make();
    const input = inputsFor(strategy, roundResults(1))[0];
    for (const round of [-1, 1.5, NaN]) {
      expect(() => strategy.aggregateFit(randomVector(['initial']), input, round)).toThrow(RangeError);
      expect(() => strategy.fitConfig(round)).toThrow(RangeError);
    }
  });

  it('when every node sends the same θ: averaging rules return θ, server optimizers move towards it', () => {
    const theta = randomVector(['theta'], 3);
    for (const formIndex of inputsFor(make(), roundResults(0)).keys()) {
      const strategy = make();
      let current = randomVector(['initial']);
      for (let round = 1; round <= 5; round++) {
        const results = roundResults(round).map((r) => ({ ...r, parameters: theta.slice() }));
        const next = strategy.aggregateFit(current, inputsFor(strategy, results)[formIndex], round);
        if (OPTIMIZERS.has(name)) {
          expect(distance(next, theta)).toBeLessThan(distance(current, theta));
        } else {
          for (let i = 0; i < DIM; i++) expect(Math.abs(next[i] - theta[i])).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(theta[i])));
        }
        current = next;
      }
    }
  });

  it('getState/setState round trip reproduces the next step exactly', () => {
    const original = make();
    let current = randomVector(['initial']);
    for (let round = 1; round <= 2; round++) current = original.aggregateFit(current, inputsFor(original, roundResults(round))[0], round);
    const state = original.getState();
    for (const value of Object.values(state)) expect(value).toBeInstanceOf(Float64Array);
    // The returned state is a copy: scribbling on it must not change the strategy.
    const restored = make();
    restored.setState(state);
    for (const value of Object.values(state)) value.fill(1e9);
    const input = inputsFor(original, roundResults(3))[0];
    const fresh = make().aggregateFit(current, input, 3);
    const expected = original.aggregateFit(current, input, 3);
    expect(restored.aggregateFit(current, input, 3)).toEqual(expected);
    // With state, a strategy that skipped setState must diverge, or the round trip proved nothing.
    if (Object.keys(state).length > 0) expect(fresh).not.toEqual(expected);
  });

  it('rejects state that belongs to another strategy', () => {
    expect(() => make().setState({ unrelatedKey: new Float64Array(DIM) })).toThrow(RangeError);
    expect(() => make().setState({})).not.toThrow();
  });
});
