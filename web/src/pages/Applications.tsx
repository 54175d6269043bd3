/**
 * The lender workspace's list of scored applications (at a node): probability of default,
 * points, decision, flags and feedback; filtered, sorted and paginated on the server. The
 * filters live in the address (?decision=…&page=…), so a filtered view can be reloaded, shared
 * and navigated back to.
 */
import type { FormEvent } from 'react';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import type { ApplicationPage, WorkspaceInfo } from '../api/workspace.js';
import { FLAG_LABELS, OUTCOME_LABELS, SOURCE_LABELS } from '../api/workspace.js';
import { useApiData } from '../api/useApi.js';
import { SelectField, TextField } from '../components/Field.js';
import { Loaded } from '../components/Notes.js';
import { usePageTitle } from '../components/usePageTitle.js';
import { formatPercent, formatTime, shortId } from '../format.js';
import { may } from '../session/access.js';
import { useSession } from '../session/SessionProvider.js';

const FILTER_KEYS = ['decision', 'flag', 'pdMin', 'pdMax', 'q', 'feedback', 'sort', 'order', 'pageSize'] as const;
type Filters = Record<(typeof FILTER_KEYS)[number], string>;

/** The list page. */
export default function Applications() {
  usePageTitle('Scored applications');
  const { session } = useSession();
  const [params, setParams] = useSearchParams();
  const info = useApiData<WorkspaceInfo>('/api/v1/workspace');
  const query = new URLSearchParams([...params].filter(([k, v]) => v !== '' && (FILTER_KEYS as readonly string[]).concat('page').includes(k)));
  const search = query.toString();
  const list = useApiData<ApplicationPage>(`/api/v1/applications${search ? `?${search}` : ''}`);
  const current = Object.fromEntries(FILTER_KEYS.map((k) => [k, params.get(k) ?? ''])) as Filters;
  const [draft, setDraft] = useState<Filters>(current);
  const set = (key: keyof Filters) => (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [key]: e.target.value }));
  const canScore = session ? may(session.permissions, 'POST /api/v1/applications') : false;

  const apply = (event: FormEvent) => {
    event.preventDefault();
    setParams(Object.fromEntries(Object.entries(draft).filter(([, v]) => v !== '')));
  };
  const goTo = (page: number) => setParams({ ...Object.fromEntries([...params]), page: String(page) });

  return (
    <section className="applications">
      <h1>Scored applications</h1>
      {info.data ? (
        <p className="muted">
          {info.data.node.institution} · node {info.data.node.nodeName} · dataset <strong>{info.data.datasetKey}</strong> ·{' '}
          {info.data.model ? <>model <code>{info.data.model.version}</code> ({info.data.model.kind})</> : 'no approved model yet'}
          {canScore ? <> · <Link to="/applications/new">Score a new applicant</Link></> : null}
        </p>
      ) : null}
      {list.error?.forbidden ? null : <form className="panel filters" onSubmit={apply} aria-label="Filter and sort the applications">
        <div className="filter-grid">
          <SelectField id="f-decision" label="Decision" value={draft.decision} onChange={set('decision')}>
            <option value="">any</option><option value="approve">approve</option><option value="review">review</option><option value="decline">decline</option>
          </SelectField>
          <SelectField id="f-flag" label="Flag" value={draft.flag} onChange={set('flag')}>
            <option value="">any</option>
            {(info.data?.flags ?? []).map((f) => <option key={f.name} value={f.name}>{FLAG_LABELS[f.name] ?? f.name}</option>)}
          </SelectField>
          <TextField id="f-pdmin" label="PD from" type="number" min={0} max={1} step="any" inputMode="decimal" placeholder="0" value={draft.pdMin} onChange={set('pdMin')} />
          <TextField id="f-pdmax" label="PD to" type="number" min={0} max={1} step="any" inputMode="decimal" placeholder="1" value={draft.pdMax} onChange={set('pdMax')} />
          <TextField id="f-q" label="Application id contains" value={draft.q} maxLength={64} onChange={set('q')} />
          <SelectField id="f-feedback" label="Feedback" value={draft.feedback} onChange={set('feedback')}>
            <option value="">any</option><option value="with">given</option><option value="without">not yet</option>
          </SelectField>
          <SelectField id="f-sort" label="Sort by" value={draft.sort || 'time'} onChange={set('sort')}>
            <option value="time">time scored</option><option value="pd">probability of default</option><option value="score">score (points)</option>
          </SelectField>
          <SelectField id="f-order" label="Order" value={draft.order || 'desc'} onChange={set('order')}>
            <option value="desc">highest / newest first</option><option value="asc">lowest / oldest first</option>
          </SelectField>
          <SelectField id="f-pagesize" label="Per page" value={draft.pageSize || '50'} onChange={set('pageSize')}>
            {['25', '50', '100', '200'].map((n) => <option key={n} value={n}>{n}</option>)}
          </SelectField>
        </div>
        <div className="actions">
          <button type="submit">Apply filters</button>
          <button type="button" className="secondary" onClick={() => { setDraft(Object.fromEntries(FILTER_KEYS.map((k) => [k, ''])) as Filters); setParams({}); }}>Clear</button>
        </div>
      </form>}
      <Loaded data={list.data} error={list.error} what="the applications">
        {(page) => {
          const pages = Math.max(1, Math.ceil(page.total / page.pageSize));
          return (
            <>
              <p aria-live="polite" className="list-count">{page.total === 0 ? 'No application matches.' : `${page.total} application${page.total === 1 ? '' : 's'}; page ${page.page} of ${pages}.`}</p>
              {page.items.length > 0 ? (
                <table className="applications-table">
                  <caption className="visually-hidden">Scored applications</caption>
                  <thead><tr><th scope="col">Application</th><th scope="col">Scored</th><th scope="col">PD</th><th scope="col">Score</th><th scope="col">Decision</th><th scope="col">Flags</th><th scope="col">Feedback</th><th scope="col">Source</th></tr></thead>
                  <tbody>
                    {page.items.map((a) => (
                      <tr key={a.id}>
                        <td><Link to={`/applications/${a.id}`} aria-label={`Application ${shortId(a.id)}`}><code>{shortId(a.id)}</code></Link></td>
                        <td>{formatTime(a.scoredAt)}</td>
                        <td className="num">{formatPercent(a.probabilityOfDefault)}</td>
                        <td className="num">{a.score}</td>
                        <td><span className={`decision decision-${a.decision}`}>{a.decision}</span></td>
                        <td>{a.flags.length === 0 ? <span className="muted">none</span> : a.flags.map((f) => <span key={f} className={`flag flag-${f}`}>{FLAG_LABELS[f] ?? f}</span>)}</td>
                        <td>{a.feedbackOutcome ? OUTCOME_LABELS[a.feedbackOutcome].split(':')[0] : <span className="muted">none</span>}</td>
                        <td>{SOURCE_LABELS[a.source] ?? a.source}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              ) : null}
              <nav className="pager" aria-label="Pages">
                <button type="button" className="secondary" disabled={page.page <= 1} onClick={() => goTo(page.page - 1)}>Previous page</button>
                <span>Page {page.page} of {pages}</span>
                <button type="button" className="secondary" disabled={page.page >= pages} onClick={() => goTo(page.page + 1)}>Next page</button>
              </nav>
            </>
          );
        }}
      </Loaded>
    </section>
  );
}
