/**
 * Server settings an admin changes from the dashboard: the inactivity timeout of sessions and
 * whether every role (not only admins) must use TOTP. Stored in the store's settings table;
 * read through a short cache because the session check needs the timeout on every request.
 */
import type { JsonValue, Store } from '../store/index.js';

/** The settings and their types. */
export interface WebSettings {
  /** Minutes of inactivity after which a session ends (1..1440; default 15). */
  readonly sessionTimeoutMinutes: number;
  /** Whether every role must enrol TOTP (admins always must); default false. */
  readonly totpRequiredForAll: boolean;
}

/** Values used until an admin changes them. */
export const DEFAULT_WEB_SETTINGS: WebSettings = Object.freeze({ sessionTimeoutMinutes: 15, totpRequiredForAll: false });

/** A coded problem in a settings change. */
export interface SettingsIssue {
  readonly field: string;
  readonly code: 'unknown_field' | 'out_of_range' | 'wrong_type';
  readonly message: string;
}

/**
 * Parse a settings change from an untrusted request body: only known fields, each checked.
 * Returns every problem rather than the first one.
 */
export function parseSettingsPatch(body: unknown): { ok: true; patch: Partial<WebSettings> } | { ok: false; issues: SettingsIssue[] } {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return { ok: false, issues: [{ field: '', code: 'wrong_type', message: 'expected a JSON object' }] };
  const issues: SettingsIssue[] = [];
  const patch: { sessionTimeoutMinutes?: number; totpRequiredForAll?: boolean } = {};
  for (const [field, value] of Object.entries(body)) {
    if (field === 'sessionTimeoutMinutes') {
      if (typeof value !== 'number' || !Number.isInteger(value)) issues.push({ field, code: 'wrong_type', message: 'expected a whole number of minutes' });
      else if (value < 1 || value > 1440) issues.push({ field, code: 'out_of_range', message: 'expected 1..1440 minutes' });
      else patch.sessionTimeoutMinutes = value;
    } else if (field === 'totpRequiredForAll') {
      if (typeof value !== 'boolean') issues.push({ field, code: 'wrong_type', message: 'expected true or false' });
      else patch.totpRequiredForAll = value;
    } else {
      issues.push({ field, code: 'unknown_field', message: 'not a setting' });
    }
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, patch };
}

/** Reads settings with defaults, caches them briefly, writes changes through. */
export class SettingsService {
  private cached: { value: WebSettings; atMs: number } | undefined;

  constructor(private readonly store: Store, private readonly now: () => number, private readonly cacheMs = 5000) {}

  /** Current settings (stored values over defaults; a malformed stored value falls back to its default). */
  async get(): Promise<WebSettings> {
    const now = this.now();
    if (this.cached !== undefined && now - this.cached.atMs < this.cacheMs && now >= this.cached.atMs) return this.cached.value;
    const stored = await this.store.listSettings();
    const parsed = parseSettingsPatch(Object.fromEntries(Object.entries(stored).filter(([k]) => k in DEFAULT_WEB_SETTINGS)));
    const value = { ...DEFAULT_WEB_SETTINGS, ...(parsed.ok ? parsed.patch : {}) };
    this.cached = { value, atMs: now };
    return value;
  }

  /** Apply a parsed change; returns the new settings. */
  async update(patch: Partial<WebSettings>, actor: string): Promise<WebSettings> {
    for (const [key, value] of Object.entries(patch)) await this.store.putSetting(key, value as JsonValue, actor);
    this.cached = undefined;
    return this.get();
  }

  /** Inactivity timeout in ms. */
  async sessionTimeoutMs(): Promise<number> {
    return (await this.get()).sessionTimeoutMinutes * 60_000;
  }
}
