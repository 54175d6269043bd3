/**
 * Federation-wide settings (administrators): the inactivity timeout of every session (1 to
 * 1440 minutes; a shorter one applies to live sessions at once) and whether every person, not
 * only administrators, must use a second factor.
 */
import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { api, ApiError } from '../../api/client.js';
import { useApiData } from '../../api/useApi.js';
import { CheckboxField, TextField } from '../../components/Field.js';
import { ErrorNote, Loaded, SuccessNote } from '../../components/Notes.js';
import { useSession } from '../../session/SessionProvider.js';

interface WebSettings {
  readonly sessionTimeoutMinutes: number;
  readonly totpRequiredForAll: boolean;
}

/** The administrators' settings section. */
export function AdminSettings() {
  const settings = useApiData<WebSettings>('/api/v1/settings');
  return (
    <section aria-labelledby="admin-settings-title">
      <h2 id="admin-settings-title">Federation settings</h2>
      <Loaded data={settings.data} error={settings.error} what="the settings">{(s) => <SettingsForm initial={s} />}</Loaded>
    </section>
  );
}

function SettingsForm({ initial }: { initial: WebSettings }) {
  const { refresh } = useSession();
  const [minutes, setMinutes] = useState(String(initial.sessionTimeoutMinutes));
  const [totpForAll, setTotpForAll] = useState(initial.totpRequiredForAll);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [done, setDone] = useState<string | undefined>(undefined);
  useEffect(() => {
    setMinutes(String(initial.sessionTimeoutMinutes));
    setTotpForAll(initial.totpRequiredForAll);
  }, [initial]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    setDone(undefined);
    try {
      const saved = await api<WebSettings>('PUT', '/api/v1/settings', { sessionTimeoutMinutes: Number(minutes), totpRequiredForAll: totpForAll });
      setDone(`Saved: sessions end after ${saved.sessionTimeoutMinutes} minute${saved.sessionTimeoutMinutes === 1 ? '' : 's'} without activity.`);
      void refresh(); // this session's deadline follows the new timeout
    } catch (err) {
      if (err instanceof ApiError) setError(err);
    }
  };
  return (
    <form onSubmit={(e) => void submit(e)}>
      <TextField id="set-timeout" label="Session timeout (minutes without activity)" type="number" required min={1} max={1440} step={1} value={minutes} onChange={(e) => setMinutes(e.target.value)} hint="1 to 1440. A shorter timeout applies to sessions already open." />
      <CheckboxField id="set-totp-all" label="Everyone must use two-factor authentication (administrators always must)" checked={totpForAll} onChange={(e) => setTotpForAll(e.target.checked)} />
      <ErrorNote error={error} />
      {error && error.issues.length > 0 ? <ul className="issues">{error.issues.map((i, n) => <li key={n}><code>{i.field}</code>: {i.message}</li>)}</ul> : null}
      {done ? <SuccessNote>{done}</SuccessNote> : null}
      <button type="submit">Save the settings</button>
    </form>
  );
}
