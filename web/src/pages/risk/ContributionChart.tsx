/**
 * Each model column's contribution to the applicant's log-odds of default, as horizontal bars:
 * to the right (red) pushes the risk up, to the left (green) pulls it down. Loaded as its own
 * chunk with the charting library.
 */
import { Bar, BarChart, CartesianGrid, Cell, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { Contribution } from '../../api/types.js';
import { formatNumber } from '../../format.js';

/** Bars shown at most (the largest by size). */
const MAX_BARS = 12;

/** The contribution chart (default export for React.lazy). */
export default function ContributionChart({ contributions }: { contributions: readonly Contribution[] }) {
  const rows = [...contributions]
    .filter((c) => Number.isFinite(c.contribution) && c.contribution !== 0)
    .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution))
    .slice(0, MAX_BARS)
    .map((c) => ({ name: c.description.length > 48 ? `${c.description.slice(0, 47)}…` : c.description, full: c.description, contribution: c.contribution }));
  if (rows.length === 0) return <p className="muted">Every column sits at the reference applicant: no contribution to show.</p>;
  return (
    <figure className="chart" aria-labelledby="contrib-title">
      <figcaption id="contrib-title">What moved this applicant’s risk (contribution to the log-odds of default; right = riskier)</figcaption>
      <ResponsiveContainer width="100%" height={32 * rows.length + 48}>
        <BarChart data={rows} layout="vertical" margin={{ top: 8, right: 24, bottom: 8, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" horizontal={false} />
          <XAxis type="number" tickFormatter={(v: number) => formatNumber(v, 2)} />
          <YAxis type="category" dataKey="name" width={300} tick={{ fontSize: 12 }} />
          <Tooltip formatter={(v) => formatNumber(Number(v))} labelFormatter={(_label, payload) => String(payload?.[0]?.payload?.full ?? '')} />
          <ReferenceLine x={0} stroke="#333" />
          <Bar dataKey="contribution" name="contribution" isAnimationActive={false}>
            {rows.map((r) => <Cell key={r.full} fill={r.contribution > 0 ? '#c0392b' : '#2e7d32'} />)}
          </Bar>
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}
