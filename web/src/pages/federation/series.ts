/**
 * Chart data from a job's committed rounds: metric series per round, and how many nodes of
 * each institution took part in each round. Pure (no DOM), so it is unit-tested in node.
 */
import type { NodeInfo, Round } from '../../api/types.js';

/** One point of the metric charts. Missing metrics are null (the chart leaves a gap). */
export interface RoundPoint {
  readonly round: number;
  readonly auc: number | null;
  readonly ks: number | null;
  readonly trainLoss: number | null;
  readonly logLoss: number | null;
  readonly numExamples: number | null;
  readonly participants: number;
}

const finiteOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Metric points in round order (rounds may arrive in any order; duplicates keep the last). */
export function roundSeries(rounds: readonly Round[]): RoundPoint[] {
  const byRound = new Map<number, RoundPoint>();
  for (const r of rounds) {
    const m = r.metrics ?? {};
    byRound.set(r.round, {
      round: r.round,
      auc: finiteOrNull(m.auc), ks: finiteOrNull(m.ks), trainLoss: finiteOrNull(m.trainLoss), logLoss: finiteOrNull(m.logLoss),
      numExamples: finiteOrNull(m.numExamples), participants: r.participants.length,
    });
  }
  return [...byRound.values()].sort((a, b) => a.round - b.round);
}

/** Participation chart data: per round, the number of participating nodes per institution. */
export interface Participation {
  /** Institution names (or node labels when the node list is not available), sorted. */
  readonly institutions: readonly string[];
  /** `{ round, [institution]: count }` per round, in round order. */
  readonly rows: readonly Record<string, number>[];
}

/**
 * Count each round's participants per institution. Nodes missing from `nodes` (e.g. a role
 * that may not list nodes) are labelled "node <first 8 characters of the id>".
 */
export function participationByInstitution(rounds: readonly Round[], nodes: readonly NodeInfo[] | undefined): Participation {
  const institutionOf = new Map((nodes ?? []).map((n) => [n.id, n.institution ?? `institution ${n.institutionId.slice(0, 8)}`]));
  const labelOf = (nodeId: string) => institutionOf.get(nodeId) ?? `node ${nodeId.slice(0, 8)}`;
  const names = new Set<string>();
  const rows = [...rounds].sort((a, b) => a.round - b.round).map((r) => {
    const row: Record<string, number> = { round: r.round };
    for (const id of r.participants) {
      const name = labelOf(id);
      names.add(name);
      row[name] = (row[name] ?? 0) + 1;
    }
    return row;
  });
  const institutions = [...names].sort();
  for (const row of rows) for (const name of institutions) row[name] ??= 0;
  return { institutions, rows };
}
