/**
 * Canonical JSON per RFC 8785 (JSON Canonicalization Scheme): object members sorted by the
 * UTF-16 code units of their names, no whitespace, numbers and strings serialised exactly as
 * ECMAScript's JSON.stringify does (RFC 8785 §3.2.2 defers to ECMA-262 for both). The audit
 * hash chain hashes this form, so equal content always hashes equally whatever key order or
 * number spelling it was written with, and any other JCS implementation can re-verify a chain.
 */

/** Nesting deeper than this is rejected; it also stops cyclic structures. */
export const MAX_JSON_DEPTH = 64;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Serialise `value` canonically. Throws TypeError (naming `name` and the path inside it) for
 * anything that is not I-JSON: non-finite numbers, lone surrogates, undefined, functions,
 * bigints, class instances (Date, Map, typed arrays), and RangeError past {@link MAX_JSON_DEPTH}.
 *
 * @example canonicalJson({ b: [1.50, 'x'], a: null }) === '{"a":null,"b":[1.5,"x"]}'
 */
export function canonicalJson(value: unknown, name = 'value'): string {
  return serialise(value, name, 0);
}

function serialise(value: unknown, path: string, depth: number): string {
  if (depth > MAX_JSON_DEPTH) throw new RangeError(`${path}: JSON nesting deeper than ${MAX_JSON_DEPTH}`);
  if (value === null || value === true || value === false) return String(value);
  switch (typeof value) {
    case 'number':
      // I-JSON (RFC 7493) has no NaN or Infinity; JSON.stringify would silently write null.
      if (!Number.isFinite(value)) throw new TypeError(`${path}: numbers must be finite, got ${value}`);
      return JSON.stringify(value);
    case 'string':
      if (LONE_SURROGATE.test(value)) throw new TypeError(`${path}: string contains a lone surrogate`);
      return JSON.stringify(value);
    case 'object':
      break;
    default:
      throw new TypeError(`${path}: ${typeof value} is not a JSON value`);
  }
  if (Array.isArray(value)) {
    return `[${value.map((item, i) => serialise(item, `${path}[${i}]`, depth + 1)).join(',')}]`;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) {
    throw new TypeError(`${path}: only plain objects are JSON objects, got ${(value as object).constructor?.name ?? 'object'}`);
  }
  const record = value as Record<string, unknown>;
  // Default sort compares UTF-16 code units, which is exactly RFC 8785 §3.2.3.
  const keys = Object.keys(record).sort();
  const members: string[] = [];
  for (const key of keys) {
    if (LONE_SURROGATE.test(key)) throw new TypeError(`${path}: property name contains a lone surrogate`);
    if (record[key] === undefined) throw new TypeError(`${path}.${key}: undefined is not a JSON value`);
    members.push(`${JSON.stringify(key)}:${serialise(record[key], `${path}.${key}`, depth + 1)}`);
  }
  return `{${members.join(',')}}`;
}
