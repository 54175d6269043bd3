/**
 * Tiny SVG charts for the model report: line charts and grouped bars, drawn server-side as
 * self-contained markup (no scripts, so the report opens anywhere and passes a strict CSP).
 */

export interface Series {
  readonly name: string;
  readonly color: string;
  readonly points: readonly (readonly [number, number])[];
}

const W = 420, H = 260, M = { left: 46, right: 12, top: 16, bottom: 36 };

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function axes(xLabel: string, yLabel: string, x: [number, number], y: [number, number]): string {
  const ticks = (lo: number, hi: number) => Array.from({ length: 5 }, (_, i) => lo + ((hi - lo) * i) / 4);
  const sx = (v: number) => M.left + ((v - x[0]) / (x[1] - x[0] || 1)) * (W - M.left - M.right);
  const sy = (v: number) => H - M.bottom - ((v - y[0]) / (y[1] - y[0] || 1)) * (H - M.top - M.bottom);
  const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2));
  return [
    `<line x1="${M.left}" y1="${H - M.bottom}" x2="${W - M.right}" y2="${H - M.bottom}" stroke="#555"/>`,
    `<line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${H - M.bottom}" stroke="#555"/>`,
    ...ticks(x[0], x[1]).map((v) => `<text x="${sx(v).toFixed(1)}" y="${H - M.bottom + 14}" font-size="10" text-anchor="middle">${fmt(v)}</text>`),
    ...ticks(y[0], y[1]).map((v) => `<text x="${M.left - 4}" y="${(sy(v) + 3).toFixed(1)}" font-size="10" text-anchor="end">${fmt(v)}</text>`),
    `<text x="${(W + M.left) / 2}" y="${H - 6}" font-size="11" text-anchor="middle">${esc(xLabel)}</text>`,
    `<text x="12" y="${(H - M.bottom + M.top) / 2}" font-size="11" text-anchor="middle" transform="rotate(-90 12 ${(H - M.bottom + M.top) / 2})">${esc(yLabel)}</text>`,
  ].join('');
}

/** A line chart; `x` and `y` are the axis ranges. */
export function lineChart(options: { title: string; xLabel: string; yLabel: string; x: [number, number]; y: [number, number]; series: readonly Series[]; diagonal?: boolean }): string {
  const { x, y } = options;
  const sx = (v: number) => M.left + ((v - x[0]) / (x[1] - x[0] || 1)) * (W - M.left - M.right);
  const sy = (v: number) => H - M.bottom - ((v - y[0]) / (y[1] - y[0] || 1)) * (H - M.top - M.bottom);
  const lines = options.series.map((s) => `<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${s.points.filter(([a, b]) => Number.isFinite(a) && Number.isFinite(b)).map(([a, b]) => `${sx(a).toFixed(1)},${sy(b).toFixed(1)}`).join(' ')}"/>`);
  const diagonal = options.diagonal ? `<line x1="${sx(x[0])}" y1="${sy(y[0])}" x2="${sx(x[1])}" y2="${sy(y[1])}" stroke="#aaa" stroke-dasharray="4 3"/>` : '';
  const legend = options.series.map((s, i) => `<rect x="${M.left + 8}" y="${M.top + 4 + i * 14}" width="10" height="10" fill="${s.color}"/><text x="${M.left + 22}" y="${M.top + 13 + i * 14}" font-size="11">${esc(s.name)}</text>`).join('');
  return `<figure><figcaption>${esc(options.title)}</figcaption><svg role="img" aria-label="${esc(options.title)}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}">${axes(options.xLabel, options.yLabel, x, y)}${diagonal}${lines.join('')}${legend}</svg></figure>`;
}

/** Grouped bars: one group per label, one bar per series value. */
export function barChart(options: { title: string; xLabel: string; yLabel: string; labels: readonly string[]; series: readonly { name: string; color: string; values: readonly number[] }[] }): string {
  const max = Math.max(1e-12, ...options.series.flatMap((s) => s.values));
  const groups = options.labels.length;
  const plotW = W - M.left - M.right;
  const groupW = plotW / Math.max(1, groups);
  const barW = (groupW * 0.8) / Math.max(1, options.series.length);
  const sy = (v: number) => (v / max) * (H - M.top - M.bottom);
  const bars = options.series.flatMap((s, k) => s.values.map((v, g) => {
    const h = sy(v);
    return `<rect x="${(M.left + g * groupW + groupW * 0.1 + k * barW).toFixed(1)}" y="${(H - M.bottom - h).toFixed(1)}" width="${barW.toFixed(1)}" height="${h.toFixed(1)}" fill="${s.color}"><title>${esc(`${s.name} ${options.labels[g]}: ${v.toFixed(3)}`)}</title></rect>`;
  }));
  const labels = options.labels.map((l, g) => (g % Math.ceil(groups / 10) === 0 ? `<text x="${(M.left + g * groupW + groupW / 2).toFixed(1)}" y="${H - M.bottom + 14}" font-size="10" text-anchor="middle">${esc(l)}</text>` : '')).join('');
  const legend = options.series.map((s, i) => `<rect x="${W - 120}" y="${M.top + 4 + i * 14}" width="10" height="10" fill="${s.color}"/><text x="${W - 106}" y="${M.top + 13 + i * 14}" font-size="11">${esc(s.name)}</text>`).join('');
  const frame = `<line x1="${M.left}" y1="${H - M.bottom}" x2="${W - M.right}" y2="${H - M.bottom}" stroke="#555"/><line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${H - M.bottom}" stroke="#555"/><text x="${M.left - 4}" y="${M.top + 8}" font-size="10" text-anchor="end">${max.toFixed(2)}</text><text x="${(W + M.left) / 2}" y="${H - 6}" font-size="11" text-anchor="middle">${esc(options.xLabel)}</text><text x="12" y="${(H - M.bottom + M.top) / 2}" font-size="11" text-anchor="middle" transform="rotate(-90 12 ${(H - M.bottom + M.top) / 2})">${esc(options.yLabel)}</text>`;
  return `<figure><figcaption>${esc(options.title)}</figcaption><svg role="img" aria-label="${esc(options.title)}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}">${frame}${bars.join('')}${labels}${legend}</svg></figure>`;
}

export { esc as escapeHtml };
