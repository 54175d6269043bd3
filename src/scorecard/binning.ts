/**
 * Federated WOE binning, coordinator side: from fine-bin good/bad counts summed over the nodes
 * ({@link ./fineCounts.ts}), build each variable's coarse bins with a monotone bad rate
 * ({@link ./monotone.ts}), their WOE and the variable's information value, and select the
 * variables whose IV reaches `minIv`. The result is a pure function of the summed counts, so a
 * federation and a pooled data set with the same rows produce identical binnings.
 *
 * - numeric: fine bins in value order; the trend (bad rate rising or falling with the value) is
 *   whichever gives the larger IV. Cut points are placed in the gap between the last occupied
 *   fine bin of one coarse bin and the first occupied fine bin of the next, at the number with
 *   the fewest significant digits in that gap ("< 12" rather than "< 11.7371"), so every
 *   training row falls on the same side of the cut as its fine bin says.
 * - ordinal: categories in their declared order, monotone like numbers; every declared
 *   category belongs to a bin.
 * - categorical / binary: observed categories sorted by bad rate, then merged the same way;
 *   categories no node has seen belong to no bin and score as neutral (WOE 0).
 * - missing values form their own bin whenever some node has one.
 */
import type { ColumnSpec } from '../data/schema.js';
import { fineEdge, type FineBinSlot, type WoeCountsLayout } from './fineCounts.js';
import { bestMonotoneGroups, monotoneGroups, type CountGroup, type FineCount } from './monotone.js';
import { ivStrength, woeTerm, type IvStrength } from './woe.js';

/** One coarse bin of a variable. */
export interface WoeBin {
  /** `range`: numeric [lower, upper); `categories`: a set of codes; `missing`: no value given. */
  readonly kind: 'range' | 'categories' | 'missing';
  /** Inclusive lower edge of a range; null = −∞. */
  readonly lower?: number | null;
  /** Exclusive upper edge of a range; null = +∞. */
  readonly upper?: number | null;
  readonly categories?: readonly string[];
  readonly numGood: number;
  readonly numBad: number;
  /** ln(%good / %bad): > 0 safer than average (see ./woe.ts). */
  readonly woe: number;
  /** This bin's term of the information value. */
  readonly iv: number;
  /** Short label: '< 12', '12 to < 24', 'A11, A12', 'missing'. */
  readonly label: string;
  /** The bin in the codebook's words, e.g. 'checking account < 0 DM or checking account 0–200 DM'. */
  readonly words: string;
}

/** How a variable's bad rate runs along its bins. */
export type BinTrend = 'increasing' | 'decreasing' | 'nominal' | 'flat';

/** One candidate variable with its coarse bins. */
export interface BinnedVariable {
  readonly column: string;
  readonly kind: 'numeric' | 'ordinal' | 'categorical';
  readonly description?: string;
  readonly unit?: string;
  readonly trend: BinTrend;
  /** Non-missing bins in order, then the missing bin if any. */
  readonly bins: readonly WoeBin[];
  readonly iv: number;
  readonly strength: IvStrength;
  /** IV ≥ minIv: the variable enters the scorecard. */
  readonly selected: boolean;
}

/** Options of {@link fitBinning}. */
export interface BinningOptions {
  /** Most coarse bins per variable, missing bin not counted (default 6). */
  readonly maxBins?: number;
  /** Fewest applicants per coarse bin as a share of all rows (default 0.05). */
  readonly minBinShare?: number;
  /** Equal-size groups numeric fine bins are pre-merged into (default 20). */
  readonly prebins?: number;
  /** Variables with IV below this are not selected (default 0.02, Siddiqi's "unpredictive"). */
  readonly minIv?: number;
}

/** A fitted binning in its JSON form (what nodes receive to WOE-encode their rows). */
export interface Binning {
  readonly format: 'fedcredit-woe-binning';
  readonly version: 1;
  readonly numGood: number;
  readonly numBad: number;
  readonly options: Required<BinningOptions>;
  readonly variables: readonly BinnedVariable[];
}

/** Defaults of {@link BinningOptions}. */
export const BINNING_DEFAULTS: Required<BinningOptions> = Object.freeze({ maxBins: 6, minBinShare: 0.05, prebins: 20, minIv: 0.02 });

/** Fill in defaults and check every option; throws TypeError/RangeError naming the option. */
export function resolveBinningOptions(options: BinningOptions): Required<BinningOptions> {
  if (typeof options !== 'object' || options === null) throw new TypeError('options: expected an object');
  for (const key of Object.keys(options)) {
    if (!Object.hasOwn(BINNING_DEFAULTS, key)) throw new RangeError(`options.${key}: unknown option (expected ${Object.keys(BINNING_DEFAULTS).join(', ')})`);
  }
  const o = { ...BINNING_DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) };
  if (!Number.isInteger(o.maxBins) || o.maxBins < 1 || o.maxBins > 100) throw new RangeError(`options.maxBins: expected an integer from 1 to 100, got ${String(o.maxBins)}`);
  if (typeof o.minBinShare !== 'number' || !(o.minBinShare >= 0 && o.minBinShare <= 0.5)) throw new RangeError(`options.minBinShare: expected a number in [0, 0.5], got ${String(o.minBinShare)}`);
  if (!(o.prebins === Infinity || (Number.isInteger(o.prebins) && o.prebins >= o.maxBins && o.prebins <= 10_000))) {
    throw new RangeError(`options.prebins: expected an integer from maxBins to 10000 or Infinity, got ${String(o.prebins)}`);
  }
  if (typeof o.minIv !== 'number' || !(o.minIv >= 0) || !Number.isFinite(o.minIv)) throw new RangeError(`options.minIv: expected a finite number ≥ 0, got ${String(o.minIv)}`);
  return o;
}

/**
 * Fit the coarse bins of every column in `layout` from fine-bin counts summed over the
 * federation (see the module doc).
 *
 * @example
 * const layout = woeCountsLayout(featureColumns(schema));
 * const binning = fitBinning(plainAggregator.sum(replies), layout, { maxBins: 5 });
 */
export function fitBinning(summedCounts: Float64Array, layout: WoeCountsLayout, options: BinningOptions = {}): Binning {
  if (!(summedCounts instanceof Float64Array)) throw new TypeError('summedCounts: expected a Float64Array');
  if (summedCounts.length !== layout.length) throw new RangeError(`summedCounts: length ${summedCounts.length}, expected ${layout.length}`);
  for (let i = 0; i < summedCounts.length; i++) {
    if (!Number.isFinite(summedCounts[i]) || summedCounts[i] < 0) throw new RangeError(`summedCounts[${i}]: expected a finite count ≥ 0, got ${summedCounts[i]}`);
  }
  const resolved = resolveBinningOptions(options);
  const [numGood, numBad] = columnTotals(summedCounts, layout.slots[0]);
  if (!(numGood > 0 && numBad > 0)) throw new RangeError(`summedCounts: need good and bad applicants, got ${numGood} good and ${numBad} bad`);
  const variables = layout.slots.map((slot) => {
    const [g, b] = columnTotals(summedCounts, slot);
    // Every row counts once per column; different totals mean a mixed-up vector.
    if (Math.abs(g - numGood) > 1e-6 * numGood || Math.abs(b - numBad) > 1e-6 * numBad) {
      throw new RangeError(`summedCounts: column "${slot.column.name}" counts ${g} good / ${b} bad, the first column ${numGood} / ${numBad}`);
    }
    return binVariable(summedCounts, slot, layout.gridCoarsening, numGood, numBad, resolved);
  });
  return { format: 'fedcredit-woe-binning', version: 1, numGood, numBad, options: resolved, variables };
}

function columnTotals(counts: Float64Array, slot: FineBinSlot): [number, number] {
  let g = 0, b = 0;
  for (let k = 0; k < slot.numBins; k++) { g += counts[slot.offset + 2 * k]; b += counts[slot.offset + 2 * k + 1]; }
  return [g, b];
}

function binVariable(counts: Float64Array, slot: FineBinSlot, gridCoarsening: number, numGood: number, numBad: number, o: Required<BinningOptions>): BinnedVariable {
  const { column } = slot;
  const fine: FineCount[] = [];
  for (let k = 0; k < slot.numBins - 1; k++) fine.push({ good: counts[slot.offset + 2 * k], bad: counts[slot.offset + 2 * k + 1] });
  const missingIndex = slot.offset + 2 * (slot.numBins - 1);
  const missing = { good: counts[missingIndex], bad: counts[missingIndex + 1] };
  const common = { maxBins: o.maxBins, minCount: o.minBinShare * (numGood + numBad), totalGood: numGood, totalBad: numBad };

  let bins: Omit<WoeBin, 'woe' | 'iv'>[];
  let trend: BinTrend;
  if (column.kind === 'numeric') {
    const best = bestMonotoneGroups(fine, { ...common, prebins: o.prebins });
    bins = numericBins(best.groups, fine, gridCoarsening, column);
    trend = best.trend;
  } else if (column.kind === 'ordinal') {
    const best = bestMonotoneGroups(fine, { ...common, prebins: Infinity });
    bins = best.groups.map((g) => categoryBin(column, column.categories!.slice(g.start, g.end), g));
    trend = best.trend;
  } else {
    // Nominal: observed categories by ascending bad rate (ties: declared order), so any
    // grouping of neighbours is "monotone"; PAVA then only merges equal rates.
    const order = fine.map((f, i) => ({ f, i })).filter(({ f }) => f.good + f.bad > 0)
      .sort((a, b) => Math.sign(a.f.bad * (b.f.good + b.f.bad) - b.f.bad * (a.f.good + a.f.bad)) || a.i - b.i);
    const groups = monotoneGroups(order.map(({ f }) => f), { ...common, prebins: Infinity, trend: 'increasing' });
    bins = groups.map((g) => categoryBin(column, order.slice(g.start, g.end).map(({ i }) => column.categories![i]), g));
    trend = 'nominal';
  }
  if (bins.length <= 1 && trend !== 'nominal') trend = 'flat';
  if (missing.good + missing.bad > 0) bins.push({ kind: 'missing', numGood: missing.good, numBad: missing.bad, label: 'missing', words: `${column.description ?? column.name}: not given` });
  const withWoe: WoeBin[] = bins.map((bin) => {
    const t = bin.numGood + bin.numBad > 0 ? woeTerm(bin.numGood, bin.numBad, numGood, numBad) : { woe: 0, iv: 0 };
    return { ...bin, woe: t.woe, iv: t.iv };
  });
  const iv = withWoe.reduce((s, b) => s + b.iv, 0);
  return {
    column: column.name,
    kind: column.kind === 'numeric' ? 'numeric' : column.kind === 'ordinal' ? 'ordinal' : 'categorical',
    ...(column.description !== undefined ? { description: column.description } : {}),
    ...(column.unit !== undefined ? { unit: column.unit } : {}),
    trend,
    bins: withWoe,
    iv,
    strength: ivStrength(iv),
    selected: iv >= o.minIv,
  };
}

function categoryBin(column: ColumnSpec, categories: string[], g: CountGroup): Omit<WoeBin, 'woe' | 'iv'> {
  return {
    kind: 'categories', categories, numGood: g.good, numBad: g.bad,
    label: categories.join(', '),
    words: categories.map((c) => column.labels?.[c] ?? `${column.description ?? column.name}: ${c}`).join(' or '),
  };
}

function numericBins(groups: readonly CountGroup[], fine: readonly FineCount[], gridCoarsening: number, column: ColumnSpec): Omit<WoeBin, 'woe' | 'iv'>[] {
  const occupied = (k: number) => fine[k].good + fine[k].bad > 0;
  const cuts: number[] = [];
  for (let k = 0; k + 1 < groups.length; k++) {
    let last = groups[k].end - 1;
    while (last > groups[k].start && !occupied(last)) last--;
    let first = groups[k + 1].start;
    while (first < groups[k + 1].end - 1 && !occupied(first)) first++;
    cuts.push(simplestNumberBetween(fineEdge(last + 1, gridCoarsening), fineEdge(first, gridCoarsening)));
  }
  return groups.map((g, k) => {
    const lower = k === 0 ? null : cuts[k - 1];
    const upper = k === groups.length - 1 ? null : cuts[k];
    const label = rangeLabel(lower, upper);
    return { kind: 'range', lower, upper, numGood: g.good, numBad: g.bad, label, words: `${column.description ?? column.name}: ${label}${column.unit ? ` ${column.unit}` : ''}` };
  });
}

/** '< 12', '12 to < 24', '≥ 24' or 'any value'. */
export function rangeLabel(lower: number | null, upper: number | null): string {
  if (lower === null && upper === null) return 'any value';
  if (lower === null) return `< ${formatCut(upper!)}`;
  if (upper === null) return `≥ ${formatCut(lower)}`;
  return `${formatCut(lower)} to < ${formatCut(upper)}`;
}

/** A cut for people: exact when short, else 6 significant digits (the JSON keeps the exact value). */
export function formatCut(value: number): string {
  const exact = String(value);
  return exact.length <= 8 ? exact : String(Number(value.toPrecision(6)));
}

/**
 * The number with the fewest significant digits in [lo, hi], and among those the one nearest
 * the middle of the interval (0 when the interval holds it; `lo` when lo ≥ hi), e.g.
 * simplestNumberBetween(11.26, 11.98) = 11.6 and simplestNumberBetween(11.3, 12.4) = 12.
 */
export function simplestNumberBetween(lo: number, hi: number): number {
  if (!(lo < hi)) return lo;
  if (lo <= 0 && hi >= 0) return 0;
  const magnitude = Math.floor(Math.log10(Math.max(Math.abs(lo), Math.abs(hi))));
  const middle = (lo + hi) / 2;
  for (let digits = 1; digits <= 17; digits++) {
    const step = 10 ** (magnitude - digits + 1);
    const k = Math.min(Math.floor(hi / step), Math.max(Math.ceil(lo / step), Math.round(middle / step)));
    const candidate = Number((k * step).toPrecision(digits + 1));
    if (candidate >= lo && candidate <= hi) return candidate;
  }
  return lo;
}
