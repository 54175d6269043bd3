/**
 * One scored application at the node: why it was flagged (top reasons in words, the
 * contribution chart), the model version that decided, the record in words, what would change
 * the decision, and the officers' feedback with the form to give it (risk officers; auditors
 * read only).
 */
import { lazy, Suspense, useState } from 'react';
import type { FormEvent } from 'react';
import { Link, useParams } from 'react-router-dom';
import { api, ApiError } from '../api/client.js';
import type { ApplicationDetail as Detail, Feedback, FeedbackOutcome } from '../api/workspace.js';
import { FLAG_LABELS, OUTCOME_LABELS, SOURCE_LABELS } from '../api/workspace.js';
import { useApiData } from '../api/useApi.js';
import { ErrorNote, Loaded, Loading, SuccessNote } from '../components/Notes.js';
import { usePageTitle } from '../components/usePageTitle.js';
import { formatNumber, formatPercent, formatTime, shortId } from '../format.js';
import { may } from '../session/access.js';
import { useSession } from '../session/SessionProvider.js';

const ContributionChart = lazy(() => import('./risk/ContributionChart.js'));
const MAX_NOTE = 2000;

/** The detail page. */
export default function ApplicationDetail() {
  const { id = '' } = useParams();
  usePageTitle(`Application ${shortId(id)}`);
  const detail = useApiData<Detail>(`/api/v1/applications/${encodeURIComponent(id)}`);
  return (
    <section className="application">
      <p><Link to="/applications">← All applications</Link></p>
      <Loaded data={detail.data} error={detail.error} what="the application">
        {(a) => <DetailView a={a} onFeedback={detail.reload} />}
      </Loaded>
    </section>
  );
}

function DetailView({ a, onFeedback }: { a: Detail; onFeedback: () => void }) {
  const { session } = useSession();
  const canGiveFeedback = session ? may(session.permissions, 'POST /api/v1/applications/:id/feedback') : false;
  return (
    <>
      <h1>Application <code>{shortId(a.id, 13)}</code></h1>
      <div className="panel">
        <div className="score-figures">
          <p>Probability of default<br /><strong className="big-number">{formatPercent(a.probabilityOfDefault)}</strong></p>
          <p>Score<br /><strong className="big-number">{a.score} points</strong></p>
          <p>Decision<br /><strong className={`decision decision-${a.decision}`}>{a.decision}</strong></p>
        </div>
        <dl className="facts">
          <dt>Model that decided</dt><dd><code>{a.modelVersion}</code>{a.modelId ? <> (model version id <code>{shortId(a.modelId, 13)}</code>)</> : null}{a.modelServedNow && a.modelServedNow !== a.modelVersion ? <> · now serving <code>{a.modelServedNow}</code></> : null}</dd>
          <dt>Scored</dt><dd>{formatTime(a.scoredAt)} through the {SOURCE_LABELS[a.source] ?? a.source}</dd>
          <dt>Dataset</dt><dd>{a.datasetKey}</dd>
          <dt>Application id</dt><dd><code>{a.id}</code></dd>
        </dl>
      </div>

      <h2>Flags</h2>
      {a.flags.length === 0 ? <p className="muted">No flag: approved automatically, well away from the thresholds, inputs within the training data.</p> : (
        <ul className="flag-list">
          {a.flags.map((f) => <li key={f}><span className={`flag flag-${f}`}>{FLAG_LABELS[f] ?? f}</span> {a.flagDescriptions[f]}{f === 'out_of_range' ? `: ${a.outOfRange.map((o) => o.description).join('; ')}` : ''}</li>)}
        </ul>
      )}

      <h2>Why: the top reasons</h2>
      {a.reasons.length === 0 ? <p className="muted">Nothing pushed this applicant’s risk above the reference applicant.</p> : (
        <ol className="reasons">{a.reasons.map((r) => <li key={r.field}>{r.description} <span className="muted small">(+{formatNumber(r.contribution, 2)} log-odds)</span></li>)}</ol>
      )}
      <Suspense fallback={<Loading what="the chart" />}>
        <ContributionChart contributions={a.contributions} />
      </Suspense>

      <h2>What would change the decision</h2>
      <WhatWouldChange a={a} />

      <h2>The application</h2>
      <table className="record-table">
        <caption className="visually-hidden">The applicant’s record in words</caption>
        <thead><tr><th scope="col">Field</th><th scope="col">Value</th></tr></thead>
        <tbody>{a.record.map((f) => <tr key={f.field}><th scope="row">{f.title}</th><td>{f.description}</td></tr>)}</tbody>
      </table>

      <h2>Feedback</h2>
      <p className="muted small">Stays at this node. A known outcome becomes a training row in this lender’s next local training; only its id is reported to the coordinator, in the model’s lineage.</p>
      {a.feedback.length === 0 ? <p>No feedback yet.</p> : (
        <ul className="feedback-list">{a.feedback.map((f) => <li key={f.id}><strong>{OUTCOME_LABELS[f.outcome]}</strong> · {formatTime(f.createdAt)}{f.note ? <> · “{f.note}”</> : null}</li>)}</ul>
      )}
      {canGiveFeedback ? <FeedbackForm id={a.id} onSaved={onFeedback} /> : null}
    </>
  );
}

function WhatWouldChange({ a }: { a: Detail }) {
  const w = a.whatWouldChange;
  if (w === null) return <p className="muted">{a.whatWouldChangeNote}.</p>;
  if (w.decision === 'approve') {
    return <p>Approved. {w.margin ? `The probability of default may rise by ${formatPercent(w.margin.probabilityOfDefault)} (${w.margin.points} points) before the application goes to review.` : ''}</p>;
  }
  if (w.suggestions.length === 0) return <p className="muted">No change of one or two fields the applicant can act on reaches a better decision.</p>;
  return (
    <>
      <p className="muted small">{a.whatWouldChangeNote}.</p>
      <ol className="suggestions">
        {w.suggestions.map((s, i) => (
          <li key={i}>
            {s.changes.map((c) => c.text).join(' and ')} → <span className={`decision decision-${s.decision}`}>{s.decision}</span> ({formatPercent(s.probabilityOfDefault)}, {s.score} points)
          </li>
        ))}
      </ol>
    </>
  );
}

function FeedbackForm({ id, onSaved }: { id: string; onSaved: () => void }) {
  const [outcome, setOutcome] = useState<FeedbackOutcome | ''>('');
  const [note, setNote] = useState('');
  const [error, setError] = useState<ApiError | string | undefined>(undefined);
  const [saved, setSaved] = useState<Feedback | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSaved(undefined);
    if (outcome === '') {
      setError('Choose an outcome.');
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      setSaved(await api<Feedback>('POST', `/api/v1/applications/${encodeURIComponent(id)}/feedback`, { outcome, ...(note.trim() ? { note } : {}) }));
      setNote('');
      setOutcome('');
      onSaved();
    } catch (err) {
      setError(err instanceof ApiError ? err : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="panel feedback-form" onSubmit={(e) => void submit(e)} aria-labelledby="feedback-title">
      <h3 id="feedback-title">Record the outcome</h3>
      <fieldset>
        <legend>Outcome</legend>
        {(Object.keys(OUTCOME_LABELS) as FeedbackOutcome[]).map((o) => (
          <div className="field field-check" key={o}>
            <input type="radio" id={`outcome-${o}`} name="outcome" value={o} checked={outcome === o} onChange={() => setOutcome(o)} />
            <label htmlFor={`outcome-${o}`}>{OUTCOME_LABELS[o]}</label>
          </div>
        ))}
      </fieldset>
      <div className="field">
        <label htmlFor="feedback-note">Note (optional, stays at this node)</label>
        <textarea id="feedback-note" rows={3} maxLength={MAX_NOTE} value={note} onChange={(e) => setNote(e.target.value)} aria-describedby="feedback-note-hint" />
        <small id="feedback-note-hint" className="hint">At most {MAX_NOTE} characters.</small>
      </div>
      <ErrorNote error={error} />
      {saved ? <SuccessNote>Feedback recorded: {OUTCOME_LABELS[saved.outcome]}.</SuccessNote> : null}
      <div className="actions"><button type="submit" disabled={busy}>Save feedback</button></div>
    </form>
  );
}
