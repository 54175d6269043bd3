/**
 * Protected attributes and their groups, for the fairness report. An attribute reads one column
 * and sorts each applicant into one group: a set of codes for a categorical column, a range
 * [min, max) for a numeric one; an applicant matching no group (or with a missing value) falls
 * in the implicit "unknown" group, reported only when it holds someone.
 *
 * German credit (Hofmann 1994 codebook):
 * - sex from `statussex`: female = A92, A95; male = A91, A93, A94;
 * - marital status from `statussex`: single = A93, A95; not single = A91 (divorced/separated),
 *   A92 (divorced/separated/married: the codebook does not separate married women), A94
 *   (married/widowed). Single vs not single is the only split every code supports;
 * - age band: < 25, 25–39 (25 ≤ age < 40) and 40+, the bands of the issue, with 25 the age
 *   below which the German data's bad rate is markedly higher;
 * - foreign worker from `foreignworker`: A201 yes, A202 no.
 * credit_data has no protected column; its report bands Age the same way and groups Marital by
 * status. Any other schema: each protected categorical column with one group per category, and
 * protected numeric columns whose name contains "age" in the age bands above.
 */
import type { Schema, Table } from '../data/schema.js';

/** One group of an attribute: codes of a categorical column, or a range of a numeric one. */
export interface GroupSpec {
  readonly name: string;
  /** Categorical: the codes that belong to the group. */
  readonly values?: readonly string[];
  /** Numeric: inclusive lower bound (absent: −∞). */
  readonly min?: number;
  /** Numeric: exclusive upper bound (absent: +∞). */
  readonly max?: number;
}

/** A protected attribute: the column it reads and its groups. */
export interface FairnessAttribute {
  readonly name: string;
  readonly column: string;
  readonly groups: readonly GroupSpec[];
}

/** Name of the implicit group of applicants that match no declared group. */
export const UNKNOWN_GROUP = 'unknown';

const AGE_BANDS: readonly GroupSpec[] = Object.freeze([{ name: '< 25', max: 25 }, { name: '25–39', min: 25, max: 40 }, { name: '40+', min: 40 }]);

/** The German credit attributes (see the module doc). */
export const GERMAN_FAIRNESS_ATTRIBUTES: readonly FairnessAttribute[] = Object.freeze([
  { name: 'sex', column: 'statussex', groups: [{ name: 'female', values: ['A92', 'A95'] }, { name: 'male', values: ['A91', 'A93', 'A94'] }] },
  { name: 'marital status', column: 'statussex', groups: [{ name: 'single', values: ['A93', 'A95'] }, { name: 'not single', values: ['A91', 'A92', 'A94'] }] },
  { name: 'age band', column: 'age', groups: AGE_BANDS },
  { name: 'foreign worker', column: 'foreignworker', groups: [{ name: 'foreign worker', values: ['A201'] }, { name: 'not a foreign worker', values: ['A202'] }] },
]);

/**
 * The attributes a fairness report covers for `schema` by default (see the module doc).
 *
 * @example defaultFairnessAttributes(germanSchema).map((a) => a.name) // ['sex', 'marital status', 'age band', 'foreign worker']
 */
export function defaultFairnessAttributes(schema: Schema): FairnessAttribute[] {
  if (schema.name === 'german') return [...GERMAN_FAIRNESS_ATTRIBUTES];
  if (schema.name === 'credit_data') {
    return [
      { name: 'age band', column: 'Age', groups: AGE_BANDS },
      { name: 'marital status', column: 'Marital', groups: [{ name: 'married or widowed', values: ['married', 'widow'] }, { name: 'single, separated or divorced', values: ['single', 'separated', 'divorced'] }] },
    ];
  }
  const out: FairnessAttribute[] = [];
  for (const c of schema.columns) {
    if (!c.protected) continue;
    if (c.kind !== 'numeric' && c.categories) out.push({ name: c.name, column: c.name, groups: c.categories.map((code) => ({ name: c.labels?.[code] ?? code, values: [code] })) });
    else if (c.kind === 'numeric' && /age/i.test(c.name)) out.push({ name: `${c.name} band`, column: c.name, groups: AGE_BANDS });
  }
  return out;
}

/**
 * Each row's group index under `attribute`: 0 … groups.length − 1, or groups.length for
 * "unknown" (missing value or no matching group). The first matching group wins.
 */
export function groupIndex(table: Table, attribute: FairnessAttribute): Int32Array {
  const unknown = attribute.groups.length;
  const out = new Int32Array(table.numRows).fill(unknown);
  const numeric = table.numeric[attribute.column];
  if (numeric) {
    for (let i = 0; i < table.numRows; i++) {
      const v = numeric[i];
      if (Number.isNaN(v)) continue;
      const g = attribute.groups.findIndex((s) => s.values === undefined && (s.min === undefined || v >= s.min) && (s.max === undefined || v < s.max));
      if (g >= 0) out[i] = g;
    }
    return out;
  }
  const codes = table.categorical[attribute.column];
  if (!codes) throw new RangeError(`attribute "${attribute.name}": table has no column "${attribute.column}"`);
  const index = new Map<string, number>();
  attribute.groups.forEach((s, g) => s.values?.forEach((v) => { if (!index.has(v)) index.set(v, g); }));
  for (let i = 0; i < table.numRows; i++) {
    const v = codes[i];
    if (v !== null) out[i] = index.get(v) ?? unknown;
  }
  return out;
}

const fail = (where: string, what: string): never => {
  throw new TypeError(`${where}: ${what}`);
};
const isBound = (v: unknown) => v === undefined || (typeof v === 'number' && Number.isFinite(v));

/** Check attributes received from the network or a file; throws a TypeError naming the problem. */
export function parseFairnessAttributes(value: unknown): FairnessAttribute[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > 50) fail('attributes', 'expected an array of 1 to 50 attributes');
  return (value as FairnessAttribute[]).map((a, i) => {
    const where = `attributes[${i}]`;
    if (typeof a !== 'object' || a === null || typeof a.name !== 'string' || typeof a.column !== 'string' || a.column.length === 0) fail(where, 'expected { name, column, groups }');
    if (!Array.isArray(a.groups) || a.groups.length === 0 || a.groups.length > 100) fail(`${where}.groups`, 'expected 1 to 100 groups');
    a.groups.forEach((g, k) => {
      const at = `${where}.groups[${k}]`;
      if (typeof g !== 'object' || g === null || typeof g.name !== 'string') fail(at, 'expected an object with a name');
      if (g.values !== undefined) {
        if (!Array.isArray(g.values) || !g.values.every((v) => typeof v === 'string')) fail(at, 'values must be an array of strings');
        if (g.min !== undefined || g.max !== undefined) fail(at, 'give either values or min/max, not both');
      } else {
        if (!isBound(g.min) || !isBound(g.max)) fail(at, 'min and max must be finite numbers when given');
        if (g.min !== undefined && g.max !== undefined && !(g.min < g.max)) fail(at, 'min must be below max');
      }
    });
    return a;
  });
}
