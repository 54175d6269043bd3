/**
 * A job's progress in charts: discrimination (AUC and KS on the nodes' test splits) and loss
 * per round, and which institutions took part in each round. Each chart is a <figure> with a
 * caption and the same numbers as a table for screen readers and copying.
 */
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { NodeInfo, Round } from '../../api/types.js';
import { formatNumber } from '../../format.js';
import { participationByInstitution, roundSeries } from './series.js';

const COLORS = ['#1d4e89', '#e07a1f', '#2a9d8f', '#b5179e', '#6a994e', '#9d0208', '#3a86ff', '#8d6e63'];

/** The charts of one job (default export: loaded as its own chunk with the charting library). */
export default function JobCharts({ rounds, nodes }: { rounds: readonly Round[]; nodes: readonly NodeInfo[] | undefined }) {
  const points = roundSeries(rounds);
  const participation = participationByInstitution(rounds, nodes);
  if (points.length === 0) return <p className="muted">No round committed yet: the charts fill in as rounds complete.</p>;
  return (
    <div className="charts">
      <figure className="chart" aria-labelledby="chart-auc-title">
        <figcaption id="chart-auc-title">AUC and KS per round (higher is better)</figcaption>
        <ResponsiveContainer width="100%" height={240}>
          <LineChart data={points} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="round" label={{ value: 'round', position: 'insideBottomRight', offset: -4 }} />
            <YAxis domain={[0, 1]} />
            <Tooltip formatter={(v) => formatNumber(Number(v))} />
            <Legend />
            <Line type="monotone" dataKey="auc" name="AUC" stroke={COLORS[0]} dot isAnimationActive={false} connectNulls />
            <Line type="monotone" dataKey="ks" name="KS" stroke={COLORS[1]} dot isAnimationActive={false} connectNulls />
          </LineChart>
        </ResponsiveContainer>
      </figure>
      <figure className="chart" aria-labelledby="chart-loss-title">
        <figcaption id="chart-loss-title">Loss per round (lower is better)</figcaption>
        <ResponsiveContainer width="100%" height={240}>
          <LineChart data={points} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="round" />
            <YAxis />
            <Tooltip formatter={(v) => formatNumber(Number(v))} />
            <Legend />
            <Line type="monotone" dataKey="trainLoss" name="training loss" stroke={COLORS[2]} dot isAnimationActive={false} connectNulls />
            <Line type="monotone" dataKey="logLoss" name="test log-loss" stroke={COLORS[3]} dot isAnimationActive={false} connectNulls />
          </LineChart>
        </ResponsiveContainer>
      </figure>
      <figure className="chart" aria-labelledby="chart-part-title">
        <figcaption id="chart-part-title">Participation: nodes per institution in each round</figcaption>
        <ResponsiveContainer width="100%" height={240}>
          <BarChart data={participation.rows as Record<string, number>[]} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="round" />
            <YAxis allowDecimals={false} />
            <Tooltip />
            <Legend />
            {participation.institutions.map((name, i) => (
              <Bar key={name} dataKey={name} stackId="nodes" fill={COLORS[i % COLORS.length]} isAnimationActive={false} />
            ))}
          </BarChart>
        </ResponsiveContainer>
      </figure>
      <details className="chart-numbers">
        <summary>The numbers behind the charts</summary>
        <table>
          <caption>Metrics per round</caption>
          <thead>
            <tr><th scope="col">Round</th><th scope="col">AUC</th><th scope="col">KS</th><th scope="col">Training loss</th><th scope="col">Test log-loss</th><th scope="col">Examples</th><th scope="col">Nodes</th></tr>
          </thead>
          <tbody>
            {points.map((p) => (
              <tr key={p.round}>
                <th scope="row">{p.round}</th><td>{formatNumber(p.auc)}</td><td>{formatNumber(p.ks)}</td><td>{formatNumber(p.trainLoss)}</td><td>{formatNumber(p.logLoss)}</td><td>{p.numExamples ?? '—'}</td><td>{p.participants}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </div>
  );
}
