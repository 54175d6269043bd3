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
