/**
 * Adverse-action reason codes from a points scorecard: for each applicant, the characteristics
 * whose points fall furthest below the best points that characteristic can give (PMML 4.4
 * Scorecard, reasonCodeAlgorithm="pointsBelow" with baselineMethod="max"; the approach US
 * lenders use for the "principal reasons" of ECOA / Regulation B, 12 CFR 1002.9). Each reason
 * names the applicant's own value in the codebook's words ("checking account < 0 DM"), not the
 * code, and says how many points it cost.
 */
import type { ColumnSpec, Table } from '../data/schema.js';
import { describeValue, rawValue, topPositive } from '../scoring/reasons.js';
import { scoreTable, type Scorecard, type ScoredTable } from './points.js';

/** One reason for an applicant's score. */
export interface ReasonCode {
  /** 1 = the characteristic that cost the most points. */
  readonly rank: number;
  readonly column: string;
  /** The applicant's raw value: a code, a number, or null when missing. */
  readonly value: string | number | null;
  /** The value in the codebook's words, e.g. 'checking account < 0 DM'. */
  readonly words: string;
  /** The attribute (bin) the value fell in, e.g. '< 0 DM' or '24 to < 36'. */
  readonly attribute: string;
  readonly points: number;
  readonly maxPoints: number;
  /** maxPoints − points > 0. */
  readonly pointsBelowMax: number;
}

/** Options of {@link reasonCodes}. */
export interface ReasonCodeOptions {
  /** Reasons per applicant (default 4, the number Regulation B's model form lists, or m when fewer). */
  readonly numReasons?: number;
  /** Points already computed by {@link scoreTable} for this table. */
  readonly scored?: ScoredTable;
}

/**
 * Reason codes of every row of `table`, each list ordered by points lost (largest first; ties:
 * the earlier characteristic). Characteristics at their maximum cost nothing and are never
 * reasons, so a list can be shorter than `numReasons`.
 *
 * @example reasonCodes(card, applicants)[0][0].words // 'checking account < 0 DM'
 */
export function reasonCodes(card: Scorecard, table: Table, options: ReasonCodeOptions = {}): ReasonCode[][] {
  const m = card.characteristics.length;
  const numReasons = options.numReasons ?? Math.min(4, m);
  if (!Number.isInteger(numReasons) || numReasons < 0 || numReasons > m) throw new RangeError(`options.numReasons: expected an integer from 0 to ${m}, got ${String(numReasons)}`);
  const scored = options.scored ?? scoreTable(card, table);
  if (scored.numRows !== table.numRows || scored.numCharacteristics !== m) throw new RangeError('options.scored: computed for another table or scorecard');
  const columns: ColumnSpec[] = card.characteristics.map((c) => {
    const spec = table.schema.columns.find((s) => s.name === c.column);
    if (!spec) throw new RangeError(`table: schema "${table.schema.name}" has no column "${c.column}"`);
    return spec;
  });
  const below = new Float64Array(m);
  const out: ReasonCode[][] = [];
  for (let i = 0; i < table.numRows; i++) {
    for (let j = 0; j < m; j++) below[j] = card.characteristics[j].maxPoints - scored.points[i * m + j];
    out.push(topPositive(below, 0, m, numReasons).map((j, r) => {
      const characteristic = card.characteristics[j];
      const value = rawValue(table, columns[j], i);
      return {
        rank: r + 1,
        column: characteristic.column,
        value,
        words: describeValue(columns[j], value),
        attribute: characteristic.attributes[scored.attributes[i * m + j]].label,
        points: scored.points[i * m + j],
        maxPoints: characteristic.maxPoints,
        pointsBelowMax: below[j],
      };
    }));
  }
  return out;
}
