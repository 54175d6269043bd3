/**
 * The risk workspace: score a new applicant with the newest approved model of a dataset key.
 * The form comes from the schema the server validates against (codebook meanings, units,
 * bounds); the answer shows probability of default, points, decision, the top reasons in words
 * and a contribution chart, and names the model version that decided.
 */
import { useEffect, useState } from 'react';
import { api } from '../api/client.js';
import type { ScoreAnswer, ScoringDataset } from '../api/types.js';
import { useApiData } from '../api/useApi.js';
import { SelectField } from '../components/Field.js';
import { ErrorNote, Loaded } from '../components/Notes.js';
import { usePageTitle } from '../components/usePageTitle.js';
import { shortId } from '../format.js';
import { ApplicantFields } from './risk/ApplicantForm.js';
import { exampleValues } from './risk/record.js';
import { useApplicantSubmit } from './risk/useApplicantSubmit.js';
import { ScoreResult } from './risk/ScoreResult.js';

/** The risk workspace page. */
export default function Risk() {
  usePageTitle('Risk workspace');
  const datasets = useApiData<ScoringDataset[]>('/api/v1/scoring/datasets');
  return (
    <section className="risk">
      <h1>Risk workspace</h1>
      <Loaded data={datasets.data} error={datasets.error} what="the scoring models">
        {(list) => list.length === 0
          ? <p className="note note-info">No model has been approved for scoring yet. An administrator approves a model version on the Federation page.</p>
          : <Workspace datasets={list} />}
      </Loaded>
    </section>
  );
}

function Workspace({ datasets }: { datasets: readonly ScoringDataset[] }) {
  const [key, setKey] = useState(datasets[0].datasetKey);
  const dataset = datasets.find((d) => d.datasetKey === key) ?? datasets[0];
  const [values, setValues] = useState<Record<string, string>>(() => exampleValues(dataset.schema.name, dataset.schema.columns));
  const [answer, setAnswer] = useState<ScoreAnswer | undefined>(undefined);

  useEffect(() => {
    setValues(exampleValues(dataset.schema.name, dataset.schema.columns));
    setAnswer(undefined);
  }, [dataset]);

  const { submit, problems, error, busy } = useApplicantSubmit(dataset.schema.columns, values, async (record) => {
    setAnswer(await api<ScoreAnswer>('POST', '/api/v1/score?explain=true', { dataset: dataset.datasetKey, records: [record] }));
  }, () => setAnswer(undefined));

  return (
    <>
      {datasets.length > 1 ? (
        <SelectField id="risk-dataset" label="Dataset" value={key} onChange={(e) => setKey(e.target.value)}>
          {datasets.map((d) => <option key={d.datasetKey} value={d.datasetKey}>{d.datasetKey} (model {shortId(d.model.jobId)}/v{d.model.version})</option>)}
        </SelectField>
      ) : null}
      <p className="muted">
        Scoring with the approved model <code>{shortId(dataset.model.jobId)}/v{dataset.model.version}</code> ({dataset.model.kind}) for dataset <strong>{dataset.datasetKey}</strong>.
        {dataset.schema.description ? ` ${dataset.schema.description}` : ''}
      </p>
      <form onSubmit={(e) => void submit(e)} aria-labelledby="applicant-title">
        <h2 id="applicant-title">Applicant</h2>
        <ApplicantFields columns={dataset.schema.columns} values={values} onChange={(name, value) => setValues((v) => ({ ...v, [name]: value }))} />
        <ErrorNote error={error} />
        {problems.length > 0 ? (
          <ul className="issues" role="alert" aria-label="Problems in the form">{problems.map((p, i) => <li key={i}>{p.message}</li>)}</ul>
        ) : null}
        <div className="actions">
          <button type="submit" disabled={busy}>Score this applicant</button>
          <button type="button" className="secondary" onClick={() => { setValues(exampleValues(dataset.schema.name, dataset.schema.columns)); setAnswer(undefined); }}>Reset to the example applicant</button>
        </div>
      </form>
      {answer ? <ScoreResult answer={answer} /> : null}
    </>
  );
}
