import { describe, expect, it } from 'vitest';
import { parseBudgetReport } from '../../src/coordinator/jobRunner.js';

describe('a node’s privacy-budget report (describe reply)', () => {
  it('reads a well-formed report and ignores its absence', () => {
    expect(parseBudgetReport(JSON.stringify({ epsilon: 4, delta: 1e-5, remainingEpsilon: 3.01 }))).toEqual({ epsilon: 4, delta: 1e-5, remainingEpsilon: 3.01 });
    expect(parseBudgetReport(undefined)).toBeUndefined();
  });

  it('refuses hostile or malformed reports with a reason, never throws', () => {
    for (const bad of [
      42, 'not json', 'x'.repeat(501), 'null', '[]',
      JSON.stringify({ epsilon: -1, delta: 1e-5, remainingEpsilon: 0 }),
      JSON.stringify({ epsilon: 4, delta: 1, remainingEpsilon: 1 }),
      JSON.stringify({ epsilon: 4, delta: 1e-5, remainingEpsilon: 5 }),
      JSON.stringify({ epsilon: 4, delta: 1e-5, remainingEpsilon: -0.1 }),
      JSON.stringify({ epsilon: 'Infinity', delta: 1e-5, remainingEpsilon: 1 }),
      '{"epsilon":1e400,"delta":1e-5,"remainingEpsilon":1}',
    ]) expect(typeof parseBudgetReport(bad)).toBe('string');
  });
});
