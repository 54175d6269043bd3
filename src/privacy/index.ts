/**
 * Differential privacy for FedCredit: RDP accounting of the sampled Gaussian mechanism
 * (reproducing Opacus), noise calibration, clipping and noise mechanisms, and noise sources.
 */
export { erfc, erfcx, logErfc } from './erfc.js';
export { DEFAULT_ORDERS, computeRdp, getPrivacySpent, epsilonFor } from './rdp.js';
export type { RdpOptions, PrivacySpent } from './rdp.js';
export { noiseMultiplierFor } from './calibrate.js';
export type { CalibrationOptions } from './calibrate.js';
export { RdpAccountant } from './accountant.js';
export type { Accountant, AccountantStep, AccountantState } from './accountant.js';
export { cryptoNoiseSource, seededNoiseSource } from './noiseSource.js';
export type { NoiseSource } from './noiseSource.js';
export {
  clipByL2Norm,
  addGaussianNoise,
  addLaplaceNoise,
  laplaceNoise,
  laplaceScaleFor,
  gaussianSigmaFor,
} from './mechanisms.js';
export { composeEpsilon, epsilonOfCost, laplaceRdp, rdpOfCost, checkPrivacyCost } from './cost.js';
export type { PrivacyCost, PrivacySpend } from './cost.js';
export { calibrateForBudget, parsePrivacySettings, plannedEpsilon, resolvePrivacy, stepsPerEpoch } from './plan.js';
export type { DpFedAvgSettings, DpSgdSettings, PrivacySettings, ResolvedPrivacy } from './plan.js';
export { l2Mask, trainLocalDp } from './dpsgd.js';
export type { DpTrainOptions, DpTrainResult } from './dpsgd.js';
export { addServerNoise, applyNoisyUpdate, clipUpdate, dpFedAvgEpsilon, privatizeUpdate } from './dpFedAvg.js';
export { PrivacyBudgetError, PrivacyLedger, formatDelta, formatEpsilon } from './ledger.js';
export type { DatasetLedgerSummary, LedgerEntry, PrivacyBudget, Reservation, SpendKind } from './ledger.js';
