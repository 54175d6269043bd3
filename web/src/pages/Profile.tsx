/**
 * The signed-in person: account details, role and institution, live sessions (browser and
 * address), and "sign out everywhere", which ends every session including this one.
 */
import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { ApiError } from '../api/client.js';
import { ROLE_LABELS } from '../api/types.js';
import type { User } from '../api/types.js';
import { useApiData } from '../api/useApi.js';
import { ErrorNote, Loaded } from '../components/Notes.js';
import { usePageTitle } from '../components/usePageTitle.js';
import { formatTime } from '../format.js';
import { useSession } from '../session/SessionProvider.js';

interface SessionRow {
  readonly id: string;
  readonly createdAt: number;
  readonly lastSeenAt: number;
  readonly expiresAt: number;
  readonly client: { readonly ip: string; readonly userAgent: string };
  readonly current: boolean;
}

/** The profile page. */
export default function Profile() {
  usePageTitle('Profile');
  const { signOutEverywhere } = useSession();
  const navigate = useNavigate();
  const profile = useApiData<User>('/api/v1/profile');
  const sessions = useApiData<SessionRow[]>('/api/v1/sessions');
  const [error, setError] = useState<ApiError | undefined>(undefined);

  const everywhere = async () => {
    try {
      await signOutEverywhere();
      navigate('/signin');
    } catch (err) {
      if (err instanceof ApiError) setError(err);
    }
  };
  return (
    <section className="profile">
      <h1>Profile</h1>
      <Loaded data={profile.data} error={profile.error} what="your profile">
        {(u) => (
          <dl className="facts">
            <dt>Name</dt><dd>{u.displayName}</dd>
            <dt>Email</dt><dd>{u.email}</dd>
            <dt>Role</dt><dd>{u.role ? ROLE_LABELS[u.role] : '—'}</dd>
            <dt>Institution</dt><dd>{u.institution ?? u.requestedInstitution ?? '—'}</dd>
            <dt>Two-factor authentication</dt><dd>{u.totpEnabled ? 'on' : 'off'}</dd>
            <dt>Account created</dt><dd>{formatTime(u.createdAt)}</dd>
          </dl>
        )}
      </Loaded>
      <section className="panel" aria-labelledby="sessions-title">
        <h2 id="sessions-title">Where you are signed in</h2>
        <Loaded data={sessions.data} error={sessions.error} what="your sessions">
          {(list) => (
            <table>
              <caption className="visually-hidden">Your live sessions</caption>
              <thead><tr><th scope="col">Signed in</th><th scope="col">Last active</th><th scope="col">Browser</th><th scope="col">Address</th></tr></thead>
              <tbody>
                {list.map((s) => (
                  <tr key={s.id}>
                    <th scope="row">{formatTime(s.createdAt)}{s.current ? ' (this browser)' : ''}</th>
                    <td>{formatTime(s.lastSeenAt)}</td>
                    <td>{s.client.userAgent || '—'}</td>
                    <td>{s.client.ip}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Loaded>
        <ErrorNote error={error} />
        <button type="button" className="danger" onClick={() => void everywhere()}>Sign out everywhere</button>
      </section>
    </section>
  );
}
