/**
 * Calibration: do examples scored p default at rate p? A reliability table bins the scores and
 * compares the mean predicted probability with the observed bad rate in each bin; the expected
 * calibration error (ECE) summarises the table in one number.
 */
import { groupByScore } from './grouped.js';
import { scoreBin } from './histogram.js';
import { checkNumBins, checkScoresAndLabels, type Labels, type Scores } from './validate.js';

/**
 * How bins are cut. `uniform`: equal-width bins on [0, 1]. `quantile`: bins holding about
 * n / numBins examples each, cut at score quantiles, never splitting equal scores.
 */
export type BinStrategy = 'uniform' | 'quantile';

/** Options of {@link calibrationTable}. */
export interface CalibrationOptions {
  /** Number of bins; default 10. Empty bins are left out of the table. */
  readonly numBins?: number;
  /** Default `uniform`. */
  readonly strategy?: BinStrategy;
}

/** One bin of a reliability table. */
export interface CalibrationRow {
  /** The bin covers scores in [lower, upper); the last bin also includes `upper`. */
  readonly lower: number;
  readonly upper: number;
  /** Examples in the bin (always ≥ 1). */
  readonly count: number;
  /** Mean score of the examples in the bin. */
  readonly meanPredicted: number;
  /** Fraction of bad examples in the bin. */
  readonly observedRate: number;
}

interface BinSums {
  count: number;
  sumPredicted: number;
  numBad: number;
}

function checkOptions(options: CalibrationOptions): { numBins: number; strategy: BinStrategy } {
  if (typeof options !== 'object' || options === null) throw new TypeError('options: expected an object');
  const numBins = options.numBins ?? 10;
  checkNumBins(numBins, 'options.numBins');
  const strategy = options.strategy ?? 'uniform';
  if (strategy !== 'uniform' && strategy !== 'quantile') {
    throw new RangeError(`options.strategy: expected 'uniform' or 'quantile', got ${String(strategy)}`);
  }
  return { numBins, strategy };
}

function toRow(sums: BinSums, lower: number, upper: number): CalibrationRow {
  return {
    lower,
    upper,
    count: sums.count,
    meanPredicted: sums.sumPredicted / sums.count,
    observedRate: sums.numBad / sums.count,
  };
}

function uniformTable(scores: Scores, labels: Labels, numBins: number): CalibrationRow[] {
  const bins: BinSums[] = Array.from({ length: numBins }, () => ({ count: 0, sumPredicted: 0, numBad: 0 }));
  for (let i = 0; i < scores.length; i++) {
    const b = bins[scoreBin(scores[i], numBins)];
    b.count++;
    b.sumPredicted += scores[i];
    b.numBad += labels[i];
  }
  const rows: CalibrationRow[] = [];
  bins.forEach((b, k) => {
    if (b.count > 0) rows.push(toRow(b, k / numBins, (k + 1) / numBins));
  });
  return rows;
}

function quantileTable(scores: Scores, labels: Labels, numBins: number): CalibrationRow[] {
  const groups = groupByScore(scores, labels);
  const n = scores.length;
  const rows: CalibrationRow[] = [];
  let current: BinSums | undefined;
  let currentBin = -1;
  let currentLower = 0;
  let rankBefore = 0;
  for (let g = 0; g < groups.values.length; g++) {
    // A group goes to the quantile bin of its first example, so ties stay together and no bin
    // is empty; without ties every bin holds floor or ceil of n / numBins examples.
    const bin = Math.floor((rankBefore * numBins) / n);
    const value = groups.values[g];
    if (bin !== currentBin) {
      if (current) rows.push(toRow(current, currentLower, value));
      current = { count: 0, sumPredicted: 0, numBad: 0 };
      currentBin = bin;
      currentLower = value;
    }
    const count = groups.bad[g] + groups.good[g];
    current!.count += count;
    current!.sumPredicted += value * count;
    current!.numBad += groups.bad[g];
    rankBefore += count;
  }
  rows.push(toRow(current!, currentLower, groups.values[groups.values.length - 1]));
  return rows;
}

/**
 * Reliability table of probabilities of bad. Rows are in ascending score order, only
 * non-empty bins appear, and their counts sum to n.
 *
 * @example
 * calibrationTable(scores, labels, { numBins: 10, strategy: 'quantile' });
 */
export function calibrationTable(
  scores: Scores,
  labels: Labels,
  options: CalibrationOptions = {},
): CalibrationRow[] {
  checkScoresAndLabels(scores, labels, true);
  const { numBins, strategy } = checkOptions(options);
  return strategy === 'uniform' ? uniformTable(scores, labels, numBins) : quantileTable(scores, labels, numBins);
}

/**
 * Expected calibration error of a reliability table: Σ (count / n) · |meanPredicted − observedRate|
 * (Naeini, Cooper & Hauskrecht 2015). Throws on an empty table.
 */
export function calibrationErrorOfTable(rows: readonly CalibrationRow[]): number {
  if (!Array.isArray(rows) || rows.length === 0) throw new RangeError('rows: expected a non-empty calibration table');
  let n = 0;
  let weighted = 0;
  for (const row of rows) {
    n += row.count;
    weighted += row.count * Math.abs(row.meanPredicted - row.observedRate);
  }
  return weighted / n;
}

/**
 * Expected calibration error of probabilities of bad, with the bins of {@link calibrationTable}
 * (default 10 uniform bins). 0 means perfectly calibrated at that resolution.
 */
export function expectedCalibrationError(
  scores: Scores,
  labels: Labels,
  options: CalibrationOptions = {},
): number {
  return calibrationErrorOfTable(calibrationTable(scores, labels, options));
}
