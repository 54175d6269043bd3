/**
 * Request an account for an institution. The answer is the same whether or not the email is
 * known (the server does not reveal accounts); an administrator then approves the request and
 * assigns a role.
 */
import { useState } from 'react';
import type { FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { api, ApiError } from '../api/client.js';
import { ErrorNote, SuccessNote } from '../components/Notes.js';
import { TextField } from '../components/Field.js';
import { usePageTitle } from '../components/usePageTitle.js';

/** The registration page. */
export default function Register() {
  usePageTitle('Request an account');
  const [form, setForm] = useState({ email: '', displayName: '', institution: '', password: '', repeat: '' });
  const [error, setError] = useState<ApiError | string | undefined>(undefined);
  const [done, setDone] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (form.password !== form.repeat) {
      setError('The two passwords differ.');
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const answer = await api<{ status: string; message: string }>('POST', '/api/v1/register', { email: form.email, displayName: form.displayName, institution: form.institution, password: form.password });
      setDone(answer.message);
    } catch (err) {
      setError(err instanceof ApiError ? err : String(err));
    } finally {
      setBusy(false);
    }
  };

  if (done !== undefined) {
    return (
      <section className="narrow">
        <h1>Request sent</h1>
        <SuccessNote>Your request was received and waits for an administrator’s approval. {done}</SuccessNote>
        <p>Once approved, <Link to="/signin">sign in</Link> with the email and password you chose.</p>
      </section>
    );
  }
  return (
    <section className="narrow">
      <h1>Request an account</h1>
      <p>An administrator of the federation approves each request and assigns a role (risk officer, ML engineer or auditor).</p>
      <form onSubmit={(e) => void submit(e)}>
        <TextField id="reg-name" label="Your name" required maxLength={200} autoComplete="name" value={form.displayName} onChange={set('displayName')} />
        <TextField id="reg-email" label="Work email" type="email" required autoComplete="email" value={form.email} onChange={set('email')} />
        <TextField id="reg-institution" label="Institution" required maxLength={200} autoComplete="organization" value={form.institution} onChange={set('institution')} hint="The lender or organisation you work for, e.g. “Bank A Sparkasse”." />
        <TextField id="reg-password" label="Password" type="password" required minLength={12} autoComplete="new-password" value={form.password} onChange={set('password')} hint="At least 12 characters; not a common password and not your email." />
        <TextField id="reg-repeat" label="Repeat the password" type="password" required autoComplete="new-password" value={form.repeat} onChange={set('repeat')} />
        <ErrorNote error={error} />
        <button type="submit" disabled={busy}>Send the request</button>
      </form>
    </section>
  );
}
