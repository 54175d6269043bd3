import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import {
  describePartition,
  formatPartitionSpec,
  loadBuiltin,
  parsePartitionSpec,
  partition,
  partitionByAttribute,
  type PartitionSpec,
  type Schema,
  type Table,
} from '../../src/data/index.js';
import { deriveRandom } from '../../src/math/random.js';

const german = loadBuiltin('german');
const credit = loadBuiltin('credit_data');

function expectCoverOnce(numRows: number, parts: Uint32Array[]): void {
  const seen = new Uint8Array(numRows);
  for (const part of parts) for (const i of part) seen[i]++;
  expect(Array.from(seen).every((s) => s === 1)).toBe(true);
}

/** Mean over nodes of |node bad rate − global bad rate|, weighted by node size. */
function labelSkew(table: Table, parts: Uint32Array[]): number {
  const global = table.label.reduce((a, b) => a + b, 0) / table.numRows;
  return describePartition(table.label, parts).reduce((s, p) => s + (p.numRows / table.numRows) * Math.abs(p.badRate - global), 0);
}

/** Coefficient of variation of node sizes. */
function sizeSpread(parts: Uint32Array[]): number {
  const sizes = parts.map((p) => p.length);
  const mean = sizes.reduce((a, b) => a + b, 0) / sizes.length;
  return Math.sqrt(sizes.reduce((s, x) => s + (x - mean) ** 2, 0) / sizes.length) / mean;
}

const specs: PartitionSpec[] = [
  { scheme: 'iid' },
  { scheme: 'dirichlet', alpha: 0.1 },
  { scheme: 'dirichlet', alpha: 1 },
  { scheme: 'quantity', alpha: 0.5 },
  { scheme: 'attr', column: 'age' },
  { scheme: 'attr', column: 'purpose' },
  { scheme: 'attr', column: 'employmentsince' },
];

describe('partition (every scheme)', () => {
  it('covers every row exactly once, sorted per node, deterministic for a seed', () => {
    fc.assert(
      fc.property(fc.constantFrom(...specs), fc.integer({ min: 1, max: 5 }), fc.integer(), (spec, numNodes, seed) => {
        const parts = partition(german, spec, numNodes, deriveRandom(seed, 'partition'));
        expect(parts).toHaveLength(numNodes);
        expectCoverOnce(german.numRows, parts);
        for (const part of parts) {
          expect(part.length).toBeGreaterThan(0);
          for (let i = 1; i < part.length; i++) expect(part[i]).toBeGreaterThan(part[i - 1]);
        }
        expect(partition(german, spec, numNodes, deriveRandom(seed, 'partition'))).toEqual(parts);
      }),
      { numRuns: 60 },
    );
  });

  it('gives every node ≥ 10 rows and ≥ 2 of each class under Dirichlet skew, even at α = 0.01', () => {
    for (const scheme of ['dirichlet', 'quantity'] as const) {
      for (let seed = 0; seed < 20; seed++) {
        const parts = partition(german, { scheme, alpha: 0.01 }, 10, deriveRandom(seed, scheme));
        expectCoverOnce(german.numRows, parts);
        for (const share of describePartition(german.label, parts)) {
          expect(share.numRows).toBeGreaterThanOrEqual(10);
          expect(share.numBad).toBeGreaterThanOrEqual(2);
          expect(share.numRows - share.numBad).toBeGreaterThanOrEqual(2);
        }
      }
    }
  });

  it('caps the floor at what the data allow (30 rows, 3 bad, 4 nodes)', () => {
    const labels = Uint8Array.from({ length: 30 }, (_, i) => (i < 3 ? 1 : 0));
    const tiny: Table = { schema: german.schema, numRows: 30, numeric: {}, categorical: {}, label: labels };
    const parts = partition(tiny, { scheme: 'dirichlet', alpha: 0.05 }, 4, deriveRandom(1));
    expectCoverOnce(30, parts);
    // ⌊30/4⌋ = 7 rows each; ⌊3/4⌋ = 0 bad and ⌊27/4⌋ → 2 good reserved.
    for (const share of describePartition(labels, parts)) expect(share.numRows).toBeGreaterThanOrEqual(7);
  });
});

describe('label and quantity skew (measured over 20 seeds, 5 nodes, German Credit)', () => {
  const mean = (f: (seed: number) => number) => Array.from({ length: 20 }, (_, s) => f(s)).reduce((a, b) => a + b) / 20;
  const skew = (spec: PartitionSpec) => mean((s) => labelSkew(german, partition(german, spec, 5, deriveRandom(s, 'skew'))));
  const spread = (spec: PartitionSpec) => mean((s) => sizeSpread(partition(german, spec, 5, deriveRandom(s, 'skew'))));

  it('Dirichlet α = 0.1 skews bad rates far more than α = 10 and IID', () => {
    const [iid, a10, a01] = [skew({ scheme: 'iid' }), skew({ scheme: 'dirichlet', alpha: 10 }), skew({ scheme: 'dirichlet', alpha: 0.1 })];
    // Measured (20 seeds): IID 0.022, α = 10 0.061, α = 1 0.189, α = 0.1 0.357 (node bad rates near 0 or 1).
    expect(iid).toBeLessThan(0.04);
    expect(a10).toBeLessThan(0.1);
    expect(a01).toBeGreaterThan(0.2);
  });

  it('quantity skew varies sizes but not bad rates', () => {
    expect(spread({ scheme: 'iid' })).toBe(0);
    // Measured (20 seeds): size CV 1.06 and label skew 0.018 at α = 0.5.
    expect(spread({ scheme: 'quantity', alpha: 0.5 })).toBeGreaterThan(0.4);
    expect(skew({ scheme: 'quantity', alpha: 0.5 })).toBeLessThan(0.06);
  });
});

describe('attribute partitions', () => {
  it('attr:age gives non-overlapping age bands of similar size', () => {
    for (const numNodes of [2, 3, 4, 6]) {
      const { parts, bands } = partitionByAttribute(german, 'age', numNodes, deriveRandom(1));
      const ranges = parts.map((rows) => {
        const ages = Array.from(rows, (i) => german.numeric.age[i]);
        return [Math.min(...ages), Math.max(...ages)];
      });
      for (let j = 1; j < numNodes; j++) expect(ranges[j][0]).toBeGreaterThan(ranges[j - 1][1]);
      expect(bands.map((b) => [b.min, b.max])).toEqual(ranges);
      expect(sizeSpread(parts)).toBeLessThan(0.15);
    }
  });

  it('cuts hand-made values at whole-value boundaries (hand-computed)', () => {
    // Values 1×3, 2×2, 3×1, 4×4 into 2 nodes: target 5 → {1, 2} (5 rows), then {3, 4} (5 rows).
    const values = Float64Array.from([4, 1, 2, 4, 1, 3, 4, 2, 1, 4]);
    const schema: Schema = { name: 't', columns: [{ name: 'v', kind: 'numeric' }], target: { name: 'y', bad: '1' }, missingTokens: [] };
    const table: Table = { schema, numRows: 10, numeric: { v: values }, categorical: {}, label: new Uint8Array(10) };
    const { parts, bands } = partitionByAttribute(table, 'v', 2, deriveRandom(1));
    expect(parts.map((p) => Array.from(p))).toEqual([
      [1, 2, 4, 7, 8],
      [0, 3, 5, 6, 9],
    ]);
    expect(bands).toEqual([
      { node: 0, min: 1, max: 2, numRows: 5 },
      { node: 1, min: 3, max: 4, numRows: 5 },
    ]);
  });

  it('groups categories largest-first (Home on credit_data, hand-checked counts)', () => {
    // owner 2107 | rent 973 + priv 246 | parents 783 + other 319 + ignore 20; 6 NA rows spread 2/2/2.
    const { bands } = partitionByAttribute(credit, 'Home', 3, deriveRandom(1));
    expect(bands).toEqual([
      { node: 0, categories: ['owner'], numRows: 2109 },
      { node: 1, categories: ['rent', 'priv'], numRows: 1221 },
      { node: 2, categories: ['parents', 'other', 'ignore'], numRows: 1124 },
    ]);
  });

  it('keeps ordinal columns in contiguous bands (employmentsince)', () => {
    const { bands } = partitionByAttribute(german, 'employmentsince', 2, deriveRandom(1));
    // A71 62, A72 172, A73 339 | A74 174, A75 253: 573 vs 427 is closer to 500 than 234 vs 766.
    expect(bands.map((b) => b.categories)).toEqual([['A71', 'A72', 'A73'], ['A74', 'A75']]);
  });

  it('rejects unknown columns and too few distinct values', () => {
    expect(() => partition(german, { scheme: 'attr', column: 'salary' }, 2, deriveRandom(1))).toThrow(ConfigError);
    expect(() => partition(german, { scheme: 'attr', column: 'classification' }, 2, deriveRandom(1))).toThrow(/columns: existingchecking/);
    expect(() => partition(german, { scheme: 'attr', column: 'telephone' }, 3, deriveRandom(1))).toThrow(RangeError);
  });
});

describe('partition argument checks', () => {
  it.each([0, -1, 1.5, 1001, NaN])('rejects numNodes = %j', (numNodes) => {
    expect(() => partition(german, { scheme: 'iid' }, numNodes, deriveRandom(1))).toThrow(RangeError);
  });

  it('rejects bad specs and options', () => {
    expect(() => partition(german, { scheme: 'dirichlet', alpha: 0 }, 2, deriveRandom(1))).toThrow(RangeError);
    expect(() => partition(german, { scheme: 'quantity', alpha: Infinity }, 2, deriveRandom(1))).toThrow(RangeError);
    expect(() => partition(german, { scheme: 'shards' } as never, 2, deriveRandom(1))).toThrow(RangeError);
    expect(() => partition(german, { scheme: 'iid' }, 2, deriveRandom(1), { minRowsPerNode: -1 })).toThrow(RangeError);
  });
});

describe('parsePartitionSpec', () => {
  it.each([
    ['iid', { scheme: 'iid' }],
    [' dirichlet:0.5 ', { scheme: 'dirichlet', alpha: 0.5 }],
    ['quantity:2', { scheme: 'quantity', alpha: 2 }],
    ['attr:age', { scheme: 'attr', column: 'age' }],
  ])('parses %j', (text, spec) => {
    expect(parsePartitionSpec(text)).toEqual(spec);
    expect(parsePartitionSpec(formatPartitionSpec(spec as PartitionSpec))).toEqual(spec);
  });

  it.each(['', 'IID', 'iid:3', 'dirichlet', 'dirichlet:', 'dirichlet:0', 'dirichlet:-1', 'dirichlet:abc', 'quantity:Infinity', 'attr:', 'shards:2'])(
    'rejects %j with a ConfigError listing the allowed forms',
    (text) => {
      expect(() => parsePartitionSpec(text)).toThrow(ConfigError);
      expect(() => parsePartitionSpec(text)).toThrow(/'iid', 'dirichlet:ALPHA' .*'quantity:ALPHA' .*'attr:COLUMN'/);
    },
  );
});
