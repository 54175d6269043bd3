import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, MAX_JSON_DEPTH } from '../../src/store/canonical-json.js';

const vectors = JSON.parse(readFileSync(new URL('../vectors/jcs-rfc8785.json', import.meta.url), 'utf8')) as {
  cases: { name: string; input: string; output: string }[];
};

describe('canonicalJson (RFC 8785)', () => {
  for (const vector of vectors.cases) {
    it(`matches the reference output for ${vector.name}`, () => {
      expect(canonicalJson(JSON.parse(vector.input))).toBe(vector.output);
    });
  }

  it('serialises the degenerate values', () => {
    expect(canonicalJson(null)).toBe('null');
    expect(canonicalJson({})).toBe('{}');
    expect(canonicalJson([])).toBe('[]');
    expect(canonicalJson(-0)).toBe('0'); // RFC 8785 §3.2.2.3: minus zero serialises as 0
    expect(canonicalJson(Object.create(null) as object)).toBe('{}');
  });

  it('is independent of key insertion order and idempotent', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => {
      const text = canonicalJson(value);
      expect(canonicalJson(JSON.parse(text))).toBe(text);
      const reversed = reverseKeys(value);
      expect(canonicalJson(reversed)).toBe(text);
    }), { numRuns: 200 });
  });

  const hostile: [string, unknown][] = [
    ['NaN', Number.NaN],
    ['Infinity', { a: Number.POSITIVE_INFINITY }],
    ['undefined member', { a: undefined }],
    ['undefined at top', undefined],
    ['bigint', 1n],
    ['function', () => 1],
    ['symbol', Symbol('x')],
    ['Date', new Date(0)],
    ['Map', new Map()],
    ['typed array', new Float64Array(2)],
    ['lone high surrogate', '\uD800x'],
    ['lone low surrogate in key', { '\uDC00': 1 }],
  ];
  for (const [name, value] of hostile) {
    it(`rejects ${name} with a TypeError naming the path`, () => {
      expect(() => canonicalJson(value, 'details')).toThrow(TypeError);
      expect(() => canonicalJson(value, 'details')).toThrow(/details/);
    });
  }

  it('rejects nesting deeper than MAX_JSON_DEPTH, including cycles', () => {
    let deep: unknown = 0;
    for (let i = 0; i <= MAX_JSON_DEPTH; i++) deep = [deep];
    expect(() => canonicalJson(deep)).toThrow(RangeError);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(RangeError);
  });
});

function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).reverse()) {
      // defineProperty, not assignment: fast-check generates "__proto__" keys.
      Object.defineProperty(out, key, { value: reverseKeys((value as Record<string, unknown>)[key]), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return value;
}
