/**
 * Small shared pieces of every page: error and success notes announced to screen readers, the
 * "not permitted" panel shown when the server refuses a role, and the loading line.
 */
import type { ReactNode } from 'react';
import type { ApiError } from '../api/client.js';
import { describeError } from '../api/messages.js';
import { ROLE_LABELS } from '../api/types.js';
import { useSession } from '../session/SessionProvider.js';

/** An error in words, announced (role="alert"); renders nothing without an error. */
export function ErrorNote({ error }: { error: ApiError | string | undefined }) {
  if (error === undefined) return null;
  return <p className="note note-error" role="alert">{typeof error === 'string' ? error : describeError(error)}</p>;
}

/** A confirmation, announced politely. */
export function SuccessNote({ children }: { children: ReactNode }) {
  return <p className="note note-ok" role="status">{children}</p>;
}

/**
 * The server refused the role (403 forbidden): say so without showing anything else of the
 * page, so no data of a forbidden resource is on screen.
 */
export function NotPermitted({ what }: { what: string }) {
  const { session } = useSession();
  return (
    <section className="panel not-permitted" aria-labelledby="not-permitted-title">
      <h2 id="not-permitted-title">Not permitted</h2>
      <p>
        Your role{session ? ` (${ROLE_LABELS[session.role]})` : ''} is not permitted to see {what}. The coordinator refused the request.
      </p>
    </section>
  );
}

/** A loading line (polite live region). */
export function Loading({ what }: { what: string }) {
  return <p className="muted" role="status">Loading {what}…</p>;
}

/**
 * Render `children` with the data once loaded; the not-permitted panel for 403 forbidden; the
 * error note otherwise.
 */
export function Loaded<T>({ data, error, what, children }: { data: T | undefined; error: ApiError | undefined; what: string; children: (data: T) => ReactNode }) {
  if (error?.forbidden) return <NotPermitted what={what} />;
  if (error !== undefined) return <ErrorNote error={error} />;
  if (data === undefined) return <Loading what={what} />;
  return <>{children(data)}</>;
}
