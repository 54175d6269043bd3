/**
 * Score a new applicant at the node: the form comes from the schema the node's model validates
 * against (codebook meanings, units, bounds; web/src/pages/risk/ApplicantForm.tsx); the scored
 * application is stored in the workspace and opened in its detail view.
 */
import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { api } from '../api/client.js';
import type { WorkspaceInfo } from '../api/workspace.js';
import { useApiData } from '../api/useApi.js';
import { ErrorNote, Loaded } from '../components/Notes.js';
import { usePageTitle } from '../components/usePageTitle.js';
import { ApplicantFields } from './risk/ApplicantForm.js';
import { exampleValues } from './risk/record.js';
import { useApplicantSubmit } from './risk/useApplicantSubmit.js';

/** The page. */
export default function ScoreApplicant() {
  usePageTitle('Score an applicant');
  const info = useApiData<WorkspaceInfo>('/api/v1/workspace');
  return (
    <section className="risk">
      <h1>Score an applicant</h1>
      <Loaded data={info.data} error={info.error} what="the scoring form">
        {(w) => (w.schema === null || w.model === null
          ? <p className="note note-info">This node serves no approved model yet: it scores once the federation approves one.</p>
          : <ApplicantForm info={{ ...w, schema: w.schema, model: w.model }} />)}
      </Loaded>
    </section>
  );
}

function ApplicantForm({ info }: { info: WorkspaceInfo & { schema: NonNullable<WorkspaceInfo['schema']>; model: NonNullable<WorkspaceInfo['model']> } }) {
  const navigate = useNavigate();
  const { columns } = info.schema;
  const [values, setValues] = useState<Record<string, string>>(() => exampleValues(info.schema.name, columns));

  const { submit, problems, error, busy } = useApplicantSubmit(columns, values, async (record) => {
    const answer = await api<{ items: { id: string }[] }>('POST', '/api/v1/applications', { records: [record] });
    navigate(`/applications/${answer.items[0].id}`);
  });

  return (
    <>
      <p className="muted">
        Scored at {info.node.institution} with model <code>{info.model.version}</code> ({info.model.kind}) for dataset <strong>{info.datasetKey}</strong>; the application is kept at this node.
      </p>
      <form onSubmit={(e) => void submit(e)} aria-labelledby="applicant-title">
        <h2 id="applicant-title">Applicant</h2>
        <ApplicantFields columns={columns} values={values} onChange={(name, value) => setValues((v) => ({ ...v, [name]: value }))} />
        <ErrorNote error={error} />
        {problems.length > 0 ? <ul className="issues" role="alert" aria-label="Problems in the form">{problems.map((p, i) => <li key={i}>{p.message}</li>)}</ul> : null}
        <div className="actions">
          <button type="submit" disabled={busy}>Score and keep this applicant</button>
          <button type="button" className="secondary" onClick={() => setValues(exampleValues(info.schema.name, columns))}>Reset to the example applicant</button>
        </div>
      </form>
    </>
  );
}
