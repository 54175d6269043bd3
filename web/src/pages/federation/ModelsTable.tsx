/**
 * Model versions with the metrics of their last round; administrators approve a candidate for
 * scoring (the lenders' nodes then serve it, and the risk workspace scores with it). Roles that
 * may read it get a link to each version's model report (a self-contained HTML page served by
 * the coordinator: ROC, KS, calibration, scorecard, fairness, privacy spent, lineage).
 */
import { useState } from 'react';
import { api, ApiError } from '../../api/client.js';
import type { ModelVersion } from '../../api/types.js';
import { ErrorNote } from '../../components/Notes.js';
import { formatNumber, formatTime, shortId } from '../../format.js';

/** The models table. */
export function ModelsTable({ models, canApprove, canReadReport, onChanged }: { models: readonly ModelVersion[]; canApprove: boolean; canReadReport: boolean; onChanged: () => void }) {
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const approve = async (id: string) => {
    setError(undefined);
    try {
      await api('POST', `/api/v1/models/${encodeURIComponent(id)}/approve`);
      onChanged();
    } catch (err) {
      if (err instanceof ApiError) setError(err);
    }
  };
  if (models.length === 0) return <p className="muted">No model version yet: one is created when a job completes.</p>;
  const sorted = [...models].sort((a, b) => b.createdAt - a.createdAt);
  return (
    <>
      <ErrorNote error={error} />
      <table className="models">
        <caption className="visually-hidden">Model versions</caption>
        <thead>
          <tr><th scope="col">Model</th><th scope="col">Dataset</th><th scope="col">Kind</th><th scope="col">Status</th><th scope="col">AUC</th><th scope="col">KS</th><th scope="col">Lenders</th><th scope="col">Officer feedback</th><th scope="col">Created</th>{canReadReport ? <th scope="col">Report</th> : null}{canApprove ? <th scope="col">Action</th> : null}</tr>
        </thead>
        <tbody>
          {sorted.map((m) => (
            <tr key={m.id}>
              <th scope="row"><code title={m.id}>{shortId(m.jobId)}/v{m.version}</code></th>
              <td>{m.meta.datasetKey ?? '—'}</td>
              <td>{m.meta.kind ?? '—'}</td>
              <td><span className={`status status-${m.status}`}>{m.status}</span></td>
              <td>{formatNumber(m.meta.metrics?.auc)}</td>
              <td>{formatNumber(m.meta.metrics?.ks)}</td>
              <td>{m.lineage ? m.lineage.nodes.length : '—'}</td>
              <td title={m.lineage?.feedbackIds?.join(', ')}>{m.lineage?.feedbackIds?.length ? `${m.lineage.feedbackIds.length} used in training` : 'none'}</td>
              <td>{formatTime(m.createdAt)}</td>
              {canReadReport ? (
                <td><a href={`/api/v1/models/${encodeURIComponent(m.id)}/report`} target="_blank" rel="noopener noreferrer" aria-label={`Report of model ${shortId(m.jobId)}/v${m.version} (opens in a new tab)`}>Report</a></td>
              ) : null}
              {canApprove ? (
                <td>{m.status === 'candidate' ? <button type="button" onClick={() => void approve(m.id)} aria-label={`Approve model ${shortId(m.jobId)}/v${m.version} for scoring`}>Approve</button> : null}</td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
