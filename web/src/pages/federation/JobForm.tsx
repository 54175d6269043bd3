/**
 * Start a training job (ML engineers and administrators): dataset key, model, strategy,
 * rounds, the minimum number of nodes, and secure aggregation. The server checks everything and names each bad
 * field; those issues are shown next to the form.
 */
import { useState } from 'react';
import type { FormEvent } from 'react';
import { api, ApiError } from '../../api/client.js';
import type { Job } from '../../api/types.js';
import { CheckboxField, SelectField, TextField } from '../../components/Field.js';
import { ErrorNote, SuccessNote } from '../../components/Notes.js';
import { shortId } from '../../format.js';

/** The strategies of src/strategy (STRATEGY_NAMES), with what each does. */
const STRATEGIES: readonly [string, string][] = [
  ['fedavg', 'FedAvg — weighted mean of the updates'],
  ['fedprox', 'FedProx — mean, with a proximal term for differing lenders'],
  ['fedadam', 'FedAdam — server-side Adam on the mean update'],
  ['fedyogi', 'FedYogi — server-side Yogi on the mean update'],
  ['trimmed', 'Trimmed mean — robust to a few bad updates'],
  ['median', 'Coordinate median — robust to a few bad updates'],
  ['krum', 'Krum — picks the most central update'],
];

/** The job form; `onSubmitted` hears the new job. */
export function JobForm({ onSubmitted }: { onSubmitted: (job: Job) => void }) {
  const [form, setForm] = useState({ datasetKey: 'german-credit', model: 'logreg', strategy: 'fedavg', rounds: '10', minNodes: '2' });
  const [secureAggregation, setSecureAggregation] = useState(false);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [submitted, setSubmitted] = useState<Job | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    setSubmitted(undefined);
    try {
      const job = await api<Job>('POST', '/api/v1/jobs', {
        datasetKey: form.datasetKey.trim(), model: form.model, strategy: form.strategy, rounds: Number(form.rounds), minNodes: Number(form.minNodes),
        ...(secureAggregation ? { options: { secureAggregation: true } } : {}),
      });
      setSubmitted(job);
      onSubmitted(job);
    } catch (err) {
      if (err instanceof ApiError) setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="job-form" onSubmit={(e) => void submit(e)} aria-labelledby="job-form-title">
      <h3 id="job-form-title">Start a training job</h3>
      <div className="form-grid">
        <TextField id="job-dataset" label="Dataset key" required maxLength={200} value={form.datasetKey} onChange={set('datasetKey')} hint="The key under which the lenders registered the data, e.g. german-credit." />
        <SelectField id="job-model" label="Model" value={form.model} onChange={set('model')}>
          <option value="logreg">Logistic regression (exact reasons)</option>
          <option value="mlp">Neural network (MLP)</option>
          <option value="gbdt">Gradient-boosted trees (TreeSHAP reasons)</option>
        </SelectField>
        <SelectField id="job-strategy" label="Strategy" value={form.strategy} onChange={set('strategy')}>
          {STRATEGIES.map(([value, label]) => <option key={value} value={value}>{label}</option>)}
        </SelectField>
        <TextField id="job-rounds" label="Rounds" type="number" required min={1} max={10000} step={1} value={form.rounds} onChange={set('rounds')} />
        <TextField id="job-min-nodes" label="Minimum nodes" type="number" required min={1} max={10000} step={1} value={form.minNodes} onChange={set('minNodes')} hint="The job waits until this many lenders are online." />
      </div>
      <CheckboxField id="job-secagg" label="Secure aggregation: the coordinator sees only the sum of the lenders’ updates" checked={secureAggregation} onChange={(e) => setSecureAggregation(e.target.checked)} hint="Not with robust strategies (trimmed, median, krum), which need each update. With boosted trees every histogram is summed this way." />
      <ErrorNote error={error} />
      {error && error.issues.length > 0 ? (
        <ul className="issues" aria-label="Problems in the job">
          {error.issues.map((issue, i) => <li key={i}><code>{issue.field}</code>: {issue.message}</li>)}
        </ul>
      ) : null}
      {submitted ? <SuccessNote>Job {shortId(submitted.id)} submitted; it starts when {submitted.spec.minNodes} nodes are online.</SuccessNote> : null}
      <button type="submit" disabled={busy}>Start the job</button>
    </form>
  );
}
