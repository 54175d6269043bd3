import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigChecker, didYouMean, editDistance, substituteEnv } from '../../src/node/configCheck.js';

describe('editDistance', () => {
  it('matches hand-computed Levenshtein distances', () => {
    // kitten → sitting: k→s, e→i, +g (the textbook example, Wikipedia "Levenshtein distance").
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('flaw', 'lawn')).toBe(2); // -f, +n
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('policy', 'policy')).toBe(0);
  });

  it('is a metric: symmetric, zero only for equal strings, triangle inequality', () => {
    fc.assert(fc.property(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 }), (a, b, c) => {
      expect(editDistance(a, b)).toBe(editDistance(b, a));
      expect(editDistance(a, b) === 0).toBe(a === b);
      expect(editDistance(a, c)).toBeLessThanOrEqual(editDistance(a, b) + editDistance(b, c));
    }));
  });
});

describe('didYouMean', () => {
  it('suggests close keys, case-insensitively, and prefixes; nothing for far ones', () => {
    expect(didYouMean('polcy', ['policy', 'api'])).toBe(' (did you mean "policy"?)');
    expect(didYouMean('MaxRounds', ['maxRounds'])).toBe(' (did you mean "maxRounds"?)');
    expect(didYouMean('minRows', ['minRowsPerUpdate', 'maxRounds'])).toBe(' (did you mean "minRowsPerUpdate"?)');
    expect(didYouMean('colour', ['policy', 'api', 'datasets'])).toBe('');
  });
});

describe('substituteEnv', () => {
  it('substitutes nested strings, leaves keys and other values alone, reports unset variables by path', () => {
    const checker = new ConfigChecker('/');
    const out = substituteEnv({ '${K}': [1, '${A}/x', { t: '${B}' }], n: true }, '', { A: 'a', K: 'k' }, checker);
    expect(out).toEqual({ '${K}': [1, 'a/x', { t: '${B}' }], n: true });
    expect(checker.issues).toEqual([{ path: '${K}[2].t', message: 'environment variable B is not set (referenced as ${B})' }]);
  });
});
