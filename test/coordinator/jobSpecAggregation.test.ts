/**
 * Job submissions choose how their sums are protected: plain, secure aggregation or Paillier;
 * contradictory or unsupported combinations are refused with one issue each, and the mode the
 * runner builds from the options matches.
 */
import { describe, expect, it } from 'vitest';
import { parseJobSubmission } from '../../src/coordinator/jobSpec.js';
import { aggregationModeOf } from '../../src/coordinator/aggregationMode.js';

const base = { datasetKey: 'german-credit', model: 'logreg', minNodes: 3 };
const issuesOf = (body: Record<string, unknown>) => {
  const r = parseJobSubmission({ ...base, ...body });
  return r.ok ? [] : r.issues.map((i) => `${i.field} ${i.code}`);
};

describe('aggregation options', () => {
  it('accepts paillier with a key size, secure both ways, and builds the matching mode', () => {
    const r = parseJobSubmission({ ...base, options: { aggregation: 'paillier', paillierKeyBits: 3072 } });
    expect(r.ok).toBe(true);
    const mode = aggregationModeOf(r.ok ? r.spec.options : undefined);
    expect(mode).toMatchObject({ kind: 'paillier', keyBits: 3072, keys: {} });
    expect(aggregationModeOf({ aggregation: 'paillier' })).toMatchObject({ keyBits: 2048 });
    expect(aggregationModeOf({ secureAggregation: true, secaggNeighbours: 4 })).toEqual({ kind: 'secure', neighbours: 4 });
    expect(aggregationModeOf({ aggregation: 'secure' })).toEqual({ kind: 'secure', neighbours: undefined });
    expect(aggregationModeOf({})).toEqual({ kind: 'plain' });
    expect(issuesOf({ options: { aggregation: 'secure', secureAggregation: true } })).toEqual([]);
  });

  it('refuses unknown modes, bad key sizes and combinations that cannot work', () => {
    expect(issuesOf({ options: { aggregation: 'homomorphic' } })).toEqual(['options.aggregation unknown_value']);
    expect(issuesOf({ options: { aggregation: 'paillier', paillierKeyBits: 512 } })).toEqual(['options.paillierKeyBits out_of_range']);
    expect(issuesOf({ options: { paillierKeyBits: 2048 } })).toEqual(['options.paillierKeyBits out_of_range']);
    expect(issuesOf({ options: { aggregation: 'paillier', secureAggregation: true } })).toEqual(['options.aggregation out_of_range']);
    expect(issuesOf({ model: 'gbdt', options: { aggregation: 'paillier' } })).toEqual(['options.aggregation out_of_range']);
    expect(issuesOf({ strategy: 'krum', options: { aggregation: 'paillier' } })).toEqual(['options.aggregation out_of_range']);
    expect(issuesOf({ strategy: 'median', options: { aggregation: 'secure' } })).toEqual(['options.aggregation out_of_range']);
    expect(issuesOf({ minNodes: 2, options: { aggregation: 'paillier' } })).toEqual(['options.aggregation out_of_range']);
  });
});
