/**
 * Fairness metrics from aggregated counts (./counts.ts), per protected attribute and group:
 *
 * - approval rate and **disparate-impact ratio**: a group's approval rate divided by that of the
 *   most favoured group (the highest approval rate). Below 0.8 is flagged: the "four-fifths
 *   rule" of the US Uniform Guidelines on Employee Selection Procedures, 29 CFR 1607.4(D), the
 *   customary screen for adverse impact, also in credit;
 * - **equal-opportunity difference** (Hardt, Price & Srebro, "Equality of Opportunity in
 *   Supervised Learning", NeurIPS 2016): the true-positive rate for *good* applicants (approved
 *   among those who repaid) minus that of the most favoured group. |difference| > 0.1 is
 *   flagged, the tolerance AIF360 uses as its "fair" band;
 * - **calibration by group**: per probability bin, predicted vs observed default rate, and the
 *   group's expected calibration error (Naeini et al. 2015) and mean predicted vs observed
 *   default rate: a model can rank fairly and still over-predict one group's risk.
 * Rates over an empty set (a group with no good applicant, say) are NaN, shown as "—".
 */
import { calibrationErrorOfTable, type CalibrationRow } from '../metrics/calibration.js';
import { BIN_SIZE, CONFUSION_SIZE, fairnessLayout } from './counts.js';
import { UNKNOWN_GROUP, type FairnessAttribute } from './groups.js';

/** Disparate-impact ratios below this are flagged (four-fifths rule). */
export const FOUR_FIFTHS = 0.8;
/** Equal-opportunity differences beyond ± this are flagged. */
export const EQUAL_OPPORTUNITY_TOLERANCE = 0.1;

/** One group's metrics. */
export interface GroupFairness {
  readonly group: string;
  readonly numApplicants: number;
  readonly numGood: number;
  readonly numBad: number;
  readonly approvalRate: number;
  /** approvalRate / approval rate of the most favoured group. */
  readonly disparateImpact: number;
  /** Approved good / all good (true-positive rate for good applicants). */
  readonly truePositiveRate: number;
  /** truePositiveRate − that of the most favoured group. */
  readonly equalOpportunityDifference: number;
  readonly observedDefaultRate: number;
  readonly meanPredictedDefault: number;
  /** Expected calibration error over the group's non-empty bins. */
  readonly calibrationError: number;
  readonly calibration: CalibrationRow[];
}

/** One attribute's metrics. */
export interface AttributeFairness {
  readonly attribute: string;
  readonly column: string;
  /** The group with the highest approval rate (the comparison point). */
  readonly referenceGroup: string;
  /** Groups with at least one applicant, in declared order ("unknown" last). */
  readonly groups: GroupFairness[];
  readonly minDisparateImpact: number;
  readonly maxAbsEqualOpportunityDifference: number;
  readonly disparateImpactFlag: boolean;
  readonly equalOpportunityFlag: boolean;
}

/**
 * Metrics of every attribute from counts summed over the nodes.
 *
 * @example fairnessFromCounts(plainAggregator.sum(replies), attributes, 10)[0].minDisparateImpact
 */
export function fairnessFromCounts(summedCounts: Float64Array, attributes: readonly FairnessAttribute[], numBins: number): AttributeFairness[] {
  const layout = fairnessLayout(attributes, numBins);
  if (!(summedCounts instanceof Float64Array)) throw new TypeError('summedCounts: expected a Float64Array');
  if (summedCounts.length !== layout.length) throw new RangeError(`summedCounts: length ${summedCounts.length}, expected ${layout.length}`);
  for (let i = 0; i < summedCounts.length; i++) {
    if (!Number.isFinite(summedCounts[i]) || summedCounts[i] < 0) throw new RangeError(`summedCounts[${i}]: expected a finite count ≥ 0, got ${summedCounts[i]}`);
  }
  return attributes.map((a, j) => {
    const names = [...a.groups.map((g) => g.name), UNKNOWN_GROUP];
    const counted = names.map((name, g) => ({ declared: g < a.groups.length, counts: groupCounts(summedCounts, layout.offsets[j] + g * layout.blockSize, numBins, name) }))
      .filter((g) => g.counts.numApplicants > 0);
    const raw = counted.map((g) => g.counts);
    // The most favoured group is a declared one; "unknown" only when nobody is in a declared group.
    const declared = counted.filter((g) => g.declared).map((g) => g.counts);
    const candidates = declared.length > 0 ? declared : raw;
    let reference = candidates[0];
    for (const g of candidates) if (g.approvalRate > reference.approvalRate) reference = g;
    const groups = raw.map((g): GroupFairness => ({
      ...g,
      disparateImpact: g.approvalRate / reference.approvalRate,
      equalOpportunityDifference: g.truePositiveRate - reference.truePositiveRate,
    }));
    const di = groups.map((g) => g.disparateImpact).filter((v) => !Number.isNaN(v));
    const eo = groups.map((g) => Math.abs(g.equalOpportunityDifference)).filter((v) => !Number.isNaN(v));
    const minDisparateImpact = di.length ? Math.min(...di) : NaN;
    const maxAbsEqualOpportunityDifference = eo.length ? Math.max(...eo) : NaN;
    return {
      attribute: a.name,
      column: a.column,
      referenceGroup: reference?.group ?? '',
      groups,
      minDisparateImpact,
      maxAbsEqualOpportunityDifference,
      disparateImpactFlag: minDisparateImpact < FOUR_FIFTHS,
      equalOpportunityFlag: maxAbsEqualOpportunityDifference > EQUAL_OPPORTUNITY_TOLERANCE,
    };
  });
}

type Counted = Omit<GroupFairness, 'disparateImpact' | 'equalOpportunityDifference'>;

function groupCounts(c: Float64Array, block: number, numBins: number, group: string): Counted {
  const [approvedGood, approvedBad, declinedGood, declinedBad] = [c[block], c[block + 1], c[block + 2], c[block + 3]];
  const numGood = approvedGood + declinedGood;
  const numBad = approvedBad + declinedBad;
  const numApplicants = numGood + numBad;
  const calibration: CalibrationRow[] = [];
  let sumPredicted = 0;
  for (let k = 0; k < numBins; k++) {
    const at = block + CONFUSION_SIZE + BIN_SIZE * k;
    const count = c[at];
    sumPredicted += c[at + 1];
    if (count > 0) calibration.push({ lower: k / numBins, upper: (k + 1) / numBins, count, meanPredicted: c[at + 1] / count, observedRate: c[at + 2] / count });
  }
  return {
    group,
    numApplicants,
    numGood,
    numBad,
    approvalRate: (approvedGood + approvedBad) / numApplicants,
    truePositiveRate: approvedGood / numGood,
    observedDefaultRate: numBad / numApplicants,
    meanPredictedDefault: sumPredicted / numApplicants,
    calibrationError: calibration.length ? calibrationErrorOfTable(calibration) : NaN,
    calibration,
  };
}
