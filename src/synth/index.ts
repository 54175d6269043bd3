/**
 * Public API of the synthetic-data domain: a CTGAN-style conditional GAN and SMOTE-NC that a node
 * fits on its own rows to oversample bad loans, and the fidelity / utility / privacy evaluation
 * of what they make. Synthetic rows never leave the node unless its owner exports them.
 */
export { CtganSynthesizer, type CtganOptions, type CtganProgress } from './ctgan.js';
export { SmoteNc, type SmoteNcOptions } from './smotenc.js';
export { checkSampleArgs, type SynthMethod, type Synthesizer } from './synthesizer.js';
export { TabularTransformer, type ColumnTransform, type ModeSelection, type OutputSpan, type TransformerOptions } from './transform.js';
export { fitGaussianMixture, modePosteriors, type GaussianMixture1D, type GaussianMixtureOptions } from './gmm.js';
export { appendTables, oversampleBad, syntheticRowsForShare, type Oversampled } from './oversample.js';
export { correlationMatrix, evaluationEncoder, fidelity, ksTwoSample, totalVariation, type ColumnFidelity, type FidelityReport } from './fidelity.js';
export { distanceToClosest, privacy, quantile, type PrivacyReport } from './privacy.js';
export { recallAtFlagRate, scoreClassifier, trainAndScore, trainClassifier, type ClassifierOptions, type ClassifierScores } from './utility.js';
export { evaluateSynthetic, type EvaluationInput, type SyntheticEvaluation, type UtilityReport } from './evaluate.js';
export { tableToCsv } from './csv.js';
