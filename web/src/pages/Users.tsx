/**
 * People (administrators): approve registration requests with a role, change roles, disable
 * and enable accounts, lift a lockout, reset a lost second factor. Changing a role or
 * disabling ends the person's sessions at once (server side).
 */
import { useState } from 'react';
import { api, ApiError } from '../api/client.js';
import { ROLE_LABELS } from '../api/types.js';
import type { Role, User } from '../api/types.js';
import { useApiData } from '../api/useApi.js';
import { ErrorNote, Loaded, NotPermitted, SuccessNote } from '../components/Notes.js';
import { usePageTitle } from '../components/usePageTitle.js';
import { formatTime } from '../format.js';
import { useSession } from '../session/SessionProvider.js';

const ROLES = Object.keys(ROLE_LABELS) as Role[];

/** The users page. */
export default function Users() {
  usePageTitle('Users');
  const users = useApiData<User[]>('/api/v1/users');
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [done, setDone] = useState<string | undefined>(undefined);

  const act = async (path: string, body: unknown, message: string) => {
    setError(undefined);
    setDone(undefined);
    try {
      await api('POST', path, body);
      setDone(message);
      users.reload();
    } catch (err) {
      if (err instanceof ApiError) setError(err);
    }
  };

  if (users.error?.forbidden) {
    return (
      <section>
        <h1>Users</h1>
        <NotPermitted what="the accounts" />
      </section>
    );
  }
  return (
    <section className="users">
      <h1>Users</h1>
      <ErrorNote error={error} />
      {done ? <SuccessNote>{done}</SuccessNote> : null}
      <Loaded data={users.data} error={users.error} what="the accounts">
        {(list) => (
          <>
            <section className="panel" aria-labelledby="pending-title">
              <h2 id="pending-title">Waiting for approval</h2>
              {list.filter((u) => u.status === 'pending').length === 0 ? <p className="muted">No request is waiting.</p> : (
                <ul className="pending">
                  {list.filter((u) => u.status === 'pending').map((u) => <PendingRow key={u.id} user={u} onApprove={(role) => act(`/api/v1/users/${u.id}/approve`, { role }, `${u.displayName} is approved as ${ROLE_LABELS[role]}.`)} />)}
                </ul>
              )}
            </section>
            <section className="panel" aria-labelledby="accounts-title">
              <h2 id="accounts-title">Accounts</h2>
              <table>
                <caption className="visually-hidden">Active and disabled accounts</caption>
                <thead><tr><th scope="col">Name</th><th scope="col">Email</th><th scope="col">Institution</th><th scope="col">Role</th><th scope="col">Status</th><th scope="col">2FA</th><th scope="col">Actions</th></tr></thead>
                <tbody>
                  {list.filter((u) => u.status !== 'pending').map((u) => <AccountRow key={u.id} user={u} act={act} />)}
                </tbody>
              </table>
            </section>
          </>
        )}
      </Loaded>
    </section>
  );
}

function PendingRow({ user, onApprove }: { user: User; onApprove: (role: Role) => void }) {
  const [role, setRole] = useState<Role>('risk_officer');
  const id = `approve-role-${user.id}`;
  return (
    <li>
      <span><strong>{user.displayName}</strong> &lt;{user.email}&gt; for <em>{user.requestedInstitution ?? 'no institution given'}</em>, requested {formatTime(user.createdAt)}</span>
      <label htmlFor={id}>Role for {user.displayName}</label>
      <select id={id} value={role} onChange={(e) => setRole(e.target.value as Role)}>
        {ROLES.map((r) => <option key={r} value={r}>{ROLE_LABELS[r]}</option>)}
      </select>
      <button type="button" onClick={() => onApprove(role)}>Approve {user.displayName}</button>
    </li>
  );
}

function AccountRow({ user, act }: { user: User; act: (path: string, body: unknown, message: string) => Promise<void> }) {
  const { session } = useSession();
  const self = session?.user.id === user.id;
  const locked = user.lockedUntil !== undefined && user.lockedUntil > Date.now();
  const base = `/api/v1/users/${user.id}`;
  return (
    <tr>
      <th scope="row">{user.displayName}{self ? ' (you)' : ''}</th>
      <td>{user.email}</td>
      <td>{user.requestedInstitution ?? '—'}</td>
      <td>
        <label className="visually-hidden" htmlFor={`role-${user.id}`}>Role of {user.displayName}</label>
        <select id={`role-${user.id}`} value={user.role ?? ''} disabled={self} onChange={(e) => void act(`${base}/role`, { role: e.target.value }, `${user.displayName} is now ${ROLE_LABELS[e.target.value as Role]}; their sessions were ended.`)}>
          {ROLES.map((r) => <option key={r} value={r}>{ROLE_LABELS[r]}</option>)}
        </select>
      </td>
      <td>{user.status}{locked ? `, locked until ${formatTime(user.lockedUntil)}` : ''}</td>
      <td>{user.totpEnabled ? 'on' : 'off'}</td>
      <td><div className="row-actions">
        {user.status === 'active' && !self ? <button type="button" className="secondary small" onClick={() => void act(`${base}/disable`, undefined, `${user.displayName} is disabled.`)}>Disable</button> : null}
        {user.status === 'disabled' ? <button type="button" className="secondary small" onClick={() => void act(`${base}/enable`, undefined, `${user.displayName} is enabled.`)}>Enable</button> : null}
        {locked ? <button type="button" className="secondary small" onClick={() => void act(`${base}/unlock`, undefined, `${user.displayName} is unlocked.`)}>Unlock</button> : null}
        {user.totpEnabled && !self ? <button type="button" className="secondary small" onClick={() => void act(`${base}/reset-totp`, undefined, `${user.displayName}’s second factor was reset.`)}>Reset 2FA</button> : null}
      </div></td>
    </tr>
  );
}
