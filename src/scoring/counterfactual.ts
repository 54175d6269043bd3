/**
 * "What would change the decision": the smallest changes to an applicant's actionable fields
 * that move the scorer's decision to a better class (decline → review or approve, review →
 * approve). For an approved applicant nothing is searched; the answer gives the margin instead
 * (how far the probability of default, and the points, may move before a review).
 *
 * The search is model-agnostic (it only re-scores modified copies of the record, in batches)
 * and deterministic:
 * 1. Every single-field change on the grid of ./counterfactualGrid.ts (each other category;
 *    round numeric values within the schema's range, smallest change first) is scored in one
 *    batch. For each field and each better class, the cheapest change reaching it is kept.
 * 2. Only when no single change works, pairs of fields: per field at most `pairValuesPerField`
 *    values that lower the probability of default (spread from the smallest to the largest
 *    change), every pair of fields, every combination. The work is bounded by
 *    `maxPairEvaluations` rows: fewer values per field first (down to 2), then only the fields
 *    whose best single change lowered the probability the most. The cheapest successful pairs
 *    are then shrunk one field at a time over that field's full grid (coordinate descent).
 * Suggestions are ordered by plausibility: fewest fields, then smallest normalised change
 * (the sum of the fields' costs, in standard deviations; a category swap costs 1), then the
 * lower probability of default. Fields searched: those the model reads that an applicant can act
 * on (./actionability.ts), in the direction or to the values allowed there: protected and
 * immutable fields are never suggested.
 *
 * Bound: with German credit (9 actionable model columns, ≤ 2 × 121 grid values each) a single-field
 * pass scores ≤ ~500 rows and a pair pass ≤ 36 pairs × 36 = 1,296 rows plus ≤ 8 refinements of
 * ≤ 2 × 242 rows; see bench/counterfactual.ts for the time per record.
 */
import type { ColumnSpec, Table } from '../data/schema.js';
import { allowsChange, fieldActionability, type FieldActionability } from './actionability.js';
import { categoryGrid, numericGrid, type GridValue } from './counterfactualGrid.js';
import { rawValue } from './reasons.js';
import { pointsFromLogit } from './scale.js';
import type { Decision, Scorer } from './scorer.js';

/** One field changed by a suggestion, in the codebook's words. */
export interface FieldChange {
  readonly field: string;
  /** The column's description, e.g. 'Duration of the credit'. */
  readonly title: string;
  readonly from: string | number;
  readonly to: string | number;
  /** e.g. 'Duration of the credit: 48 → 24 months', 'Savings account or bonds: savings < 100 DM → savings ≥ 1000 DM'. */
  readonly text: string;
}

/** One way to reach a better decision. */
export interface Counterfactual {
  readonly changes: readonly FieldChange[];
  readonly probabilityOfDefault: number;
  readonly score: number;
  readonly decision: Decision;
  /** Size of the change: sum over fields of |Δ| / spread (numbers) or the category cost. */
  readonly cost: number;
}

/** The answer for one applicant. */
export interface CounterfactualAnswer {
  readonly decision: Decision;
  readonly probabilityOfDefault: number;
  /** Best first; empty for an approved applicant or when no change of ≤ 2 fields works. */
  readonly suggestions: readonly Counterfactual[];
  /** Approved applicants only: how much the probability (and points) may worsen before a review. */
  readonly margin: { readonly probabilityOfDefault: number; readonly points: number } | null;
  /** Every column the model reads, with whether it was searched and why not. */
  readonly fields: readonly FieldActionability[];
  /** Rows scored by the search. */
  readonly evaluations: number;
}

/** Options of {@link counterfactuals}. */
export interface CounterfactualOptions {
  /** Suggestions returned at most (1 … 50, default 5). */
  readonly maxSuggestions?: number;
  /** Values per field tried in the pair search (2 … 20, default 6). */
  readonly pairValuesPerField?: number;
  /** Rows the pair search may score (100 … 1,000,000, default 20,000). */
  readonly maxPairEvaluations?: number;
  /** More columns to treat as immutable (a lender's policy), on top of ./actionability.ts. */
  readonly immutable?: readonly string[];
}

const DEFAULTS = { maxSuggestions: 5, pairValuesPerField: 6, maxPairEvaluations: 20_000 } as const;
/** Pairs shrunk by coordinate descent, per better class. */
const PAIRS_REFINED = 4;

const RANK: Readonly<Record<Decision, number>> = { approve: 0, review: 1, decline: 2 };

/** A field the search may change, with the values to try. */
interface Field {
  readonly index: number;
  readonly column: ColumnSpec;
  readonly from: string | number;
  readonly grid: readonly GridValue[];
}

type Assignment = readonly (readonly [field: Field, value: GridValue])[];

interface Found {
  readonly assignment: Assignment;
  readonly pd: number;
  readonly cost: number;
}

/**
 * Counterfactual suggestions for row `row` of `table` (a table of `scorer.schema`, e.g. from
 * `parseRecords`). Throws RangeError for a bad row index or option.
 *
 * @example
 * const parsed = parseRecords([record], germanSchema);
 * if (parsed.ok) counterfactuals(scorer, parsed.table, 0).suggestions[0]?.changes[0].text;
 * // 'Duration of the credit: 48 → 24 months'
 */
export function counterfactuals(scorer: Scorer, table: Table, row: number, options: CounterfactualOptions = {}): CounterfactualAnswer {
  const opts = checkOptions(options);
  if (!Number.isInteger(row) || row < 0 || row >= table.numRows) throw new RangeError(`row: expected an integer from 0 to ${table.numRows - 1}, got ${row}`);
  const search = new Search(scorer, table, row);
  const pd0 = search.score([])[0];
  const decision = scorer.decide(pd0);
  const fields = modelFields(scorer, opts.immutable);
  if (decision === 'approve') {
    const review = scorer.thresholds.review;
    const points = pointsFromLogit(logit(pd0), scorer.scale) - pointsFromLogit(logit(review), scorer.scale);
    return { decision, probabilityOfDefault: pd0, suggestions: [], margin: { probabilityOfDefault: review - pd0, points }, fields, evaluations: search.evaluations };
  }
  const searchable = searchFields(scorer, table, row, fields);
  const targets: Decision[] = decision === 'decline' ? ['review', 'approve'] : ['approve'];
  const reaches = (pd: number, target: Decision) => RANK[scorer.decide(pd)] <= RANK[target];

  // 1. single fields
  const singles = searchable.flatMap((f) => f.grid.map((v): Assignment => [[f, v]]));
  const singlePd = search.score(singles);
  let found: Found[] = [];
  for (const f of searchable) {
    for (const target of targets) {
      let best: Found | undefined;
      singles.forEach((a, k) => {
        if (a[0][0] !== f || !reaches(singlePd[k], target)) return;
        if (best === undefined || a[0][1].cost < best.cost) best = { assignment: a, pd: singlePd[k], cost: a[0][1].cost };
      });
      if (best) found.push(best);
    }
  }
  // 2. pairs, only when no single change works
  if (found.length === 0) found = searchPairs(search, searchable, singles, singlePd, pd0, targets, reaches, opts);

  const suggestions = rank(found).slice(0, opts.maxSuggestions).map((f) => toCounterfactual(scorer, f));
  return { decision, probabilityOfDefault: pd0, suggestions, margin: null, fields, evaluations: search.evaluations };
}

/** {@link counterfactuals} for every row of `table`, in row order. */
export function counterfactualsOfTable(scorer: Scorer, table: Table, options: CounterfactualOptions = {}): CounterfactualAnswer[] {
  return Array.from({ length: table.numRows }, (_, i) => counterfactuals(scorer, table, i, options));
}

function searchPairs(
  search: Search, fields: readonly Field[], singles: readonly Assignment[], singlePd: Float64Array, pd0: number,
  targets: readonly Decision[], reaches: (pd: number, target: Decision) => boolean, opts: Required<Omit<CounterfactualOptions, 'immutable'>>,
): Found[] {
  // values that lower the probability of default, per field, and each field's best reduction
  const lowering = new Map<Field, { value: GridValue; pd: number }[]>();
  singles.forEach((a, k) => {
    if (!(singlePd[k] < pd0)) return;
    const [f, value] = a[0];
    let list = lowering.get(f);
    if (list === undefined) lowering.set(f, (list = []));
    list.push({ value, pd: singlePd[k] });
  });
  let candidates = fields.filter((f) => lowering.has(f));
  const pairsOf = (n: number) => (n * (n - 1)) / 2;
  while (candidates.length > 2 && pairsOf(candidates.length) * 4 > opts.maxPairEvaluations) {
    // keep the fields whose best single change lowered the probability the most
    const bestPd = (f: Field) => Math.min(...lowering.get(f)!.map((l) => l.pd));
    candidates = [...candidates].sort((a, b) => bestPd(a) - bestPd(b) || a.index - b.index).slice(0, candidates.length - 1).sort((a, b) => a.index - b.index);
  }
  if (candidates.length < 2) return [];
  const perField = Math.max(2, Math.min(opts.pairValuesPerField, Math.floor(Math.sqrt(opts.maxPairEvaluations / pairsOf(candidates.length)))));
  const picked = new Map(candidates.map((f) => [f, pickValues(lowering.get(f)!, perField)] as const));

  const pairs: Assignment[] = [];
  for (let a = 0; a < candidates.length; a++) {
    for (let b = a + 1; b < candidates.length; b++) {
      for (const va of picked.get(candidates[a])!) for (const vb of picked.get(candidates[b])!) pairs.push([[candidates[a], va], [candidates[b], vb]]);
    }
  }
  const pairPd = search.score(pairs);
  const out: Found[] = [];
  for (const target of targets) {
    const bestPerPair = new Map<string, Found>();
    pairs.forEach((assignment, k) => {
      if (!reaches(pairPd[k], target)) return;
      const key = `${assignment[0][0].index},${assignment[1][0].index}`;
      const cost = assignment[0][1].cost + assignment[1][1].cost;
      const current = bestPerPair.get(key);
      if (current === undefined || cost < current.cost) bestPerPair.set(key, { assignment, pd: pairPd[k], cost });
    });
    for (const f of rank([...bestPerPair.values()]).slice(0, PAIRS_REFINED)) out.push(refine(search, f, target, reaches));
  }
  return out;
}

/** Up to `k` values: all when few, else evenly spaced from the smallest to the largest change. */
function pickValues(list: readonly { value: GridValue; pd: number }[], k: number): GridValue[] {
  const sorted = [...list].sort((a, b) => a.value.cost - b.value.cost || a.pd - b.pd);
  if (sorted.length <= k) return sorted.map((l) => l.value);
  if (sorted.every((l) => l.value.cost === sorted[0].value.cost)) return sorted.slice(0, k).map((l) => l.value); // categories: the most helpful
  return Array.from({ length: k }, (_, i) => sorted[Math.round((i * (sorted.length - 1)) / (k - 1))].value);
}

/** Shrink each field of a successful pair in turn to its cheapest value that still reaches `target`. */
function refine(search: Search, found: Found, target: Decision, reaches: (pd: number, target: Decision) => boolean): Found {
  let current = found;
  for (let slot = 0; slot < current.assignment.length; slot++) {
    const [field, value] = current.assignment[slot];
    const sameSide = (v: GridValue) => typeof v.value !== 'number' || Math.sign(v.value - (field.from as number)) === Math.sign((value.value as number) - (field.from as number));
    const cheaper = field.grid.filter((v) => v.cost < value.cost && sameSide(v));
    if (cheaper.length === 0) continue;
    const tries = cheaper.map((v): Assignment => current.assignment.map((pair, s) => (s === slot ? [field, v] as const : pair)));
    const pd = search.score(tries);
    tries.forEach((assignment, k) => {
      const cost = assignment.reduce((sum, [, v]) => sum + v.cost, 0);
      if (reaches(pd[k], target) && cost < current.cost) current = { assignment, pd: pd[k], cost };
    });
  }
  return current;
}

/** Plausibility order (fewest fields, smallest change, lower probability), duplicates removed. */
function rank(found: readonly Found[]): Found[] {
  const key = (f: Found) => f.assignment.map(([field, v]) => `${field.index}=${String(v.value)}`).join('&');
  const seen = new Set<string>();
  return [...found]
    .sort((a, b) => a.assignment.length - b.assignment.length || a.cost - b.cost || a.pd - b.pd || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))
    .filter((f) => !seen.has(key(f)) && seen.add(key(f)));
}

function toCounterfactual(scorer: Scorer, found: Found): Counterfactual {
  return {
    changes: found.assignment.map(([field, v]) => describeChange(field.column, field.from, v.value)),
    probabilityOfDefault: found.pd,
    score: Math.round(pointsFromLogit(logit(found.pd), scorer.scale)),
    decision: scorer.decide(found.pd),
    cost: found.cost,
  };
}

/**
 * A change in words: "Title: from → to unit" for numbers, "Title: label → label" for codes.
 *
 * @example describeChange(durationSpec, 48, 24) // { …, text: 'Duration of the credit: 48 → 24 months' }
 */
export function describeChange(column: ColumnSpec, from: string | number, to: string | number): FieldChange {
  const title = column.description ?? column.name;
  const words = (v: string | number) => (typeof v === 'number' ? formatNumber(v) : (column.labels?.[v] ?? v));
  const unit = column.kind === 'numeric' && column.unit ? ` ${column.unit}` : '';
  return { field: column.name, title, from, to, text: `${title}: ${words(from)} → ${words(to)}${unit}` };
}

function formatNumber(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toFixed(2)));
}

/** The model's columns with their actionability (extra `immutable` names applied). */
function modelFields(scorer: Scorer, immutable: ReadonlySet<string>): FieldActionability[] {
  const all = new Map(fieldActionability(scorer.schema).map((f) => [f.field, f] as const));
  return scorer.columns.map((c) => {
    const f = all.get(c.name)!;
    return f.actionability === 'actionable' && immutable.has(c.name) ? { ...f, actionability: 'immutable', why: 'marked immutable by the lender’s policy' } : f;
  });
}

/** The actionable model columns with a value in this row, with their grids. */
function searchFields(scorer: Scorer, table: Table, row: number, fields: readonly FieldActionability[]): Field[] {
  const out: Field[] = [];
  scorer.columns.forEach((column, index) => {
    if (fields[index].actionability !== 'actionable') return;
    const from = rawValue(table, column, row);
    if (from === null) return; // nothing to change from: a missing value is not searched
    const grid = (typeof from === 'number'
      ? numericGrid(column, from, spreadOf(scorer, column, from))
      : categoryGrid(column, from, knownCategories(scorer, column.name))).filter((g) => allowsChange(fields[index], from, g.value));
    if (grid.length > 0) out.push({ index, column, from, grid });
  });
  return out;
}

/** The model's spread, else a quarter of the schema's range, else half the value's magnitude; ≥ 1 for integers. */
function spreadOf(scorer: Scorer, column: ColumnSpec, from: number): number {
  let spread = scorer.numericSpread(column.name);
  if (spread === undefined || !(spread > 0)) {
    const range = (column.max ?? NaN) - (column.min ?? NaN);
    spread = range > 0 && Number.isFinite(range) ? range / 4 : Math.max(Math.abs(from) / 2, 1);
  }
  return column.integer ? Math.max(spread, 1) : spread;
}

function knownCategories(scorer: Scorer, column: string): Set<string> {
  const known = new Set<string>();
  for (const f of scorer.encoder.features) if (f.kind === 'category' && f.column === column) known.add(f.category);
  return known;
}

function logit(p: number): number {
  return Math.log(p) - Math.log1p(-p);
}

function checkOptions(options: CounterfactualOptions): Required<Omit<CounterfactualOptions, 'immutable'>> & { immutable: ReadonlySet<string> } {
  if (typeof options !== 'object' || options === null) throw new TypeError('options: expected an object');
  const int = (name: 'maxSuggestions' | 'pairValuesPerField' | 'maxPairEvaluations', min: number, max: number): number => {
    const v = options[name] ?? DEFAULTS[name];
    if (!Number.isInteger(v) || v < min || v > max) throw new RangeError(`options.${name}: expected an integer from ${min} to ${max}, got ${String(v)}`);
    return v;
  };
  if (options.immutable !== undefined && (!Array.isArray(options.immutable) || !options.immutable.every((n) => typeof n === 'string'))) {
    throw new TypeError('options.immutable: expected an array of column names');
  }
  return {
    maxSuggestions: int('maxSuggestions', 1, 50),
    pairValuesPerField: int('pairValuesPerField', 2, 20),
    maxPairEvaluations: int('maxPairEvaluations', 100, 1_000_000),
    immutable: new Set(options.immutable ?? []),
  };
}

/** Scores copies of one row with some fields changed, in one batch per call. */
class Search {
  evaluations = 0;
  private readonly columns: readonly ColumnSpec[];

  constructor(private readonly scorer: Scorer, private readonly table: Table, private readonly row: number) {
    this.columns = scorer.columns;
  }

  /** Probability of default of the row with each assignment applied (`[]`: the row itself). */
  score(assignments: readonly Assignment[]): Float64Array {
    const n = Math.max(assignments.length, 1);
    const numeric: Record<string, Float64Array> = {};
    const categorical: Record<string, (string | null)[]> = {};
    for (const c of this.columns) {
      if (c.kind === 'numeric') numeric[c.name] = new Float64Array(n).fill(this.table.numeric[c.name][this.row]);
      else categorical[c.name] = new Array<string | null>(n).fill(this.table.categorical[c.name][this.row]);
    }
    assignments.forEach((assignment, i) => {
      for (const [field, v] of assignment) {
        if (typeof v.value === 'number') numeric[field.column.name][i] = v.value;
        else categorical[field.column.name][i] = v.value;
      }
    });
    this.evaluations += n;
    return this.scorer.probabilities({ schema: this.table.schema, numRows: n, numeric, categorical, label: new Uint8Array(n) });
  }
}
