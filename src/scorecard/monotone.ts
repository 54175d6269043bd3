/**
 * Coarse classing: merge an ordered sequence of fine bins (good/bad counts only, so the same
 * code serves pooled and federated data) into at most `maxBins` contiguous groups whose bad rate
 * is strictly monotone in the order, each holding at least `minCount` applicants.
 *
 * Steps, each of which keeps the previous steps' guarantees:
 * 1. pre-binning into at most `prebins` groups of about equal size (fine bins are never split);
 * 2. pool-adjacent-violators (Barlow et al., "Statistical Inference under Order Restrictions",
 *    1972, ch. 1): merge neighbours until the bad rate strictly increases (or decreases);
 * 3. while a group is smaller than `minCount`, merge the smallest with the neighbour whose bad
 *    rate is closer — the merged rate lies between the two, so monotonicity survives;
 * 4. while there are more than `maxBins` groups, merge the neighbouring pair whose merge loses
 *    the least information value.
 * Ties are broken towards the left, so the result is a pure function of the counts.
 */
import { woeTerm } from './woe.js';

/** Counts of one fine bin of an ordered sequence. */
export interface FineCount {
  readonly good: number;
  readonly bad: number;
}

/** A run [start, end) of the ordered fine bins with its summed counts. */
export interface CountGroup {
  readonly start: number;
  readonly end: number;
  readonly good: number;
  readonly bad: number;
}

/** Direction of the bad rate along the order. */
export type Trend = 'increasing' | 'decreasing';

/** Options of {@link monotoneGroups}. */
export interface MonotoneOptions {
  readonly trend: Trend;
  readonly maxBins: number;
  /** Minimum applicants per group (e.g. 5 % of the column's rows). */
  readonly minCount: number;
  /** Groups after pre-binning (≥ maxBins); Infinity keeps every fine bin. */
  readonly prebins: number;
  /** Population totals, for the information value lost by a merge. */
  readonly totalGood: number;
  readonly totalBad: number;
}

const size = (g: CountGroup) => g.good + g.bad;
const merge = (a: CountGroup, b: CountGroup): CountGroup => ({ start: a.start, end: b.end, good: a.good + b.good, bad: a.bad + b.bad });
/** Sign of rate(a) − rate(b) by cross-multiplication (no division, exact for integer counts). */
const compareRates = (a: CountGroup, b: CountGroup) => Math.sign(a.bad * size(b) - b.bad * size(a));
const rate = (g: CountGroup) => g.bad / size(g);

/** Step 1: about equal-size groups of consecutive fine bins; empty fine bins join their left group. */
export function prebin(items: readonly FineCount[], maxGroups: number): CountGroup[] {
  let total = 0;
  for (const it of items) total += it.good + it.bad;
  const groups: CountGroup[] = [];
  let current: CountGroup | undefined;
  let cumulative = 0;
  let closed = 0;
  const target = total / maxGroups;
  items.forEach((it, i) => {
    const g: CountGroup = { start: i, end: i + 1, good: it.good, bad: it.bad };
    current = current ? merge(current, g) : g;
    cumulative += it.good + it.bad;
    // target 0 (prebins = Infinity): every non-empty fine bin closes its own group.
    if (size(current) > 0 && (target === 0 || cumulative >= (closed + 1) * target || i === items.length - 1)) {
      groups.push(current);
      current = undefined;
      if (target > 0) closed = Math.floor(cumulative / target);
    }
  });
  // Trailing empty fine bins (after the last non-empty one) join the last group.
  if (current && groups.length > 0) groups[groups.length - 1] = merge(groups[groups.length - 1], current);
  return groups;
}

/** Step 2: pool adjacent violators until the bad rate is strictly monotone in `trend`. */
export function poolAdjacentViolators(groups: readonly CountGroup[], trend: Trend): CountGroup[] {
  const stack: CountGroup[] = [];
  const want = trend === 'increasing' ? -1 : 1; // required sign of rate(previous) − rate(next)
  for (const g of groups) {
    let top = g;
    while (stack.length > 0 && compareRates(stack[stack.length - 1], top) !== want) top = merge(stack.pop()!, top);
    stack.push(top);
  }
  return stack;
}

/** Step 3: merge groups smaller than `minCount` into their closer-rate neighbour. */
export function mergeSmall(groups: readonly CountGroup[], minCount: number): CountGroup[] {
  const out = [...groups];
  while (out.length > 1) {
    let smallest = -1;
    for (let i = 0; i < out.length; i++) if (size(out[i]) < minCount && (smallest < 0 || size(out[i]) < size(out[smallest]))) smallest = i;
    if (smallest < 0) break;
    let left: boolean;
    if (smallest === 0) left = false;
    else if (smallest === out.length - 1) left = true;
    else left = Math.abs(rate(out[smallest - 1]) - rate(out[smallest])) <= Math.abs(rate(out[smallest + 1]) - rate(out[smallest]));
    const at = left ? smallest - 1 : smallest;
    out.splice(at, 2, merge(out[at], out[at + 1]));
  }
  return out;
}

function groupIv(g: CountGroup, totalGood: number, totalBad: number): number {
  return size(g) === 0 ? 0 : woeTerm(g.good, g.bad, totalGood, totalBad).iv;
}

/** Step 4: merge the neighbouring pair that loses the least IV until at most `maxBins` remain. */
export function mergeToMaxBins(groups: readonly CountGroup[], maxBins: number, totalGood: number, totalBad: number): CountGroup[] {
  const out = [...groups];
  while (out.length > maxBins) {
    let best = 0;
    let bestLoss = Infinity;
    for (let i = 0; i + 1 < out.length; i++) {
      const loss = groupIv(out[i], totalGood, totalBad) + groupIv(out[i + 1], totalGood, totalBad) - groupIv(merge(out[i], out[i + 1]), totalGood, totalBad);
      if (loss < bestLoss) { bestLoss = loss; best = i; }
    }
    out.splice(best, 2, merge(out[best], out[best + 1]));
  }
  return out;
}

/** Information value of a grouping (empty groups contribute nothing). */
export function groupsIv(groups: readonly CountGroup[], totalGood: number, totalBad: number): number {
  return groups.reduce((s, g) => s + groupIv(g, totalGood, totalBad), 0);
}

/**
 * Steps 1–4 for one trend. The result covers every fine bin: group k runs from groups[k].start
 * to groups[k].end, consecutive groups touch, and (when some fine bin is non-empty) every group
 * holds at least one applicant.
 */
export function monotoneGroups(items: readonly FineCount[], options: MonotoneOptions): CountGroup[] {
  if (items.length === 0) return [];
  let groups = prebin(items, options.prebins);
  if (groups.length === 0) return [{ start: 0, end: items.length, good: 0, bad: 0 }];
  groups = poolAdjacentViolators(groups, options.trend);
  groups = mergeSmall(groups, options.minCount);
  groups = mergeToMaxBins(groups, options.maxBins, options.totalGood, options.totalBad);
  // Leading empty fine bins belong to the first group, so the groups tile [0, items.length).
  groups[0] = { ...groups[0], start: 0 };
  return groups;
}

/**
 * Both trends, keeping the one whose grouping has the larger information value (ties:
 * increasing bad rate). Returns the groups and the trend they follow.
 */
export function bestMonotoneGroups(items: readonly FineCount[], options: Omit<MonotoneOptions, 'trend'>): { groups: CountGroup[]; trend: Trend } {
  const up = monotoneGroups(items, { ...options, trend: 'increasing' });
  const down = monotoneGroups(items, { ...options, trend: 'decreasing' });
  return groupsIv(down, options.totalGood, options.totalBad) > groupsIv(up, options.totalGood, options.totalBad)
    ? { groups: down, trend: 'decreasing' }
    : { groups: up, trend: 'increasing' };
}
