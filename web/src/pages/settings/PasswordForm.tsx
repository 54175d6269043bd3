/**
 * Change the password: the current one (wrong attempts count toward the lockout) and the new
 * one twice. The server ends every other session of the person.
 */
import { useState } from 'react';
import type { FormEvent } from 'react';
import { api, ApiError } from '../../api/client.js';
import { TextField } from '../../components/Field.js';
import { ErrorNote, SuccessNote } from '../../components/Notes.js';

/** The password form. */
export function PasswordForm() {
  const [form, setForm] = useState({ currentPassword: '', newPassword: '', repeat: '' });
  const [error, setError] = useState<ApiError | string | undefined>(undefined);
  const [done, setDone] = useState<string | undefined>(undefined);
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    setDone(undefined);
    if (form.newPassword !== form.repeat) {
      setError('The two new passwords differ.');
      return;
    }
    try {
      const answer = await api<{ otherSessionsEnded: number }>('POST', '/api/v1/profile/password', { currentPassword: form.currentPassword, newPassword: form.newPassword });
      setDone(`Password changed; ${answer.otherSessionsEnded} other session${answer.otherSessionsEnded === 1 ? '' : 's'} ended.`);
      setForm({ currentPassword: '', newPassword: '', repeat: '' });
    } catch (err) {
      setError(err instanceof ApiError ? err : String(err));
    }
  };
  return (
    <form onSubmit={(e) => void submit(e)} aria-labelledby="password-title">
      <h2 id="password-title">Password</h2>
      <TextField id="pw-current" label="Current password" type="password" required autoComplete="current-password" value={form.currentPassword} onChange={set('currentPassword')} />
      <TextField id="pw-new" label="New password" type="password" required minLength={12} autoComplete="new-password" value={form.newPassword} onChange={set('newPassword')} hint="At least 12 characters; not a common password and not your email." />
      <TextField id="pw-repeat" label="Repeat the new password" type="password" required autoComplete="new-password" value={form.repeat} onChange={set('repeat')} />
      <ErrorNote error={error} />
      {done ? <SuccessNote>{done}</SuccessNote> : null}
      <button type="submit">Change the password</button>
    </form>
  );
}
