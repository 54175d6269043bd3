/** Plain-text tables for terminal output. */

/** Render rows as an aligned table; numbers are formatted with `digits` decimals. */
export function formatTable(header: readonly string[], rows: readonly (readonly (string | number | undefined)[])[], digits = 3): string {
  const cells = [header.map(String), ...rows.map((r) => r.map((c) => (c === undefined ? '—' : typeof c === 'number' ? (Number.isFinite(c) ? c.toFixed(digits) : Number.isNaN(c) ? '—' : String(c)) : c)))];
  const widths = header.map((_, j) => Math.max(...cells.map((r) => (r[j] ?? '').length)));
  const line = (r: readonly string[]) => r.map((c, j) => (j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join('  ');
  return [line(cells[0]), widths.map((w) => '─'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}
