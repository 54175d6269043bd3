/**
 * The person's own settings: display name and notification preferences (stored now; the
 * coordinator does not send notifications yet, see docs/dashboard.md).
 */
import { useState } from 'react';
import type { FormEvent } from 'react';
import { api, ApiError } from '../../api/client.js';
import type { User } from '../../api/types.js';
import { CheckboxField, TextField } from '../../components/Field.js';
import { ErrorNote, SuccessNote } from '../../components/Notes.js';

/** Notification preference keys of the server (src/web/views.ts) in words. */
const NOTIFICATIONS: readonly [string, string][] = [
  ['jobFinished', 'A training job finished'],
  ['jobFailed', 'A training job failed'],
  ['modelAwaitingApproval', 'A model waits for approval'],
  ['registrationPending', 'A registration request waits for approval'],
  ['auditChainBroken', 'The audit chain failed verification'],
  ['privacyBudgetLow', 'A lender’s privacy budget runs low'],
];

/** Display name and notification preferences. */
export function ProfileForms({ profile, onSaved }: { profile: User; onSaved: () => void }) {
  const [name, setName] = useState(profile.displayName);
  const [prefs, setPrefs] = useState<Record<string, boolean>>({ ...(profile.notificationPrefs ?? {}) });
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [done, setDone] = useState<string | undefined>(undefined);

  const save = async (body: unknown, message: string) => {
    setError(undefined);
    setDone(undefined);
    try {
      await api('PUT', '/api/v1/profile', body);
      setDone(message);
      onSaved();
    } catch (err) {
      if (err instanceof ApiError) setError(err);
    }
  };
  return (
    <>
      <form onSubmit={(e: FormEvent) => { e.preventDefault(); void save({ displayName: name.trim() }, 'Name saved.'); }} aria-labelledby="name-title">
        <h2 id="name-title">Profile</h2>
        <TextField id="set-name" label="Display name" required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
        <button type="submit">Save the name</button>
      </form>
      <form onSubmit={(e: FormEvent) => { e.preventDefault(); void save({ notificationPrefs: prefs }, 'Notification preferences saved.'); }} aria-labelledby="notify-title">
        <h2 id="notify-title">Notifications</h2>
        <fieldset>
          <legend>Tell me when…</legend>
          {NOTIFICATIONS.map(([key, label]) => (
            <CheckboxField key={key} id={`notify-${key}`} label={label} checked={prefs[key] === true} onChange={(e) => setPrefs({ ...prefs, [key]: e.target.checked })} />
          ))}
        </fieldset>
        <p className="muted small">Preferences are stored; delivering notifications is not wired up yet.</p>
        <button type="submit">Save the preferences</button>
      </form>
      <ErrorNote error={error} />
      {done ? <SuccessNote>{done}</SuccessNote> : null}
    </>
  );
}
