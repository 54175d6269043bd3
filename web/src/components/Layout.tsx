/**
 * The frame of every page: a skip link, the header with the navigation the role may use and
 * the signed-in person with "Sign out", the inactivity banner, and the page itself in <main>.
 * Moving to another page moves keyboard focus to the new page's content.
 */
import { Suspense, useEffect, useRef } from 'react';
import { NavLink, Outlet, useLocation, useNavigate } from 'react-router-dom';
import { ROLE_LABELS } from '../api/types.js';
import { pagesFor } from '../session/access.js';
import { useSession } from '../session/SessionProvider.js';
import { ExpiryBanner } from './ExpiryBanner.js';
import { Loading } from './Notes.js';

/** The app's frame around the current route. */
export function Layout() {
  const { session, signOut } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const main = useRef<HTMLElement>(null);
  const shownPath = useRef(location.pathname);

  useEffect(() => {
    if (shownPath.current === location.pathname) return; // first render (or a remount): keep the browser's focus
    shownPath.current = location.pathname;
    main.current?.focus(); // keyboard and screen-reader users start at the new page
  }, [location.pathname]);

  const pages = session && !session.totpEnrolmentRequired ? pagesFor(session.permissions) : [];
  return (
    <>
      <a className="skip-link" href="#main">Skip to content</a>
      <header className="topbar">
        <NavLink to="/" className="brand">FedCredit</NavLink>
        <nav aria-label="Main">
          <ul>
            {pages.map((page) => (
              <li key={page.path}><NavLink to={page.path}>{page.label}</NavLink></li>
            ))}
          </ul>
        </nav>
        <div className="who">
          {session ? (
            <>
              <span className="who-name">{session.user.displayName}</span>
              <span className="role-badge">{ROLE_LABELS[session.role]}</span>
              <button type="button" className="secondary" onClick={() => void signOut().finally(() => navigate('/signin'))}>Sign out</button>
            </>
          ) : (
            <NavLink to="/signin">Sign in</NavLink>
          )}
        </div>
      </header>
      <ExpiryBanner />
      <main id="main" ref={main} tabIndex={-1}>
        <Suspense fallback={<Loading what="the page" />}>
          <Outlet />
        </Suspense>
      </main>
      <footer className="footer">FedCredit: lenders train one credit-risk model together; no customer record leaves its lender.</footer>
    </>
  );
}
