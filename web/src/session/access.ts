/**
 * Which pages a role sees, from the `permissions` list of its session (the "METHOD /path"
 * keys of the server's permissions table). Hiding a page is only courtesy: the server refuses
 * the calls anyway, and every page handles a 403 by saying "not permitted". Pure, so it is
 * unit-tested in node.
 */

/** A page of the signed-in part of the dashboard. */
export interface PageEntry {
  readonly path: string;
  readonly label: string;
  /** Shown when the role may call any of these routes. */
  readonly needsAny: readonly string[];
}

/** The signed-in pages, in navigation order. */
export const PAGES: readonly PageEntry[] = [
  { path: '/federation', label: 'Federation', needsAny: ['GET /api/v1/jobs'] },
  { path: '/risk', label: 'Risk workspace', needsAny: ['POST /api/v1/score'] },
  // the lender workspace, served by each node
  { path: '/applications', label: 'Applications', needsAny: ['GET /api/v1/applications'] },
  { path: '/applications/new', label: 'Score an applicant', needsAny: ['POST /api/v1/applications'] },
  { path: '/audit', label: 'Audit log', needsAny: ['GET /api/v1/audit'] },
  { path: '/users', label: 'Users', needsAny: ['GET /api/v1/users'] },
  { path: '/profile', label: 'Profile', needsAny: ['GET /api/v1/profile'] },
  { path: '/settings', label: 'Settings', needsAny: ['GET /api/v1/profile'] },
];

/** Whether the permissions allow calling `route` ("METHOD /path"). */
export function may(permissions: readonly string[], route: string): boolean {
  return permissions.includes(route);
}

/** The pages a session with `permissions` sees. */
export function pagesFor(permissions: readonly string[]): PageEntry[] {
  return PAGES.filter((page) => page.needsAny.some((route) => may(permissions, route)));
}

/** Where to land after sign-in: the first page the role may use (the profile at least). */
export function landingPath(permissions: readonly string[]): string {
  return pagesFor(permissions)[0]?.path ?? '/profile';
}
