/**
 * The fairness section of the model report: metrics equal those of ../../src/fairness/metrics.ts
 * on the same counts, the score-separation screen finds an attribute the score carries and not
 * one it ignores, and the proxy warning says which attributes the model uses directly.
 */
import { describe, expect, it } from 'vitest';
import { localFairnessCounts } from '../../src/fairness/counts.js';
import { groupIndex, type FairnessAttribute } from '../../src/fairness/groups.js';
import { fairnessFromCounts } from '../../src/fairness/metrics.js';
import type { Schema, Table } from '../../src/data/schema.js';
import { deriveRandom } from '../../src/math/random.js';
import { fairnessSectionData, renderFairnessSection, separationAuc, storedFairnessOf, type StoredFairness } from '../../src/report/fairnessSection.js';

const schema: Schema = {
  name: 'synthetic', target: { name: 'y', bad: '1' }, missingTokens: [],
  columns: [
    { name: 'proxy', kind: 'numeric' },
    { name: 'group', kind: 'categorical', categories: ['a', 'b'], protected: true },
    { name: 'coin', kind: 'categorical', categories: ['h', 't'], protected: true },
  ],
};
const attributes: FairnessAttribute[] = [
  { name: 'group', column: 'group', groups: [{ name: 'a', values: ['a'] }, { name: 'b <b>', values: ['b'] }] },
  { name: 'coin', column: 'coin', groups: [{ name: 'heads', values: ['h'] }, { name: 'tails', values: ['t'] }] },
];

function fixture(n: number): { table: Table; p: Float64Array } {
  const rng = deriveRandom(11, 'report-fairness');
  const proxy = new Float64Array(n);
  const group: string[] = [];
  const coin: string[] = [];
  const label = new Uint8Array(n);
  const p = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const inA = rng.next() < 0.4;
    group.push(inA ? 'a' : 'b');
    coin.push(rng.next() < 0.5 ? 'h' : 't');
    proxy[i] = (inA ? 1.5 : -1.5) + 0.7 * rng.normal();
    p[i] = 1 / (1 + Math.exp(-(-1 + 0.8 * proxy[i])));
    label[i] = rng.next() < p[i] ? 1 : 0;
  }
  return { table: { schema, numRows: n, numeric: { proxy }, categorical: { group, coin }, label }, p };
}

const { table, p } = fixture(2000);
const stored: StoredFairness = {
  attributes, threshold: 0.3, numBins: 20,
  counts: Array.from(localFairnessCounts(attributes, attributes.map((a) => groupIndex(table, a)), p, table.label, { threshold: 0.3, numBins: 20 })),
};

describe('fairness section', () => {
  it('separation AUC from per-bin counts (hand example), direction-free', () => {
    expect(separationAuc(Float64Array.of(0, 1, 1), Float64Array.of(1, 1, 0))).toBeCloseTo(0.875, 12);
    expect(separationAuc(Float64Array.of(1, 1, 0), Float64Array.of(0, 1, 1))).toBeCloseTo(0.875, 12);
    expect(separationAuc(Float64Array.of(2, 2), Float64Array.of(1, 1))).toBeCloseTo(0.5, 12);
    expect(separationAuc(Float64Array.of(0, 0), Float64Array.of(1, 1))).toBeNaN();
  });

  it('has the metrics of the counts, and screens the attribute the score carries', () => {
    const data = fairnessSectionData(stored, new Set(['proxy']));
    const expected = fairnessFromCounts(Float64Array.from(stored.counts), attributes, 20);
    expect(data.map((a) => a.groups.map((g) => [g.group, g.numApplicants, g.disparateImpact, g.equalOpportunityDifference]))).toEqual(expected.map((a) => a.groups.map((g) => [g.group, g.numApplicants, g.disparateImpact, g.equalOpportunityDifference])));
    const [group, coin] = data;
    expect(group.isFeature).toBe(false);
    expect(group.maxSeparation).toBeGreaterThan(0.85); // the score is a function of the proxy
    expect(group.proxiesRemain).toBe(true);
    expect(group.disparateImpactFlag).toBe(true);
    expect(coin.maxSeparation).toBeLessThan(0.6);
    expect(coin.proxiesRemain).toBeNull(); // the screen cannot rule proxies out
  });

  it('renders tables, flags, proxy warnings and calibration charts, escaping names', () => {
    const html = renderFairnessSection(stored, new Set(['proxy', 'coin']));
    expect(html).toContain('<h3>group <small>(column group)</small></h3>');
    expect(html).toContain('b &lt;b&gt;');
    expect(html).not.toContain('b <b>');
    expect(html).toMatch(/Proxy warning: proxies remain\.<\/strong> group is not a feature/);
    expect(html).toContain('column <code>coin</code> is itself a model feature');
    expect(html).toContain('FLAGGED');
    expect((html.match(/<svg /g) ?? []).length).toBe(2);
    expect(html).toContain('aria-label="Calibration by group: coin"');
  });

  it('says so when a model version has no counts, and ignores malformed ones', () => {
    expect(renderFairnessSection(undefined, new Set())).toContain('carries no fairness counts');
    expect(storedFairnessOf({ fairness: { attributes: [], counts: 'x' } })).toBeUndefined();
    expect(storedFairnessOf({ fairness: stored })).toBe(stored);
  });
});
