/**
 * Applying a binning to rows: which coarse bin each value falls in, and the WOE feature matrix
 * a logistic regression trains on. Nodes, the scorecard and the PMML export all assign bins by
 * the same rules:
 * - numeric: the range with lower ≤ v < upper; NaN goes to the missing bin;
 * - categorical / ordinal: the bin listing the code; null goes to the missing bin;
 * - anything else (a category or a missing value no node had in training) belongs to no bin,
 *   index −1, and gets WOE 0: the neutral evidence of an average applicant.
 * Binnings arrive from the network, so {@link parseBinning} checks one before it is used.
 */
import type { Table } from '../data/schema.js';
import type { Matrix } from '../math/linalg.js';
import { BINNING_DEFAULTS, type BinnedVariable, type Binning, type WoeBin } from './binning.js';

/** Index in `variable.bins` of every row's value (−1: no bin, neutral). */
export function assignBins(variable: BinnedVariable, table: Table): Int32Array {
  const out = new Int32Array(table.numRows).fill(-1);
  const missingBin = variable.bins.findIndex((b) => b.kind === 'missing');
  if (variable.kind === 'numeric') {
    const values = table.numeric[variable.column];
    if (!values) throw new TypeError(`table: no numeric column "${variable.column}"`);
    const ranges = variable.bins.map((b, k) => ({ b, k })).filter(({ b }) => b.kind === 'range');
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (Number.isNaN(v)) { out[i] = missingBin; continue; }
      // Ranges are few (≤ maxBins) and ascending: a linear scan is the binary search here.
      for (const { b, k } of ranges) {
        if ((b.lower === null || v >= b.lower!) && (b.upper === null || v < b.upper!)) { out[i] = k; break; }
      }
    }
  } else {
    const values = table.categorical[variable.column];
    if (!values) throw new TypeError(`table: no categorical column "${variable.column}"`);
    const index = new Map<string, number>();
    variable.bins.forEach((b, k) => b.categories?.forEach((c) => index.set(c, k)));
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      out[i] = v === null ? missingBin : (index.get(v) ?? -1);
    }
  }
  return out;
}

/** The variables a model uses: the selected ones, in binning order. */
export function selectedVariables(binning: Binning): BinnedVariable[] {
  return binning.variables.filter((v) => v.selected);
}

/**
 * The WOE feature matrix of `table`: one column per selected variable (in binning order), each
 * row holding the WOE of its bin (0 when in no bin).
 *
 * @example const x = woeMatrix(binning, node.train); // rows × selectedVariables(binning).length
 */
export function woeMatrix(binning: Binning, table: Table): Matrix {
  const variables = selectedVariables(binning);
  const cols = variables.length;
  const data = new Float64Array(table.numRows * cols);
  variables.forEach((variable, j) => {
    const bins = assignBins(variable, table);
    for (let i = 0; i < bins.length; i++) data[i * cols + j] = bins[i] < 0 ? 0 : variable.bins[bins[i]].woe;
  });
  return { data, rows: table.numRows, cols };
}

const fail = (where: string, what: string): never => {
  throw new TypeError(`${where}: ${what}`);
};
const isEdge = (v: unknown) => v === null || (typeof v === 'number' && Number.isFinite(v));
const isCount = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0;

function checkBin(bin: WoeBin, where: string, kind: BinnedVariable['kind']): void {
  if (typeof bin !== 'object' || bin === null) fail(where, 'expected an object');
  if (!isCount(bin.numGood) || !isCount(bin.numBad)) fail(where, 'numGood and numBad must be finite counts ≥ 0');
  if (typeof bin.woe !== 'number' || !Number.isFinite(bin.woe)) fail(where, 'woe must be a finite number');
  if (typeof bin.iv !== 'number' || !Number.isFinite(bin.iv)) fail(where, 'iv must be a finite number');
  if (typeof bin.label !== 'string' || typeof bin.words !== 'string') fail(where, 'label and words must be strings');
  if (bin.kind === 'range') {
    if (kind !== 'numeric') fail(where, 'a range bin needs a numeric variable');
    if (!isEdge(bin.lower) || !isEdge(bin.upper)) fail(where, 'lower and upper must be finite numbers or null');
    if (bin.lower !== null && bin.upper !== null && !(bin.lower! < bin.upper!)) fail(where, 'lower must be below upper');
  } else if (bin.kind === 'categories') {
    if (kind === 'numeric') fail(where, 'a categories bin needs a categorical variable');
    if (!Array.isArray(bin.categories) || bin.categories.length === 0 || !bin.categories.every((c) => typeof c === 'string')) fail(where, 'categories must be a non-empty array of strings');
  } else if (bin.kind !== 'missing') fail(where, `unknown kind ${JSON.stringify((bin as { kind: unknown }).kind)}`);
}

function checkVariable(v: BinnedVariable, where: string): void {
  if (typeof v !== 'object' || v === null || typeof v.column !== 'string' || v.column.length === 0) fail(where, 'expected an object with a column name');
  if (v.kind !== 'numeric' && v.kind !== 'ordinal' && v.kind !== 'categorical') fail(where, 'kind must be numeric, ordinal or categorical');
  if (!Array.isArray(v.bins) || v.bins.length === 0 || v.bins.length > 1000) fail(where, 'bins must be a non-empty array');
  v.bins.forEach((b, k) => checkBin(b, `${where}.bins[${k}]`, v.kind));
  if (v.bins.filter((b) => b.kind === 'missing').length > 1) fail(where, 'at most one missing bin');
  const ranges = v.bins.filter((b) => b.kind === 'range');
  for (let k = 0; k < ranges.length; k++) {
    // Ranges must tile the line in order: a value then falls in exactly one of them.
    const expectedLower = k === 0 ? null : ranges[k - 1].upper;
    if (ranges[k].lower !== expectedLower || (k === ranges.length - 1 && ranges[k].upper !== null)) fail(where, 'range bins must be ascending and cover every value');
  }
  const codes = v.bins.flatMap((b) => b.categories ?? []);
  if (new Set(codes).size !== codes.length) fail(where, 'a category appears in two bins');
  if (typeof v.selected !== 'boolean' || typeof v.iv !== 'number' || !Number.isFinite(v.iv)) fail(where, 'selected must be a boolean and iv a finite number');
}

/**
 * Check a binning received from the network or a file; throws a TypeError naming the first
 * problem. Returns the same object, typed.
 */
export function parseBinning(value: unknown): Binning {
  const b = value as Binning;
  if (typeof b !== 'object' || b === null || b.format !== 'fedcredit-woe-binning' || b.version !== 1 || !Array.isArray(b.variables)) {
    fail('binning', 'expected { format: "fedcredit-woe-binning", version: 1, variables: [...] }');
  }
  if (!isCount(b.numGood) || !isCount(b.numBad)) fail('binning', 'numGood and numBad must be finite counts ≥ 0');
  if (b.variables.length === 0 || b.variables.length > 10_000) fail('binning.variables', 'expected 1 to 10000 variables');
  b.variables.forEach((v, j) => checkVariable(v, `binning.variables[${j}]`));
  if (new Set(b.variables.map((v) => v.column)).size !== b.variables.length) fail('binning.variables', 'a column appears twice');
  if (typeof b.options !== 'object' || b.options === null) fail('binning.options', `expected an object like ${JSON.stringify(BINNING_DEFAULTS)}`);
  return b;
}
