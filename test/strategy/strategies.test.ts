// Strategy-specific behaviour beyond the conformance suite: createStrategy's option checks,
// hand-computed strategy vectors (test/vectors/strategies.json, "strategies"), FedProx's config,
// FedOpt state handling and the robust strategies' refusal of sums.
import { describe, expect, it } from 'vitest';
import {
  createStrategy,
  FEDADAM_DEFAULTS,
  FEDYOGI_DEFAULTS,
  FedAdam,
  FedMedian,
  FedProx,
  FedTrimmedAvg,
  FedYogi,
  Krum,
  STRATEGY_NAMES,
  STRATEGY_OPTIONS,
  sumResults,
} from '../../src/strategy/index.js';
import type { FitResult, StrategyName, StrategyOptions } from '../../src/strategy/index.js';
import vectors from '../vectors/strategies.json' with { type: 'json' };

const f64 = (values: readonly number[]): Float64Array => Float64Array.from(values);

describe('hand-computed strategy vectors', () => {
  it.each(vectors.strategies)('$name: first round', (c) => {
    const results: FitResult[] = c.results.map((r) => ({ ...r, parameters: f64(r.parameters) }));
    const strategy = createStrategy(c.name as StrategyName, c.options);
    const next = strategy.aggregateFit(f64(c.current), { kind: 'individual', results }, 1);
    expect(next.length).toBe(c.expected.length);
    for (let i = 0; i < c.expected.length; i++) expect(Math.abs(next[i] - c.expected[i])).toBeLessThanOrEqual(1e-12);
  });

  it('covers every strategy name', () => {
    expect(new Set(vectors.strategies.map((c) => c.name))).toEqual(new Set(STRATEGY_NAMES.filter((n) => n !== 'fedprox')));
  });
});

describe('createStrategy', () => {
  it('builds each named strategy with its defaults', () => {
    for (const name of STRATEGY_NAMES) expect(createStrategy(name).name).toBe(name);
    expect((createStrategy('fedadam') as FedAdam).options).toEqual(FEDADAM_DEFAULTS);
    expect((createStrategy('fedyogi') as FedYogi).options).toEqual(FEDYOGI_DEFAULTS);
    expect(createStrategy('trimmed')).toBeInstanceOf(FedTrimmedAvg);
    expect(createStrategy('median')).toBeInstanceOf(FedMedian);
    expect(createStrategy('krum')).toBeInstanceOf(Krum);
  });

  it('passes options through and leaves unset ones at their defaults', () => {
    const adam = createStrategy('fedadam', { serverLr: 0.5, tau: undefined }) as FedAdam;
    expect(adam.options).toEqual({ ...FEDADAM_DEFAULTS, serverLr: 0.5 });
    const krum = createStrategy('krum', { numByzantine: 2, multiKrum: 3 }) as Krum;
    expect([krum.numByzantine, krum.multiKrum]).toEqual([2, 3]);
    expect((createStrategy('trimmed', { beta: 0.1 }) as FedTrimmedAvg).beta).toBe(0.1);
  });

  it('rejects an unknown name with RangeError naming it', () => {
    expect(() => createStrategy('fedsgd' as StrategyName)).toThrow(RangeError);
    expect(() => createStrategy('fedsgd' as StrategyName)).toThrow(/name: unknown strategy "fedsgd"/);
    expect(() => createStrategy(42 as unknown as StrategyName)).toThrow(RangeError);
  });

  it('rejects options the strategy does not take, naming the option', () => {
    for (const name of STRATEGY_NAMES) {
      const foreign = (['proximalMu', 'serverLr', 'beta', 'numByzantine'] as const).find((key) => !STRATEGY_OPTIONS[name].includes(key))!;
      expect(() => createStrategy(name, { [foreign]: 0.1 })).toThrow(new RegExp(`options\\.${foreign}`));
    }
    expect(() => createStrategy('fedadam', { beta: 0.9 } as StrategyOptions)).toThrow(RangeError);
  });

  it.each([
    ['fedprox', { proximalMu: -0.1 }, RangeError, /proximalMu/],
    ['fedprox', { proximalMu: Infinity }, RangeError, /proximalMu/],
    ['fedprox', { proximalMu: '0.1' }, TypeError, /proximalMu/],
    ['fedadam', { serverLr: 0 }, RangeError, /serverLr/],
    ['fedadam', { beta1: 1 }, RangeError, /beta1/],
    ['fedyogi', { beta2: 1.5 }, RangeError, /beta2/],
    ['fedyogi', { tau: -1e-3 }, RangeError, /tau/],
    ['fedyogi', { tau: NaN }, RangeError, /tau/],
    ['trimmed', { beta: 0.5 }, RangeError, /beta/],
    ['trimmed', { beta: -0.01 }, RangeError, /beta/],
    ['krum', { numByzantine: 1.5 }, RangeError, /numByzantine/],
    ['krum', { numByzantine: -1 }, RangeError, /numByzantine/],
    ['krum', { multiKrum: 0 }, RangeError, /multiKrum/],
  ] as const)('%s rejects %o', (name, options, errorClass, message) => {
    expect(() => createStrategy(name, options as StrategyOptions)).toThrow(errorClass);
    expect(() => createStrategy(name, options as StrategyOptions)).toThrow(message);
  });

  it('rejects a non-object options argument with TypeError', () => {
    expect(() => createStrategy('fedavg', null as unknown as StrategyOptions)).toThrow(TypeError);
    expect(() => createStrategy('fedavg', [] as unknown as StrategyOptions)).toThrow(TypeError);
  });
});

describe('FedProx', () => {
  it('sends proximalMu to the nodes every round and aggregates as FedAvg', () => {
    const prox = new FedProx({ proximalMu: 0.25 });
    expect(prox.fitConfig(1)).toEqual({ proximalMu: 0.25 });
    expect(prox.fitConfig(7)).toEqual({ proximalMu: 0.25 });
    expect(new FedProx().fitConfig(1)).toEqual({ proximalMu: 0.01 });
    const results = [
      { nodeId: 'a', parameters: f64([1, 2]), numExamples: 10 },
      { nodeId: 'b', parameters: f64([3, 6]), numExamples: 30 },
    ];
    expect(Array.from(prox.aggregateFit(f64([0, 0]), sumResults(results), 1))).toEqual([2.5, 5]);
  });
});

describe('FedAdam / FedYogi state', () => {
  const results = (values: number[]): FitResult[] => [{ nodeId: 'a', parameters: f64(values), numExamples: 1 }];

  it('is empty before the first round and holds m and v after it', () => {
    const adam = new FedAdam();
    expect(adam.getState()).toEqual({});
    adam.aggregateFit(f64([0, 0]), { kind: 'individual', results: results([1, 1]) }, 1);
    expect(Object.keys(adam.getState()).sort()).toEqual(['m', 'v']);
  });

  it('setState({}) resets to the first-round behaviour', () => {
    const yogi = new FedYogi();
    const first = yogi.aggregateFit(f64([0, 0]), { kind: 'individual', results: results([1, -1]) }, 1);
    yogi.setState({});
    expect(yogi.aggregateFit(f64([0, 0]), { kind: 'individual', results: results([1, -1]) }, 1)).toEqual(first);
  });

  it.each([
    ['m without v', { m: f64([0, 0]) }, TypeError],
    ['mismatched lengths', { m: f64([0, 0]), v: f64([0]) }, RangeError],
    ['negative v', { m: f64([0, 0]), v: f64([0, -1]) }, RangeError],
    ['NaN in m', { m: f64([NaN, 0]), v: f64([0, 0]) }, RangeError],
    ['an extra key', { m: f64([0]), v: f64([0]), round: f64([3]) }, RangeError],
  ])('setState rejects %s', (_label, state, errorClass) => {
    expect(() => new FedAdam().setState(state as Record<string, Float64Array>)).toThrow(errorClass);
  });

  it('refuses a model whose size differs from the saved moments', () => {
    const adam = new FedAdam();
    adam.setState({ m: f64([0, 0, 0]), v: f64([1, 1, 1]) });
    expect(() => adam.aggregateFit(f64([0, 0]), { kind: 'individual', results: results([1, 1]) }, 1)).toThrow(/state has 3/);
  });
});

describe('robust strategies', () => {
  it('refuse a secure-aggregation sum with a TypeError that says why', () => {
    const sum = sumResults([{ nodeId: 'a', parameters: f64([1]), numExamples: 1 }]);
    for (const strategy of [new FedTrimmedAvg(), new FedMedian(), new Krum()]) {
      expect(strategy.needsIndividualUpdates).toBe(true);
      expect(() => strategy.aggregateFit(f64([0]), sum, 1)).toThrow(TypeError);
      expect(() => strategy.aggregateFit(f64([0]), sum, 1)).toThrow(/incompatible with secure aggregation/);
    }
  });

  it('ignore self-reported numExamples, so one node cannot buy influence', () => {
    const honest = [1, 2, 3, 4].map((x) => ({ nodeId: `h${x}`, parameters: f64([x]), numExamples: 100 }));
    const liar = { nodeId: 'liar', parameters: f64([1e6]), numExamples: 1e12 };
    const input = { kind: 'individual' as const, results: [...honest, liar] };
    expect(Array.from(new FedMedian().aggregateFit(f64([0]), input, 1))).toEqual([3]);
    expect(Array.from(new FedTrimmedAvg({ beta: 0.2 }).aggregateFit(f64([0]), input, 1))).toEqual([3]);
    expect(new Krum({ numByzantine: 1 }).aggregateFit(f64([0]), input, 1)[0]).toBeLessThanOrEqual(4);
  });

  it('Krum explains the node count it needs', () => {
    const input = { kind: 'individual' as const, results: [1, 2, 3, 4].map((x) => ({ nodeId: `n${x}`, parameters: f64([x]), numExamples: 1 })) };
    expect(() => new Krum({ numByzantine: 1 }).aggregateFit(f64([0]), input, 1)).toThrow(/more than 2·1 \+ 2 = 4 updates/);
  });
});
