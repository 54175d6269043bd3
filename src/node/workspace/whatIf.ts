/**
 * "What would change the decision" for a stored application: its record is parsed against the
 * scorer's schema again and handed to the counterfactual search (src/scoring/counterfactual.ts),
 * which answers with the smallest changes of one or two actionable fields that move the
 * decision to a better class. Undefined when the record no longer fits the schema.
 */
import { counterfactuals, type CounterfactualAnswer } from '../../scoring/counterfactual.js';
import type { Scorer } from '../../scoring/scorer.js';
import { parseRecords } from '../../scoring/validate.js';

/** The counterfactual answer for one stored record under `scorer`. */
export function recordCounterfactuals(scorer: Scorer, record: Readonly<Record<string, string | number | null>>): CounterfactualAnswer | undefined {
  const parsed = parseRecords([record], scorer.schema);
  if (!parsed.ok) return undefined;
  return counterfactuals(scorer, parsed.table, 0);
}
