/**
 * Who is signed in, for every page: loads GET /api/v1/session at start, signs in and out,
 * keeps the CSRF token for the API client, and watches the inactivity deadline: it warns from
 * `warningAt` (the banner offers "stay signed in", which calls keepalive) and signs out when the
 * server says the session ended. The deadline moves with every request the page makes (the
 * server counts them as activity), so after activity it re-reads the session.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import { api, ApiError, onActivity, onSessionEnded, setCsrfToken } from '../api/client.js';
import type { Session, SessionTiming } from '../api/types.js';
import { expiryPhase, msUntilNextPhase } from './timing.js';

/** Where the page stands. */
export type SessionState =
  | { readonly status: 'loading' }
  | { readonly status: 'signedOut'; readonly notice?: string }
  | { readonly status: 'signedIn'; readonly session: Session };

/** What {@link useSession} offers. */
export interface SessionApi {
  readonly state: SessionState;
  /** The signed-in session, if any. */
  readonly session: Session | undefined;
  /** True from `warningAt` until the session is extended or ends. */
  readonly warning: boolean;
  signIn(credentials: { email: string; password: string; totp?: string; recoveryCode?: string }): Promise<Session>;
  signOut(): Promise<void>;
  signOutEverywhere(): Promise<number>;
  /** Re-read GET /api/v1/session (signs out locally on 401). */
  refresh(): Promise<Session | undefined>;
  keepAlive(): Promise<void>;
}

const SessionContext = createContext<SessionApi | undefined>(undefined);

/** Re-read the session at least this often (another tab may have extended or ended it). */
const POLL_MS = 30_000;
/** Wait this long after activity before re-reading the deadline (one read per burst). */
const ACTIVITY_SETTLE_MS = 1_500;

/** Provide the session to the app. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });
  const [warning, setWarning] = useState(false);
  const sessionRef = useRef<Session | undefined>(undefined);

  const adopt = useCallback((session: Session | undefined, notice?: string) => {
    sessionRef.current = session;
    setCsrfToken(session?.csrfToken);
    setWarning(session !== undefined && expiryPhase(Date.now(), session) === 'warning');
    setState(session === undefined ? { status: 'signedOut', ...(notice !== undefined ? { notice } : {}) } : { status: 'signedIn', session });
  }, []);

  const refresh = useCallback(async (): Promise<Session | undefined> => {
    const hadSession = sessionRef.current !== undefined;
    try {
      const session = await api<Session>('GET', '/api/v1/session');
      adopt(session);
      return session;
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        // with a session, onSessionEnded has already signed out and said why
        if (!hadSession) adopt(undefined);
        return undefined;
      }
      throw err;
    }
  }, [adopt]);

  // first load
  useEffect(() => {
    refresh().catch(() => adopt(undefined, 'The coordinator cannot be reached right now.'));
  }, [refresh, adopt]);

  // a 401 on any call: the session is over
  useEffect(() => onSessionEnded((error) => {
    if (sessionRef.current === undefined) return;
    const minutes = sessionRef.current.timeoutMinutes;
    adopt(undefined, error.code === 'session_expired'
      ? `You were signed out after ${minutes} minute${minutes === 1 ? '' : 's'} without activity.`
      : 'Your session was ended (signed out elsewhere, or your account was changed). Sign in again.');
  }), [adopt]);

  // activity moves the deadline: re-read it once things settle
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const off = onActivity(() => {
      if (sessionRef.current === undefined) return;
      clearTimeout(timer);
      timer = setTimeout(() => void refresh().catch(() => undefined), ACTIVITY_SETTLE_MS);
    });
    return () => {
      off();
      clearTimeout(timer);
    };
  }, [refresh]);

  // the deadline watch: wake at the next phase change (or the poll), ask the server, update
  const signedInUser = state.status === 'signedIn' ? state.session.user.id : undefined;
  useEffect(() => {
    if (signedInUser === undefined) return;
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const wake = async (ask: boolean) => {
      const session = ask ? await refresh().catch(() => sessionRef.current) : sessionRef.current;
      if (cancelled || session === undefined) return;
      const now = Date.now();
      setWarning(expiryPhase(now, session) === 'warning');
      // past the deadline by our clock but the server still agrees: our clock runs ahead
      const delay = Math.min(msUntilNextPhase(now, session) ?? 5_000, POLL_MS);
      timer = setTimeout(() => void wake(true), delay);
    };
    void wake(false);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [signedInUser, refresh]);

  const signIn = useCallback(async (credentials: { email: string; password: string; totp?: string; recoveryCode?: string }) => {
    const session = await api<Session>('POST', '/api/v1/session', credentials);
    adopt(session);
    return session;
  }, [adopt]);

  const signOut = useCallback(async () => {
    try {
      await api<void>('DELETE', '/api/v1/session');
    } finally {
      adopt(undefined, 'You are signed out.');
    }
  }, [adopt]);

  const signOutEverywhere = useCallback(async () => {
    const { revoked } = await api<{ revoked: number }>('POST', '/api/v1/session/revoke-all');
    adopt(undefined, `You are signed out everywhere (${revoked} session${revoked === 1 ? '' : 's'} ended).`);
    return revoked;
  }, [adopt]);

  const keepAlive = useCallback(async () => {
    const timing = await api<SessionTiming>('POST', '/api/v1/session/keepalive');
    const current = sessionRef.current;
    if (current !== undefined) adopt({ ...current, ...timing });
  }, [adopt]);

  const value = useMemo<SessionApi>(() => ({
    state, warning, session: state.status === 'signedIn' ? state.session : undefined,
    signIn, signOut, signOutEverywhere, refresh, keepAlive,
  }), [state, warning, signIn, signOut, signOutEverywhere, refresh, keepAlive]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

/** The session API (inside {@link SessionProvider}). */
export function useSession(): SessionApi {
  const value = useContext(SessionContext);
  if (value === undefined) throw new Error('useSession must be used inside <SessionProvider>');
  return value;
}
