/**
 * Browser sessions: a random 256-bit token in the `fc_session` cookie (HttpOnly, SameSite=
 * Strict, Secure under HTTPS, Path=/), of which the store keeps only the SHA-256. A session ends
 * after a period of inactivity (the admin's setting, default 15 minutes), after at most
 * {@link MAX_SESSION_AGE_MS} whatever the activity, on sign-out, or when the account is
 * disabled or its role changes. Each request that counts as activity slides the deadline.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SessionRecord, Store, UserRecord, UserRole } from '../store/index.js';
import type { WebKeys } from './secretBox.js';
import type { SettingsService } from './settings.js';

/** Name of the session cookie. */
export const SESSION_COOKIE = 'fc_session';
/** Absolute lifetime of a session, however active (OWASP Session Management: absolute timeout). */
export const MAX_SESSION_AGE_MS = 12 * 3_600_000;
/** The dashboard warns this long before the inactivity deadline (at most half the timeout). */
export const EXPIRY_WARNING_MS = 120_000;

/** A person signed in through a session. */
export interface SessionPrincipal {
  readonly kind: 'session';
  /** The user id: the actor of audit entries. */
  readonly actor: string;
  readonly role: UserRole;
  readonly user: UserRecord;
  readonly session: SessionRecord;
  readonly token: string;
  /** True while the person must enrol TOTP before doing anything else. */
  readonly restricted: boolean;
  /** Current inactivity deadline (epoch ms). */
  expiresAt: number;
}

/** The CLI's admin bearer token. */
export interface TokenPrincipal {
  readonly kind: 'token';
  readonly actor: 'admin';
  readonly role: 'admin';
  readonly restricted: false;
}

/** Whoever a request acts for. */
export type Principal = SessionPrincipal | TokenPrincipal;

/** Outcome of {@link SessionManager.resolve}. */
export type SessionResolution =
  | { readonly ok: true; readonly principal: SessionPrincipal }
  | { readonly ok: false; readonly code: 'unauthenticated' | 'session_expired'; readonly hadCookie: boolean };

/** What {@link SessionManager.view} reports about a session's timing. */
export interface SessionTiming {
  readonly expiresAt: number;
  readonly warningAt: number;
  readonly timeoutMinutes: number;
}

const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** Creates, finds, slides and ends sessions. */
export class SessionManager {
  constructor(private readonly deps: { store: Store; keys: WebKeys; settings: SettingsService; now: () => number; secureCookies: boolean }) {}

  /** Whether this person must use TOTP: admins always, everyone when the setting says so. */
  async totpRequired(user: UserRecord): Promise<boolean> {
    return user.role === 'admin' || (await this.deps.settings.get()).totpRequiredForAll;
  }

  /** Start a session for `user` and return its token (for the cookie) and CSRF token. */
  async open(user: UserRecord, request: FastifyRequest): Promise<{ token: string; csrfToken: string; session: SessionRecord }> {
    const token = randomBytes(32).toString('base64url');
    const csrfToken = this.deps.keys.csrfToken(token);
    const now = this.deps.now();
    const expiresAt = Math.min(now + (await this.deps.settings.sessionTimeoutMs()), now + MAX_SESSION_AGE_MS);
    const session = await this.deps.store.createSession({
      id: sha256Hex(token), userId: user.id, csrfTokenHash: sha256Hex(csrfToken), expiresAt, atMs: now, client: clientSummary(request),
    });
    return { token, csrfToken, session };
  }

  /** Set the session cookie. */
  setCookie(reply: FastifyReply, token: string): void {
    void reply.setCookie(SESSION_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'strict', secure: this.deps.secureCookies });
  }

  /** Tell the browser to drop the session cookie. */
  clearCookie(reply: FastifyReply): void {
    void reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict', secure: this.deps.secureCookies });
  }

  /** The session token of the request's cookie, if it has the shape of one. */
  tokenOf(request: FastifyRequest): string | undefined {
    const token = (request.cookies as Record<string, string | undefined> | undefined)?.[SESSION_COOKIE];
    return typeof token === 'string' && TOKEN_PATTERN.test(token) ? token : undefined;
  }

  /** Find the live session of the request's cookie, with its user. */
  async resolve(request: FastifyRequest): Promise<SessionResolution> {
    const hadCookie = (request.cookies as Record<string, string | undefined> | undefined)?.[SESSION_COOKIE] !== undefined;
    const token = this.tokenOf(request);
    if (token === undefined) return { ok: false, code: 'unauthenticated', hadCookie };
    let session: SessionRecord;
    try {
      session = await this.deps.store.getSession(sha256Hex(token));
    } catch (error) {
      if ((error as { code?: string }).code === 'NOT_FOUND') return { ok: false, code: 'unauthenticated', hadCookie };
      throw error;
    }
    if (session.revokedAt !== undefined) return { ok: false, code: 'unauthenticated', hadCookie };
    const timeoutMs = await this.deps.settings.sessionTimeoutMs();
    // A shortened timeout applies at once, not only after the next activity.
    const deadline = Math.min(session.expiresAt, session.lastSeenAt + timeoutMs, session.createdAt + MAX_SESSION_AGE_MS);
    if (this.deps.now() >= deadline) return { ok: false, code: 'session_expired', hadCookie };
    const user = await this.deps.store.getUser(session.userId);
    if (user.status !== 'active' || user.role === undefined) {
      await this.deps.store.revokeSession(session.id);
      return { ok: false, code: 'unauthenticated', hadCookie };
    }
    const restricted = (await this.totpRequired(user)) && !user.totpEnabled;
    return { ok: true, principal: { kind: 'session', actor: user.id, role: user.role, user, session, token, restricted, expiresAt: deadline } };
  }

  /** Count a request as activity: slide the inactivity deadline. */
  async touch(principal: SessionPrincipal): Promise<void> {
    const now = this.deps.now();
    const expiresAt = Math.min(now + (await this.deps.settings.sessionTimeoutMs()), principal.session.createdAt + MAX_SESSION_AGE_MS);
    await this.deps.store.touchSession(principal.session.id, { lastSeenAt: now, expiresAt });
    principal.expiresAt = expiresAt;
  }

  /** Whether `header` is this session's CSRF token (compared as hashes, in constant time). */
  csrfValid(principal: SessionPrincipal, header: unknown): boolean {
    if (typeof header !== 'string' || header.length === 0 || header.length > 200) return false;
    return timingSafeEqual(Buffer.from(sha256Hex(header), 'hex'), Buffer.from(principal.session.csrfTokenHash, 'hex'));
  }

  /** The CSRF token of a session (recomputed from its token). */
  csrfToken(principal: SessionPrincipal): string {
    return this.deps.keys.csrfToken(principal.token);
  }

  /** Deadline, warning time and timeout of a session. */
  async view(expiresAt: number): Promise<SessionTiming> {
    const timeoutMs = await this.deps.settings.sessionTimeoutMs();
    return { expiresAt, warningAt: expiresAt - Math.min(EXPIRY_WARNING_MS, timeoutMs / 2), timeoutMinutes: timeoutMs / 60_000 };
  }
}

/** Where a request comes from, short enough for a session list and an audit entry. */
export function clientSummary(request: FastifyRequest): { ip: string; userAgent: string } {
  const agent = request.headers['user-agent'];
  return { ip: request.ip, userAgent: typeof agent === 'string' ? agent.slice(0, 120) : '' };
}
