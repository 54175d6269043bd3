/**
 * "What would change the decision": the smallest changes to fields the applicant can act on
 * that would give a better decision (from POST /api/v1/score?explain=true, computed by
 * src/scoring/counterfactual.ts), or, for an approval, how much room there is before a review.
 * Plain words only: every change is the codebook's sentence, every field its description.
 */
import type { CounterfactualAnswer } from '../../api/types.js';
import { formatNumber, formatPercent } from '../../format.js';
import { DECISIONS } from './decisions.js';

/** The section for one applicant's counterfactuals. */
export function WhatWouldChange({ answer }: { answer: CounterfactualAnswer }) {
  const notConsidered = answer.fields.filter((f) => f.actionability !== 'actionable');
  return (
    <section aria-labelledby="change-title" data-testid="what-would-change">
      <h3 id="change-title">What would change the decision</h3>
      {answer.decision === 'approve' && answer.margin ? (
        <p>
          Approved with room to spare: the probability of default could rise from {formatPercent(answer.probabilityOfDefault)} to{' '}
          {formatPercent(answer.probabilityOfDefault + answer.margin.probabilityOfDefault)} (about {formatNumber(answer.margin.points, 0)} points
          lower) before the application would be referred for review.
        </p>
      ) : answer.suggestions.length === 0 ? (
        <p>No change to one or two of the fields the applicant can act on would change this decision.</p>
      ) : (
        <ol className="counterfactuals">
          {answer.suggestions.map((s, k) => (
            <li key={k}>
              {s.changes.length > 1 ? 'Together: ' : ''}
              {s.changes.map((c, j) => (
                <span key={c.field}>{j > 0 ? ' and ' : ''}<strong>{c.text}</strong></span>
              ))}
              {' '}would give <span className={`decision decision-${s.decision}`}>{DECISIONS[s.decision]}</span>{' '}
              <span className="muted">(probability of default {formatPercent(s.probabilityOfDefault)}, {s.score} points)</span>
            </li>
          ))}
        </ol>
      )}
      {answer.decision !== 'approve' ? (
        <p className="muted small">
          Only fields the applicant can act on are suggested; protected attributes never are.
          {notConsidered.length > 0 ? ` Not considered: ${groupByReason(notConsidered)}.` : ''}
        </p>
      ) : null}
    </section>
  );
}

/** "A, B (why); C (why)": fields sharing a reason are listed together, in model order. */
function groupByReason(fields: CounterfactualAnswer['fields']): string {
  const byWhy = new Map<string, string[]>();
  for (const f of fields) byWhy.set(f.why, [...(byWhy.get(f.why) ?? []), f.title]);
  return [...byWhy].map(([why, titles]) => `${titles.join(', ')} (${why})`).join('; ');
}
