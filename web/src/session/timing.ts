/**
 * When to warn and when to sign out, from the session's deadlines (server clock, epoch ms) and
 * the page's clock. Pure, so it is unit-tested in node. The page assumes its clock agrees with
 * the server's to within seconds (NTP); the server enforces the deadline regardless, and the
 * page re-asks GET /api/v1/session before acting on either moment.
 */

/** The deadlines of a session, as GET /api/v1/session reports them. */
export interface Deadlines {
  readonly warningAt: number;
  readonly expiresAt: number;
}

/** Where a session stands at a moment. */
export type ExpiryPhase = 'active' | 'warning' | 'expired';

/** The phase of `deadlines` at `nowMs`. */
export function expiryPhase(nowMs: number, deadlines: Deadlines): ExpiryPhase {
  if (nowMs >= deadlines.expiresAt) return 'expired';
  if (nowMs >= deadlines.warningAt) return 'warning';
  return 'active';
}

/**
 * Milliseconds until the phase next changes (the warning, then the expiry), at least
 * `minDelayMs` so a timer loop cannot spin; undefined once expired.
 */
export function msUntilNextPhase(nowMs: number, deadlines: Deadlines, minDelayMs = 250): number | undefined {
  const phase = expiryPhase(nowMs, deadlines);
  if (phase === 'expired') return undefined;
  const next = phase === 'active' ? deadlines.warningAt : deadlines.expiresAt;
  return Math.max(minDelayMs, next - nowMs);
}

/** "1:05", "0:09": a countdown of whole seconds as m:ss (never negative). */
export function countdown(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`;
}
