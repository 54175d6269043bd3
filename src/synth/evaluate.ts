/**
 * One report per synthetic set: fidelity (fidelity.ts), privacy (privacy.ts) and utility
 * (utility.ts), computed at the node on its own rows, with a real holdout kept out of fitting.
 * Only the summary numbers are meant to leave the node (a lender may share the report); the
 * rows themselves stay.
 */
import type { Table } from '../data/schema.js';
import { selectRows } from '../data/schema.js';
import { deriveRandom } from '../math/random.js';
import { fidelity, type FidelityReport } from './fidelity.js';
import { appendTables, oversampleBad } from './oversample.js';
import { privacy, type PrivacyReport } from './privacy.js';
import type { SynthMethod, Synthesizer } from './synthesizer.js';
import { trainAndScore, type ClassifierOptions, type ClassifierScores } from './utility.js';

/** Inputs of {@link evaluateSynthetic}. */
export interface EvaluationInput {
  /** Real rows the synthesizer was fitted on. */
  readonly train: Table;
  /** Real holdout rows, never seen by the synthesizer. */
  readonly test: Table;
  readonly synthesizer: Synthesizer;
  /** Rows to judge for fidelity and privacy; default: the synthetic bads of the augmentation. */
  readonly synthetic?: Table;
  /** Bad share the augmentation arm oversamples to. Default 0.3. */
  readonly targetBadShare?: number;
  readonly classifier: ClassifierOptions;
}

/** Utility of the synthetic rows next to the real-only reference. */
export interface UtilityReport {
  /** Trained on the real rows only. */
  readonly real: ClassifierScores;
  /** Trained on synthetic rows only, as many of each class as the real training rows. */
  readonly tstr: ClassifierScores;
  /** Trained on the real rows plus synthetic bads up to the target share. */
  readonly augmented: ClassifierScores;
  readonly numAugmentedRows: number;
}

/** The full evaluation of one synthesizer. */
export interface SyntheticEvaluation {
  readonly method: SynthMethod;
  readonly numJudged: number;
  readonly fidelity: FidelityReport;
  readonly privacy: PrivacyReport;
  readonly utility: UtilityReport;
}

/**
 * Evaluate `synthesizer` against the real `train` and `test` rows.
 *
 * @example
 * const report = evaluateSynthetic({ train, test, synthesizer: gan, classifier: { seed: 42 } });
 */
export function evaluateSynthetic(input: EvaluationInput): SyntheticEvaluation {
  const { train, test, synthesizer, classifier } = input;
  if (train.numRows === 0 || test.numRows === 0) throw new RangeError('train, test: expected at least one row each');
  const seed = classifier.seed;
  const augmentation = oversampleBad(train, synthesizer, input.targetBadShare ?? 0.3, deriveRandom(seed, 'synth', 'evaluate', 'augment'));
  const judged = input.synthetic ?? augmentation.synthetic;
  if (judged.numRows === 0) throw new RangeError('synthetic: no rows to judge (the training rows already reach the target bad share)');
  const classes = new Set(judged.label);
  const sameClass = (t: Table) => (classes.size === 2 ? t : selectRows(t, indicesOf(t.label, [...classes][0])));
  const numBad = train.label.reduce((s, y) => s + y, 0);
  const tstrRng = deriveRandom(seed, 'synth', 'evaluate', 'tstr');
  const tstrTrain = appendTables(synthesizer.sample(train.numRows - numBad, 0, tstrRng), synthesizer.sample(numBad, 1, tstrRng));
  return {
    method: synthesizer.method,
    numJudged: judged.numRows,
    fidelity: fidelity(sameClass(train), judged),
    privacy: privacy(train, judged, sameClass(test)),
    utility: {
      real: trainAndScore(train, train, test, classifier),
      tstr: trainAndScore(tstrTrain, train, test, classifier),
      augmented: trainAndScore(augmentation.table, train, test, classifier),
      numAugmentedRows: augmentation.synthetic.numRows,
    },
  };
}

function indicesOf(labels: Uint8Array, value: number): number[] {
  const out: number[] = [];
  labels.forEach((y, i) => y === value && out.push(i));
  return out;
}
