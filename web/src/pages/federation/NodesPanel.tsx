/**
 * The lenders' nodes: which are online now; administrators invite an institution (a one-time
 * enrollment token for its node, shown once) and revoke a node.
 */
import { useState } from 'react';
import type { FormEvent } from 'react';
import { api, ApiError } from '../../api/client.js';
import type { NodeInfo } from '../../api/types.js';
import { TextField } from '../../components/Field.js';
import { ErrorNote, SuccessNote } from '../../components/Notes.js';
import { formatTime, shortId } from '../../format.js';

/** The nodes list (and, for administrators, invitations). */
export function NodesPanel({ nodes, isAdmin, onChanged }: { nodes: readonly NodeInfo[]; isAdmin: boolean; onChanged: () => void }) {
  const [institution, setInstitution] = useState('');
  const [invite, setInvite] = useState<{ institution: string; token: string; expiresAt: number } | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const online = nodes.filter((n) => n.online && n.revokedAt === undefined).length;

  const sendInvite = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    try {
      setInvite(await api('POST', '/api/v1/invitations', { institution: institution.trim() }));
      setInstitution('');
    } catch (err) {
      if (err instanceof ApiError) setError(err);
    }
  };
  const revoke = async (id: string) => {
    if (!window.confirm(`Revoke node ${shortId(id)}? Its requests will be refused from now on.`)) return;
    try {
      await api('POST', `/api/v1/nodes/${encodeURIComponent(id)}/revoke`);
      onChanged();
    } catch (err) {
      if (err instanceof ApiError) setError(err);
    }
  };

  return (
    <>
      <p className="big-number"><span data-testid="nodes-online">{online}</span> of {nodes.filter((n) => n.revokedAt === undefined).length} nodes online</p>
      <ul className="nodes">
        {nodes.map((n) => (
          <li key={n.id}>
            <span className={`dot ${n.revokedAt !== undefined ? 'dot-revoked' : n.online ? 'dot-on' : 'dot-off'}`} aria-hidden="true" />
            <span>{n.institution ?? 'unknown institution'} — <code title={n.id}>{shortId(n.id)}</code></span>
            <span className="muted">{n.revokedAt !== undefined ? 'revoked' : n.online ? 'online' : `offline, last seen ${formatTime(n.lastSeenAt)}`}</span>
            {isAdmin && n.revokedAt === undefined ? <button type="button" className="secondary small" onClick={() => void revoke(n.id)} aria-label={`Revoke node ${shortId(n.id)}`}>Revoke</button> : null}
          </li>
        ))}
      </ul>
      <ErrorNote error={error} />
      {isAdmin ? (
        <form onSubmit={(e) => void sendInvite(e)} className="inline-form">
          <TextField id="invite-institution" label="Invite an institution" required maxLength={200} value={institution} onChange={(e) => setInstitution(e.target.value)} hint="Creates a one-time enrollment token for the institution’s node." />
          <button type="submit">Create token</button>
        </form>
      ) : null}
      {invite ? (
        <SuccessNote>
          Enrollment token for {invite.institution} (shown once, valid until {formatTime(invite.expiresAt)}): <code className="token">{invite.token}</code>
        </SuccessNote>
      ) : null}
    </>
  );
}
