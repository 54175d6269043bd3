/** Gradient-boosted trees: features and bins, split finding, growth, ensembles, TreeSHAP. */
export { gbdtParams, GBDT_DEFAULTS, GBDT_LIMITS, type GbdtParams } from './params.js';
export { binLayout, binMatrix, binningFromStats, featureBins, numericBin, parseFeatures, quantileEdges, rawMatrix, MAX_CATEGORIES, type BinLayout, type GbdtFeature } from './features.js';
export { compileTree, leafOf, parseTree, treeDepth, MAX_TREE_NODES, type CategoricalSplit, type CompiledTree, type Leaf, type NumericSplit, type Tree, type TreeNode } from './tree.js';
export { findBestSplit, histogramTotals, leafWeight, splitGain, HIST_STRIDE, MIN_GAIN, type NodeTotals, type SplitCandidate } from './split.js';
export { TreeGrower } from './grower.js';
export { GbdtWorker, MIN_HESSIAN, type LabelledRows } from './worker.js';
export { TreeEnsemble, GBDT_FORMAT, type TreeEnsembleJson } from './ensemble.js';
export { baseMarginFromCounts, featuresOfTable, growTreeLocally, trainGbdtLocal, trainGbdtOnTable } from './local.js';
export { explainEnsemble, goesLeft, treeExpectedValue, treeShap, type EnsembleExplanation } from './treeshap.js';
export { ensembleScoringModel, rawFromTreeEncoding, treeEncoderSpec, type ProbabilityModel } from './adapter.js';
