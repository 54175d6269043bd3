/**
 * The inactivity warning: from the session's `warningAt` a banner counts down to the automatic
 * sign-out and offers "Stay signed in" (POST keepalive) or signing out now.
 */
import { useEffect, useState } from 'react';
import { ApiError } from '../api/client.js';
import { ErrorNote } from './Notes.js';
import { useSession } from '../session/SessionProvider.js';
import { countdown } from '../session/timing.js';

/** Shown only while the session is in its warning phase. */
export function ExpiryBanner() {
  const { session, warning, keepAlive, signOut } = useSession();
  const [nowMs, setNowMs] = useState(() => Date.now());
  const [error, setError] = useState<ApiError | undefined>(undefined);

  useEffect(() => {
    if (!warning) return;
    setNowMs(Date.now());
    const timer = setInterval(() => setNowMs(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [warning]);

  if (!warning || session === undefined) return null;
  const stay = () => {
    setError(undefined);
    keepAlive().catch((err: unknown) => setError(err instanceof ApiError ? err : undefined));
  };
  return (
    <div className="expiry-banner" role="alertdialog" aria-labelledby="expiry-title" aria-describedby="expiry-text">
      <strong id="expiry-title">Your session is about to end</strong>
      <span id="expiry-text">
        Without activity you will be signed out in <span className="countdown">{countdown(session.expiresAt - nowMs)}</span>.
      </span>
      <button type="button" onClick={stay} autoFocus>Stay signed in</button>
      <button type="button" className="secondary" onClick={() => void signOut()}>Sign out now</button>
      <ErrorNote error={error} />
    </div>
  );
}
