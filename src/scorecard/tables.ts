/**
 * The attribute-points table of a scorecard, the form credit teams review and file: one row per
 * attribute with its counts, bad rate, WOE, coefficient and points, as CSV (RFC 4180) or JSON,
 * and the information-value table used for variable selection.
 */
import { formatCut } from './binning.js';
import type { Scorecard } from './points.js';
import type { Binning } from './binning.js';

/** One row of the attribute-points table. */
export interface AttributeRow {
  readonly characteristic: string;
  readonly description: string;
  readonly attribute: string;
  readonly words: string;
  /** Null for the "other" attribute (no training applicant). */
  readonly numGood: number | null;
  readonly numBad: number | null;
  readonly badRate: number | null;
  readonly woe: number;
  readonly coefficient: number;
  /** Exact points (they add up to the score that reproduces the model's probability). */
  readonly points: number;
  /** Points rounded to integers, for display. */
  readonly pointsRounded: number;
}

/** Every attribute of every characteristic, in scorecard order. */
export function attributeRows(card: Scorecard): AttributeRow[] {
  const byColumn = new Map(card.binning.variables.map((v) => [v.column, v] as const));
  return card.characteristics.flatMap((c) => {
    const variable = byColumn.get(c.column)!;
    return c.attributes.map((a): AttributeRow => {
      const bin = a.bin >= 0 ? variable.bins[a.bin] : undefined;
      return {
        characteristic: c.column,
        description: c.description ?? c.column,
        attribute: a.label,
        words: a.words,
        numGood: bin ? bin.numGood : null,
        numBad: bin ? bin.numBad : null,
        badRate: bin && bin.numGood + bin.numBad > 0 ? bin.numBad / (bin.numGood + bin.numBad) : null,
        woe: a.woe,
        coefficient: c.coefficient,
        points: a.points,
        pointsRounded: Math.round(a.points),
      };
    });
  });
}

const CSV_COLUMNS: readonly (keyof AttributeRow)[] = ['characteristic', 'description', 'attribute', 'words', 'numGood', 'numBad', 'badRate', 'woe', 'coefficient', 'points', 'pointsRounded'];

/** A CSV field: quoted when it holds a comma, quote or line break (RFC 4180 §2). */
function csvField(value: string | number | null): string {
  const text = value === null ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * The attribute-points table as CSV with a header line; numbers are written in full precision
 * so the file reproduces the scores exactly.
 */
export function scorecardCsv(card: Scorecard): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const row of attributeRows(card)) lines.push(CSV_COLUMNS.map((k) => csvField(row[k])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/**
 * The scorecard as JSON: scale, factor, offset, intercept, the attribute table and the full
 * binning (so the file alone can score applicants).
 */
export function scorecardJson(card: Scorecard): string {
  return `${JSON.stringify({ ...card, attributeTable: attributeRows(card) }, null, 2)}\n`;
}

/** One row of the information-value table. */
export interface IvRow {
  readonly column: string;
  readonly description: string;
  readonly iv: number;
  readonly strength: string;
  readonly numBins: number;
  readonly trend: string;
  readonly selected: boolean;
}

/** Variables by decreasing information value (ties: binning order). */
export function ivTable(binning: Binning): IvRow[] {
  return binning.variables
    .map((v, i) => ({ i, row: { column: v.column, description: v.description ?? v.column, iv: v.iv, strength: v.strength, numBins: v.bins.length, trend: v.trend, selected: v.selected } }))
    .sort((a, b) => b.row.iv - a.row.iv || a.i - b.i)
    .map(({ row }) => row);
}

/** Cut points of a numeric variable for people, e.g. '12, 24, 36' (exact values in the JSON). */
export function cutsText(binning: Binning, column: string): string {
  const v = binning.variables.find((x) => x.column === column);
  if (!v || v.kind !== 'numeric') throw new RangeError(`column: "${column}" is not a numeric variable of the binning`);
  return v.bins.filter((b) => b.kind === 'range' && b.lower !== null).map((b) => formatCut(b.lower!)).join(', ');
}
