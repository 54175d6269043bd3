/**
 * The model report's fairness section, from the counts the final evaluation summed over the
 * lenders (meta.fairness, see ../fairness/evaluation.ts): per protected attribute and group the
 * approval rate and disparate-impact ratio, the equal-opportunity difference and calibration
 * (table and chart), with the flags of ../fairness/metrics.ts, and whether proxies remain:
 *
 * - an attribute that is itself a model feature: the model uses it directly;
 * - an attribute left out of the features: the score-separation screen. From each group's score
 *   histogram (the calibration bins), the AUC of the model's probability of default for telling
 *   the group from the others (direction-free: max(AUC, 1 − AUC)); above 0.7, the threshold of
 *   ../fairness/proxy.ts, the score itself carries the attribute, so proxies remain. Below it the
 *   screen cannot rule proxies out: the full check (a federated regression of each group on the
 *   features) is `fedcredit fairness`, and the section says so.
 */
import type { FairnessAttribute } from '../fairness/groups.js';
import { EQUAL_OPPORTUNITY_TOLERANCE, FOUR_FIFTHS, fairnessFromCounts, type AttributeFairness, type GroupFairness } from '../fairness/metrics.js';
import { PROXY_AUC_THRESHOLD } from '../fairness/proxy.js';
import { UNKNOWN_GROUP } from '../fairness/groups.js';
import { escapeHtml as esc, lineChart } from './svg.js';

/** What a model version stores (meta.fairness). */
export interface StoredFairness {
  readonly attributes: readonly FairnessAttribute[];
  readonly threshold: number;
  readonly numBins: number;
  readonly counts: readonly number[];
}

/** Groups with fewer applicants than this are marked: their rates are too noisy to judge. */
export const FEW_APPLICANTS = 30;
/** Calibration charts plot a group's bins with at least this many applicants (the table's ECE uses all). */
export const CHART_MIN_COUNT = 5;

/** One attribute of the section. */
export interface FairnessSectionAttribute extends AttributeFairness {
  readonly isFeature: boolean;
  /** Score-separation AUC per declared group (NaN when the group or the rest is empty). */
  readonly separation: { group: string; auc: number }[];
  readonly maxSeparation: number;
  readonly proxiesRemain: boolean | null;
}

/** Read meta.fairness; undefined when it is absent or malformed. */
export function storedFairnessOf(meta: Record<string, unknown>): StoredFairness | undefined {
  const f = meta.fairness as StoredFairness | undefined;
  if (typeof f !== 'object' || f === null || !Array.isArray(f.attributes) || !Array.isArray(f.counts) || typeof f.threshold !== 'number' || typeof f.numBins !== 'number') return undefined;
  return f;
}

/** Direction-free AUC of the score for one group against the rest, from per-bin counts. */
export function separationAuc(group: Float64Array, rest: Float64Array): number {
  const ng = group.reduce((s, v) => s + v, 0);
  const nr = rest.reduce((s, v) => s + v, 0);
  if (ng === 0 || nr === 0) return NaN;
  let below = 0, wins = 0;
  for (let k = 0; k < group.length; k++) {
    wins += group[k] * (below + rest[k] / 2);
    below += rest[k];
  }
  const auc = wins / (ng * nr);
  return Math.max(auc, 1 - auc);
}

function histogramOf(g: GroupFairness, numBins: number): Float64Array {
  const h = new Float64Array(numBins);
  for (const row of g.calibration) h[Math.min(numBins - 1, Math.round(row.lower * numBins))] += row.count;
  return h;
}

/** The metrics and proxy screen of every attribute. */
export function fairnessSectionData(stored: StoredFairness, featureColumns: ReadonlySet<string>): FairnessSectionAttribute[] {
  const metrics = fairnessFromCounts(Float64Array.from(stored.counts), stored.attributes, stored.numBins);
  return metrics.map((a) => {
    const hist = a.groups.map((g) => histogramOf(g, stored.numBins));
    const all = hist.reduce((s, h) => s.map((v, k) => v + h[k]), new Float64Array(stored.numBins));
    const separation = a.groups.map((g, i) => ({ group: g.group, auc: separationAuc(hist[i], all.map((v, k) => v - hist[i][k])) })).filter((s) => s.group !== UNKNOWN_GROUP);
    const defined = separation.map((s) => s.auc).filter((v) => !Number.isNaN(v));
    const maxSeparation = defined.length ? Math.max(...defined) : NaN;
    const isFeature = featureColumns.has(a.column);
    const proxiesRemain = isFeature ? true : Number.isNaN(maxSeparation) ? null : maxSeparation > PROXY_AUC_THRESHOLD ? true : null;
    return { ...a, isFeature, separation, maxSeparation, proxiesRemain };
  });
}

const fmt = (v: number, digits = 3) => (Number.isFinite(v) ? v.toFixed(digits) : '—');
const COLORS = ['#1f6feb', '#d1242f', '#1a7f37', '#bf8700', '#8250df', '#57606a'];

function proxyText(a: FairnessSectionAttribute): string {
  if (a.isFeature) return `<p class="warning"><strong>Proxy warning:</strong> column <code>${esc(a.column)}</code> is itself a model feature: the model uses ${esc(a.attribute)} directly.</p>`;
  const screen = a.separation.map((s) => `${esc(s.group)} ${fmt(s.auc)}`).join(', ');
  if (a.proxiesRemain) return `<p class="warning"><strong>Proxy warning: proxies remain.</strong> ${esc(a.attribute)} is not a feature, but the model’s score tells the groups apart (score-separation AUC ${screen}; above ${PROXY_AUC_THRESHOLD}): other features carry it.</p>`;
  return `<p>${esc(a.attribute)} is not a model feature. The score does not separate its groups strongly (score-separation AUC ${screen || '—'}; ≤ ${PROXY_AUC_THRESHOLD}). This screen cannot rule proxies out: <code>fedcredit fairness</code> runs the full check, a federated regression of each group on the model’s features.</p>`;
}

/** The section's HTML. */
export function renderFairnessSection(stored: StoredFairness | undefined, featureColumns: ReadonlySet<string>): string {
  const head = '<h2>Fairness</h2>';
  if (!stored) return `${head}<p>This model version carries no fairness counts (a dataset without protected attributes, or trained before they were collected). <code>fedcredit fairness</code> reports disparate impact, equal opportunity and calibration by group in simulation.</p>`;
  const data = fairnessSectionData(stored, featureColumns);
  const parts = [`${head}<p>From counts summed over the lenders’ held-out applicants (no record and no protected value left a node). Decision: approve when the probability of default is below ${fmt(stored.threshold)}. Flags: disparate impact below ${FOUR_FIFTHS} (four-fifths rule); |equal-opportunity difference| above ${EQUAL_OPPORTUNITY_TOLERANCE}; groups with fewer than ${FEW_APPLICANTS} applicants are marked as too small to judge. Calibration charts show the probability bins with at least ${CHART_MIN_COUNT} applicants of the group.</p>`];
  for (const a of data) {
    const rows = a.groups.map((g) => `<tr><th>${esc(g.group)}${g.group === a.referenceGroup ? ' (reference)' : ''}${g.numApplicants < FEW_APPLICANTS ? ' <small>(few applicants)</small>' : ''}</th><td>${g.numApplicants}</td><td>${fmt(g.approvalRate)}</td><td>${fmt(g.disparateImpact)}</td><td>${fmt(g.truePositiveRate)}</td><td>${fmt(g.equalOpportunityDifference)}</td><td>${fmt(g.observedDefaultRate)}</td><td>${fmt(g.meanPredictedDefault)}</td><td>${fmt(g.calibrationError)}</td></tr>`).join('');
    const chart = lineChart({
      title: `Calibration by group: ${a.attribute}`, xLabel: 'mean predicted probability of default (bin)', yLabel: 'observed default rate', x: [0, 1], y: [0, 1], diagonal: true,
      series: a.groups.map((g, i) => ({ name: g.group, color: COLORS[i % COLORS.length], points: g.calibration.filter((r) => r.count >= CHART_MIN_COUNT).map((r) => [r.meanPredicted, r.observedRate] as [number, number]) })),
    });
    parts.push(`<h3>${esc(a.attribute)} <small>(column ${esc(a.column)})</small></h3>
<table class="fairness" aria-label="Fairness by ${esc(a.attribute)}"><tr><th>group</th><th>applicants</th><th>approval rate</th><th>disparate impact</th><th>approval rate of good applicants</th><th>equal-opportunity difference</th><th>observed default rate</th><th>mean predicted default</th><th>calibration error (ECE)</th></tr>${rows}</table>
<p>Disparate impact ${fmt(a.minDisparateImpact)}: <strong>${a.disparateImpactFlag ? 'FLAGGED' : 'ok'}</strong>; equal-opportunity difference ${fmt(a.maxAbsEqualOpportunityDifference)}: <strong>${a.equalOpportunityFlag ? 'FLAGGED' : 'ok'}</strong>.</p>
${proxyText(a)}
<div class="charts">${chart}</div>`);
  }
  return parts.join('\n');
}
