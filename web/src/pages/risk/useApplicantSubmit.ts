/**
 * The submit step of an applicant form, shared by the coordinator's risk page and a lender's
 * "score an applicant" page: read the form into a record (problems shown in the form, nothing
 * sent), send it, and turn the server's 400 issues back into form problems.
 */
import { useState } from 'react';
import type { FormEvent } from 'react';
import { ApiError } from '../../api/client.js';
import { recordFromForm } from './record.js';
import type { FormColumn } from '../../api/types.js';

/** A problem shown next to the form. */
export interface FormProblem {
  readonly field?: string;
  readonly message?: string;
}

/**
 * State and submit handler of an applicant form; `send` gets the validated record, `onStart`
 * runs on every submit before the form is read (e.g. to clear an earlier answer).
 */
export function useApplicantSubmit(
  columns: readonly FormColumn[], values: Readonly<Record<string, string>>,
  send: (record: Record<string, string | number>) => Promise<void>, onStart?: () => void,
) {
  const [problems, setProblems] = useState<readonly FormProblem[]>([]);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    onStart?.();
    const parsed = recordFromForm(columns, values);
    if (!parsed.ok) {
      setProblems(parsed.problems);
      return;
    }
    setProblems([]);
    setBusy(true);
    try {
      await send(parsed.record);
    } catch (err) {
      if (err instanceof ApiError) {
        setError(err);
        setProblems(err.issues.map((i) => ({ field: i.field, message: `${i.field ?? ''}: ${i.code ?? ''}${i.expected ? ` (expected ${i.expected})` : ''}` })));
      }
    } finally {
      setBusy(false);
    }
  };

  return { submit, problems, error, busy };
}
