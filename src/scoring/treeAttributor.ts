/**
 * Reasons for boosted-tree decisions: exact path-dependent TreeSHAP (Lundberg et al. 2020) per
 * raw column. The scorer feeds matrices encoded with the ensemble's lossless tree encoder
 * (`treeEncoderSpec`), whose features follow the ensemble's columns in order, so column j of
 * the contributions is the scorer's column j. The contributions plus the expected margin add
 * up to each row's margin (the logit of default).
 */
import type { Matrix } from '../math/linalg.js';
import { rawFromTreeEncoding, treeEncoderSpec } from '../model/gbdt/adapter.js';
import type { TreeEnsemble } from '../model/gbdt/ensemble.js';
import { explainEnsemble } from '../model/gbdt/treeshap.js';
import type { EncoderSpec } from '../preprocess/encoder.js';
import type { Attribution, Attributor } from './attribution.js';

export class TreeAttributor implements Attributor {
  readonly method = 'tree-shap' as const;
  /** The encoder whose matrices this attributor reads. */
  readonly encoder: EncoderSpec;

  constructor(private readonly ensemble: TreeEnsemble) {
    this.encoder = treeEncoderSpec(ensemble.features);
  }

  logits(x: Matrix): Float64Array {
    return this.ensemble.predictMargin(rawFromTreeEncoding(this.ensemble.features, x));
  }

  /**
   * A numeric column's spread from the trees' bin edges: the edges are federated quantiles
   * k/maxBins (../model/gbdt/features.ts), so the first and last sit near the 3rd and 97th
   * percentiles (for maxBins = 32), about four standard deviations apart for a normal column.
   * Undefined with fewer than two edges.
   */
  numericSpread(column: string): number | undefined {
    const feature = this.ensemble.features.find((f) => f.column === column);
    if (feature?.kind !== 'numeric' || feature.edges.length < 2) return undefined;
    const spread = (feature.edges[feature.edges.length - 1] - feature.edges[0]) / 4;
    return spread > 0 && Number.isFinite(spread) ? spread : undefined;
  }

  /** The baseline is the ensemble's expected margin (TreeSHAP's reference), not `baseline`. */
  attribute(x: Matrix, _baseline: Float64Array, _featureColumn: Int32Array, numColumns: number): Attribution {
    if (numColumns !== this.ensemble.features.length) throw new RangeError(`numColumns: expected ${this.ensemble.features.length} (one per tree feature), got ${numColumns}`);
    const { expectedValue, contributions, margins } = explainEnsemble(this.ensemble, rawFromTreeEncoding(this.ensemble.features, x));
    return { logits: margins, baseLogit: expectedValue, contributions };
  }
}
