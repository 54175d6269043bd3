import { describe, expect, it } from 'vitest';
import { formatReport, toOptions } from '../../src/cli/simulate.js';
import { ConfigError } from '../../src/errors.js';
import { TreeEnsemble } from '../../src/model/gbdt/ensemble.js';
import { gbdtParams } from '../../src/model/gbdt/params.js';
import { simulationOptions } from '../../src/simulation/options.js';
import { simulate } from '../../src/simulation/simulate.js';

/** The simulation options `--secure-aggregation` gives (through the CLI's own mapping). */
const toOptionsSecure = () => ({ secureAggregation: toOptions({ ...flags, model: 'gbdt', secureAggregation: true }).secureAggregation });

const flags = { nodes: '5', rounds: '30', partition: 'iid', strategy: 'fedavg', seed: '42', cv: '0', fractionFit: '1', baselines: true };

describe('simulate --model gbdt', () => {
  it('federated trees equal pooled trees on German credit, beat each node alone, and report the ensemble', async () => {
    const options = simulationOptions({ dataset: { builtin: 'german' }, numNodes: 5, seed: 7, gbdt: gbdtParams({ numTrees: 40, learningRate: 0.1 }) });
    expect(options.rounds).toBe(40);
    const report = await simulate(options);
    expect(report.rounds).toHaveLength(40);
    // the pooled reference runs the same algorithm with the same bins: only summation order differs
    expect(Math.abs(report.federated.auc - report.pooled!.auc)).toBeLessThan(1e-9);
    expect(report.federated.auc).toBeGreaterThan(report.localOnly!.meanAuc);
    expect(report.federated.auc).toBeGreaterThan(0.7);
    expect(Math.abs(report.federated.aucFromHistograms! - report.federated.auc)).toBeLessThanOrEqual(0.002);
    expect(report.config.model).toEqual({ kind: 'gbdt', config: options.gbdt });
    const model = TreeEnsemble.fromJSON(JSON.parse(JSON.stringify(report.gbdt)));
    expect(model.numTrees).toBe(40);
    expect(formatReport(report)).toMatch(/5 nodes × 40 trees of depth 3 \(learning rate 0.1, λ 1\), gbdt/);
  });

  it('--secure-aggregation: every sum through SecAgg, same federated model as plain sums', async () => {
    const base = { dataset: { builtin: 'german' as const }, numNodes: 4, seed: 5, baselines: false, gbdt: gbdtParams({ numTrees: 10, learningRate: 0.2 }) };
    const plain = await simulate(simulationOptions(base));
    const secure = await simulate(simulationOptions({ ...base, ...toOptionsSecure() }));
    expect(Math.abs(secure.federated.auc - plain.federated.auc)).toBeLessThan(0.002);
    expect(Math.abs(secure.federated.aucFromHistograms! - plain.federated.aucFromHistograms!)).toBeLessThan(0.002);
    const shapes = (r: typeof plain) => JSON.stringify((r.gbdt!.trees).map((t) => t.nodes.map((n) => (n.kind === 'leaf' ? n.count : n.feature))));
    expect(shapes(secure)).toBe(shapes(plain));
    expect(() => simulationOptions({ ...base, numNodes: 2, ...toOptionsSecure() })).toThrow(/at least 3 nodes/);
    // SecAgg+ graphs need an even degree (or every pair): refused up front, not mid-run
    expect(() => simulationOptions({ ...base, numNodes: 6, secureAggregation: { neighbours: 3 } })).toThrow(/secagg-neighbours: expected an even integer/);
    expect(simulationOptions({ ...base, numNodes: 6, secureAggregation: { neighbours: 4 } }).secureAggregation).toEqual({ neighbours: 4 });
    expect(simulationOptions({ ...base, numNodes: 6, secureAggregation: { neighbours: 5 } }).secureAggregation).toEqual({ neighbours: 5 });
  });

  it('the CLI maps --model gbdt and its flags, and refuses them without it', () => {
    const options = toOptions({ ...flags, model: 'gbdt', trees: '50', depth: '4', learningRate: '0.1', minChildWeight: '2', lambda: '0.5', maxBins: '64' });
    expect(options.gbdt).toEqual({ ...gbdtParams(), numTrees: 50, maxDepth: 4, learningRate: 0.1, minChildWeight: 2, l2: 0.5, maxBins: 64 });
    expect(options.rounds).toBe(50);
    expect(toOptions({ ...flags, model: 'gbdt' }).gbdt).toEqual(gbdtParams());
    expect(() => toOptions({ ...flags, model: 'logreg', trees: '10' })).toThrow(/--trees: only with --model gbdt/);
    expect(() => toOptions({ ...flags, model: 'gbdt', depth: '9' })).toThrow(ConfigError);
    expect(() => toOptions({ ...flags, model: 'gbdt', depth: '9' })).toThrow(/^depth: expected an integer from 1 to 6/);
    expect(() => toOptions({ ...flags, model: 'gbdt', lambda: '-1' })).toThrow(/^lambda/);
  });
});
