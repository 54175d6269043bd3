/**
 * Two-factor enrolment: the QR code (and the secret for typing) of a new TOTP key, the first
 * code to confirm it, then the ten recovery codes, shown this once. Administrators cannot do
 * anything else until this is done; others reach it from Settings.
 */
import { useEffect, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { useNavigate } from 'react-router-dom';
import { api, ApiError } from '../api/client.js';
import { ErrorNote, Loading } from '../components/Notes.js';
import { TextField } from '../components/Field.js';
import { usePageTitle } from '../components/usePageTitle.js';
import { landingPath } from '../session/access.js';
import { useSession } from '../session/SessionProvider.js';

interface Enrolment {
  readonly qrDataUrl: string;
  readonly secret: string;
  readonly otpauthUri: string;
}

/** The enrolment page. */
export default function EnrolTotp() {
  usePageTitle('Set up two-factor authentication');
  const { session, refresh } = useSession();
  const navigate = useNavigate();
  const [enrolment, setEnrolment] = useState<Enrolment | undefined>(undefined);
  const [code, setCode] = useState('');
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const started = useRef(false);

  useEffect(() => {
    if (started.current || session?.user.totpEnabled) return;
    started.current = true; // one key per visit (StrictMode runs effects twice in development)
    api<Enrolment>('POST', '/api/v1/totp/enrol').then(setEnrolment, (err: unknown) => setError(err instanceof ApiError ? err : undefined));
  }, [session?.user.totpEnabled]);

  const confirm = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    try {
      const answer = await api<{ recoveryCodes: string[] }>('POST', '/api/v1/totp/confirm', { code: code.replace(/\s+/g, '') });
      setRecoveryCodes(answer.recoveryCodes);
    } catch (err) {
      if (err instanceof ApiError) setError(err);
      setCode('');
    }
  };

  const finish = async () => {
    const updated = await refresh(); // the session now carries the role's permissions
    navigate(updated ? landingPath(updated.permissions) : '/signin');
  };

  if (recoveryCodes !== undefined) {
    return (
      <section className="narrow">
        <h1>Save your recovery codes</h1>
        <p className="note note-ok" role="status">Two-factor authentication is on.</p>
        <p>If you lose your phone, each of these codes signs you in once. They are shown <strong>only now</strong>: print them or keep them in a password manager.</p>
        <ol className="recovery-codes" aria-label="Recovery codes">
          {recoveryCodes.map((c) => <li key={c}><code>{c}</code></li>)}
        </ol>
        <button type="button" onClick={() => void finish()}>I have saved them — continue</button>
      </section>
    );
  }
  if (session?.user.totpEnabled) {
    return (
      <section className="narrow">
        <h1>Two-factor authentication is already on</h1>
        <p>Manage it under Settings.</p>
      </section>
    );
  }
  return (
    <section className="narrow">
      <h1>Set up two-factor authentication</h1>
      {session?.totpEnrolmentRequired ? <p className="note note-info" role="status">Your account needs a second factor before you can continue.</p> : null}
      <ErrorNote error={error} />
      {enrolment === undefined ? (error ? null : <Loading what="a new key" />) : (
        <>
          <ol className="steps">
            <li>Open an authenticator app (e.g. FreeOTP, Aegis, Google Authenticator) and scan this code:
              <div><img className="qr" src={enrolment.qrDataUrl} width={200} height={200} alt="QR code of the new authenticator key (the key is also written out below)" /></div>
            </li>
            <li>Or type the key: <code className="secret" aria-label="Authenticator key">{enrolment.secret.replace(/(.{4})/g, '$1 ').trim()}</code></li>
            <li>Enter the 6-digit code the app shows now.</li>
          </ol>
          <form onSubmit={(e) => void confirm(e)}>
            <TextField id="enrol-code" label="Authentication code" required inputMode="numeric" autoComplete="one-time-code" pattern="[0-9 ]{6,7}" maxLength={7} value={code} onChange={(e) => setCode(e.target.value)} />
            <button type="submit">Turn on two-factor authentication</button>
          </form>
        </>
      )}
    </section>
  );
}
