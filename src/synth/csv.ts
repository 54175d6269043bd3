/**
 * Writing a table as CSV in its schema's layout (target first, then the columns in schema order),
 * so that an owner's exported synthetic rows load back with the same strict loader and schema
 * as the real file. Missing values are written as the schema's first missing token.
 */
import type { Table } from '../data/schema.js';

/**
 * CSV text of `table`, one header line and one line per row, `\n`-terminated.
 *
 * @example tableToCsv(table).split('\n')[0] // 'Status,Seniority,Home,…'
 */
export function tableToCsv(table: Table): string {
  if (typeof table !== 'object' || table === null || !table.schema || !(table.label instanceof Uint8Array)) throw new TypeError('table: expected a Table');
  const { schema } = table;
  const missing = schema.missingTokens[0] ?? '';
  const good = schema.target.good;
  if (good === undefined && table.label.includes(0)) {
    throw new RangeError(`table: has good rows but the schema declares no good value for target "${schema.target.name}"`);
  }
  const header = [schema.target.name, ...schema.columns.map((c) => c.name)];
  const lines = [header.map(quote).join(',')];
  for (let i = 0; i < table.numRows; i++) {
    const cells = [table.label[i] === 1 ? schema.target.bad : good!];
    for (const c of schema.columns) {
      if (c.kind === 'numeric') {
        const v = table.numeric[c.name][i];
        cells.push(Number.isNaN(v) ? missing : formatNumber(v));
      } else {
        const v = table.categorical[c.name][i];
        cells.push(v === null ? missing : v);
      }
    }
    lines.push(cells.map(quote).join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** Shortest form at 12 significant digits (the loader's parseDecimal reads exponents too). */
function formatNumber(v: number): string {
  return String(Number(v.toPrecision(12)));
}

function quote(cell: string): string {
  return /[",\r\n]/.test(cell) || cell !== cell.trim() ? `"${cell.replace(/"/g, '""')}"` : cell;
}
