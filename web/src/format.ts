/** Number and time formats of the pages (fixed locale, so screenshots and tests are stable). */

const dateTime = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'medium' });

/** "14 Nov 2023, 22:13:20" from epoch ms; "—" when absent. */
export function formatTime(epochMs: number | undefined | null): string {
  return typeof epochMs === 'number' && Number.isFinite(epochMs) ? dateTime.format(new Date(epochMs)) : '—';
}

/** A metric with `digits` decimals, "—" when absent or not finite. */
export function formatNumber(value: number | undefined | null, digits = 3): string {
  return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(digits) : '—';
}

/** 0.1234 → "12.3 %". */
export function formatPercent(value: number | undefined | null, digits = 1): string {
  return typeof value === 'number' && Number.isFinite(value) ? `${(100 * value).toFixed(digits)} %` : '—';
}

/** The first characters of an id, enough to tell ids apart on screen. */
export function shortId(id: string, chars = 8): string {
  return id.length <= chars ? id : `${id.slice(0, chars)}…`;
}
