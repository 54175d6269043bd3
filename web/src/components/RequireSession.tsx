/**
 * Guards the signed-in pages: nobody signed in → the sign-in page (which then shows why, e.g.
 * "signed out after 15 minutes without activity"); a session that must enrol TOTP first → the
 * enrolment page. Roles are not checked here: each page asks the server, which decides.
 */
import { Navigate, Outlet, useLocation } from 'react-router-dom';
import { useSession } from '../session/SessionProvider.js';
import { Loading } from './Notes.js';

/** Render the child route only with a full session. */
export function RequireSession({ allowEnrolment = false }: { allowEnrolment?: boolean }) {
  const { state } = useSession();
  const location = useLocation();
  if (state.status === 'loading') return <Loading what="your session" />;
  if (state.status === 'signedOut') return <Navigate to="/signin" replace state={{ from: location.pathname }} />;
  if (state.session.totpEnrolmentRequired && !allowEnrolment) return <Navigate to="/enrol" replace />;
  return <Outlet />;
}
