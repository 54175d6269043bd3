/**
 * Second-factor management: set it up (enrolment page), get new recovery codes (the old ones
 * stop working), or switch it off (not allowed for administrators, or for everyone when the
 * administrators require it). Both changes need a current code or a recovery code.
 */
import { useState } from 'react';
import type { FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { api, ApiError } from '../../api/client.js';
import { TextField } from '../../components/Field.js';
import { ErrorNote, SuccessNote } from '../../components/Notes.js';
import { useSession } from '../../session/SessionProvider.js';

/** The two-factor section. */
export function TwoFactor({ enabled, onChanged }: { enabled: boolean; onChanged: () => void }) {
  const { refresh } = useSession();
  const [code, setCode] = useState('');
  const [codes, setCodes] = useState<string[] | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [done, setDone] = useState<string | undefined>(undefined);

  const proof = () => (/^\d[\d ]*$/.test(code.trim()) ? { code: code.replace(/\s+/g, '') } : { recoveryCode: code.trim() });
  const run = async (what: 'codes' | 'disable') => {
    setError(undefined);
    setDone(undefined);
    try {
      if (what === 'codes') {
        setCodes((await api<{ recoveryCodes: string[] }>('POST', '/api/v1/totp/recovery-codes', proof())).recoveryCodes);
      } else {
        await api('POST', '/api/v1/totp/disable', proof());
        setDone('Two-factor authentication is off.');
        onChanged();
        void refresh();
      }
    } catch (err) {
      if (err instanceof ApiError) setError(err);
    }
    setCode('');
  };

  if (!enabled) {
    return (
      <section aria-labelledby="twofactor-title">
        <h2 id="twofactor-title">Two-factor authentication</h2>
        {done ? <SuccessNote>{done}</SuccessNote> : null}
        <p>Off. A second factor protects your account if your password leaks.</p>
        <Link className="button" to="/enrol">Set up two-factor authentication</Link>
      </section>
    );
  }
  return (
    <section aria-labelledby="twofactor-title">
      <h2 id="twofactor-title">Two-factor authentication</h2>
      <p>On. To change it, confirm with a current code from your app or a recovery code.</p>
      <form onSubmit={(e: FormEvent) => { e.preventDefault(); void run('codes'); }}>
        <TextField id="tf-code" label="Code from your app, or a recovery code" required autoComplete="one-time-code" value={code} onChange={(e) => setCode(e.target.value)} />
        <ErrorNote error={error} />
        <div className="actions">
          <button type="submit">Get new recovery codes</button>
          <button type="button" className="danger" onClick={() => void run('disable')}>Turn off</button>
        </div>
      </form>
      {codes ? (
        <>
          <SuccessNote>New recovery codes (the old ones no longer work). They are shown only now:</SuccessNote>
          <ol className="recovery-codes" aria-label="Recovery codes">{codes.map((c) => <li key={c}><code>{c}</code></li>)}</ol>
        </>
      ) : null}
    </section>
  );
}
