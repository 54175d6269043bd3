/**
 * The one way the pages talk to the coordinator: same-origin `fetch` with the session cookie
 * (sent by the browser; the page cannot read it), JSON bodies, and the `x-csrf-token` header on
 * every state change. Failures become {@link ApiError}s carrying the server's error code, so a
 * page can say "not permitted" for 403 `forbidden` and the session layer can sign out on 401.
 */

/** An answer other than 2xx, or no answer at all (status 0). */
export class ApiError extends Error {
  readonly status: number;
  /** The server's `error` code, e.g. 'forbidden', 'locked', 'invalid_credentials'. */
  readonly code: string;
  /** Field-level problems, when the server listed them. */
  readonly issues: readonly { field?: string; code?: string; message?: string; expected?: string; index?: number }[];
  /** Seconds until a retry may succeed (Retry-After of 429 answers). */
  readonly retryAfterSeconds: number | undefined;

  constructor(options: { status: number; code: string; message: string; issues?: ApiError['issues']; retryAfterSeconds?: number }) {
    super(options.message);
    this.name = 'ApiError';
    this.status = options.status;
    this.code = options.code;
    this.issues = options.issues ?? [];
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  /** True for the refusal of a route the role may not call. */
  get forbidden(): boolean {
    return this.status === 403 && this.code === 'forbidden';
  }
}

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

let csrfToken: string | undefined;
const endedListeners = new Set<(error: ApiError) => void>();
const activityListeners = new Set<() => void>();

/** Remember the CSRF token of the current session (from sign-in or GET /session). */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/**
 * Hear about a session that ended while the page was using it (401 on an authenticated call):
 * the session layer signs out locally and says why. Returns the unsubscribe function.
 */
export function onSessionEnded(listener: (error: ApiError) => void): () => void {
  endedListeners.add(listener);
  return () => endedListeners.delete(listener);
}

/**
 * Hear about every request that counts as activity on the server (all but GET /session), so
 * the session layer can learn the new inactivity deadline. Returns the unsubscribe function.
 */
export function onActivity(listener: () => void): () => void {
  activityListeners.add(listener);
  return () => activityListeners.delete(listener);
}

/** Routes where a 401 is an answer about credentials, not about the session. */
const CREDENTIAL_ROUTES = new Set(['/api/v1/session', '/api/v1/setup', '/api/v1/register']);

/**
 * Call the API. Resolves with the parsed JSON body (undefined for 204); rejects with ApiError.
 *
 * @example const jobs = await api<Job[]>('GET', '/api/v1/jobs');
 */
export async function api<T>(method: Method, path: string, body?: unknown): Promise<T> {
  if (!path.startsWith('/api/')) throw new TypeError(`path must start with /api/, got ${path}`);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken !== undefined) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(path, { method, headers, credentials: 'same-origin', ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  } catch {
    throw new ApiError({ status: 0, code: 'network', message: 'The coordinator cannot be reached. Check the connection and try again.' });
  }
  const passive = method === 'GET' && path === '/api/v1/session';
  const parsed: unknown = response.status === 204 ? undefined : await response.json().catch(() => undefined);
  if (!response.ok) {
    const fields = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as { error?: unknown; message?: unknown; issues?: unknown };
    const retryAfter = Number(response.headers.get('retry-after'));
    const error = new ApiError({
      status: response.status,
      code: typeof fields.error === 'string' ? fields.error : `http_${response.status}`,
      message: typeof fields.message === 'string' ? fields.message : `The coordinator answered ${response.status}.`,
      issues: Array.isArray(fields.issues) ? (fields.issues as ApiError['issues']) : [],
      ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterSeconds: retryAfter } : {}),
    });
    if (response.status === 401 && !(method === 'POST' && CREDENTIAL_ROUTES.has(path))) for (const listener of endedListeners) listener(error);
    throw error;
  }
  if (!passive) for (const listener of activityListeners) listener();
  return parsed as T;
}
