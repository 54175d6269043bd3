/**
 * First start of a coordinator: create the first administrator with the one-time setup token
 * the coordinator printed. The administrator then signs in and must enrol a second factor.
 */
import { useState } from 'react';
import type { FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { api, ApiError } from '../api/client.js';
import { useApiData } from '../api/useApi.js';
import { ErrorNote, SuccessNote } from '../components/Notes.js';
import { TextField } from '../components/Field.js';
import { usePageTitle } from '../components/usePageTitle.js';

/** The first-administrator page. */
export default function Setup() {
  usePageTitle('Create the first administrator');
  const status = useApiData<{ setupRequired: boolean }>('/api/v1/setup');
  const [form, setForm] = useState({ setupToken: '', displayName: '', email: '', password: '' });
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [done, setDone] = useState(false);
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    try {
      await api('POST', '/api/v1/setup', { ...form, setupToken: form.setupToken.trim() });
      setDone(true);
    } catch (err) {
      if (err instanceof ApiError) setError(err);
    }
  };

  if (done) {
    return (
      <section className="narrow">
        <h1>Administrator created</h1>
        <SuccessNote>The administrator account exists.</SuccessNote>
        <p><Link className="button" to="/signin">Sign in</Link> — you will be asked to set up two-factor authentication first.</p>
      </section>
    );
  }
  if (status.data?.setupRequired === false) {
    return (
      <section className="narrow">
        <h1>Setup is complete</h1>
        <p>This federation already has accounts. <Link to="/signin">Sign in</Link> instead.</p>
      </section>
    );
  }
  return (
    <section className="narrow">
      <h1>Create the first administrator</h1>
      <p>The coordinator printed a one-time setup token when it started (it is valid for 24 hours).</p>
      <form onSubmit={(e) => void submit(e)}>
        <TextField id="setup-token" label="Setup token" required autoComplete="off" spellCheck={false} value={form.setupToken} onChange={set('setupToken')} />
        <TextField id="setup-name" label="Your name" required autoComplete="name" value={form.displayName} onChange={set('displayName')} />
        <TextField id="setup-email" label="Email" type="email" required autoComplete="email" value={form.email} onChange={set('email')} />
        <TextField id="setup-password" label="Password" type="password" required minLength={12} autoComplete="new-password" value={form.password} onChange={set('password')} hint="At least 12 characters; not a common password and not your email." />
        <ErrorNote error={error} />
        <button type="submit">Create the administrator</button>
      </form>
    </section>
  );
}
