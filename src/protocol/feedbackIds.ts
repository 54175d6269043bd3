/**
 * How a node tells the coordinator which officers' feedback its local training used: opaque
 * ids only (never a value), in a train reply's `config.feedbackIds` (comma-separated, at most
 * {@link MAX_REPORTED_FEEDBACK_IDS}) with the full count in `config.numFeedback`. The
 * coordinator lists them in the model version's lineage.
 */
import type { ConfigValue } from './message.js';

/** Most ids one reply carries (the count says how many there were). */
export const MAX_REPORTED_FEEDBACK_IDS = 100;
const ID = /^[A-Za-z0-9-]{1,64}$/;

/** The reply config fields for `ids` (none when empty). */
export function feedbackIdsConfig(ids: readonly string[]): Record<string, ConfigValue> {
  const valid = ids.filter((id) => ID.test(id));
  if (valid.length === 0) return {};
  return { feedbackIds: valid.slice(0, MAX_REPORTED_FEEDBACK_IDS).join(','), numFeedback: valid.length };
}

/** The feedback ids a reply reports; malformed or excess entries are dropped, never trusted. */
export function readFeedbackIds(config: Readonly<Record<string, ConfigValue>> | undefined): string[] {
  const text = config?.feedbackIds;
  if (typeof text !== 'string' || text.length > MAX_REPORTED_FEEDBACK_IDS * 65) return [];
  return [...new Set(text.split(',').filter((id) => ID.test(id)))].slice(0, MAX_REPORTED_FEEDBACK_IDS);
}
