/**
 * The audit log (auditors and administrators): entries filterable by actor and action, newest
 * first, and the verification of the hash chain by the server. When the chain is broken, the
 * first bad entry is named and marked in the list.
 */
import { useState } from 'react';
import type { FormEvent } from 'react';
import type { AuditEntry, AuditVerification } from '../api/types.js';
import { useApiData } from '../api/useApi.js';
import { TextField } from '../components/Field.js';
import { Loaded, NotPermitted } from '../components/Notes.js';
import { usePageTitle } from '../components/usePageTitle.js';
import { formatTime, shortId } from '../format.js';

/** Entries loaded at most (the server keeps them all). */
const LIMIT = 500;

function auditPath(filter: { actor: string; action: string }): string {
  const query = new URLSearchParams({ limit: String(LIMIT) });
  if (filter.actor.trim()) query.set('actor', filter.actor.trim());
  if (filter.action.trim()) query.set('action', filter.action.trim());
  return `/api/v1/audit?${query.toString()}`;
}

/** The audit page. */
export default function Audit() {
  usePageTitle('Audit log');
  const [draft, setDraft] = useState({ actor: '', action: '' });
  const [filter, setFilter] = useState({ actor: '', action: '' });
  const entries = useApiData<AuditEntry[]>(auditPath(filter));
  const verification = useApiData<AuditVerification>('/api/v1/audit/verify');

  if (entries.error?.forbidden || verification.error?.forbidden) {
    return (
      <section>
        <h1>Audit log</h1>
        <NotPermitted what="the audit log" />
      </section>
    );
  }
  const badSeq = verification.data && !verification.data.ok ? verification.data.firstBadSeq : undefined;
  const apply = (event: FormEvent) => {
    event.preventDefault();
    setFilter(draft);
  };
  return (
    <section className="audit">
      <h1>Audit log</h1>
      <section className="panel" aria-labelledby="verify-title">
        <h2 id="verify-title">Integrity of the log</h2>
        <Loaded data={verification.data} error={verification.error} what="the verification">
          {(v) => v.ok ? (
            <p className="verify verify-ok" data-testid="verify-status" role="status">
              Chain verified: all {v.count} entries are intact (head #{v.head.seq}, hash <code title={v.head.hash}>{shortId(v.head.hash, 16)}</code>).
            </p>
          ) : (
            <p className="verify verify-bad" data-testid="verify-status" role="alert">
              Chain broken: entry #{v.firstBadSeq} was {v.reason}. Entries from there on cannot be trusted; report this to the coordinator’s operators.
            </p>
          )}
        </Loaded>
        <button type="button" className="secondary" onClick={() => { verification.reload(); entries.reload(); }}>Verify again</button>
      </section>
      <section className="panel" aria-labelledby="entries-title">
        <h2 id="entries-title">Entries</h2>
        <form className="inline-form" onSubmit={apply} aria-label="Filter the entries">
          <TextField id="audit-actor" label="Actor" value={draft.actor} onChange={(e) => setDraft({ ...draft, actor: e.target.value })} hint="A user id, admin (the CLI), coordinator or anonymous." />
          <TextField id="audit-action" label="Action" value={draft.action} onChange={(e) => setDraft({ ...draft, action: e.target.value })} hint="e.g. auth.signin, job.submitted, model.approved" />
          <button type="submit">Filter</button>
          <button type="button" className="secondary" onClick={() => { setDraft({ actor: '', action: '' }); setFilter({ actor: '', action: '' }); }}>Clear</button>
        </form>
        <Loaded data={entries.data} error={entries.error} what="the entries">
          {(list) => list.length === 0 ? <p className="muted">No entry matches.</p> : (
            <>
              {badSeq !== undefined && !list.some((e) => e.seq === badSeq) ? <p className="note note-error">Entry #{badSeq} is not among the entries listed (filter or limit).</p> : null}
              <table className="audit-table">
                <caption className="visually-hidden">Audit entries, newest first</caption>
                <thead><tr><th scope="col">#</th><th scope="col">Time</th><th scope="col">Actor</th><th scope="col">Action</th><th scope="col">Subject</th><th scope="col">Details</th></tr></thead>
                <tbody>
                  {[...list].reverse().map((e) => (
                    <tr key={e.seq} className={e.seq === badSeq ? 'tampered' : undefined} data-seq={e.seq}>
                      <th scope="row">{e.seq}{e.seq === badSeq ? <span className="tamper-flag"> ⚠ tampered</span> : null}</th>
                      <td>{formatTime(e.at)}</td>
                      <td><code title={e.actor}>{shortId(e.actor, 12)}</code></td>
                      <td>{e.action}</td>
                      <td><code title={e.subject}>{shortId(e.subject, 12)}</code></td>
                      <td className="details"><code>{JSON.stringify(e.details)}</code></td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
        </Loaded>
      </section>
    </section>
  );
}
