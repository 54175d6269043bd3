/**
 * The model report (`fedcredit report --model VERSION`, and the dashboard's link): one
 * self-contained HTML page with the model's lineage, its federated evaluation (ROC, KS,
 * score distribution, calibration, from summed histograms), metrics per round, and the privacy
 * and aggregation settings it was trained with, the privacy each lender spent, the scorecard
 * (./scorecardSection.ts) and fairness by protected group (./fairnessSection.ts).
 */
import { metricsFromSums } from '../metrics/histogram.js';
import type { JobRecord, ModelVersionRecord, RoundRecord } from '../store/index.js';
import { countsFromSums, ksCurves, regroup, rocCurve } from './curves.js';
import { renderFairnessSection, storedFairnessOf } from './fairnessSection.js';
import { privacySpent, type PrivacySpentReport } from './privacySpent.js';
import { renderScorecardSection } from './scorecardSection.js';
import { barChart, escapeHtml as esc, lineChart } from './svg.js';

export interface ModelReportInput {
  readonly model: ModelVersionRecord;
  readonly job: JobRecord;
  readonly rounds: readonly RoundRecord[];
  readonly generatedAt?: Date;
}

const num = (v: unknown, digits = 3) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '—');

/** Render the report as one HTML document (no scripts, no external resources). */
export function renderModelReport(input: ModelReportInput): string {
  const { model, job, rounds } = input;
  const meta = model.meta as Record<string, unknown>;
  const evaluation = meta.evaluation as { numBins: number; sums: number[]; participants?: string[] } | undefined;
  const sections: string[] = [];

  sections.push(`<h1>Model report</h1>
<table>
<tr><th>model version</th><td>${esc(model.id)} (v${model.version}, ${esc(model.status)})</td></tr>
<tr><th>created</th><td>${new Date(model.createdAt).toISOString()}</td></tr>
<tr><th>job</th><td>${esc(job.id)}: ${esc(job.spec.model)} with ${esc(job.spec.strategy)}, ${job.spec.rounds} rounds on dataset key “${esc(job.spec.datasetKey)}”</td></tr>
<tr><th>model kind</th><td>${esc(String(meta.kind ?? job.spec.model))}, ${num(meta.numFeatures, 0)} features</td></tr>
</table>`);

  if (evaluation && Array.isArray(evaluation.sums)) {
    const h = countsFromSums(evaluation.sums, evaluation.numBins);
    const m = metricsFromSums(Float64Array.from(evaluation.sums), evaluation.numBins);
    const bands = regroup(h, 10);
    sections.push(`<h2>Federated evaluation of the final model</h2>
<p>On the union of the lenders’ held-out applicants (${m.numExamples} applicants, ${m.numBad} bad), computed from score histograms summed over ${evaluation.participants?.length ?? '?'} nodes; no score left a node.</p>
<table><tr><th>AUC</th><th>KS</th><th>Gini</th><th>Brier</th><th>log loss</th><th>cost-optimal threshold</th><th>expected cost / applicant</th></tr>
<tr><td>${num(m.auc)}</td><td>${num(m.ks)}</td><td>${num(m.gini)}</td><td>${num(m.brier)}</td><td>${num(m.logLoss)}</td><td>${num(m.optimalThreshold)}</td><td>${num(m.expectedCost)}</td></tr></table>
<div class="charts">
${lineChart({ title: 'ROC curve', xLabel: 'false positive rate (good flagged)', yLabel: 'true positive rate (bad caught)', x: [0, 1], y: [0, 1], diagonal: true, series: [{ name: `AUC ${num(m.auc)}`, color: '#1f6feb', points: rocCurve(h) }] })}
${lineChart({ title: `KS chart (KS ${num(m.ks)})`, xLabel: 'probability of default threshold', yLabel: 'cumulative share below threshold', x: [0, 1], y: [0, 1], series: [
  { name: 'bad', color: '#d1242f', points: ksCurves(h).map((p) => [p.threshold, p.bad] as [number, number]) },
  { name: 'good', color: '#1a7f37', points: ksCurves(h).map((p) => [p.threshold, p.good] as [number, number]) },
] })}
${barChart({ title: 'Score distribution', xLabel: 'probability of default', yLabel: 'applicants', labels: bands.map((b) => b.lower.toFixed(1)), series: [{ name: 'good', color: '#1a7f37', values: bands.map((b) => b.good) }, { name: 'bad', color: '#d1242f', values: bands.map((b) => b.bad) }] })}
${lineChart({ title: 'Calibration by score band', xLabel: 'predicted probability of default (band midpoint)', yLabel: 'observed bad rate', x: [0, 1], y: [0, 1], diagonal: true, series: [{ name: 'observed', color: '#8250df', points: bands.filter((b) => b.bad + b.good > 0).map((b) => [(b.lower + b.upper) / 2, b.bad / (b.bad + b.good)] as [number, number]) }] })}
</div>
<table><tr><th>score band</th>${bands.map((b) => `<th>${b.lower.toFixed(1)}–${b.upper.toFixed(1)}</th>`).join('')}</tr>
<tr><th>applicants</th>${bands.map((b) => `<td>${b.bad + b.good}</td>`).join('')}</tr>
<tr><th>observed bad rate</th>${bands.map((b) => `<td>${b.bad + b.good > 0 ? (b.bad / (b.bad + b.good)).toFixed(3) : '—'}</td>`).join('')}</tr></table>`);
  } else {
    sections.push('<h2>Federated evaluation of the final model</h2><p>This model version carries no evaluation histograms (trained before they were recorded, or its final evaluation failed); see the metrics per round below.</p>');
  }

  sections.push(renderScorecardSection(model));
  // the model's input columns: the encoder's (logistic regression, MLP) or the ensemble's (trees)
  const inputs = (meta.encoder as { features?: { column: string }[] } | undefined)?.features ?? (meta.ensemble as { features?: { column: string }[] } | undefined)?.features ?? [];
  sections.push(renderFairnessSection(storedFairnessOf(meta), new Set(inputs.map((f) => f.column))));

  const committed = rounds.filter((r) => r.status === 'committed');
  if (committed.length > 0) {
    const series = (key: string) => committed.map((r) => [r.round, Number((r.metrics as Record<string, unknown>)[key])] as [number, number]);
    const maxLoss = Math.max(0.1, ...series('trainLoss').map(([, v]) => (Number.isFinite(v) ? v : 0)));
    sections.push(`<h2>Training, round by round</h2><div class="charts">
${lineChart({ title: 'AUC and KS per round (federated evaluation)', xLabel: 'round', yLabel: 'metric', x: [1, Math.max(2, committed.length)], y: [0, 1], series: [{ name: 'AUC', color: '#1f6feb', points: series('auc') }, { name: 'KS', color: '#bf8700', points: series('ks') }] })}
${lineChart({ title: 'Local training loss per round', xLabel: 'round', yLabel: 'log loss', x: [1, Math.max(2, committed.length)], y: [0, maxLoss], series: [{ name: 'train loss', color: '#d1242f', points: series('trainLoss') }] })}
</div>`);
  }

  const options = (job.spec.options ?? {}) as Record<string, unknown>;
  const privacy = options.privacy as Record<string, unknown> | undefined;
  sections.push(`<h2>Privacy and aggregation</h2><table>
<tr><th>differential privacy</th><td>${privacy ? esc(`${String(privacy.mechanism ?? 'dpsgd')}: target ε = ${String(privacy.targetEpsilon ?? privacy.epsilon ?? '?')}, δ = ${String(privacy.delta ?? '?')} per lender (each lender's ledger records the spend)`) : 'none: this model carries no differential-privacy guarantee'}</td></tr>
<tr><th>secure aggregation</th><td>${options.secureAggregation ? `yes${options.secaggNeighbours ? ` (SecAgg+, ${String(options.secaggNeighbours)} neighbours)` : ' (every pair of lenders)'}: the coordinator saw only masked updates and histograms` : 'no: the coordinator saw each lender’s update'}</td></tr>
</table>
${privacySpentHtml(job, rounds)}`);

  sections.push(`<h2>Lineage</h2><table>
<tr><th>lenders (nodes)</th><td>${model.lineage.nodes.map(esc).join(', ') || '—'}</td></tr>
<tr><th>rounds</th><td>${model.lineage.rounds.length} committed (${model.lineage.rounds[0] ?? '—'}–${model.lineage.rounds[model.lineage.rounds.length - 1] ?? '—'})</td></tr>
<tr><th>settings</th><td><code>${esc(JSON.stringify(model.lineage.settings))}</code></td></tr>
<tr><th>officer feedback used</th><td>${model.lineage.feedbackIds.length ? model.lineage.feedbackIds.map(esc).join(', ') : 'none'}</td></tr>
</table>`);

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>FedCredit model report ${esc(model.id)}</title>
<style>body{font:14px/1.45 system-ui,sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#1f2328}table{border-collapse:collapse;margin:.5em 0 1.5em}th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left}th{background:#f6f8fa}.charts{display:flex;flex-wrap:wrap;gap:12px}figure{margin:0}figcaption{font-weight:600;margin-bottom:4px}code{font-size:12px}td code{word-break:break-all}td.num{text-align:right}.warning{background:#fff8c5;border:1px solid #d4a72c;padding:6px 10px}</style>
</head><body>
${sections.join('\n')}
<p><small>Generated ${(input.generatedAt ?? new Date()).toISOString()} by FedCredit.</small></p>
</body></html>
`;
}

/** The privacy-spent table, or a plain statement that none was spent. */
function privacySpentHtml(job: ModelReportInput['job'], rounds: ModelReportInput['rounds']): string {
  let spent: PrivacySpentReport | undefined;
  try {
    spent = privacySpent(job, rounds);
  } catch (err) {
    return `<p>Privacy spent: unknown (${esc((err as Error).message)}).</p>`;
  }
  if (!spent) return '<h3>Privacy spent</h3><p>No differential privacy: this job spent no privacy budget and its model carries no differential-privacy guarantee.</p>';
  const rows = spent.nodes.map((n) => `<tr><th>${esc(n.nodeId)}</th><td>${esc(n.datasetKey)}</td><td>${n.rounds}</td><td>${n.steps}</td><td>${n.epsilon.toFixed(3)}</td><td>${n.delta.toExponential(0)}</td></tr>`).join('');
  return `<h3>Privacy spent</h3>
<p>${esc(spent.mechanism === 'dpsgd' ? 'DP-SGD (record-level)' : 'DP-FedAvg (lender-level)')}, noise multiplier ${spent.noiseMultiplier.toFixed(4)}; the full plan of ${spent.plannedRounds} rounds costs ε = ${spent.plannedEpsilon.toFixed(3)} at δ = ${spent.delta.toExponential(0)}. Per lender, from the rounds its update was aggregated in, with the accountant the nodes charge their ledgers with (a lender’s own ledger, <code>fedcredit privacy ledger</code>, is authoritative; it also counts an update that arrived too late to be used). Not covered by the budget: the preprocessing statistics and the evaluation and fairness counts over held-out rows.</p>
<table aria-label="Privacy spent per lender"><tr><th>lender</th><th>dataset</th><th>rounds</th><th>accountant steps</th><th>ε spent</th><th>δ</th></tr>${rows}</table>`;
}
