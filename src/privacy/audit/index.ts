/**
 * The privacy audit: membership-inference attacks (loss threshold, shadow models) against
 * federated models with and without DP, the DP bound they are compared with, and the transport
 * check that no record value crosses the wire. Behind `fedcredit audit privacy`.
 *
 * Layering: the audit runs whole federations, so it sits above node/ and coordinator/ (like
 * simulation/), not with the DP mechanisms it audits; src/privacy/index.ts does not re-export it
 * and node or coordinator code must not import it.
 */
export { advantageAt, bestAdvantage, calibratedAdvantage, checkAttackInput, membershipAuc, nullBestAdvantage } from './attackMetrics.js';
export type { BestAdvantage } from './attackMetrics.js';
export { membershipAdvantageBound } from './bounds.js';
export {
  ATTACK_FEATURES, attackFeatures, attackScores, balanceObservation, lossThresholdAttack, perExampleLoss, shadowModelAttack, trainAttackClassifier,
} from './membership.js';
export type { AttackClassifier, LabelledPredictions, LossAttackResult, MembershipObservation, ShadowAttackResult } from './membership.js';
export { createAuditHandlers, runFederation } from './federated.js';
export type { AuditPrivacy, FederationOptions, FederationResult } from './federated.js';
export { plainTrainFn } from './trainFns.js';
export type { LocalTrainResult, TrainContext, TrainFn } from './trainFns.js';
export { dealWorld, observeMembership, predictTable, splitTargetAndAuxiliary } from './worlds.js';
export type { DealOptions } from './worlds.js';
export { checkTarget, privacyAuditOptions, runAuditTransportChecks, runPrivacyAudit } from './report.js';
export type { AuditDpSettings, AuditProgress, MeanStd, PrivacyAuditOptions, PrivacyAuditReport, RepeatResult, SettingReport, TargetCheck } from './report.js';
export { recordingEndpoint, runTransportCheck, scanReplies } from './transportCheck.js';
export type { LeakFinding, TransportCheckOptions, TransportCheckResult } from './transportCheck.js';
export { formatAuditReport, formatTransportCheck } from './format.js';
