/**
 * A hand-computed boosted stump on German credit's duration, for scoring tests: durations 6
 * (5 good) and 48 (5 bad), base margin logit(½) = 0, g = ½ − y, h = ¼, so with η = 1 and λ = 0
 * each leaf is w = −G/H = ∓2 (as in test/model/gbdt/local.test.ts): 48 months scores σ(2) = 0.88,
 * 24 or less σ(−2) = 0.12. The stump's only split feature takes the whole margin,
 * φ(duration) = f(x) − E f = ±2; three more columns are constant in training (no gain, never
 * split), so a Scorer lists four reasons.
 */
import type { GbdtFeature } from '../../src/model/gbdt/features.js';
import { trainGbdtLocal } from '../../src/model/gbdt/local.js';
import { gbdtParams } from '../../src/model/gbdt/params.js';

export function durationStump() {
  const features: GbdtFeature[] = [
    { kind: 'numeric', column: 'duration', edges: [24.5] }, { kind: 'numeric', column: 'creditamount', edges: [1500] },
    { kind: 'numeric', column: 'installmentrate', edges: [2.5] }, { kind: 'numeric', column: 'residencesince', edges: [2.5] },
  ];
  const durations = [6, 6, 6, 6, 6, 48, 48, 48, 48, 48];
  const raw = { data: Float64Array.from(durations.flatMap((d) => [d, 1000, 2, 2])), rows: 10, cols: 4 };
  return trainGbdtLocal(features, { raw, labels: durations.map((d) => (d > 24 ? 1 : 0)) }, gbdtParams({ numTrees: 1, maxDepth: 1, learningRate: 1, l2: 0, minChildWeight: 0 }));
}
