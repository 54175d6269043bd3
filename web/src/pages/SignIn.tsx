/**
 * Sign-in with email and password, then (when enrolled) the 6-digit code of the authenticator
 * app or a recovery code. Explains refusals: wrong credentials, a locked account (with the
 * wait), the per-address rate limit, a pending or disabled account, and why the last session
 * ended. An administrator without a second factor goes on to the enrolment page.
 */
import { useState } from 'react';
import type { FormEvent } from 'react';
import { Link, useLocation, useNavigate } from 'react-router-dom';
import { ApiError } from '../api/client.js';
import { ErrorNote } from '../components/Notes.js';
import { TextField } from '../components/Field.js';
import { usePageTitle } from '../components/usePageTitle.js';
import { landingPath, pagesFor } from '../session/access.js';
import { useSession } from '../session/SessionProvider.js';

/** The sign-in page. */
export default function SignIn() {
  usePageTitle('Sign in');
  const { state, signIn } = useSession();
  const navigate = useNavigate();
  const from = (useLocation().state as { from?: string } | null)?.from;
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [needCode, setNeedCode] = useState(false);
  const [useRecovery, setUseRecovery] = useState(false);
  const [code, setCode] = useState('');
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const extra = !needCode || code === '' ? {} : useRecovery ? { recoveryCode: code } : { totp: code.replace(/\s+/g, '') };
      const session = await signIn({ email, password, ...extra });
      if (session.totpEnrolmentRequired) navigate('/enrol');
      // back to the page that asked for a sign-in, if this role may use it (another person may sign in here)
      else navigate(from !== undefined && pagesFor(session.permissions).some((p) => p.path === from) ? from : landingPath(session.permissions));
    } catch (err) {
      if (err instanceof ApiError && err.code === 'totp_required') setNeedCode(true);
      else if (err instanceof ApiError) setError(err);
      else setError(new ApiError({ status: 0, code: 'client', message: String(err) }));
      setCode('');
    } finally {
      setBusy(false);
    }
  };

  const notice = state.status === 'signedOut' ? state.notice : undefined;
  return (
    <section className="narrow">
      <h1>Sign in</h1>
      {notice ? <p className="note note-info" role="status">{notice}</p> : null}
      <form onSubmit={(e) => void submit(e)} aria-describedby="signin-error">
        <TextField id="signin-email" label="Email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} readOnly={needCode} />
        <TextField id="signin-password" label="Password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} readOnly={needCode} />
        {needCode ? (
          <>
            <p className="note note-info" role="status">
              {useRecovery ? 'Enter one of your recovery codes (each works once).' : 'Enter the 6-digit code from your authenticator app.'}
            </p>
            <TextField
              id="signin-code" label={useRecovery ? 'Recovery code' : 'Authentication code'} required autoFocus value={code}
              onChange={(e) => setCode(e.target.value)} autoComplete="one-time-code"
              {...(useRecovery ? { placeholder: 'xxxx-xxxx-xxxx-xxxx' } : { inputMode: 'numeric', pattern: '[0-9 ]{6,7}', maxLength: 7 })}
            />
            <button type="button" className="link" onClick={() => { setUseRecovery(!useRecovery); setCode(''); }}>
              {useRecovery ? 'Use the authenticator app instead' : 'Use a recovery code instead'}
            </button>
          </>
        ) : null}
        <div id="signin-error"><ErrorNote error={error} /></div>
        <button type="submit" disabled={busy}>{needCode ? 'Verify and sign in' : 'Sign in'}</button>
      </form>
      <p>No account yet? <Link to="/register">Request one for your institution</Link>.</p>
    </section>
  );
}
