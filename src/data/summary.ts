/**
 * Human-readable report of an inferred schema, printed by the CLI after `inferSchema` so a
 * lender can check each column's kind, missing count and values before training on the guess.
 */
import type { CategoryCount, SchemaSummary } from './infer.js';
import type { Schema } from './schema.js';

/** Options of {@link formatSchemaSummary}. */
export interface FormatSummaryOptions {
  /** How many categories to list per column before "…" (default 6). */
  readonly maxCategoriesShown?: number;
}

/**
 * Format a schema and its statistics as a fixed-width text table: one line per column with its
 * role and kind, missing count, and range (numeric) or most frequent values (categorical).
 *
 * @example
 * // credit_data.csv: 4454 rows, 1254 bad (28.2%), target Status (bad = "bad")
 * // column     kind         missing  values
 * // Seniority  numeric          0    0 – 48 (integers)
 * // Home       categorical      6    owner 2107, rent 973, parents 783, other 319, priv 246, ignore 20
 */
export function formatSchemaSummary(schema: Schema, summary: SchemaSummary, options: FormatSummaryOptions = {}): string {
  if (!schema || !Array.isArray(schema.columns)) throw new TypeError('schema: expected a Schema');
  if (!summary || !Array.isArray(summary.columns)) throw new TypeError('summary: expected a SchemaSummary');
  const maxShown = options.maxCategoriesShown ?? 6;
  if (!Number.isInteger(maxShown) || maxShown < 1) {
    throw new RangeError(`options.maxCategoriesShown: expected a positive integer, got ${maxShown}`);
  }
  const specs = new Map(schema.columns.map((c) => [c.name, c]));
  const rows: string[][] = [['column', 'kind', 'missing', 'values']];
  for (const col of summary.columns) {
    const spec = specs.get(col.name);
    let kind: string = col.role === 'feature' ? (spec?.kind ?? col.kind) : col.role;
    if (spec?.protected) kind += ' (protected)';
    let values: string;
    if (col.role === 'id') values = `${col.numDistinct} distinct ids`;
    else if (col.min !== undefined && col.max !== undefined) {
      values = `${col.min} – ${col.max}${col.integer ? ' (integers)' : ''}`;
    } else {
      const cats: readonly CategoryCount[] = col.categories ?? [];
      const shown = cats.slice(0, maxShown).map((c) => `${c.value} ${c.count}`);
      values = shown.join(', ') + (cats.length > maxShown ? `, … (${cats.length} values)` : '');
    }
    rows.push([col.name, kind, String(col.numMissing), values]);
  }
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length)));
  const lines = rows.map((r) => [r[0].padEnd(widths[0]), r[1].padEnd(widths[1]), r[2].padStart(widths[2]), r[3]].join('  '));
  const pct = summary.numRows === 0 ? 0 : (100 * summary.numBad) / summary.numRows;
  const tokens = summary.missingTokensSeen.map((t) => JSON.stringify(t)).join(', ') || 'none';
  const head =
    `${summary.file}: ${summary.numRows} rows, ${summary.numBad} bad (${pct.toFixed(1)}%), ` +
    `target ${schema.target.name} (bad = ${JSON.stringify(schema.target.bad)}); missing tokens seen: ${tokens}`;
  return [head, ...lines].join('\n');
}
