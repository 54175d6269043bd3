/**
 * The federation dashboard: nodes online, the jobs with the selected job's round progress,
 * charts of AUC / KS / loss and participation per round, and the model versions. Progress is
 * live: the /api/v1/live websocket announces each committed round and status change, and the
 * page then re-reads what changed. ML engineers (and administrators) start jobs here;
 * administrators approve models and invite institutions.
 */
import { lazy, Suspense, useCallback, useEffect, useRef, useState } from 'react';
import { api, ApiError } from '../api/client.js';
import type { Job, JobDetail, LiveMessage, ModelVersion, NodeInfo } from '../api/types.js';
import { useApiData } from '../api/useApi.js';
import { ErrorNote, Loaded, Loading, NotPermitted } from '../components/Notes.js';
import { SelectField } from '../components/Field.js';
import { usePageTitle } from '../components/usePageTitle.js';
import { formatNumber, formatTime, shortId } from '../format.js';
import { useLive } from '../live/useLive.js';
import { may } from '../session/access.js';
import { useSession } from '../session/SessionProvider.js';
import { JobForm } from './federation/JobForm.js';
import { ModelsTable } from './federation/ModelsTable.js';
import { NodesPanel } from './federation/NodesPanel.js';
import { PrivacyPanel } from './federation/PrivacyPanel.js';

const JobCharts = lazy(() => import('./federation/JobCharts.js'));

/** How many live announcements the page keeps on screen. */
const MAX_EVENTS = 6;

/** The job shown when the person has not picked one: the running one, else the newest. */
function defaultJob(jobs: readonly Job[] | undefined): string | undefined {
  if (!jobs || jobs.length === 0) return undefined;
  return (jobs.find((j) => j.status === 'running') ?? [...jobs].sort((a, b) => b.createdAt - a.createdAt)[0]).id;
}

/** Words for one live message. */
function describeLive(message: LiveMessage): string | undefined {
  if (message.type === 'round') {
    const auc = message.metrics?.auc;
    return `Job ${shortId(message.jobId)}: round ${message.round} committed with ${message.participants} node${message.participants === 1 ? '' : 's'}${typeof auc === 'number' ? `, AUC ${formatNumber(auc)}` : ''}.`;
  }
  if (message.type === 'status') return `Job ${shortId(message.jobId)} is now ${message.status}${message.error ? `: ${message.error}` : ''}.`;
  return undefined;
}

/** The federation page. */
export default function Federation() {
  usePageTitle('Federation');
  const { session, refresh } = useSession();
  const permissions = session?.permissions ?? [];
  const jobs = useApiData<Job[]>('/api/v1/jobs');
  const models = useApiData<ModelVersion[]>('/api/v1/models');
  const nodes = useApiData<NodeInfo[]>(may(permissions, 'GET /api/v1/nodes') ? '/api/v1/nodes' : undefined);
  const [picked, setPicked] = useState<string | undefined>(undefined);
  const jobId = picked ?? defaultJob(jobs.data);
  const detail = useApiData<JobDetail>(jobId ? `/api/v1/jobs/${encodeURIComponent(jobId)}` : undefined);
  const [events, setEvents] = useState<string[]>([]);

  // Bursts of live events (a fast job commits several rounds a second) cause one re-read.
  const pending = useRef(new Set<() => void>());
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const reloadSoon = useCallback((...reloads: (() => void)[]) => {
    for (const r of reloads) pending.current.add(r);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      const all = [...pending.current];
      pending.current.clear();
      for (const r of all) r();
    }, 250);
  }, []);
  useEffect(() => () => clearTimeout(timer.current), []);

  const liveAllowed = may(permissions, 'GET /api/v1/live') && !jobs.error?.forbidden;
  const live = useLive(liveAllowed, (message) => {
    const words = describeLive(message);
    if (words) setEvents((list) => [words, ...list].slice(0, MAX_EVENTS));
    if (message.type === 'round') reloadSoon(jobs.reload, ...(message.jobId === jobId ? [detail.reload] : []));
    if (message.type === 'status') reloadSoon(jobs.reload, models.reload, detail.reload, nodes.reload);
  }, () => void refresh());

  const [cancelError, setCancelError] = useState<ApiError | undefined>(undefined);
  const cancel = async (id: string) => {
    setCancelError(undefined);
    try {
      await api('POST', `/api/v1/jobs/${encodeURIComponent(id)}/cancel`);
      reloadSoon(jobs.reload, detail.reload);
    } catch (err) {
      if (err instanceof ApiError) setCancelError(err);
    }
  };

  if (jobs.error?.forbidden) {
    return (
      <section>
        <h1>Federation</h1>
        <NotPermitted what="the federation’s jobs" />
      </section>
    );
  }
  const job = detail.data;
  return (
    <section className="federation">
      <h1>Federation</h1>
      <p className="live-state" role="status">
        Live updates: <strong>{live === 'open' ? 'connected' : live === 'off' ? 'off' : live === 'connecting' ? 'connecting…' : 'reconnecting…'}</strong>
      </p>
      <div className="grid-2">
        <section className="panel" aria-labelledby="nodes-title">
          <h2 id="nodes-title">Nodes</h2>
          {may(permissions, 'GET /api/v1/nodes')
            ? <Loaded data={nodes.data} error={nodes.error} what="the nodes">{(list) => <NodesPanel nodes={list} isAdmin={session?.role === 'admin'} onChanged={nodes.reload} />}</Loaded>
            : <p className="muted">Your role does not list the lenders’ nodes.</p>}
        </section>
        <section className="panel" aria-labelledby="events-title">
          <h2 id="events-title">Latest events</h2>
          {events.length === 0 ? <p className="muted">Rounds and status changes appear here as they happen.</p> : (
            <ol className="events" aria-live="polite">{events.map((e, i) => <li key={`${i}-${e}`}>{e}</li>)}</ol>
          )}
        </section>
      </div>

      <section className="panel" aria-labelledby="job-title">
        <h2 id="job-title">Training jobs</h2>
        <Loaded data={jobs.data} error={jobs.error} what="the jobs">
          {(list) => list.length === 0 ? <p className="muted">No job yet.</p> : (
            <SelectField id="job-pick" label="Job" value={jobId ?? ''} onChange={(e) => setPicked(e.target.value)}>
              {list.map((j) => <option key={j.id} value={j.id}>{shortId(j.id)} — {j.spec.datasetKey}, {j.spec.model}/{j.spec.strategy} — {j.status} ({j.currentRound}/{j.spec.rounds})</option>)}
            </SelectField>
          )}
        </Loaded>
        {jobId && detail.error ? <ErrorNote error={detail.error} /> : null}
        {job ? (
          <div className="job-detail">
            <p className="job-progress">
              <span className={`status status-${job.status}`}>{job.status}</span>{' '}
              <span data-testid="round-progress">Round {job.currentRound} of {job.spec.rounds}</span>
              <progress value={job.currentRound} max={job.spec.rounds} aria-label={`Round ${job.currentRound} of ${job.spec.rounds}`} />
              <span className="muted">started by {job.createdBy === session?.user.id ? 'you' : (job.createdBy ?? '—')} on {formatTime(job.createdAt)}</span>
              {may(permissions, 'POST /api/v1/jobs/:id/cancel') && (job.status === 'pending' || job.status === 'running')
                ? <button type="button" className="secondary small" onClick={() => void cancel(job.id)}>Cancel the job</button>
                : null}
            </p>
            <ErrorNote error={cancelError} />
            {job.error ? <p className="note note-error">The job failed: {job.error}</p> : null}
            <Suspense fallback={<Loading what="the charts" />}>
              <JobCharts rounds={job.rounds} nodes={nodes.data} />
            </Suspense>
          </div>
        ) : null}
        {may(permissions, 'POST /api/v1/jobs') ? <JobForm onSubmitted={(j) => { setPicked(j.id); jobs.reload(); }} /> : null}
      </section>

      <PrivacyPanel permissions={permissions} jobs={jobs.data} />

      <section className="panel" aria-labelledby="models-title">
        <h2 id="models-title">Model versions</h2>
        <Loaded data={models.data} error={models.error} what="the model versions">
          {(list) => <ModelsTable models={list} canApprove={may(permissions, 'POST /api/v1/models/:id/approve')} canReadReport={may(permissions, 'GET /api/v1/models/:id/report')} onChanged={models.reload} />}
        </Loaded>
      </section>
    </section>
  );
}
