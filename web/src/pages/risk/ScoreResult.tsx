/**
 * One applicant's score: probability of default, points, the decision with the cut-offs that
 * produced it, the model version that decided, the top reasons in words, the chart of every
 * column's contribution, and what would change the decision.
 */
import { lazy, Suspense } from 'react';
import type { ScoreAnswer } from '../../api/types.js';
import { Loading } from '../../components/Notes.js';
import { formatNumber, formatPercent, formatTime, shortId } from '../../format.js';
import { DECISIONS } from './decisions.js';
import { WhatWouldChange } from './WhatWouldChange.js';

const ContributionChart = lazy(() => import('./ContributionChart.js'));

/** How the server computed the contributions (src/scoring/attribution.ts). */
const REASON_METHODS: Readonly<Record<string, string>> = {
  'exact-linear': 'exact contributions of the linear model, relative to the average applicant of the training data',
  'gradient-x-input': 'gradient × input of the network, relative to the average applicant of the training data',
  'tree-shap': 'exact Shapley values of the trees (TreeSHAP)',
};

/** The result panel of the first applicant of `answer`. */
export function ScoreResult({ answer }: { answer: ScoreAnswer }) {
  const result = answer.results[0];
  if (result === undefined) return null;
  const { review, decline } = answer.thresholds;
  return (
    <section className="panel score-result" aria-labelledby="result-title" aria-live="polite">
      <h2 id="result-title">Result</h2>
      <dl className="score-figures">
        <div><dt>Probability of default</dt><dd data-testid="pd">{formatPercent(result.probabilityOfDefault)}</dd></div>
        <div><dt>Score (points)</dt><dd data-testid="points">{result.score}</dd></div>
        <div><dt>Decision</dt><dd><span data-testid="decision" className={`decision decision-${result.decision}`}>{DECISIONS[result.decision]}</span></dd></div>
      </dl>
      <p className="muted">
        Approve below {formatPercent(review)} probability of default, decline from {formatPercent(decline)}, review in between.
        Decided by model <code data-testid="model-version">{answer.modelVersion}</code> ({answer.model.kind}, dataset {answer.dataset}, approved {formatTime(answer.model.approvedAt)}; id <code title={answer.model.id}>{shortId(answer.model.id)}</code>).
      </p>
      <h3>Main reasons for the risk</h3>
      {result.reasons.length === 0 ? <p>No field raised this applicant’s risk above the reference applicant.</p> : (
        <ol className="reasons" data-testid="reasons">
          {result.reasons.map((r) => (
            <li key={r.field}>{r.description} <span className="muted">(+{formatNumber(r.contribution, 2)} log-odds)</span></li>
          ))}
        </ol>
      )}
      <Suspense fallback={<Loading what="the chart" />}>
        <ContributionChart contributions={result.contributions} />
      </Suspense>
      <p className="muted small">Reasons: {REASON_METHODS[answer.reasonMethod] ?? answer.reasonMethod}.</p>
      {result.counterfactuals ? <WhatWouldChange answer={result.counterfactuals} /> : null}
    </section>
  );
}
