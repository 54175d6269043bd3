import { describe, expect, it } from 'vitest';
import { federatedQuery } from '../../src/coordinator/analytics.js';
import { deriveRandom } from '../../src/math/random.js';
import { admitAnalyticsAsDescribe, analyticsSpend, answerQuery, parseAnalyticsQuery, type AnalyticsQuery } from '../../src/node/analytics.js';
import { createApprovals, datasetRowsOf, policyMod } from '../../src/node/policy.js';
import { gaussianSigmaFor } from '../../src/privacy/mechanisms.js';
import { seededNoiseSource, type NoiseSource } from '../../src/privacy/noiseSource.js';
import { InProcessTransport } from '../../src/transport/inProcess.js';
import { dataset, privateNode, rows, table } from './privacyFixture.js';

/** A noise source whose Laplace and Gaussian draws are exactly 0, to read the true answer. */
const silent: NoiseSource = { uniform: () => 0.5, normal: () => 0 };
const train = dataset.train;

describe('answerQuery', () => {
  it('answers exactly with zero noise: counts, clipped means, histograms (numeric and categorical), filters', () => {
    const bad = Array.from(train.label).filter((l) => l === 1).length;
    expect(answerQuery(train, { kind: 'count', epsilon: 1, mechanism: 'laplace' }, silent).arrays.value[0]).toBe(200);
    expect(answerQuery(train, { kind: 'count', where: { column: 'classification', equals: 'bad' }, epsilon: 1, mechanism: 'laplace' }, silent).arrays.value[0]).toBe(bad);

    const ages = Array.from(train.numeric.age);
    const clipped = ages.map((a) => Math.min(60, Math.max(20, a)));
    const mean = answerQuery(train, { kind: 'mean', column: 'age', bounds: [20, 60], epsilon: 1, mechanism: 'gaussian', delta: 1e-6 }, silent);
    expect(mean.config.mean).toBeCloseTo(clipped.reduce((a, b) => a + b, 0) / clipped.length, 10);
    expect(mean.arrays.count[0]).toBe(200);
    expect(mean.arrays.sum[0]).toBeCloseTo(clipped.reduce((a, b) => a + b, 0), 8);

    const histogram = answerQuery(train, { kind: 'histogram', column: 'age', bounds: [20, 80], bins: 3, epsilon: 1, mechanism: 'laplace' }, silent);
    const expected = [0, 0, 0, 0];
    for (const a of ages) expected[Math.min(2, Math.max(0, Math.floor((a - 20) / 20)))]++;
    expect(Array.from(histogram.arrays.counts)).toEqual(expected);
    expect(JSON.parse(String(histogram.config.bins))).toEqual(['[20, 40)', '[40, 60)', '[60, 80]', 'missing']);

    const checking = answerQuery(train, { kind: 'histogram', column: 'existingchecking', epsilon: 1, mechanism: 'laplace' }, silent);
    const labels = JSON.parse(String(checking.config.bins)) as string[];
    const codes = train.categorical.existingchecking;
    labels.slice(0, -1).forEach((code, b) => expect(checking.arrays.counts[b]).toBe(codes.filter((c) => c === code).length));
  });

  it('adds Laplace noise of scale 1/ε to a count (mean 0, variance 2/ε²)', () => {
    const epsilon = 0.5;
    const source = seededNoiseSource(deriveRandom(1, 'laplace-count'));
    const fifty = rows(0, 50);
    const draws = Array.from({ length: 20_000 }, () => answerQuery(fifty, { kind: 'count', epsilon, mechanism: 'laplace' }, source).arrays.value[0] - 50);
    const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
    const variance = draws.reduce((a, b) => a + (b - mean) ** 2, 0) / (draws.length - 1);
    expect(Math.abs(mean)).toBeLessThan(4 * Math.sqrt(2 / epsilon ** 2 / draws.length));
    expect(variance / (2 / epsilon ** 2)).toBeGreaterThan(0.93);
    expect(variance / (2 / epsilon ** 2)).toBeLessThan(1.07);
  });

  it('adds Gaussian noise of the analytic σ to each histogram bin, and σ·h / σ to a mean\'s sum / count', () => {
    const query: AnalyticsQuery = { kind: 'histogram', column: 'age', bounds: [0, 100], bins: 5, epsilon: 1, delta: 1e-5, mechanism: 'gaussian' };
    const sigma = gaussianSigmaFor({ epsilon: 1, delta: 1e-5 });
    const truth = answerQuery(train, query, silent).arrays.counts;
    const source = seededNoiseSource(deriveRandom(2, 'gauss'));
    const deviations: number[] = [];
    for (let k = 0; k < 3000; k++) {
      const counts = answerQuery(train, query, source).arrays.counts;
      for (let b = 0; b < counts.length; b++) deviations.push(counts[b] - truth[b]);
    }
    const variance = deviations.reduce((a, d) => a + d * d, 0) / deviations.length;
    expect(variance / sigma ** 2).toBeGreaterThan(0.95);
    expect(variance / sigma ** 2).toBeLessThan(1.05);
    const mean = answerQuery(train, { kind: 'mean', column: 'age', bounds: [20, 60], epsilon: 1, delta: 1e-5, mechanism: 'gaussian' }, silent);
    expect(mean.config.noiseScale).toBeCloseTo(gaussianSigmaFor({ epsilon: 1, delta: 1e-5, sensitivity: Math.SQRT2 }), 12);
  });

  it('costs: Laplace is pure ε (in two halves for a mean), Gaussian is the RDP of its σ per unit sensitivity', () => {
    expect(analyticsSpend({ kind: 'count', epsilon: 0.3, mechanism: 'laplace' })).toEqual({ cost: { mechanism: 'laplace', epsilon: 0.3, parts: 1 }, epsilon: 0.3, delta: 0 });
    expect(analyticsSpend({ kind: 'mean', column: 'age', bounds: [0, 1], epsilon: 0.3, mechanism: 'laplace' }).cost).toEqual({ mechanism: 'laplace', epsilon: 0.3, parts: 2 });
    const g = analyticsSpend({ kind: 'mean', column: 'age', bounds: [0, 1], epsilon: 1, delta: 1e-5, mechanism: 'gaussian' });
    expect(g.cost).toEqual({ mechanism: 'gaussian', noiseMultiplier: gaussianSigmaFor({ epsilon: 1, delta: 1e-5, sensitivity: Math.SQRT2 }) / Math.SQRT2 });
    expect(g.delta).toBe(1e-5);
  });

  it.each([
    [null, /expected a JSON object/], [{ kind: 'sum', epsilon: 1, mechanism: 'laplace' }, /kind/], [{ kind: 'count', epsilon: 0, mechanism: 'laplace' }, /epsilon/],
    [{ kind: 'count', epsilon: 1, mechanism: 'gaussian' }, /delta/], [{ kind: 'count', epsilon: 1, mechanism: 'laplace', delta: 1e-5 }, /delta/],
    [{ kind: 'mean', epsilon: 1, mechanism: 'laplace' }, /column/], [{ kind: 'count', column: 'age', epsilon: 1, mechanism: 'laplace' }, /column/],
    [{ kind: 'mean', column: 'age', bounds: [5, 1], epsilon: 1, mechanism: 'laplace' }, /bounds/], [{ kind: 'histogram', column: 'age', bins: 0, bounds: [0, 1], epsilon: 1, mechanism: 'laplace' }, /bins/],
    [{ kind: 'count', where: { column: 1 }, epsilon: 1, mechanism: 'laplace' }, /where/], [{ kind: 'count', epsilon: 1, mechanism: 'laplace', extra: true }, /extra/],
    [{ kind: 'count', epsilon: Number.NaN, mechanism: 'laplace' }, /epsilon/],
  ])('parseAnalyticsQuery rejects %j', (value, message) => {
    expect(() => parseAnalyticsQuery(value)).toThrow(message);
  });

  it('rejects queries that do not fit the dataset', () => {
    expect(() => answerQuery(train, { kind: 'mean', column: 'age', epsilon: 1, mechanism: 'laplace' }, silent)).toThrow(/bounds: required/);
    expect(() => answerQuery(train, { kind: 'mean', column: 'purpose', bounds: [0, 1], epsilon: 1, mechanism: 'laplace' }, silent)).toThrow(/not numeric/);
    expect(() => answerQuery(train, { kind: 'histogram', column: 'salary', epsilon: 1, mechanism: 'laplace' }, silent)).toThrow(/no column "salary"/);
    expect(() => answerQuery(train, { kind: 'count', where: { column: 'age', equals: 'old' }, epsilon: 1, mechanism: 'laplace' }, silent)).toThrow(/numeric/);
    expect(() => answerQuery(train, { kind: 'count', where: { column: 'classification', equals: 'maybe' }, epsilon: 1, mechanism: 'laplace' }, silent)).toThrow(/bad" or "good/);
    expect(table.numRows).toBe(1000);
  });
});

describe('analytics through the privacy mod', () => {
  const count = (o: Partial<AnalyticsQuery> = {}) => JSON.stringify({ kind: 'count', epsilon: 0.5, mechanism: 'laplace', ...o });

  it('needs a budget, charges each answer, answers a repeated query id once', async () => {
    const open = privateNode({});
    expect((await open.send('analytics', { query: count() })).error?.code).toBe('PRIVACY_BUDGET_REQUIRED');
    expect(open.calls).toEqual([]);

    const n = privateNode({ budget: { epsilon: 1.2, delta: 1e-5 } });
    const first = await n.send('analytics', { query: count({ queryId: 'q1' }) });
    expect(first.error).toBeUndefined();
    expect(Math.abs(first.arrays.value[0] - 200)).toBeLessThan(60);
    const again = await n.send('analytics', { query: count({ queryId: 'q1' }) });
    expect(again.arrays.value[0]).toBe(first.arrays.value[0]);
    expect(n.ledger.list()).toHaveLength(1);
    expect(n.ledger.list()[0]).toMatchObject({ key: 'analytics:job-1:q1', kind: 'analytics', epsilon: 0.5, delta: 0 });
    expect((await n.send('analytics', { query: count({ queryId: 'q2' }) })).error).toBeUndefined();
    const over = await n.send('analytics', { query: count({ queryId: 'q3' }) });
    expect(over.error?.code).toBe('PRIVACY_BUDGET_EXCEEDED');
    expect(over.error?.message).toBe('dataset german-credit: query needs ε=0.50, δ=0e+0; remaining ε=0.20 of 1.20');
    expect(n.calls).toEqual(['analytics', 'analytics']);
  });

  it('passes the owner\'s policy like describe: a closed dataset refuses queries', async () => {
    const policy = { allowedModels: ['logreg' as const], minRowsPerUpdate: 1, maxRounds: 10, approval: 'auto' as const, allowedDatasets: ['other'] };
    const gate = admitAnalyticsAsDescribe(policyMod(policy, createApprovals({ mode: 'auto' }), { datasetRows: datasetRowsOf(new Map([[dataset.key, dataset]])) }));
    const n = privateNode({ budget: { epsilon: 1, delta: 1e-5 }, mods: [gate] });
    const refused = await n.send('analytics', { query: count() });
    expect(refused.error?.code).toBe('POLICY_DATASET_NOT_ALLOWED');
    expect(refused.type).toBe('analytics');
    const openPolicy = { ...policy, allowedDatasets: undefined };
    const allowed = privateNode({ budget: { epsilon: 1, delta: 1e-5 }, mods: [admitAnalyticsAsDescribe(policyMod(openPolicy, createApprovals({ mode: 'auto' }), { datasetRows: datasetRowsOf(new Map([[dataset.key, dataset]])) }))] });
    const answered = await allowed.send('analytics', { query: count() });
    expect(answered.error).toBeUndefined();
    expect(answered.type).toBe('analytics');
  });

  it('federatedQuery adds up the nodes\' noisy answers', async () => {
    const nodes = [0, 1, 2].map(() => privateNode({ budget: { epsilon: 5, delta: 1e-5 } }));
    const transport = new InProcessTransport(nodes.map((n, i) => [`bank-${i}`, n.app]));
    const ids = ['bank-0', 'bank-1', 'bank-2'];
    const total = await federatedQuery(transport, ids, { kind: 'count', epsilon: 1, mechanism: 'laplace' }, { jobId: 'q', datasetKey: 'german-credit' });
    expect(total.nodes).toEqual(ids);
    expect(Math.abs(total.value! - 600)).toBeLessThan(30);
    const mean = await federatedQuery(transport, ids, { kind: 'mean', column: 'age', bounds: [18, 75], epsilon: 2, mechanism: 'laplace' }, { jobId: 'q', datasetKey: 'german-credit' });
    const trueMean = Array.from(train.numeric.age).reduce((a, b) => a + b, 0) / 200;
    expect(Math.abs(mean.value! - trueMean)).toBeLessThan(3);
    const histogram = await federatedQuery(transport, ids, { kind: 'histogram', column: 'existingchecking', epsilon: 1, mechanism: 'laplace' }, { jobId: 'q', datasetKey: 'german-credit' });
    expect(histogram.counts).toHaveLength(histogram.bins!.length);
    for (const n of nodes) expect(n.ledger.list()).toHaveLength(3);
    await expect(federatedQuery(transport, [], { kind: 'count', epsilon: 1, mechanism: 'laplace' }, { jobId: 'q', datasetKey: 'german-credit' })).rejects.toThrow(/nodeIds/);
    await transport.close();
  });
});
